"""Video sessions of a championship (SPEC RM-3; 000 §5, §6, §10, §12, §13).

The platform integrates an external video service rather than being one: a session is a scheduled meeting
on BigBlueButton, Jitsi Meet or any other service (a plain link). The platform keeps who is invited, who
attended, and the recordings, copied into its private storage until their retention date. Thin: workflows
live in :mod:`.domain`, the services' HTTP APIs in :mod:`.providers`.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    BBB = "bbb", _("BigBlueButton")
    JITSI = "jitsi", _("Jitsi Meet")
    LINK = "link", _("Другой сервис (ссылка)")


class VideoProvider(models.Model):
    """A video service configured for a championship: its server, shared secret and application id.

    The secret is written once and never shown on a page or in the API; a championship without a row uses
    the platform's service from the settings (``PROFMASTER["VIDEO_*"]``, from the environment).
    """

    class Checksum(models.TextChoices):
        SHA1 = "sha1", "SHA-1"
        SHA256 = "sha256", "SHA-256"

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                      related_name="video_providers", verbose_name=_("чемпионат"))
    kind = models.CharField(_("сервис"), max_length=8, choices=ProviderKind.choices)
    name = models.CharField(_("название"), max_length=200)
    server_url = models.URLField(_("адрес сервера"), max_length=500)
    secret = models.CharField(_("общий секрет"), max_length=500, blank=True)
    app_id = models.CharField(_("идентификатор приложения (Jitsi)"), max_length=200, blank=True)
    checksum = models.CharField(_("контрольная сумма (BigBlueButton)"), max_length=8, choices=Checksum.choices,
                                default=Checksum.SHA256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("видеосервис")
        verbose_name_plural = _("видеосервисы")
        ordering = ["championship", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["bbb", "jitsi"]), name="video_provider_kind_valid",
                                   violation_error_message=_("Настраивается сервер BigBlueButton или Jitsi Meet.")),
            models.CheckConstraint(condition=~Q(secret=""), name="video_provider_has_secret",
                                   violation_error_message=_("Укажите общий секрет сервиса.")),
            models.UniqueConstraint(fields=["championship", "name"], name="video_provider_name_unique",
                                    violation_error_message=_("Сервис с таким названием уже есть.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


#: The values of :class:`VideoSession.Kind`, for its constraint (a class body's Meta cannot see the enum).
KINDS = ["instruction", "contestant_expert", "evaluation", "expert_group", "commission", "consultation"]


class VideoSession(models.Model):
    class Kind(models.TextChoices):
        INSTRUCTION = "instruction", _("Инструктаж дистанционных участников")
        CONTESTANT_EXPERT = "contestant_expert", _("Видеосвязь участника с экспертной группой (с записью)")
        EVALUATION = "evaluation", _("Оценка практического задания по видеотрансляции или записи")
        EXPERT_GROUP = "expert_group", _("Заседание экспертной группы")
        COMMISSION = "commission", _("Заседание региональной конкурсной комиссии")
        CONSULTATION = "consultation", _("Консультация технической поддержки")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Запланирована")
        CANCELLED = "cancelled", _("Отменена")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="video_sessions", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="video_sessions", verbose_name=_("компетенция"))
    kind = models.CharField(_("вид"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=300)
    description = models.TextField(_("описание"), blank=True)
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    status = models.CharField(_("состояние"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    provider_kind = models.CharField(_("сервис"), max_length=8, choices=ProviderKind.choices)
    #: The championship's configured server; none: the platform's from the settings (BBB/Jitsi) or a plain link.
    provider = models.ForeignKey(VideoProvider, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="sessions", verbose_name=_("сервер"))
    link_url = models.URLField(_("ссылка на видеовстречу"), max_length=1000, blank=True)
    #: The meeting id on BigBlueButton, the room name on Jitsi: unguessable, set once.
    room = models.CharField(_("комната"), max_length=100, unique=True, editable=False)
    record = models.BooleanField(_("вести видеозапись"), default=False)
    meeting_created_at = models.DateTimeField(_("встреча создана на сервере"), null=True, blank=True)
    ended_at = models.DateTimeField(_("встреча завершена"), null=True, blank=True)
    attendance_polled_at = models.DateTimeField(_("посещаемость получена"), null=True, blank=True)
    cancel_reason = models.TextField(_("причина отмены"), blank=True)
    cancelled_at = models.DateTimeField(_("отменена"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("запланировал"))
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("видеосессия")
        verbose_name_plural = _("видеосессии")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["championship", "starts_at"], name="video_session_when_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="video_session_ends_after_start",
                                   violation_error_message=_("Окончание должно быть позже начала.")),
            models.CheckConstraint(condition=Q(kind__in=KINDS), name="video_session_kind_valid"),
            models.CheckConstraint(condition=Q(provider_kind__in=["bbb", "jitsi", "link"]),
                                   name="video_session_provider_valid"),
            # 000 §6: the contestant–expert session is always recorded
            models.CheckConstraint(condition=~Q(kind="contestant_expert") | Q(record=True),
                                   name="video_session_contestant_expert_recorded",
                                   violation_error_message=_("Видеосвязь участника с экспертами ведётся с записью "
                                                             "(п. 6 информационного письма).")),
            models.CheckConstraint(condition=~Q(provider_kind="link") | ~Q(link_url=""),
                                   name="video_session_link_has_url",
                                   violation_error_message=_("Укажите ссылку на видеовстречу.")),
            models.CheckConstraint(condition=Q(status="scheduled", cancelled_at__isnull=True)
                                   | Q(status="cancelled", cancelled_at__isnull=False) & ~Q(cancel_reason=""),
                                   name="video_session_cancel_has_reason",
                                   violation_error_message=_("Укажите причину отмены.")),
            models.CheckConstraint(condition=~Q(title=""), name="video_session_has_title",
                                   violation_error_message=_("Укажите название видеосессии.")),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def new_room() -> str:
        return f"pm-{uuid.uuid4().hex}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Invitation(models.Model):
    """A person invited to a session: as a host (moderates, marks attendance) or a participant."""

    class Role(models.TextChoices):
        HOST = "host", _("Ведущий")
        PARTICIPANT = "participant", _("Участник встречи")

    session = models.ForeignKey(VideoSession, on_delete=models.CASCADE, related_name="invitations",
                                verbose_name=_("видеосессия"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="video_invitations",
                             verbose_name=_("кто приглашён"))
    role = models.CharField(_("роль"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(_("приглашён"), auto_now_add=True)

    class Meta:
        verbose_name = _("приглашение")
        verbose_name_plural = _("приглашения")
        ordering = ["session", "role", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="video_invitation_once",
                                    violation_error_message=_("Этот человек уже приглашён.")),
            models.CheckConstraint(condition=Q(role__in=["host", "participant"]), name="video_invitation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.session}"

    @property
    def championship(self) -> Any:
        return self.session.championship


class Attendance(models.Model):
    """Who was in the session: from the service (joined/left times polled from BigBlueButton) or marked by the
    host. One row per person and session."""

    class Source(models.TextChoices):
        SERVICE = "service", _("по данным видеосервиса")
        HOST = "host", _("отмечено ведущим")

    session = models.ForeignKey(VideoSession, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name=_("видеосессия"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("кто"))
    present = models.BooleanField(_("присутствовал"), default=True)
    joined_at = models.DateTimeField(_("вошёл"), null=True, blank=True)
    left_at = models.DateTimeField(_("вышел"), null=True, blank=True)
    source = models.CharField(_("источник"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("отметил"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("посещение")
        verbose_name_plural = _("посещаемость")
        ordering = ["session", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="video_attendance_once"),
            models.CheckConstraint(condition=Q(left_at__isnull=True) | Q(joined_at__isnull=False)
                                   & Q(left_at__gte=F("joined_at")), name="video_attendance_left_after_join",
                                   violation_error_message=_("Время выхода раньше времени входа.")),
            models.CheckConstraint(condition=Q(source__in=["service", "host"]), name="video_attendance_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.session}"


class PrivateRecordingStorage(FileSystemStorage):
    """Recordings copied from the video service: under MEDIA_ROOT/private, with no URL; streamed only by the
    permission-checked, logged view ``video:recording``."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name: str | None) -> str:
        raise ValueError("A recording has no public URL; serve it through video:recording.")


