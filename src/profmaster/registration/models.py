"""Registration and accreditation (SPEC REG-1…REG-15, X-1): applications, team members, remarks,
consents, document checks and substitutions. Thin: fields and database constraints; workflows live in
:mod:`.domain`, the team rules in :mod:`.team_rules`."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from profmaster.accounts.models import NameFormsMixin

from . import team_rules, workflow


def default_relative_kinds() -> list[str]:
    return list(team_rules.RELATIVE_KINDS)


class RegistrationRules(models.Model):
    """The championship-wide team rules as data, with 003's values as defaults (REG-9…REG-13).

    The per-category rules (grades, team composition, Moscow school, sibling exception) are the fields
    of ``championships.AgeCategory``.
    """

    championship = models.OneToOneField("championships.Championship", on_delete=models.CASCADE,
                                        related_name="registration_rules", verbose_name=_("чемпионат"))
    relative_kinds = models.JSONField(_("виды близкого родства"), default=default_relative_kinds)
    same_organisation_required = models.BooleanField(
        _("участники команды — из организации заявки"), default=True, help_text=_("п. 3.10 методики"))
    one_application_per_organisation = models.BooleanField(
        _("одна заявка организации на компетенцию и категорию"), default=True, help_text=_("п. 3.6 методики"))
    one_competency_per_participant = models.BooleanField(
        _("участник — только в одной компетенции и категории"), default=True, help_text=_("п. 3.7 методики"))
    mentor_single_organisation = models.BooleanField(
        _("наставник — команды только одной организации"), default=True, help_text=_("п. 3.8 методики"))
    mentor_no_overlapping_dates = models.BooleanField(
        _("наставник — только команды с несовпадающими датами"), default=True, help_text=_("п. 3.8, 19.3 методики"))
    central_registration = models.BooleanField(
        _("заявки регистрирует Дирекция (загрузка заявок из xlsx)"), default=False,
        help_text=_("Для конкурса с централизованной регистрацией"))
    substitution_days_before = models.PositiveSmallIntegerField(
        _("замена участника — не позднее чем за столько дней"), default=1, help_text=_("п. 17.6 методики"))

    class Meta:
        verbose_name = _("правила регистрации")
        verbose_name_plural = _("правила регистрации")

    def __str__(self) -> str:
        return str(self.championship)

    def as_rules(self) -> team_rules.ChampionshipRules:
        return team_rules.ChampionshipRules(
            relative_kinds=frozenset(self.relative_kinds or []),
            same_organisation_required=self.same_organisation_required,
            one_application_per_organisation=self.one_application_per_organisation,
            one_competency_per_participant=self.one_competency_per_participant,
            mentor_single_organisation=self.mentor_single_organisation,
            mentor_no_overlapping_dates=self.mentor_no_overlapping_dates,
        )


class Application(models.Model):
    """An application of one organisation's team for one competency and age category (REG-1)."""

    class Status(models.TextChoices):
        DRAFT = workflow.DRAFT, _("Черновик")
        SUBMITTED = workflow.SUBMITTED, _("Подана")
        RETURNED = workflow.RETURNED, _("Возвращена на доработку")
        RESUBMITTED = workflow.RESUBMITTED, _("Подана повторно")
        APPROVED = workflow.APPROVED, _("Одобрена")
        REJECTED = workflow.REJECTED, _("Отклонена")
        WITHDRAWN = workflow.WITHDRAWN, _("Отозвана")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT,
                                   related_name="applications", verbose_name=_("компетенция"))
    age_category = models.ForeignKey("championships.AgeCategory", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name=_("возрастная категория"))
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name=_("организация"))
    participants_are_siblings = models.BooleanField(
        _("участники — родные братья и сёстры"), default=False,
        help_text=_("Для исключения п. 3.3: один из братьев и сестёр может учиться в 1–2 классе."))
    competition_date = models.DateField(
        _("дата выступления команды"), null=True, blank=True,
        help_text=_("После жеребьёвки потоков; без неё — даты программы компетенции."))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("заявитель"))
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("подана"), null=True, blank=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("решение принял"))
    decision_reason = models.TextField(_("причина решения"), blank=True)
    reopened = models.BooleanField(_("открыта для правки после срока"), default=False)
    reopen_reason = models.TextField(_("причина открытия"), blank=True)
    # REG-4: a violation found later puts the team out of competition and/or bars it from the next stage.
    out_of_competition = models.BooleanField(_("вне зачёта"), default=False)
    barred_from_next_stage = models.BooleanField(_("не допускается к следующему этапу"), default=False)
    out_of_competition_reason = models.TextField(_("основание"), blank=True)
    out_of_competition_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                              blank=True, related_name="+", verbose_name=_("решение «вне зачёта»"))
    out_of_competition_at = models.DateTimeField(_("когда"), null=True, blank=True)
    # REG-13 / 003 §17.6: the team competes incomplete by a recorded decision.
    incomplete_allowed = models.BooleanField(_("выступает в неполном составе"), default=False)
    incomplete_reason = models.TextField(_("основание неполного состава"), blank=True)

    class Meta:
        verbose_name = _("заявка")
        verbose_name_plural = _("заявки")
        ordering = ["championship", "competency__name", "age_category__order", "organisation__short_name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=list(workflow.TRANSITIONS)), name="application_status_valid"),
            models.CheckConstraint(
                condition=Q(out_of_competition=False, barred_from_next_stage=False) | ~Q(out_of_competition_reason=""),
                name="application_out_of_competition_has_reason",
                violation_error_message=_("Решение «вне зачёта» требует основания."),
            ),
            models.CheckConstraint(condition=Q(reopened=False) | ~Q(reopen_reason=""),
                                   name="application_reopen_has_reason",
                                   violation_error_message=_("Открытие заявки после срока требует причины.")),
        ]

    def __str__(self) -> str:
        return f"№ {self.pk} — {self.organisation}, {self.competency}, {self.age_category}"

    @property
    def label(self) -> str:
        return f"№ {self.pk}: {self.organisation}, {self.competency}, {self.age_category}"


