"""Timekeeping of the competition day (OP-3), familiarisation (OP-2) and the evidence of the day (OP-7).

A :class:`Timer` is one timed step of a flow (a ``championships.ProgrammeSlot`` of kind «flow»): the work on
one module of the marking scheme (a ``marking.Criterion``), the workplace familiarisation or the task
familiarisation. What happened is its append-only list of :class:`TimerEvent`; the timer's ``state`` is
a cache of replaying them (``clock.compute``), kept under the row lock of every command.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import clock

#: 003 §13.3: up to 30 minutes to prepare the workplace; 003 OP-2: at least 15 minutes with the task.
WORKPLACE_FAMILIARISATION_MAX = 30
TASK_FAMILIARISATION_MIN = 15


class TimekeepingSettings(models.Model):
    """The championship's settings of the day (OP-2)."""

    championship = models.OneToOneField("championships.Championship", on_delete=models.CASCADE,
                                        related_name="timekeeping_settings", verbose_name=_("чемпионат"))
    workplace_familiarisation_minutes = models.PositiveSmallIntegerField(
        _("знакомство с рабочим местом, минут"), default=WORKPLACE_FAMILIARISATION_MAX,
        help_text=_("Не больше 30 минут (003 §13.3); больше — только по протоколу, подписанному всеми экспертами."))

    class Meta:
        verbose_name = _("настройки дня соревнований")
        verbose_name_plural = _("настройки дня соревнований")
        constraints = [models.CheckConstraint(
            condition=Q(workplace_familiarisation_minutes__gte=1, workplace_familiarisation_minutes__lte=30),
            name="tk_settings_workplace_minutes_range",
            violation_error_message=_("Знакомство с рабочим местом — от 1 до 30 минут."))]

    def __str__(self) -> str:
        return str(self.championship)


