"""Results and awards (SPEC AW-1…AW-7, DOC-4): the championship's award rules, medal proposals and
decisions, nominations, qualification decisions, published results versions, diplomas and quality
control. Thin: fields and constraints; workflows live in :mod:`.domain`, arithmetic in :mod:`.medals`.

Results read ``marking.TeamResult`` (frozen totals of locked schemes) and nothing else from marking.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import medals


class ResultsRules(models.Model):
    """A championship's award rules; the defaults are 003 §25.4 (2 points, up to 3 teams per place)."""

    championship = models.OneToOneField("championships.Championship", on_delete=models.CASCADE,
                                        related_name="results_rules", verbose_name=_("чемпионат"))
    medal_window = models.DecimalField(_("разница баллов для деления места"), max_digits=5, decimal_places=2,
                                       default=medals.DEFAULT_WINDOW)
    medal_cap = models.PositiveSmallIntegerField(_("команд на одно место не больше"), default=medals.DEFAULT_CAP)
    default_quota = models.PositiveSmallIntegerField(
        _("квота выхода в финал по умолчанию"), default=10,
        help_text=_("Команд одной компетенции и категории, проходящих в финал, если квота не задана отдельно."))

    class Meta:
        verbose_name = _("правила подведения итогов")
        verbose_name_plural = _("правила подведения итогов")
        constraints = [
            models.CheckConstraint(condition=Q(medal_window__gte=0), name="results_rules_window_not_negative"),
            models.CheckConstraint(condition=Q(medal_cap__gte=1), name="results_rules_cap_positive"),
        ]

    def __str__(self) -> str:
        return str(self.championship)


class QualificationQuota(models.Model):
    """How many teams of one competency and age category proceed from the remote stage to the final."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE,
                                   related_name="qualification_quotas", verbose_name=_("компетенция"))
    age_category = models.ForeignKey("championships.AgeCategory", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("возрастная категория"))
    quota = models.PositiveSmallIntegerField(_("квота"))

    class Meta:
        verbose_name = _("квота выхода в финал")
        verbose_name_plural = _("квоты выхода в финал")
        constraints = [models.UniqueConstraint(fields=["competency", "age_category"], name="quota_unique")]

    def __str__(self) -> str:
        return f"{self.competency}, {self.age_category}: {self.quota}"

    @property
    def championship(self) -> Any:
        return self.competency.championship


class GroupDecision(models.Model):
    """A decision for one ranking group (competency × stage × age category) the rule left open.

    ``kind`` medals (003 §25.5): the chief expert proposes a distribution ``{team id: medal}`` with a
    reason; the Directorate approves it or changes it, with its own reason. ``kind`` qualification: the
    Directorate decides which teams tied on the cut proceed (``{team id: true/false}``).
    """

    class Kind(models.TextChoices):
        MEDALS = "medals", _("Распределение медалей")
        QUALIFICATION = "qualification", _("Выход в финал при равенстве на границе квоты")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Предложено")
        APPROVED = "approved", _("Утверждено")

    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE,
                                   related_name="results_decisions", verbose_name=_("компетенция"))
    stage = models.ForeignKey("championships.Stage", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("этап"))
    age_category = models.ForeignKey("championships.AgeCategory", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("возрастная категория"))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposal = models.JSONField(_("предложение"), default=dict, blank=True)
    proposal_reason = models.TextField(_("обоснование предложения"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("предложил"))
    proposed_at = models.DateTimeField(_("предложено"), null=True, blank=True)
    decision = models.JSONField(_("решение"), default=dict, blank=True)
    decision_reason = models.TextField(_("основание решения"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("решение принял"))
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    #: The candidates and totals the decision was taken on; a changed situation voids the decision.
    basis = models.JSONField(_("исходные данные"), default=dict, blank=True)

    class Meta:
        verbose_name = _("решение по итогам")
        verbose_name_plural = _("решения по итогам")
        ordering = ["competency", "stage", "age_category", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "competency", "stage", "age_category"], name="group_decision_unique"),
            models.CheckConstraint(condition=Q(status="proposed") | (Q(decided_by__isnull=False) & ~Q(decision_reason="")),
                                   name="group_decision_approved_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.competency}, {self.age_category}"

    @property
    def championship(self) -> Any:
        return self.competency.championship


class Nomination(models.Model):
    """AW-5: «Лучший в номинации» for a finalist team without a medal; proposed by the panel, approved by
    the Directorate. A team holds at most one nomination that is not refused."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Предложена")
        APPROVED = "approved", _("Утверждена")
        REFUSED = "refused", _("Отклонена")

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, related_name="nominations",
                                   verbose_name=_("компетенция"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="nominations",
                             verbose_name=_("команда"))
    title = models.CharField(_("номинация"), max_length=200, help_text=_("Например, «Лучший в номинации: "
                                                                       "аккуратность исполнения»"))
    reason = models.TextField(_("обоснование"))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("основание решения"), blank=True)

    class Meta:
        verbose_name = _("номинация")
        verbose_name_plural = _("номинации")
        ordering = ["competency", "title"]
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=~Q(status="refused"), name="one_nomination_per_team",
                                    violation_error_message=_("У команды уже есть номинация.")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def championship(self) -> Any:
        return self.competency.championship