class DeadlineReminder(models.Model):
    """X-6: the reminder «N days before the submission deadline» was sent for this application — once: the
    unique constraint is what keeps a second beat run (or a second worker) from sending it again."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="deadline_reminders",
                                    verbose_name=_("заявка"))
    days_before = models.PositiveSmallIntegerField(_("дней до срока"))
    #: The deadline the reminder was about (a later change of the deadline does not send it again).
    deadline = models.DateTimeField(_("срок"))
    sent_at = models.DateTimeField(_("отправлено"), auto_now_add=True)

    class Meta:
        verbose_name = _("напоминание о сроке подачи")
        verbose_name_plural = _("напоминания о сроке подачи")
        constraints = [models.UniqueConstraint(fields=["application", "days_before"],
                                               name="deadline_reminder_once_per_application")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.days_before}"


class TeamMember(NameFormsMixin, models.Model):
    """A person of a team (REG-5): participant, close relative or mentor; linked to an account if they have one."""

    class Kind(models.TextChoices):
        PARTICIPANT = team_rules.PARTICIPANT, _("Участник")
        RELATIVE = team_rules.RELATIVE, _("Близкий родственник")
        MENTOR = team_rules.MENTOR, _("Наставник")

    class State(models.TextChoices):
        ACTIVE = "active", _("В составе")
        PROPOSED = "proposed", _("Предложен на замену")
        REPLACED = "replaced", _("Заменён")
        ENDED = "ended", _("Участие прекращено")

    Relation = models.TextChoices("Relation", [(k, v) for k, v in team_rules.RELATIVE_KINDS.items()])  # type: ignore[call-overload]

    class ClothingSize(models.TextChoices):
        XS = "XS", "XS"
        S = "S", "S"
        M = "M", "M"
        L = "L", "L"
        XL = "XL", "XL"
        XXL = "XXL", "XXL"
        CHILD_122 = "122", "122"
        CHILD_128 = "128", "128"
        CHILD_134 = "134", "134"
        CHILD_140 = "140", "140"
        CHILD_146 = "146", "146"
        CHILD_152 = "152", "152"
        CHILD_158 = "158", "158"
        CHILD_164 = "164", "164"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members",
                                    verbose_name=_("заявка"))
    kind = models.CharField(_("роль в команде"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.ACTIVE)
    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    patronymic = models.CharField(_("отчество"), max_length=150, blank=True)
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("организация"))
    position = models.CharField(_("должность"), max_length=200, blank=True)
    clothing_size = models.CharField(_("размер одежды"), max_length=8, choices=ClothingSize.choices, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("класс"), null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(11)])
    relation = models.CharField(_("родство с участником"), max_length=32, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="team_memberships", verbose_name=_("учётная запись"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("член команды")
        verbose_name_plural = _("члены команды")
        ordering = ["application", "kind", "last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[team_rules.PARTICIPANT, team_rules.RELATIVE, team_rules.MENTOR]),
                                   name="team_member_kind_valid"),
            models.CheckConstraint(condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=11),
                                   name="team_member_grade_range",
                                   violation_error_message=_("Класс — от 1 до 11.")),
            models.CheckConstraint(condition=~Q(kind=team_rules.PARTICIPANT) | Q(birth_date__isnull=False),
                                   name="team_member_participant_birth_date",
                                   violation_error_message=_("Для участника укажите дату рождения.")),
            models.CheckConstraint(condition=~Q(kind=team_rules.MENTOR) | ~Q(email=""),
                                   name="team_member_mentor_email",
                                   violation_error_message=_("Для наставника укажите e-mail.")),
            models.CheckConstraint(condition=Q(gender__in=["", "masc", "femn"]), name="team_member_gender_valid"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_relation_display(self) -> str:
        """The kind of relation in words, in the current language («мать»), not the stored code."""
        label = team_rules.RELATIVE_KINDS.get(self.relation)
        return gettext(label) if label else self.relation

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def championship(self) -> Any:  # the permission scope of a member is its application's
        return self.application.championship

    @property
    def competency_id(self) -> int:
        return self.application.competency_id

    @property
    def is_minor_record(self) -> bool:
        """Participants are school pupils: their records are minors' personal data (X-1)."""
        return self.kind == team_rules.PARTICIPANT


