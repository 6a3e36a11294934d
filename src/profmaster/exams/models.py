"""Online exams (RM-1) and task hand-out with first-access tracking (RM-2).

Question banks hold categorised questions of every kind; an exam of a stage and competency draws
a paper per attempt from the bank with a stored seed; answers autosave idempotently; every step of
an attempt is in its event log. Invariants (one open attempt per person and exam, one answer per
question, one first access per person and task) are database constraints.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import scoring


class QuestionBank(models.Model):
    """A bank of questions of one championship, optionally of one competency (loaded in advance, RM-1)."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                     related_name="question_banks", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="question_banks", verbose_name=_("компетенция"))
    name = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("банк вопросов")
        verbose_name_plural = _("банки вопросов")
        ordering = ["championship", "name"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "name"], name="question_bank_name_unique",
                                    violation_error_message=_("Банк с таким названием уже есть.")),
        ]

    def __str__(self) -> str:
        return self.name


class QuestionCategory(models.Model):
    """A category of a bank. Categories form a tree (Moodle's ``$course$/top/Раздел/Подраздел``): ``name``
    is the whole path («Раздел / Подраздел»), unique in the bank, ``parent`` the category above."""

    PATH_SEPARATOR = " / "

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="categories",
                             verbose_name=_("банк"))
    name = models.CharField(_("категория"), max_length=200)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("родительская категория"))

    class Meta:
        verbose_name = _("категория вопросов")
        verbose_name_plural = _("категории вопросов")
        ordering = ["bank_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="question_category_unique",
                                    violation_error_message=_("Такая категория в банке уже есть.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.name.count(self.PATH_SEPARATOR)

    @property
    def leaf(self) -> str:
        return self.name.rsplit(self.PATH_SEPARATOR, 1)[-1]

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.bank.championship

    @property
    def competency_id(self) -> int | None:
        return self.bank.competency_id


class Question(models.Model):
    class Kind(models.TextChoices):  # the values are scoring.Kind's
        SINGLE = "single", _("Один вариант")
        MULTIPLE = "multiple", _("Несколько вариантов")
        SHORT = "short", _("Короткий ответ")
        NUMERIC = "numeric", _("Число")
        MATCHING = "matching", _("Соответствие")
        ORDERING = "ordering", _("Порядок")
        QUESTIONNAIRE = "questionnaire", _("Анкета (шкалы, без правильного ответа)")
        ESSAY = "essay", _("Развёрнутый ответ (проверяется вручную)")

    class MultipleRule(models.TextChoices):
        SUM = "sum", _("Сумма долей выбранных вариантов")
        ALL_OR_NOTHING = "all_or_nothing", _("Всё или ничего")
        RIGHT_MINUS_WRONG = "right_minus_wrong", _("Верные минус неверные")

    class OrderingRule(models.TextChoices):
        POSITIONS = "positions", _("Доля элементов на своих местах")
        NEXT_PAIRS = "next_pairs", _("Доля верных соседних пар")
        ALL_OR_NOTHING = "all_or_nothing", _("Всё или ничего")

    class ShortRule(models.TextChoices):  # the values are scoring.ShortRule's
        NORMALISED = "normalised", _("Без учёта пробелов и «ё»; лучший из совпавших ответов")
        MOODLE = "moodle", _("Как в Moodle: «*» — любые символы, первый совпавший ответ")

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions",
                             verbose_name=_("банк"))
    category = models.ForeignKey(QuestionCategory, on_delete=models.PROTECT, related_name="questions",
                                 verbose_name=_("категория"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("название"), max_length=255)
    text = models.TextField(_("текст вопроса"))
    points = models.DecimalField(_("баллы"), max_digits=7, decimal_places=2, default=Decimal(1))
    tags = models.JSONField(_("метки"), default=list, blank=True)
    multiple_rule = models.CharField(_("правило для нескольких вариантов"), max_length=20,
                                     choices=MultipleRule.choices, default=scoring.MultipleRule.SUM.value)
    ordering_rule = models.CharField(_("правило для порядка"), max_length=20, choices=OrderingRule.choices,
                                     default=scoring.OrderingRule.POSITIONS.value)
    case_sensitive = models.BooleanField(_("учитывать регистр"), default=False)
    short_rule = models.CharField(
        _("сравнение короткого ответа"), max_length=12, choices=ShortRule.choices,
        default=scoring.ShortRule.NORMALISED.value)
    distractors = models.JSONField(_("лишние ответы (соответствие)"), default=list, blank=True)
    image = models.ImageField(_("изображение"), upload_to="exam-media/%Y/", blank=True)
    general_feedback = models.TextField(_("пояснение"), blank=True)
    is_archived = models.BooleanField(_("в архиве"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("вопрос")
        verbose_name_plural = _("вопросы")
        ordering = ["category_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=0), name="question_points_non_negative",
                                   violation_error_message=_("Баллы не могут быть отрицательными.")),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in scoring.Kind]), name="question_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.bank.championship

    @property
    def competency_id(self) -> int | None:
        return self.bank.competency_id


class QuestionOption(models.Model):
    """An option, alternative or item of a question; what its fields mean depends on the kind
    (see :mod:`profmaster.exams.scoring`)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    text = models.TextField(_("текст"))
    fraction = models.DecimalField(_("доля баллов"), max_digits=8, decimal_places=5, default=Decimal(0))
    match = models.CharField(_("соответствующий ответ"), max_length=500, blank=True)
    value = models.DecimalField(_("значение"), max_digits=20, decimal_places=6, null=True, blank=True)
    tolerance = models.DecimalField(_("допуск"), max_digits=20, decimal_places=6, default=Decimal(0))
    scales = models.JSONField(_("шкалы"), default=dict, blank=True)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(fraction__gte=-1, fraction__lte=1), name="option_fraction_range",
                                   violation_error_message=_("Доля баллов — от −1 до 1.")),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="option_tolerance_non_negative"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class QuestionImage(models.Model):
    """An image embedded in a question (Moodle's ``<file>`` referenced as ``@@PLUGINFILE@@/name``): in the
    question text, in one option, or in the explanation. Only real images (checked by Pillow) are kept."""

    class Place(models.TextChoices):
        TEXT = "text", _("текст вопроса")
        OPTION = "option", _("вариант ответа")
        FEEDBACK = "feedback", _("пояснение")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="images")
    place = models.CharField(_("где"), max_length=10, choices=Place.choices, default=Place.TEXT)
    option = models.ForeignKey(QuestionOption, on_delete=models.CASCADE, null=True, blank=True, related_name="images")
    name = models.CharField(_("имя файла"), max_length=100)
    file = models.ImageField(_("изображение"), upload_to="exam-media/%Y/")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(place="option", option__isnull=False) | (~Q(place="option")
                                   & Q(option__isnull=True)), name="question_image_option_iff_place_option"),
        ]

    def __str__(self) -> str:
        return self.name


class Exam(models.Model):
    """An online theory exam of a stage and competency (RM-1), or a diagnostic test."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        PUBLISHED = "published", _("Опубликован")
        ARCHIVED = "archived", _("В архиве")

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                     related_name="exams", verbose_name=_("чемпионат"))
    stage = models.ForeignKey("championships.Stage", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="exams", verbose_name=_("этап"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="exams", verbose_name=_("компетенция"))
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="exams", verbose_name=_("банк"))
    title = models.CharField(_("название"), max_length=200)
    instructions = models.TextField(_("инструкция"), blank=True)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    time_limit_minutes = models.PositiveIntegerField(_("ограничение времени, мин"), null=True, blank=True)
    opens_at = models.DateTimeField(_("открывается"), null=True, blank=True)
    closes_at = models.DateTimeField(_("закрывается"), null=True, blank=True)
    grace_seconds = models.PositiveIntegerField(
        _("допуск для запросов в пути, с"), default=30,
        help_text=_("Сколько секунд после окончания времени ещё принимаются отправленные ответы."))
    pass_mark = models.DecimalField(_("проходной балл"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("число попыток"), default=1)
    shuffle_questions = models.BooleanField(_("перемешивать вопросы"), default=True)
    shuffle_options = models.BooleanField(_("перемешивать варианты"), default=True)
    access_code = models.CharField(_("код доступа"), max_length=64, blank=True)
    allowed_networks = models.TextField(_("разрешённые сети (IP/CIDR, по одной в строке)"), blank=True)
    requires_admission = models.BooleanField(
        _("допуск проктором"), default=False,
        help_text=_("Перед началом проктор проверяет личность и допускает экзаменуемого."))
    show_score = models.BooleanField(_("показывать результат сразу"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("экзамен")
        verbose_name_plural = _("экзамены")
        ordering = ["championship", "opens_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="exam_window_ordered", violation_error_message=_("Экзамен должен закрываться позже открытия.")),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="exam_has_attempts",
                                   violation_error_message=_("Нужна хотя бы одна попытка.")),
            models.CheckConstraint(condition=Q(time_limit_minutes__isnull=True) | Q(time_limit_minutes__gte=1),
                                   name="exam_limit_positive",
                                   violation_error_message=_("Ограничение времени — не меньше минуты.")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def time_limit(self) -> dt.timedelta | None:
        return dt.timedelta(minutes=self.time_limit_minutes) if self.time_limit_minutes else None


class ExamSection(models.Model):
    """n questions drawn at random from one category (0 = all of it)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="sections", verbose_name=_("экзамен"))
    category = models.ForeignKey(QuestionCategory, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("категория"))
    count = models.PositiveSmallIntegerField(_("вопросов"), default=0, help_text=_("0 — все вопросы категории."))
    include_children = models.BooleanField(
        _("с подкатегориями"), default=False,
        help_text=_("Вопросы выбираются из категории и всех её подкатегорий."))
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        ordering = ["exam", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "category"], name="exam_section_unique",
                                    violation_error_message=_("Эта категория уже есть в экзамене.")),
        ]

    def __str__(self) -> str:
        return f"{self.category} × {self.count or '∗'}"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.exam.championship


class ExamOverride(models.Model):
    """A person's accommodation: extra time, another window, more attempts."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("экзамен"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("экзаменуемый"))
    extra_minutes = models.PositiveIntegerField(_("дополнительное время, мин"), default=0)
    opens_at = models.DateTimeField(_("открывается (лично)"), null=True, blank=True)
    closes_at = models.DateTimeField(_("закрывается (лично)"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("число попыток (лично)"), null=True, blank=True)
    reason = models.CharField(_("основание"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("индивидуальные условия")
        verbose_name_plural = _("индивидуальные условия")
        constraints = [
            models.UniqueConstraint(fields=["exam", "user"], name="exam_override_unique",
                                    violation_error_message=_("Для этого человека условия уже заданы.")),
        ]

    def __str__(self) -> str:
        return f"{self.user} (+{self.extra_minutes})"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.exam.championship


class Admission(models.Model):
    """A proctor checked the examinee's identity and admitted them to start one attempt."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="admissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    admitted_at = models.DateTimeField(auto_now_add=True)
    document_note = models.CharField(_("документ, удостоверяющий личность"), max_length=200, blank=True)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exam", "user"], condition=Q(used=False), name="one_unused_admission"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.exam}"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.exam.championship


class StartedAttempts(models.Manager["Attempt"]):
    """The default manager: attempts that have started. A paper drawn in advance (``prepared``) is nobody's to
    see before its examinee starts it, so every page, route, list and count reads through this one; only the
    precreation and the start itself use ``Attempt.all_objects``."""

    def get_queryset(self) -> models.QuerySet[Attempt]:
        return super().get_queryset().exclude(status=Attempt.Status.PREPARED)


class Attempt(models.Model):
    class Status(models.TextChoices):
        #: Drawn in advance by the organiser's precreation job (RM-1 at scale); not started, not visible.
        PREPARED = "prepared", _("Билет подготовлен")
        IN_PROGRESS = "in_progress", _("Идёт")
        FINISHED = "finished", _("Завершена")

    class FinishedBy(models.TextChoices):
        EXAMINEE = "examinee", _("Экзаменуемый")
        DEADLINE = "deadline", _("Истекло время")
        PANEL = "panel", _("Эксперт/дирекция")

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("экзамен"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exam_attempts",
                             verbose_name=_("экзаменуемый"))
    number = models.PositiveSmallIntegerField(_("попытка №"), default=1)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    seed = models.BigIntegerField(_("зерно случайного выбора"))
    paper = models.JSONField(_("билет"), default=list)
    started_at = models.DateTimeField(_("начата"), null=True, blank=True)  # null only while prepared
    deadline = models.DateTimeField(_("окончание"), null=True, blank=True)
    accept_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)
    finished_by = models.CharField(_("кем завершена"), max_length=16, choices=FinishedBy.choices, blank=True)
    #: The browser (or API client) that holds the attempt; another one is refused until a proctor unlocks.
    lock_token = models.CharField(max_length=64, blank=True)
    score = models.DecimalField(_("баллы"), max_digits=9, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("максимум"), max_digits=9, decimal_places=2, default=Decimal(0))
    needs_grading = models.BooleanField(_("ждёт ручной проверки"), default=False)
    passed = models.BooleanField(_("сдал"), null=True, blank=True)
    scales = models.JSONField(_("шкалы анкеты"), default=dict, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    all_objects = models.Manager()
    objects = StartedAttempts()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        verbose_name = _("попытка")
        verbose_name_plural = _("попытки")
        ordering = ["exam", "user", "number"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "user"], condition=Q(status="in_progress"),
                                    name="one_open_attempt_per_person",
                                    violation_error_message=_("У вас уже есть незавершённая попытка.")),
            models.UniqueConstraint(fields=["exam", "user"], condition=Q(status="prepared"),
                                    name="one_prepared_attempt_per_person"),
            models.UniqueConstraint(fields=["exam", "user", "number"], name="attempt_number_unique"),
            models.CheckConstraint(condition=Q(status="prepared") | Q(started_at__isnull=False),
                                   name="started_attempt_has_time"),
            models.CheckConstraint(condition=Q(status__in=["prepared", "in_progress"]) | Q(finished_at__isnull=False),
                                   name="finished_attempt_has_time"),
        ]
        indexes = [models.Index(fields=["status", "accept_until"], name="attempt_overdue_idx")]

    def __str__(self) -> str:
        return f"{self.exam} — {self.user} (№ {self.number})"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.exam.championship

    @property
    def competency_id(self) -> int | None:
        return self.exam.competency_id


class Answer(models.Model):
    """The last saved response to one question of an attempt. ``seq`` is the client's counter for
    that question: a save with a ``seq`` not above the stored one is a replay and changes nothing."""

    #: No index of its own: the unique (attempt, question) constraint's index serves every lookup by attempt,
    #: and one index fewer is one write fewer on each autosave.
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    response = models.JSONField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField()
    points = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    #: Set when an expert graded it by hand; regrading keeps manual points.
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    graded_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id} #{self.seq}"


class AttemptEvent(models.Model):
    """The attempt's log: start, every save, focus lost/regained, lock, unlock, finish (RM-1, item 6).

    ``support`` is the focus loss that follows the examinee's click on «Поддержка» (RM-6): the window still went
    to the background and the time away is still on the log, but the proctor reads it as a request for help,
    not as leaving the exam."""

    class Kind(models.TextChoices):
        START = "start", _("Начало")
        SAVE = "save", _("Сохранение ответа")
        REPLAY = "replay", _("Повтор сохранения")
        REFUSED = "refused", _("Сохранение отклонено")
        FOCUS_LOST = "focus_lost", _("Окно экзамена потеряло фокус")
        FOCUS_BACK = "focus_back", _("Окно экзамена снова в фокусе")
        SUPPORT = "support", _("Открыл поддержку (окно экзамена в фоне)")
        RESUME = "resume", _("Возобновление")
        SECOND_BROWSER = "second_browser", _("Попытка открыть во втором браузере")
        UNLOCK = "unlock", _("Разблокировка проктором")
        FINISH = "finish", _("Завершение")
        GRADE = "grade", _("Ручная оценка")
        REGRADE = "regrade", _("Пересчёт")

    #: Indexed by ``attempt_event_idx`` (attempt, at), which serves every lookup by attempt.
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["attempt", "at", "pk"]
        indexes = [models.Index(fields=["attempt", "at"], name="attempt_event_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%H:%M:%S}"


class TaskHandout(models.Model):
    """A practical task published to participants at a time; each first opening is recorded (RM-2)."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                     related_name="task_handouts", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="task_handouts", verbose_name=_("компетенция"))
    title = models.CharField(_("название"), max_length=300)
    text = models.TextField(_("текст задания"), blank=True)
    file = models.FileField(_("файл задания"), upload_to="task-handouts/%Y/", blank=True)
    publish_at = models.DateTimeField(_("публикуется"))
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="task_handouts",
                                        verbose_name=_("участники"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("выдача задания")
        verbose_name_plural = _("выдачи заданий")
        ordering = ["championship", "publish_at"]

    def __str__(self) -> str:
        return self.title


class TaskAccess(models.Model):
    """The server time a participant first opened a task: written once, never overwritten."""

    handout = models.ForeignKey(TaskHandout, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_opened_at = models.DateTimeField()
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["handout", "user"], name="one_first_access"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.first_opened_at:%d.%m.%Y %H:%M:%S}"

    @property
    def championship(self):  # type: ignore[no-untyped-def]
        return self.handout.championship