class ResultsVersion(models.Model):
    """AW-1, SC-9: an immutable, numbered publication of results (one competency or the whole
    championship). ``content`` is the frozen ranking with medals and nominations; a correction is a
    new version with a changelog; earlier versions stay readable."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                      related_name="results_versions", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="results_versions", verbose_name=_("компетенция"),
                                   help_text=_("Пусто — итоги всего чемпионата."))
    number = models.PositiveIntegerField(_("номер версии"))
    content = models.JSONField(_("итоги"))
    competency_ids = models.JSONField(_("компетенции версии"), default=list)
    changelog = models.TextField(_("изменения"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("опубликовал"))
    published_at = models.DateTimeField(_("опубликовано"), auto_now_add=True)

    class Meta:
        verbose_name = _("версия итогов")
        verbose_name_plural = _("версии итогов")
        ordering = ["championship", "-number"]
        constraints = [models.UniqueConstraint(fields=["championship", "number"], name="results_version_unique")]

    def __str__(self) -> str:
        return f"{self.championship}: v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A published results version is immutable")
        super().save(*args, **kwargs)


class Invalidation(models.Model):
    """DOC-4 / 003 §10.3–10.5: the Directorate declared a competency's results invalid."""

    competency = models.OneToOneField("championships.Competency", on_delete=models.CASCADE,
                                      related_name="invalidation", verbose_name=_("компетенция"))
    reason = models.TextField(_("основание"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    #: The 003 §10.4 findings (outcome «Нарушение») the decision rests on.
    violations = models.ManyToManyField("QualityCheck", blank=True, related_name="invalidations",
                                        verbose_name=_("нарушения"))
    #: The results version the invalidation published itself (every channel changes at once).
    version = models.ForeignKey("ResultsVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("версия итогов"))

    class Meta:
        verbose_name = _("признание итогов недействительными")
        verbose_name_plural = _("признания итогов недействительными")

    def __str__(self) -> str:
        return str(self.competency)

    @property
    def championship(self) -> Any:
        return self.competency.championship


class ResultDecision(models.Model):
    """A recorded, reasoned decision that changes a team's result without touching its marks (OP-5, 003 §11.3,
    §24.5): a point loss per the technical description, or the annulment of the points of a team whose member
    was found intoxicated. Shown as its own line in the team's result breakdown and in the results protocol;
    :func:`results.computation.adjusted_total` is the one place it is applied."""

    class Kind(models.TextChoices):
        POINT_LOSS = "point_loss", _("Потеря баллов")
        ANNULMENT = "annulment", _("Аннулирование баллов")
        #: AP-4 (003 §8.11): a deduction proportional to the advantage gained, by a dispute's or an appeal's decision
        DEDUCTION = "deduction", _("Вычет баллов")
        #: AP-4: the points of chosen criteria/aspects zeroed; ``points`` holds what they gave at the decision
        PART_ZEROING = "part_zeroing", _("Обнуление части результата")

    #: Kinds that take a number of points off the marks' total (:func:`results.computation.adjusted_total`).
    SUBTRACTING = frozenset({Kind.POINT_LOSS, Kind.DEDUCTION, Kind.PART_ZEROING})

    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT,
                                   related_name="result_decisions", verbose_name=_("компетенция"))
    #: The decision's number within the competency: the results breakdown and protocol cite it.
    number = models.PositiveIntegerField(_("номер решения"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="result_decisions",
                             verbose_name=_("команда"))
    kind = models.CharField(_("решение"), max_length=16, choices=Kind.choices)
    points = models.DecimalField(_("баллы"), max_digits=8, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("обоснование"))
    basis = models.CharField(_("основание (запись)"), max_length=300,
                             help_text=_("Например, «Внештатная ситуация № 3»."))
    #: PART_ZEROING: what was zeroed — {"criteria": [codes], "aspects": [codes]}.
    scope = models.JSONField(_("что обнулено"), default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("решение принял"))
    decided_at = models.DateTimeField(_("решение принято"))

    class Meta:
        verbose_name = _("решение о баллах")
        verbose_name_plural = _("решения о баллах")
        ordering = ["competency", "team", "decided_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="result_decision_has_reason",
                                   violation_error_message=_("Решение требует обоснования.")),
            models.CheckConstraint(
                condition=(Q(kind__in=["point_loss", "deduction"], points__gt=0)
                           | Q(kind="part_zeroing", points__gte=0) | Q(kind="annulment", points__isnull=True)),
                name="result_decision_points_match_kind",
                violation_error_message=_("Потеря и вычет баллов — больше нуля; аннулирование — без числа баллов.")),
            models.UniqueConstraint(fields=["competency", "number"], name="result_decision_number_unique",
                                    violation_error_message=_("Решение с этим номером уже есть.")),
            models.UniqueConstraint(fields=["team"], condition=Q(kind="annulment"),
                                    name="result_decision_one_annulment",
                                    violation_error_message=_("Баллы этой команды уже аннулированы.")),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}. {self.get_kind_display()}: {self.team_id}"

    @property
    def championship(self) -> Any:
        return self.competency.championship

    @property
    def scope_label(self) -> str:
        """«критерии A, B; аспекты B1.2» of a part zeroing, else ""."""
        parts = []
        if self.scope.get("criteria"):
            parts.append(f"{_('критерии')} {', '.join(self.scope['criteria'])}")
        if self.scope.get("aspects"):
            parts.append(f"{_('аспекты')} {', '.join(self.scope['aspects'])}")
        return "; ".join(str(p) for p in parts)


VIOLATIONS: list[tuple[str, Any]] = [
    ("methodology", _("Несоблюдение Методики или Порядка проведения Чемпионата")),
    ("assessment", _("Нарушение процедуры оценивания")),
    ("safety", _("Несоблюдение правил техники безопасности и охраны труда")),
    ("protocols", _("Отсутствие правильно оформленных протоколов (ОТ и ТБ, жеребьёвка, ознакомление, блокировки, "
                    "регистрация)")),
    ("score_sheets", _("Отсутствие правильно оформленных ведомостей оценок")),
    ("infrastructure", _("Несоответствие застройки и оснащения площадки инфраструктурному листу и плану застройки")),
    ("documentation", _("Использование несогласованной с Дирекцией конкурсной документации")),
    ("false_information", _("Предоставление заведомо ложной информации")),
]


class QualityCheck(models.Model):
    """One item of the 003 §10.4 checklist for one competency: finding and evidence (DOC-4, §10.6)."""

    class Outcome(models.TextChoices):
        NOT_CHECKED = "not_checked", _("Не проверено")
        OK = "ok", _("Нарушений нет")
        VIOLATION = "violation", _("Нарушение")
        REMEDIED = "remedied", _("Нарушение устранено")

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE,
                                   related_name="quality_checks", verbose_name=_("компетенция"))
    violation = models.CharField(_("пункт проверки"), max_length=32, choices=VIOLATIONS)
    outcome = models.CharField(_("результат"), max_length=16, choices=Outcome.choices, default=Outcome.NOT_CHECKED)
    finding = models.TextField(_("выявлено"), blank=True)
    evidence = models.TextField(_("доказательства"), blank=True,
                                help_text=_("Номера документов, ссылки на записи, описание фото и видео."))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("пункт проверки качества")
        verbose_name_plural = _("проверка качества")
        ordering = ["competency", "violation"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "violation"], name="quality_check_unique"),
            models.CheckConstraint(condition=~Q(outcome__in=["violation", "remedied"]) | ~Q(finding=""),
                                   name="quality_violation_has_finding",
                                   violation_error_message=_("Опишите выявленное нарушение.")),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.get_violation_display()}"

    @property
    def championship(self) -> Any:
        return self.competency.championship