class Remark(models.Model):
    """A remark of the Directorate when it returns an application: on the team, or on one person's field."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="remarks",
                                    verbose_name=_("заявка"))
    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, null=True, blank=True, related_name="remarks",
                               verbose_name=_("член команды"))
    field = models.CharField(_("поле"), max_length=64, blank=True)
    text = models.TextField(_("замечание"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("снято"), null=True, blank=True)

    class Meta:
        verbose_name = _("замечание")
        verbose_name_plural = _("замечания")
        ordering = ["application", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ConsentForm(models.Model):
    """A consent the championship collects (REG-6, 003 §3.5.1): its text is published in versions."""

    class Kind(models.TextChoices):
        PARTICIPATION = "participation", _("Согласие на участие")
        PERSONAL_DATA = "personal_data", _("Согласие на обработку и передачу персональных данных")
        PHOTO_VIDEO = "photo_video", _("Согласие на фото- и видеосъёмку и публикацию")

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                     related_name="consent_forms", verbose_name=_("чемпионат"))
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=300)

    class Meta:
        verbose_name = _("форма согласия")
        verbose_name_plural = _("формы согласий")
        ordering = ["championship", "kind"]
        constraints = [models.UniqueConstraint(fields=["championship", "kind"], name="consent_form_kind_unique")]

    def __str__(self) -> str:
        return self.title


class ConsentVersion(models.Model):
    form = models.ForeignKey(ConsentForm, on_delete=models.CASCADE, related_name="versions", verbose_name=_("форма"))
    number = models.PositiveSmallIntegerField(_("версия"))
    text = models.TextField(_("текст"))
    published_at = models.DateTimeField(_("опубликована"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("версия согласия")
        verbose_name_plural = _("версии согласий")
        ordering = ["form", "-number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="consent_version_unique")]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"

    @property
    def championship(self) -> Any:
        return self.form.championship


class Consent(models.Model):
    """A consent given for one person (REG-6): which version, by whom (a minor's by a parent or mentor), when.

    Withdrawal (REG-8) keeps the record and marks it withdrawn; processing stops from that moment.
    """

    class GivenBy(models.TextChoices):
        SELF = "self", _("Сам(а)")
        PARENT = "parent", _("Родитель (законный представитель)")
        MENTOR = "mentor", _("Наставник")
        ORG_REPRESENTATIVE = "org_representative", _("Ответственное лицо организации")

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="consents",
                               verbose_name=_("член команды"))
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="consents",
                                verbose_name=_("версия"))
    given_by = models.CharField(_("кем дано"), max_length=20, choices=GivenBy.choices)
    given_by_name = models.CharField(_("ФИО давшего согласие"), max_length=300)
    given_at = models.DateTimeField(_("когда дано"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)
    withdrawal_note = models.TextField(_("основание отзыва"), blank=True)

    class Meta:
        verbose_name = _("согласие")
        verbose_name_plural = _("согласия")
        ordering = ["member", "version__form__kind", "-given_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "version"], condition=Q(withdrawn_at__isnull=True),
                                    name="consent_one_live_per_version",
                                    violation_error_message=_("Это согласие уже записано.")),
            models.CheckConstraint(condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_note=""),
                                   name="consent_withdrawal_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.version}"


class PrivateScanStorage(FileSystemStorage):
    """Scans of identity documents (REG-7, X-1): kept under MEDIA_ROOT/private, with no URL at all; they are
    served only by the permission-checked view ``registration:document_scan``."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name: str | None) -> str:
        raise ValueError("A private scan has no public URL; serve it through registration:document_scan.")


def private_scan_storage() -> PrivateScanStorage:
    return PrivateScanStorage()


def scan_upload_to(instance: DocumentCheck, filename: str) -> str:
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"registration-scans/{instance.member.application.championship_id}/{uuid.uuid4().hex}.{suffix}"


class DocumentCheck(models.Model):
    """The chief expert's check of one required document of one person before the final (REG-7)."""

    class Item(models.TextChoices):
        IDENTITY = "identity", _("Документ, удостоверяющий личность")
        SCHOOL_CERTIFICATE = "school_certificate", _("Справка с места учёбы (для «Семьи мастеров» — с родством)")
        CONSENTS = "consents", _("Оригиналы согласий")

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Предъявлен, в порядке")
        MISSING = "missing", _("Не предъявлен")
        INVALID = "invalid", _("Не соответствует")

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="document_checks",
                               verbose_name=_("член команды"))
    item = models.CharField(_("документ"), max_length=24, choices=Item.choices)
    outcome = models.CharField(_("результат"), max_length=16, choices=Outcome.choices)
    comment = models.TextField(_("комментарий"), blank=True)
    scan = models.FileField(_("скан"), upload_to=scan_upload_to, storage=private_scan_storage, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("проверен"), auto_now=True)

    class Meta:
        verbose_name = _("проверка документа")
        verbose_name_plural = _("проверка документов")
        ordering = ["member", "item"]
        constraints = [models.UniqueConstraint(fields=["member", "item"], name="document_check_unique")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_item_display()}"


class SubstitutionRequest(models.Model):
    """A request to replace one team member (REG-13, 003 §17.5–17.6), decided by the Directorate."""

    class Status(models.TextChoices):
        PENDING = "pending", _("На рассмотрении")
        APPROVED = "approved", _("Одобрена")
        REFUSED = "refused", _("Отказано")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="substitutions",
                                    verbose_name=_("заявка"))
    outgoing = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("выбывает"))
    incoming = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("заменяет"))
    reason = models.TextField(_("уважительная причина"))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("основание решения"), blank=True)

    class Meta:
        verbose_name = _("замена участника")
        verbose_name_plural = _("замены участников")
        ordering = ["application", "-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(status="pending"),
                                    name="substitution_one_pending_per_application",
                                    violation_error_message=_("По этой заявке уже есть нерассмотренная замена.")),
        ]

    def __str__(self) -> str:
        return f"{self.outgoing} → {self.incoming}"