def private_recording_storage() -> PrivateRecordingStorage:
    return PrivateRecordingStorage()


def recording_upload_to(instance: Recording, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "mp4"
    return f"video-recordings/{instance.session.championship_id}/{uuid.uuid4().hex}.{suffix}"


class Recording(models.Model):
    """A recording of a session: listed from the service, copied into private storage by a background job,
    kept until its retention date and then erased (the row stays as the record of the erasure)."""

    class State(models.TextChoices):
        LISTED = "listed", _("Есть на сервере, не скопирована")
        COPYING = "copying", _("Копируется")
        STORED = "stored", _("Хранится на платформе")
        REFUSED = "refused", _("Не скопирована")
        ERASED = "erased", _("Удалена по сроку хранения")

    session = models.ForeignKey(VideoSession, on_delete=models.PROTECT, related_name="recordings",
                                verbose_name=_("видеосессия"))
    provider_record_id = models.CharField(_("идентификатор записи на сервере"), max_length=200)
    state = models.CharField(_("состояние"), max_length=10, choices=State.choices, default=State.LISTED)
    source_url = models.URLField(_("файл записи на сервере"), max_length=1000, blank=True)
    playback_url = models.URLField(_("просмотр на сервере"), max_length=1000, blank=True)
    started_at = models.DateTimeField(_("начало записи"), null=True, blank=True)
    ended_at = models.DateTimeField(_("конец записи"), null=True, blank=True)
    file = models.FileField(_("файл"), upload_to=recording_upload_to, storage=private_recording_storage, blank=True,
                            max_length=300)
    content_type = models.CharField(_("тип"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("размер, байт"), default=0)
    retention_until = models.DateField(_("хранить до"))
    refusal_reason = models.TextField(_("почему не скопирована"), blank=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    erased_at = models.DateTimeField(_("удалена"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("добавлена"), auto_now_add=True)

    class Meta:
        verbose_name = _("видеозапись")
        verbose_name_plural = _("видеозаписи")
        ordering = ["session", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "provider_record_id"], name="video_recording_once",
                                    violation_error_message=_("Эта запись уже добавлена.")),
            models.CheckConstraint(condition=Q(state__in=["listed", "copying", "stored", "refused", "erased"]),
                                   name="video_recording_state_valid"),
            models.CheckConstraint(condition=~Q(state="stored") | ~Q(file=""), name="video_recording_stored_has_file"),
            models.CheckConstraint(condition=~Q(state="erased") | Q(file="", erased_at__isnull=False),
                                   name="video_recording_erased_has_no_file"),
            models.CheckConstraint(condition=~Q(state="refused") | ~Q(refusal_reason=""),
                                   name="video_recording_refusal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.provider_record_id}"

    @property
    def championship(self) -> Any:
        return self.session.championship

    @property
    def competency_id(self) -> int | None:
        return self.session.competency_id


class RecordingView(models.Model):
    """X-1: every opening of a recording — who and when. Append-only."""

    recording = models.ForeignKey(Recording, on_delete=models.PROTECT, related_name="views",
                                  verbose_name=_("видеозапись"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("кто смотрел"))
    viewed_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("просмотр видеозаписи")
        verbose_name_plural = _("просмотры видеозаписей")
        ordering = ["-viewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} — {self.recording}"
