"""Marking schemes (SPEC MS-1…MS-5): criteria → sub-criteria → aspects, per competency and stage."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import calculation
from .scheme_rules import SchemeLimits


class MarkingRules(models.Model):
    """A championship's limits for schemes and marking; the defaults are 003 §4.6 and SC-4's."""

    championship = models.OneToOneField("championships.Championship", on_delete=models.CASCADE,
                                        related_name="marking_rules", verbose_name=_("чемпионат"))
    min_criteria = models.PositiveSmallIntegerField(_("критериев не меньше"), default=3)
    max_criteria = models.PositiveSmallIntegerField(_("критериев не больше"), default=9)
    max_aspect_points = models.DecimalField(_("наибольший балл аспекта"), max_digits=5, decimal_places=2,
                                            default=Decimal("2.00"))
    max_total_points = models.DecimalField(_("наибольшая сумма схемы"), max_digits=6, decimal_places=2,
                                           default=Decimal("100.00"))
    judgement_spread_limit = models.PositiveSmallIntegerField(
        _("допустимое расхождение судейских оценок"), default=1,
        help_text=_("Оценки одного аспекта, расходящиеся больше чем на это число, требуют пересмотра."))
    require_skill_sections = models.BooleanField(_("критерий обязан ссылаться на спецификацию навыков"),
                                                 default=True)

    class Meta:
        verbose_name = _("правила оценивания")
        verbose_name_plural = _("правила оценивания")
        constraints = [
            models.CheckConstraint(condition=Q(min_criteria__gte=1, min_criteria__lte=models.F("max_criteria")),
                                   name="marking_rules_criteria_range"),
            models.CheckConstraint(condition=Q(max_aspect_points__gt=0, max_total_points__gt=0),
                                   name="marking_rules_positive_points"),
        ]

    def __str__(self) -> str:
        return str(self.championship)

    def limits(self) -> SchemeLimits:
        return SchemeLimits(self.min_criteria, self.max_criteria, self.max_aspect_points, self.max_total_points)


class MarkingScheme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        LOCKED = "locked", _("Заблокирована")

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE,
                                   related_name="marking_schemes", verbose_name=_("компетенция"))
    stage = models.ForeignKey("championships.Stage", on_delete=models.CASCADE, related_name="marking_schemes",
                              verbose_name=_("этап"))
    age_category = models.ForeignKey("championships.AgeCategory", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="marking_schemes", verbose_name=_("возрастная категория"),
                                     help_text=_("Пусто — одна схема для всех категорий."))
    title = models.CharField(_("название"), max_length=300)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("редакция"), default=1)
    lock_document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("протокол блокировки критериев"))
    unlock_document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("протокол разблокировки"))

    class Meta:
        verbose_name = _("схема оценки")
        verbose_name_plural = _("схемы оценки")
        ordering = ["competency", "stage", "age_category"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "stage", "age_category"], name="scheme_unique",
                                    violation_error_message=_("Схема для этой компетенции, этапа и категории уже есть.")),
            models.UniqueConstraint(fields=["competency", "stage"], condition=Q(age_category__isnull=True),
                                    name="scheme_unique_all_categories",
                                    violation_error_message=_("Общая схема для этой компетенции и этапа уже есть.")),
            models.CheckConstraint(condition=Q(status="draft") | Q(lock_document__isnull=False),
                                   name="locked_scheme_has_protocol"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.competency.championship

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class Criterion(models.Model):
    scheme = models.ForeignKey(MarkingScheme, on_delete=models.CASCADE, related_name="criteria",
                               verbose_name=_("схема"))
    code = models.CharField(_("код"), max_length=8, help_text=_("Например, A"))
    title = models.CharField(_("название"), max_length=300)
    order = models.PositiveSmallIntegerField(_("порядок"), default=1)
    skill_sections = models.ManyToManyField("championships.SkillSection", blank=True, related_name="criteria",
                                            verbose_name=_("разделы спецификации навыков"))

    class Meta:
        verbose_name = _("критерий")
        verbose_name_plural = _("критерии")
        ordering = ["scheme", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="criterion_code_unique",
                                               violation_error_message=_("Критерий с таким кодом уже есть."))]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.scheme.competency.championship

    @property
    def competency_id(self) -> int:
        return self.scheme.competency_id


class SubCriterion(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="sub_criteria",
                                  verbose_name=_("критерий"))
    code = models.CharField(_("код"), max_length=12, help_text=_("Например, A1"))
    title = models.CharField(_("название"), max_length=300)
    order = models.PositiveSmallIntegerField(_("порядок"), default=1)

    class Meta:
        verbose_name = _("субкритерий")
        verbose_name_plural = _("субкритерии")
        ordering = ["criterion", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["criterion", "code"], name="sub_criterion_code_unique",
                                               violation_error_message=_("Субкритерий с таким кодом уже есть."))]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.criterion.scheme.competency.championship

    @property
    def competency_id(self) -> int:
        return self.criterion.scheme.competency_id


class Aspect(models.Model):
    class Kind(models.TextChoices):
        JUDGEMENT = calculation.JUDGEMENT, _("Судейская (0–3)")
        BINARY = calculation.BINARY, _("Измеримая: да/нет")
        DISCRETE = calculation.DISCRETE, _("Измеримая: шкала уровней")

    sub_criterion = models.ForeignKey(SubCriterion, on_delete=models.CASCADE, related_name="aspects",
                                      verbose_name=_("субкритерий"))
    code = models.CharField(_("код"), max_length=16, help_text=_("Например, A1.3"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("описание"))
    max_points = models.DecimalField(_("максимальный балл"), max_digits=5, decimal_places=2)
    descriptors = models.JSONField(_("значения оценок 0–3"), default=list, blank=True)
    levels = models.JSONField(_("уровни шкалы"), default=list, blank=True,
                              help_text=_("Список пар [название уровня, баллы]"))
    order = models.PositiveSmallIntegerField(_("порядок"), default=1)

    class Meta:
        verbose_name = _("аспект")
        verbose_name_plural = _("аспекты")
        ordering = ["sub_criterion", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["sub_criterion", "code"], name="aspect_code_unique",
                                    violation_error_message=_("Аспект с таким кодом уже есть.")),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="aspect_points_positive",
                                   violation_error_message=_("Максимальный балл аспекта должен быть больше нуля.")),
            models.CheckConstraint(condition=Q(kind__in=calculation.KINDS), name="aspect_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.description[:60]}"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.sub_criterion.criterion.scheme.competency.championship

    @property
    def competency_id(self) -> int:
        return self.sub_criterion.criterion.scheme.competency_id


class TeamResult(models.Model):
    """A team's frozen total under one marking scheme (SC-5 → AW-1).

    The marks lock writes one row per team of the scheme in the same transaction as the lock, and the
    unlock deletes them: rows exist exactly while a scheme's marks are locked. Results (rankings,
    medals, publication) read these rows and nothing else from marking.
    """

    scheme = models.ForeignKey(MarkingScheme, on_delete=models.CASCADE, related_name="team_results",
                               verbose_name=_("схема оценки"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="team_results",
                             verbose_name=_("команда"))
    total = models.DecimalField(_("итоговый балл"), max_digits=6, decimal_places=2)
    # Criterion subtotals as [{"code": "A", "title": "…", "points": "12.34"}], exact and rounded like the total.
    criteria = models.JSONField(_("баллы по критериям"), default=list, blank=True)
    locked_at = models.DateTimeField(_("заблокировано"))

    class Meta:
        verbose_name = _("итог команды")
        verbose_name_plural = _("итоги команд")
        ordering = ["scheme", "-total", "team"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "team"], name="team_result_unique"),
            models.CheckConstraint(condition=Q(total__gte=0), name="team_result_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.total}"


# --- Panels, marks and the marks ledger (SC-1…SC-8, X-2) -----------------------------------------


class Panel(models.Model):
    """How a competency's panel marks (SC-8, SC-2, SC-3); its members are the competency's
    chief expert and expert role assignments."""

    competency = models.OneToOneField("championships.Competency", on_delete=models.CASCADE, related_name="panel",
                                      verbose_name=_("компетенция"))
    four_eyes = models.BooleanField(_("проверка в четыре глаза"), default=False,
                                    help_text=_("Второй член жюри вслепую повторяет ввод; расхождения не дают "
                                                "завершить ведомость."))
    blind = models.BooleanField(_("слепая оценка"), default=False,
                                help_text=_("Команды показываются экспертам под кодами работ."))
    exclude_own_organisation = models.BooleanField(
        _("эксперт не оценивает команды своей организации"), default=True)
    roles_document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("протокол распределения судейских ролей"))

    class Meta:
        verbose_name = _("жюри")
        verbose_name_plural = _("жюри")

    def __str__(self) -> str:
        return str(self.competency)

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.competency.championship


class JudgingRole(models.Model):
    """A panel member's duty on competition day (003 §6.4, the protocol of role distribution)."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, related_name="judging_roles",
                                   verbose_name=_("компетенция"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judging_roles",
                             verbose_name=_("эксперт"))
    duty = models.CharField(_("судейская роль"), max_length=200)
    team = models.ForeignKey("registration.Application", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("команда"),
                             help_text=_("Если роль — оценка определённой команды."))

    class Meta:
        verbose_name = _("судейская роль")
        verbose_name_plural = _("судейские роли")
        ordering = ["competency", "user", "duty", "pk"]
        constraints = [models.UniqueConstraint(fields=["competency", "user", "duty"], name="judging_role_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.duty}"


class WorkCode(models.Model):
    """SC-8 blind assessment: the code under which a team's work is shown to experts."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, related_name="work_codes",
                                   verbose_name=_("компетенция"))
    team = models.OneToOneField("registration.Application", on_delete=models.CASCADE, related_name="work_code",
                                verbose_name=_("команда"))
    code = models.CharField(_("код работы"), max_length=12)

    class Meta:
        verbose_name = _("код работы")
        verbose_name_plural = _("коды работ")
        constraints = [models.UniqueConstraint(fields=["competency", "code"], name="work_code_unique")]

    def __str__(self) -> str:
        return self.code


class SchemeMarking(models.Model):
    """The marking state of one scheme: open or locked (SC-5…SC-7), the chain head of its ledger and
    the score-sheet PDF job. Its row is the lock that serialises writers of the scheme's marks."""

    class Status(models.TextChoices):
        OPEN = "open", _("Идёт ввод оценок")
        LOCKED = "locked", _("Оценки заблокированы")

    class PdfStatus(models.TextChoices):
        NONE = "none", _("Не формировался")
        RUNNING = "running", _("Формируется")
        READY = "ready", _("Готов")
        FAILED = "failed", _("Ошибка")

    scheme = models.OneToOneField(MarkingScheme, on_delete=models.CASCADE, related_name="marking",
                                  verbose_name=_("схема оценки"))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.OPEN)
    head_hash = models.CharField(_("последний хеш журнала"), max_length=64, default="0" * 64)
    entry_count = models.PositiveIntegerField(_("записей в журнале"), default=0)
    locked_at = models.DateTimeField(_("заблокировано"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("заблокировал"))
    lock_document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("форма принятия блокировки"))
    unlock_document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("протокол разблокировки оценок"))
    unlock_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                           blank=True, related_name="+", verbose_name=_("разблокировку одобрил"))
    pdf_status = models.CharField(_("ведомости PDF"), max_length=16, choices=PdfStatus.choices,
                                  default=PdfStatus.NONE)
    pdf_progress = models.PositiveSmallIntegerField(_("готово, %"), default=0)
    pdf = models.BinaryField(_("PDF ведомостей"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("оценивание по схеме")
        verbose_name_plural = _("оценивание по схемам")
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | Q(locked_at__isnull=False, lock_document__isnull=False),
                                   name="marks_lock_has_form"),
            models.CheckConstraint(condition=Q(pdf_progress__lte=100), name="marks_pdf_progress_range"),
        ]

    def __str__(self) -> str:
        return str(self.scheme)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class Mark(models.Model):
    """The current mark of an aspect for a team: a judgement mark per expert (0–3), or one
    measurement mark (binary 0/1, discrete: the level's index). Every change is first appended to the
    ledger (:class:`MarkEntry`); ``verify_marks`` recomputes these rows from it."""

    scheme = models.ForeignKey(MarkingScheme, on_delete=models.CASCADE, related_name="marks", verbose_name=_("схема"))
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="marks", verbose_name=_("аспект"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="marks",
                             verbose_name=_("команда"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("эксперт"))
    value = models.PositiveSmallIntegerField(_("оценка"))
    check_value = models.PositiveSmallIntegerField(_("повторный ввод"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("проверил"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("ввёл"))
    entered_at = models.DateTimeField(_("введено"))

    class Meta:
        verbose_name = _("оценка")
        verbose_name_plural = _("оценки")
        constraints = [
            # X-2 / SC-2: never two current marks of one aspect, team and expert.
            models.UniqueConstraint(fields=["aspect", "team", "expert"], condition=Q(expert__isnull=False),
                                    name="one_current_judgement_mark"),
            models.UniqueConstraint(fields=["aspect", "team"], condition=Q(expert__isnull=True),
                                    name="one_current_measurement_mark"),
            models.CheckConstraint(condition=Q(value__lte=99), name="mark_value_range"),
        ]
        indexes = [models.Index(fields=["scheme", "team"], name="mark_scheme_team")]

    def __str__(self) -> str:
        return f"{self.aspect.code}: {self.value}"


class MarkEntry(models.Model):
    """X-2: the append-only marks ledger. Each entry is chained to the previous entry of its scheme by
    SHA-256; on PostgreSQL a trigger refuses UPDATE and DELETE."""

    class Kind(models.TextChoices):
        MARK = "mark", _("Оценка")
        CHECK = "check", _("Повторный ввод (четыре глаза)")
        RESOLVE = "resolve", _("Расхождение разрешено")

    scheme = models.ForeignKey(MarkingScheme, on_delete=models.PROTECT, related_name="ledger",
                               verbose_name=_("схема"))
    seq = models.PositiveIntegerField(_("номер записи"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.MARK)
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+", verbose_name=_("аспект"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("команда"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("эксперт"))
    old_value = models.PositiveSmallIntegerField(_("было"), null=True, blank=True)
    new_value = models.PositiveSmallIntegerField(_("стало"), null=True, blank=True)
    reason = models.TextField(_("причина"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("кто"))
    at = models.DateTimeField(_("когда"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("запись журнала оценок")
        verbose_name_plural = _("журнал оценок")
        ordering = ["scheme", "seq"]
        constraints = [models.UniqueConstraint(fields=["scheme", "seq"], name="mark_entry_seq_unique")]

    def __str__(self) -> str:
        return f"#{self.seq}"


class Sheet(models.Model):
    """A score sheet (SC-1): one sub-criterion of one team; complete once every aspect is marked.
    ``expert`` is set in remote mode, where each expert completes their own sheet."""

    scheme = models.ForeignKey(MarkingScheme, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("схема"))
    sub_criterion = models.ForeignKey(SubCriterion, on_delete=models.CASCADE, related_name="sheets",
                                      verbose_name=_("субкритерий"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="sheets",
                             verbose_name=_("команда"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("эксперт"))
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("завершил"))
    completed_at = models.DateTimeField(_("завершена"))

    class Meta:
        verbose_name = _("завершённая ведомость")
        verbose_name_plural = _("завершённые ведомости")
        constraints = [
            models.UniqueConstraint(fields=["sub_criterion", "team", "expert"], condition=Q(expert__isnull=False),
                                    name="one_sheet_per_expert"),
            models.UniqueConstraint(fields=["sub_criterion", "team"], condition=Q(expert__isnull=True),
                                    name="one_sheet_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.sub_criterion} — {self.team}"


class SpreadResolution(models.Model):
    """SC-4: a recorded decision to keep judgement marks whose spread exceeds the limit. It holds only
    for the marks it was made on."""

    scheme = models.ForeignKey(MarkingScheme, on_delete=models.CASCADE, related_name="resolutions",
                               verbose_name=_("схема"))
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="+", verbose_name=_("аспект"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("команда"))
    marks = models.JSONField(_("оценки при решении"))
    reason = models.TextField(_("основание"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("кто решил"))
    at = models.DateTimeField(_("когда"))

    class Meta:
        verbose_name = _("разрешённое расхождение")
        verbose_name_plural = _("разрешённые расхождения")
        constraints = [
            models.UniqueConstraint(fields=["aspect", "team"], name="one_resolution_per_aspect_team"),
            models.CheckConstraint(condition=~Q(reason=""), name="resolution_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.aspect} — {self.team}: {self.reason[:40]}"


class SheetReceipt(models.Model):
    """SC-10: the Directorate has received the signed handwritten original of one score sheet (SC-1)
    — one sub-criterion of one team. Recorded once; a second receipt of the same sheet changes nothing."""

    scheme = models.ForeignKey(MarkingScheme, on_delete=models.CASCADE, related_name="sheet_receipts",
                               verbose_name=_("схема"))
    sub_criterion = models.ForeignKey(SubCriterion, on_delete=models.CASCADE, related_name="receipts",
                                      verbose_name=_("субкритерий"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="sheet_receipts",
                             verbose_name=_("команда"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("принял"))
    received_at = models.DateTimeField(_("получено"))
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("получение рукописной ведомости")
        verbose_name_plural = _("получение рукописных ведомостей")
        ordering = ["scheme", "team", "sub_criterion"]
        constraints = [
            models.UniqueConstraint(fields=["sub_criterion", "team"], name="one_receipt_per_sheet"),
        ]

    def __str__(self) -> str:
        return f"{self.sub_criterion} — {self.team}"


class MarksReview(models.Model):
    """The marks of an expert removed from the venue (AP-4, 003 §8.11): kept as they are (the ledger is never
    edited) and flagged for the chief expert's review, who records that they were checked."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, related_name="marks_reviews",
                                   verbose_name=_("компетенция"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("эксперт"))
    reason = models.TextField(_("почему на проверку"))
    marks_count = models.PositiveIntegerField(_("оценок эксперта"))
    flagged_at = models.DateTimeField(_("отмечено"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("проверено"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("проверил"))
    note = models.TextField(_("итог проверки"), blank=True)

    class Meta:
        verbose_name = _("проверка оценок отстранённого эксперта")
        verbose_name_plural = _("проверки оценок отстранённых экспертов")
        ordering = ["reviewed_at", "-flagged_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "expert"], condition=Q(reviewed_at__isnull=True),
                                    name="marks_review_one_open_per_expert",
                                    violation_error_message=_("Оценки этого эксперта уже отмечены на проверку.")),
            models.CheckConstraint(condition=Q(reviewed_at__isnull=True) | ~Q(note=""), name="marks_review_has_note",
                                   violation_error_message=_("Запишите итог проверки оценок.")),
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.marks_count}"