class Timer(models.Model):
    class Kind(models.TextChoices):
        WORKPLACE_FAMILIARISATION = "workplace", _("Знакомство с рабочим местом")
        TASK_FAMILIARISATION = "task", _("Знакомство с конкурсным заданием")
        MODULE = "module", _("Выполнение модуля")

    class State(models.TextChoices):
        NOT_STARTED = clock.NOT_STARTED, _("Не начат")
        RUNNING = clock.RUNNING, _("Идёт")
        PAUSED = clock.PAUSED, _("Пауза")
        STOPPED = clock.STOPPED, _("Остановлен")

    flow = models.ForeignKey("championships.ProgrammeSlot", on_delete=models.CASCADE, related_name="timers",
                             verbose_name=_("поток"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, related_name="timers",
                                   verbose_name=_("компетенция"))
    kind = models.CharField(_("этап"), max_length=16, choices=Kind.choices, default=Kind.MODULE)
    module = models.ForeignKey("marking.Criterion", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="timers", verbose_name=_("модуль"))
    title = models.CharField(_("название"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(_("продолжительность, минут"))
    order = models.PositiveSmallIntegerField(_("порядок"), default=1)
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.NOT_STARTED)
    #: 003 §13.3: a workplace familiarisation longer than the setting, by a protocol signed by all experts.
    exception_document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("протокол об исключении"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("таймер")
        verbose_name_plural = _("таймеры")
        ordering = ["flow", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
                                   name="tk_timer_duration_range",
                                   violation_error_message=_("Продолжительность — от 1 минуты до 24 часов.")),
            models.CheckConstraint(condition=Q(kind="module", module__isnull=False) | (~Q(kind="module")
                                                                                         & Q(module__isnull=True)),
                                   name="tk_timer_module_only_for_module_kind",
                                   violation_error_message=_("Модуль указывается только для выполнения модуля.")),
            models.CheckConstraint(condition=~Q(kind="task") | Q(duration_minutes__gte=TASK_FAMILIARISATION_MIN),
                                   name="tk_task_familiarisation_at_least_15",
                                   violation_error_message=_("На знакомство с заданием — не меньше 15 минут.")),
            models.CheckConstraint(condition=~Q(kind="workplace") | Q(duration_minutes__lte=WORKPLACE_FAMILIARISATION_MAX)
                                   | Q(exception_document__isnull=False),
                                   name="tk_workplace_familiarisation_30_or_exception",
                                   violation_error_message=_("Больше 30 минут на знакомство с рабочим местом — "
                                                             "только по протоколу, подписанному всеми экспертами.")),
            models.CheckConstraint(condition=Q(state__in=[clock.NOT_STARTED, clock.RUNNING, clock.PAUSED,
                                                          clock.STOPPED]), name="tk_timer_state_valid"),
            models.UniqueConstraint(fields=["flow", "module"], condition=Q(kind="module"),
                                    name="tk_timer_one_per_flow_module",
                                    violation_error_message=_("У этого потока уже есть таймер этого модуля.")),
            models.UniqueConstraint(fields=["flow", "kind"], condition=~Q(kind="module"),
                                    name="tk_timer_one_familiarisation_per_flow",
                                    violation_error_message=_("У этого потока уже есть такой этап.")),
        ]

    def __str__(self) -> str:
        return f"{self.flow.title}: {self.title}"

    @property
    def championship(self) -> Any:
        return self.competency.championship

    @property
    def championship_id(self) -> int:
        return self.flow.championship_id

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_familiarisation(self) -> bool:
        return self.kind != self.Kind.MODULE


class ExtraTime(models.Model):
    """Extra minutes for one team after an illness or accident, by a recorded panel decision (003 §17.3–17.4)."""

    timer = models.ForeignKey(Timer, on_delete=models.PROTECT, related_name="extra_times", verbose_name=_("таймер"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("команда"))
    minutes = models.PositiveSmallIntegerField(_("минут"))
    reason = models.TextField(_("решение жюри и его основание"))
    #: The incident agreement protocol the decision is recorded in, when the incidents work passes it.
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("протокол"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("записал"))
    decided_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("дополнительное время")
        verbose_name_plural = _("дополнительное время")
        ordering = ["timer", "decided_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1, minutes__lte=240), name="tk_extra_minutes_range",
                                   violation_error_message=_("Дополнительное время — от 1 до 240 минут.")),
            models.CheckConstraint(condition=~Q(reason=""), name="tk_extra_has_reason",
                                   violation_error_message=_("Укажите решение жюри и его основание.")),
        ]

    def __str__(self) -> str:
        return f"{self.team}: +{self.minutes}"


class TimerEvent(models.Model):
    """One recorded command (or an extra-time grant) of a timer; never changed or deleted."""

    class Kind(models.TextChoices):
        START = clock.START, _("Старт")
        PAUSE = clock.PAUSE, _("Пауза")
        RESUME = clock.RESUME, _("Продолжение")
        STOP = clock.STOP, _("Стоп")
        EXTRA = clock.EXTRA, _("Дополнительное время")

    timer = models.ForeignKey(Timer, on_delete=models.PROTECT, related_name="events", verbose_name=_("таймер"))
    seq = models.PositiveIntegerField(_("номер"))
    kind = models.CharField(_("событие"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("время (UTC)"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("кто"))
    reason = models.CharField(_("причина"), max_length=500, blank=True)
    extra_time = models.OneToOneField(ExtraTime, on_delete=models.PROTECT, null=True, blank=True, related_name="event")

    class Meta:
        verbose_name = _("событие таймера")
        verbose_name_plural = _("события таймера")
        ordering = ["timer", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["timer", "seq"], name="tk_event_seq_unique"),
            models.CheckConstraint(condition=Q(kind="extra", extra_time__isnull=False)
                                   | (~Q(kind="extra") & Q(extra_time__isnull=True)), name="tk_event_extra_has_grant"),
        ]

    def __str__(self) -> str:
        return f"{self.timer_id}#{self.seq} {self.kind}"


class FamiliarisationConfirmation(models.Model):
    """A participant or mentor confirms the familiarisation of their flow (003 §13.5)."""

    class Device(models.TextChoices):
        VENUE = "venue", _("На устройстве площадки")
        OWN = "own", _("Со своего устройства")

    flow = models.ForeignKey("championships.ProgrammeSlot", on_delete=models.CASCADE,
                             related_name="familiarisation_confirmations", verbose_name=_("поток"))
    member = models.ForeignKey("registration.TeamMember", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("участник или наставник"))
    device = models.CharField(_("где подтверждено"), max_length=8, choices=Device.choices)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("записал"))
    confirmed_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("подтверждение ознакомления")
        verbose_name_plural = _("подтверждения ознакомления")
        ordering = ["flow", "confirmed_at"]
        constraints = [models.UniqueConstraint(fields=["flow", "member"], name="tk_confirmation_once",
                                               violation_error_message=_("Ознакомление уже подтверждено."))]

    def __str__(self) -> str:
        return f"{self.member}: {self.flow}"


class DayEvidence(models.Model):
    """The venue's video stream and where its recording is kept, per competency and day (003 §9.3, OP-7)."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, related_name="day_evidence",
                                   verbose_name=_("компетенция"))
    day = models.DateField(_("день"))
    stream_url = models.URLField(_("адрес видеотрансляции"), max_length=500, blank=True)
    recording_location = models.CharField(_("где хранится запись"), max_length=500, blank=True)
    retention_until = models.DateField(_("хранить запись до"))
    reminder_sent_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("записал"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("видеозапись дня")
        verbose_name_plural = _("видеозаписи дней")
        ordering = ["competency", "day"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "day"], name="tk_evidence_one_per_day"),
            # the full year (003 §9.3) is checked by the domain; the database keeps it after the day
            models.CheckConstraint(condition=Q(retention_until__gt=models.F("day")), name="tk_evidence_kept_after_day",
                                   violation_error_message=_("Запись хранится не меньше года (003 §9.3).")),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.day:%d.%m.%Y}"

    @property
    def championship(self) -> Any:
        return self.competency.championship


def photo_upload_to(instance: WorkPhoto, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"work-photos/{instance.competency_id}/{uuid.uuid4().hex}.{suffix[:5]}"


class WorkPhoto(models.Model):
    """A photo of a finished work by the chief expert, kept with the marking documents (003 §8.14)."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE, related_name="work_photos",
                                   verbose_name=_("компетенция"))
    day = models.DateField(_("день"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("команда"))
    caption = models.CharField(_("подпись"), max_length=300, blank=True)
    file = models.FileField(_("файл"), upload_to=photo_upload_to)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("размер, байт"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("загрузил"))
    uploaded_at = models.DateTimeField(_("загружено"), auto_now_add=True)

    class Meta:
        verbose_name = _("фото выполненной работы")
        verbose_name_plural = _("фото выполненных работ")
        ordering = ["competency", "day", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.competency}: {self.day:%d.%m.%Y}"

    @property
    def championship(self) -> Any:
        return self.competency.championship


class Suspension(models.Model):
    """A participant kept from the competition task while an appeal is heard (AP-4, 003 §8.13).

    Started and ended by a recorded decision (``basis``: «Апелляция № 2», «Спорный вопрос № 3»). When the appeal
    fails, the time away is not compensated (``compensated_minutes`` = 0); when it succeeds, the team gets the
    minutes back as extra time on its running module (``extra_time``)."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="suspensions",
                                   verbose_name=_("компетенция"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="suspensions",
                             verbose_name=_("команда"))
    member = models.ForeignKey("registration.TeamMember", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("участник"))
    basis = models.CharField(_("основание (решение)"), max_length=300)
    reason = models.TextField(_("обоснование"))
    started_at = models.DateTimeField(_("отстранён с"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("решение принял"))
    ended_at = models.DateTimeField(_("отстранение окончено"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("окончание записал"))
    appeal_upheld = models.BooleanField(_("апелляция удовлетворена"), null=True, blank=True)
    compensated_minutes = models.PositiveSmallIntegerField(_("компенсировано минут"), null=True, blank=True)
    extra_time = models.OneToOneField(ExtraTime, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("дополнительное время"))

    class Meta:
        verbose_name = _("отстранение на время апелляции")
        verbose_name_plural = _("отстранения на время апелляции")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(ended_at__isnull=True),
                                    name="tk_suspension_one_open_per_member",
                                    violation_error_message=_("Этот участник уже отстранён на время апелляции.")),
            models.CheckConstraint(condition=~Q(reason="") & ~Q(basis=""), name="tk_suspension_has_reason",
                                   violation_error_message=_("Укажите основание и обоснование отстранения.")),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, appeal_upheld__isnull=True, compensated_minutes__isnull=True)
                | Q(ended_at__isnull=False, appeal_upheld__isnull=False, compensated_minutes__isnull=False),
                name="tk_suspension_end_recorded"),
            # 003 §8.13: a failed appeal gives no time back
            models.CheckConstraint(condition=~Q(appeal_upheld=False) | Q(compensated_minutes=0),
                                   name="tk_suspension_no_compensation_on_failure",
                                   violation_error_message=_("При отказе в апелляции время отстранения не "
                                                             "компенсируется.")),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.basis}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
