"""Marking schemes (SPEC MS-1…MS-5): criteria → sub-criteria → aspects, per competency and stage."""

from __future__ import annotations

from decimal import Decimal

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
