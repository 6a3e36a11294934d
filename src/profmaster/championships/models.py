"""Championship structure (SPEC CH-1…CH-4): championships, stages, competencies, age categories,
base venues with workplaces, and the programme."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import defaults
from .timezones import DEFAULT_ZONE, validate_time_zone


class Championship(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        ACTIVE = "active", _("Проводится")
        ARCHIVED = "archived", _("В архиве")

    class RulesProfile(models.TextChoices):
        MASTERYATA = "masteryata", _("Детский чемпионат «Мастерята» (методика 2022/2023)")
        BEST_IN_PROFESSION = "best_in_profession", _("Конкурс «Лучший по профессии»")
        CUSTOM = "custom", _("Собственные правила")

    name = models.CharField(_("название"), max_length=300)
    slug = models.SlugField(_("код"), max_length=64, unique=True)
    season = models.CharField(_("сезон"), max_length=20, help_text=_("Например, 2022/2023"))
    organiser = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="organised_championships", verbose_name=_("организатор"),
    )
    rules_profile = models.CharField(_("правила"), max_length=32, choices=RulesProfile.choices,
                                     default=RulesProfile.MASTERYATA)
    description = models.TextField(_("описание"), blank=True)
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    registration_deadline = models.DateTimeField(_("окончание приёма заявок"), null=True, blank=True)
    time_zone = models.CharField(
        _("часовой пояс"), max_length=64, default=DEFAULT_ZONE, validators=[validate_time_zone],
        help_text=_("Все сроки, окна и протоколы чемпионата считаются и печатаются в этом поясе."))
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("чемпионат")
        verbose_name_plural = _("чемпионаты")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="championship_dates_ordered",
                                   violation_error_message=_("Окончание не может быть раньше начала.")),
            models.CheckConstraint(condition=~Q(time_zone=""), name="championship_time_zone_set",
                                   violation_error_message=_("Укажите часовой пояс чемпионата.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.season})"

    @property
    def championship(self) -> Championship:
        return self


class Stage(models.Model):
    class Kind(models.TextChoices):
        REMOTE = "remote", _("Дистанционный этап")
        FINAL = "final", _("Финал")

    class Form(models.TextChoices):
        PRACTICAL = "practical", _("Практический")
        THEORY = "theory", _("Теоретический (онлайн-экзамен)")

    class Phase(models.TextChoices):
        PREPARATION = "preparation", _("Подготовка")
        REGISTRATION = "registration", _("Регистрация")
        COMPETITION = "competition", _("Соревнования")
        ASSESSMENT = "assessment", _("Оценивание")
        RESULTS = "results", _("Подведение итогов")
        CLOSED = "closed", _("Завершён")

    championship = models.ForeignKey(Championship, on_delete=models.CASCADE, related_name="stages",
                                     verbose_name=_("чемпионат"))
    name = models.CharField(_("название"), max_length=200)
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    form = models.CharField(_("форма"), max_length=16, choices=Form.choices, default=Form.PRACTICAL)
    order = models.PositiveSmallIntegerField(_("порядок"), default=1)
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    phase = models.CharField(_("фаза"), max_length=16, choices=Phase.choices, default=Phase.PREPARATION)

    class Meta:
        verbose_name = _("этап")
        verbose_name_plural = _("этапы")
        ordering = ["championship", "order", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "name"], name="stage_name_unique",
                                    violation_error_message=_("Этап с таким названием уже есть.")),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="stage_dates_ordered",
                                   violation_error_message=_("Окончание этапа не может быть раньше начала.")),
            models.CheckConstraint(condition=Q(phase__in=defaults.STAGE_PHASES), name="stage_phase_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class AgeCategory(models.Model):
    """An age category with its admission rules as data (003 §3.1, §3.3; REG-2, REG-3)."""

    championship = models.ForeignKey(Championship, on_delete=models.CASCADE, related_name="age_categories",
                                     verbose_name=_("чемпионат"))
    code = models.SlugField(_("код"), max_length=32)
    name = models.CharField(_("название"), max_length=200)
    order = models.PositiveSmallIntegerField(_("порядок"), default=1)
    grade_min = models.PositiveSmallIntegerField(_("класс с"))
    grade_max = models.PositiveSmallIntegerField(_("класс по"))
    participants_per_team = models.PositiveSmallIntegerField(_("участников в команде"), default=2)
    relatives_per_team = models.PositiveSmallIntegerField(_("близких родственников в команде"), default=0)
    mentors_per_team = models.PositiveSmallIntegerField(_("наставников в команде"), default=1)
    moscow_school_required = models.BooleanField(_("только школы Москвы"), default=True)
    sibling_exception_grade_min = models.PositiveSmallIntegerField(
        _("исключение для братьев и сестёр: класс с"), null=True, blank=True)
    sibling_exception_grade_max = models.PositiveSmallIntegerField(
        _("исключение для братьев и сестёр: класс по"), null=True, blank=True)

    class Meta:
        verbose_name = _("возрастная категория")
        verbose_name_plural = _("возрастные категории")
        ordering = ["championship", "order", "grade_min"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "code"], name="age_category_code_unique",
                                    violation_error_message=_("Категория с таким кодом уже есть.")),
            models.CheckConstraint(
                condition=Q(grade_min__gte=1, grade_max__lte=11, grade_min__lte=F("grade_max")),
                name="age_category_grades_valid",
                violation_error_message=_("Классы должны быть от 1 до 11, «с» не больше «по»."),
            ),
            models.CheckConstraint(condition=Q(participants_per_team__gte=1), name="age_category_has_participants",
                                   violation_error_message=_("В команде должен быть хотя бы один участник.")),
            models.CheckConstraint(
                condition=(Q(sibling_exception_grade_min__isnull=True, sibling_exception_grade_max__isnull=True)
                           | Q(sibling_exception_grade_min__isnull=False, sibling_exception_grade_max__isnull=False,
                               sibling_exception_grade_min__lte=F("sibling_exception_grade_max"))),
                name="age_category_sibling_exception_valid",
                violation_error_message=_("Исключение для братьев и сестёр задаётся обоими классами, «с» не больше «по»."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_family(self) -> bool:
        return self.relatives_per_team > 0


class Competency(models.Model):
    class EvaluationMode(models.TextChoices):
        AFTER_COMPLETION = "after_completion", _("Оценка по завершении работ (4 эксперта)")
        DURING = "during", _("Оценка в процессе выполнения (6 экспертов)")
        PARALLEL = "parallel", _("Параллельная оценка (6 экспертов)")
        BLIND = "blind", _("Слепая оценка (6 экспертов)")
        FIVE_WORKPLACES = "five_workplaces", _("Пять рабочих мест одновременно (15 экспертов)")

    class MarkEntryMode(models.TextChoices):
        IN_PERSON = "in_person", _("Очно: главный эксперт переносит рукописные ведомости")
        REMOTE = "remote", _("Дистанционно: каждый эксперт заполняет электронную ведомость")

    championship = models.ForeignKey(Championship, on_delete=models.CASCADE, related_name="competencies",
                                     verbose_name=_("чемпионат"))
    name = models.CharField(_("название"), max_length=200)
    code = models.SlugField(_("код"), max_length=32, blank=True)
    description = models.TextField(_("описание"), blank=True)
    evaluation_mode = models.CharField(_("порядок оценки"), max_length=20, choices=EvaluationMode.choices,
                                       default=EvaluationMode.AFTER_COMPLETION)
    expert_count = models.PositiveSmallIntegerField(
        _("число экспертов"), help_text=_("По умолчанию — по п. 6.4 методики для выбранного порядка оценки."))
    mark_entry_mode = models.CharField(_("ввод оценок"), max_length=16, choices=MarkEntryMode.choices,
                                       default=MarkEntryMode.IN_PERSON)
    toolbox_allowed = models.BooleanField(_("тулбокс разрешён"), default=False)
    age_categories = models.ManyToManyField(AgeCategory, blank=True, related_name="competencies",
                                            verbose_name=_("возрастные категории"))

    class Meta:
        verbose_name = _("компетенция")
        verbose_name_plural = _("компетенции")
        ordering = ["championship", "name"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "name"], name="competency_name_unique",
                                    violation_error_message=_("Компетенция с таким названием уже есть в чемпионате.")),
            models.CheckConstraint(condition=Q(expert_count__gte=1), name="competency_has_experts",
                                   violation_error_message=_("Нужен хотя бы один эксперт.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def default_expert_count(self) -> int:
        return defaults.default_expert_count(self.evaluation_mode)


class CompetencyDocument(models.Model):
    class Kind(models.TextChoices):
        TECHNICAL_DESCRIPTION = "technical_description", _("Техническое описание")
        TASK = "task", _("Конкурсное задание")
        INFRASTRUCTURE = "infrastructure", _("Инфраструктурный лист")
        SAFETY = "safety", _("Охрана труда и техника безопасности")
        LAYOUT = "layout", _("План застройки")
        OTHER = "other", _("Другое")

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="documents",
                                   verbose_name=_("компетенция"))
    kind = models.CharField(_("вид"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=300)
    file = models.FileField(_("файл"), upload_to="competency-documents/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("документ компетенции")
        verbose_name_plural = _("документы компетенции")
        ordering = ["competency", "kind", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def championship(self) -> Championship:
        return self.competency.championship


class SkillSection(models.Model):
    """A section of the skills specification; marking criteria map onto these (003 §4.4, MS-3)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="skill_sections",
                                   verbose_name=_("компетенция"))
    number = models.PositiveSmallIntegerField(_("номер"))
    title = models.CharField(_("название"), max_length=300)
    description = models.TextField(_("описание"), blank=True)
    importance_percent = models.DecimalField(_("важность, %"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("раздел спецификации навыков")
        verbose_name_plural = _("разделы спецификации навыков")
        ordering = ["competency", "number"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "number"], name="skill_section_number_unique",
                                    violation_error_message=_("Раздел с таким номером уже есть.")),
            models.CheckConstraint(
                condition=Q(importance_percent__isnull=True) | Q(importance_percent__gte=0, importance_percent__lte=100),
                name="skill_section_importance_range",
                violation_error_message=_("Важность — от 0 до 100 %."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def championship(self) -> Championship:
        return self.competency.championship


class InfrastructureItem(models.Model):
    class Per(models.TextChoices):
        WORKPLACE = "workplace", _("на рабочее место")
        TEAM = "team", _("на команду")
        EXPERT = "expert", _("на эксперта")
        VENUE = "venue", _("на площадку")

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="infrastructure",
                                   verbose_name=_("компетенция"))
    name = models.CharField(_("наименование"), max_length=300)
    specification = models.TextField(_("характеристики"), blank=True)
    quantity = models.DecimalField(_("количество"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("единица"), max_length=20, default="шт.")
    per = models.CharField(_("расчёт"), max_length=16, choices=Per.choices, default=Per.WORKPLACE)
    is_consumable = models.BooleanField(_("расходный материал"), default=False)
    #: RM-4: a venue confirming its equipment checklist attaches a photo of this item.
    photo_required = models.BooleanField(_("нужна фотография на площадке"), default=False)

    class Meta:
        verbose_name = _("позиция инфраструктурного листа")
        verbose_name_plural = _("инфраструктурный лист")
        ordering = ["competency", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="infrastructure_quantity_positive",
                                   violation_error_message=_("Количество должно быть больше нуля.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def championship(self) -> Championship:
        return self.competency.championship


class BaseVenue(models.Model):
    """A venue used by a championship (CH-4), with its technical administrator."""

    championship = models.ForeignKey(Championship, on_delete=models.CASCADE, related_name="base_venues",
                                     verbose_name=_("чемпионат"))
    venue = models.ForeignKey("organisations.Venue", on_delete=models.PROTECT, related_name="base_venues",
                              verbose_name=_("площадка"))
    technical_administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("технический администратор"))
    competencies = models.ManyToManyField(Competency, blank=True, related_name="base_venues",
                                          verbose_name=_("компетенции"))

    class Meta:
        verbose_name = _("базовая площадка")
        verbose_name_plural = _("базовые площадки")
        ordering = ["championship", "venue__name"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "venue"], name="base_venue_unique",
                                    violation_error_message=_("Эта площадка уже назначена базовой.")),
        ]

    def __str__(self) -> str:
        return str(self.venue)


class Workplace(models.Model):
    base_venue = models.ForeignKey(BaseVenue, on_delete=models.CASCADE, related_name="workplaces",
                                   verbose_name=_("базовая площадка"))
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="workplaces",
                                   verbose_name=_("компетенция"))
    number = models.PositiveSmallIntegerField(_("номер"))
    note = models.CharField(_("примечание"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("рабочее место")
        verbose_name_plural = _("рабочие места")
        ordering = ["base_venue", "competency", "number"]
        constraints = [
            models.UniqueConstraint(fields=["base_venue", "competency", "number"], name="workplace_number_unique",
                                    violation_error_message=_("Рабочее место с таким номером уже есть.")),
            models.CheckConstraint(condition=Q(number__gte=1), name="workplace_number_positive"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}"

    @property
    def championship(self) -> Championship:
        return self.base_venue.championship


class ProgrammeSlot(models.Model):
    """A slot of the programme: a flow (date/time of a group of teams), familiarisation, a ceremony…"""

    class Kind(models.TextChoices):
        FLOW = "flow", _("Поток")
        FAMILIARISATION = "familiarisation", _("Ознакомление")
        ASSESSMENT = "assessment", _("Оценивание")
        CEREMONY = "ceremony", _("Церемония")
        OTHER = "other", _("Другое")

    championship = models.ForeignKey(Championship, on_delete=models.CASCADE, related_name="programme",
                                     verbose_name=_("чемпионат"))
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="programme", verbose_name=_("этап"))
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="programme", verbose_name=_("компетенция"))
    base_venue = models.ForeignKey(BaseVenue, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="programme", verbose_name=_("базовая площадка"))
    kind = models.CharField(_("вид"), max_length=20, choices=Kind.choices, default=Kind.FLOW)
    title = models.CharField(_("название"), max_length=200)
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))

    class Meta:
        verbose_name = _("пункт программы")
        verbose_name_plural = _("программа")
        ordering = ["championship", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="programme_slot_times_ordered",
                                   violation_error_message=_("Окончание должно быть позже начала.")),
        ]

    def __str__(self) -> str:
        return self.title