class QualityFinding(models.Model):
    """Each answer given to a 003 §10.4 item, kept (DOC-4): saving an item adds a finding, it overwrites
    nothing. The :class:`QualityCheck` row holds the latest; these rows are its history, with who and when."""

    item = models.ForeignKey(QualityCheck, on_delete=models.CASCADE, related_name="findings",
                             verbose_name=_("пункт проверки"))
    outcome = models.CharField(_("результат"), max_length=16, choices=QualityCheck.Outcome.choices)
    finding = models.TextField(_("выявлено"), blank=True)
    evidence = models.TextField(_("доказательства"), blank=True)
    #: Whether the outcome is the one the platform suggested from its records (the expert confirmed it).
    confirmed_suggestion = models.BooleanField(_("подтверждено предложение системы"), default=False)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("проверил(а)"))
    checked_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("запись проверки качества")
        verbose_name_plural = _("история проверки качества")
        ordering = ["item", "-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_outcome_display()}"


class QualityRequest(models.Model):
    """003 §10.3: quality control asks the competency's chief expert for information for the check, by a
    due time. The chief expert answers, or the refusal is recorded (by the chief expert, or by quality
    control when none came) — a refusal is grounds to declare the results invalid."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ожидает ответа")
        ANSWERED = "answered", _("Ответ получен")
        REFUSED = "refused", _("Отказ в предоставлении")

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE,
                                   related_name="quality_requests", verbose_name=_("компетенция"))
    text = models.TextField(_("запрошенная информация"))
    due_at = models.DateTimeField(_("срок ответа"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("запросил(а)"))
    asked_at = models.DateTimeField(_("запрошено"), default=timezone.now)
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("ответ или причина отказа"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("ответил(а)"))
    answered_at = models.DateTimeField(_("дата ответа"), null=True, blank=True)

    class Meta:
        verbose_name = _("запрос контроля качества")
        verbose_name_plural = _("запросы контроля качества")
        ordering = ["competency", "-asked_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | (~Q(answer="") & Q(answered_by__isnull=False)
                                                                 & Q(answered_at__isnull=False)),
                                   name="quality_request_closed_has_answer",
                                   violation_error_message=_("Ответ или отказ записывается с текстом.")),
            models.CheckConstraint(condition=~Q(status="open") | (Q(answer="") & Q(answered_by__isnull=True)),
                                   name="quality_request_open_has_no_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.text[:60]}"

    @property
    def championship(self) -> Any:
        return self.competency.championship

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class UnscrupulousExpert(models.Model):
    """The register of unscrupulous experts (003 §10.4) with the decision that put each there.

    Platform-wide: an entry that is not lifted blocks the person's assignment to any panel of any
    championship (``accounts.domain.assign_role``) until a recorded decision lifts it. ``championship``
    is where the decision was taken."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="unscrupulous_experts", verbose_name=_("чемпионат"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("эксперт"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("компетенция"))
    decision = models.TextField(_("решение"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(_("исключён из реестра"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("исключил"))
    lift_decision = models.TextField(_("решение об исключении из реестра"), blank=True)

    class Meta:
        verbose_name = _("недобросовестный эксперт")
        verbose_name_plural = _("реестр недобросовестных экспертов")
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["expert"], condition=Q(lifted_at__isnull=True),
                                    name="unscrupulous_expert_one_open_entry",
                                    violation_error_message=_("Эксперт уже в реестре.")),
            models.CheckConstraint(condition=Q(lifted_at__isnull=True) | (~Q(lift_decision="")
                                                                          & Q(lifted_by__isnull=False)),
                                   name="unscrupulous_lift_has_decision"),
        ]

    def __str__(self) -> str:
        return str(self.expert)


class DiplomaKind(models.TextChoices):
    WINNER = "winner", _("Диплом победителя")
    PRIZE_WINNER = "prize_winner", _("Диплом призёра")
    NOMINATION = "nomination", _("Диплом лучшего в номинации")
    PARTICIPANT = "participant", _("Диплом участника")
    MENTOR = "mentor", _("Диплом наставника")
    CHIEF_EXPERT = "chief_expert", _("Диплом главного эксперта")
    EXPERT = "expert", _("Диплом эксперта")


class DiplomaBatch(models.Model):
    """A background job generating a championship's diplomas, with its progress (AW-6)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        RUNNING = "running", _("Формируется")
        DONE = "done", _("Готово")
        FAILED = "failed", _("Ошибка")

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                     related_name="diploma_batches", verbose_name=_("чемпионат"))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("всего"), default=0)
    done = models.PositiveIntegerField(_("готово"), default=0)
    error = models.TextField(blank=True)
    #: What the batch did not issue and why (e.g. a competency without published final results).
    skipped = models.JSONField(_("не выдано"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("формирование дипломов")
        verbose_name_plural = _("формирование дипломов")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.championship}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else (100 if self.status == "done" else 0)


class Diploma(models.Model):
    """AW-6: one person's diploma. The verification code is printed and encoded in the QR; the public
    verification page shows nothing more than the diploma itself does."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                      related_name="diplomas", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="diplomas", verbose_name=_("компетенция"))
    kind = models.CharField(_("вид"), max_length=16, choices=DiplomaKind.choices)
    code = models.CharField(_("код проверки"), max_length=16, unique=True)
    full_name = models.CharField(_("ФИО (именительный падеж)"), max_length=450)
    declined_name = models.CharField(_("ФИО в падеже шаблона"), max_length=450)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="diplomas", verbose_name=_("учётная запись"))
    member = models.ForeignKey("registration.TeamMember", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="diplomas", verbose_name=_("член команды"))
    email = models.EmailField(_("e-mail"), blank=True)
    team = models.ForeignKey("registration.Application", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="diplomas", verbose_name=_("команда"))
    detail = models.CharField(_("за что"), max_length=300, blank=True)
    batch = models.ForeignKey(DiplomaBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="diplomas")
    pdf = models.FileField(_("PDF"), upload_to="diplomas/%Y/", blank=True)
    electronic = models.BooleanField(_("электронный (не вышли в финал)"), default=False)
    emailed_at = models.DateTimeField(_("отправлен"), null=True, blank=True)
    issued_at = models.DateTimeField(_("выдан"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("аннулирован"), null=True, blank=True)
    revoke_reason = models.TextField(_("причина аннулирования"), blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("аннулировал"))

    class Meta:
        verbose_name = _("диплом")
        verbose_name_plural = _("дипломы")
        ordering = ["championship", "kind", "full_name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DiplomaKind.values), name="diploma_kind_valid"),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                                   name="diploma_revocation_has_reason",
                                   violation_error_message=_("Укажите причину аннулирования.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.full_name}"


