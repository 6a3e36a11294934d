"""Admin of video services (RM-3): a championship's server is configured here (through
:func:`.domain.save_provider`, which audits; the secret is write-only). Sessions, invitations, attendance,
recordings and their views are read-only: they are planned, held and copied through :mod:`.domain`.

What opens a meeting or a recording without the platform's check is not shown: a session's room and link, a
recording's file, its addresses and its id on the service (a BigBlueButton playback address is made of it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from profmaster.core.admin_base import ReadOnlyAdmin

from . import domain
from .models import Attendance, Invitation, Recording, RecordingView, VideoProvider, VideoSession


class VideoProviderForm(forms.ModelForm):
    server_url = forms.URLField(label="Адрес сервера", max_length=500, assume_scheme="https")
    secret = forms.CharField(label="Общий секрет", required=False, widget=forms.PasswordInput(render_value=False),
                             help_text="Не показывается; оставьте пустым, чтобы сохранить прежний.")

    class Meta:
        model = VideoProvider
        fields = ["championship", "kind", "name", "server_url", "secret", "app_id", "checksum"]


@admin.register(VideoProvider)
class VideoProviderAdmin(admin.ModelAdmin):
    form = VideoProviderForm
    list_display = ["name", "kind", "championship", "server_url"]
    list_filter = ["kind", "championship"]
    list_select_related = ["championship"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        domain.save_provider(obj, by=request.user)


@admin.register(VideoSession)
class VideoSessionAdmin(ReadOnlyAdmin):
    """RM-3: the championship's video sessions (planned on the schedule page; domain functions, audit)."""

    list_display = ["title", "kind", "championship", "competency", "starts_at", "status", "provider_kind", "record"]
    list_filter = ["kind", "status", "provider_kind", "championship"]
    list_select_related = ["championship", "competency"]
    search_fields = ["title"]
    exclude = ["link_url"]
    readonly_fields = ["created_at"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """RM-3: who is invited to a session, as its host or a participant."""

    list_display = ["session", "user", "role", "invited_by", "invited_at"]
    list_filter = ["role", "session__championship"]
    list_select_related = ["session", "user", "invited_by"]
    search_fields = ["session__title", "user__last_name", "user__email"]
    readonly_fields = ["invited_at"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """RM-3: who was in a session, from the service or marked by the host."""

    list_display = ["session", "user", "present", "joined_at", "left_at", "source"]
    list_filter = ["source", "present", "session__championship"]
    list_select_related = ["session", "user"]
    search_fields = ["session__title", "user__last_name", "user__email"]


def _recording_label(recording: Recording) -> str:
    """A recording named without its id on the service (its ``__str__`` has it)."""
    return f"{recording.session.title} — № {recording.pk}"


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    """RM-3: the recordings copied into the platform's storage until their retention date (X-1). The file opens
    only through ``video:recording``, which checks who asks and logs the view."""

    named_by_number = True
    list_display = ["recording_name", "session", "state", "size", "retention_until", "erased_at"]
    list_filter = ["state", "session__championship"]
    list_select_related = ["session"]
    search_fields = ["session__title"]
    exclude = ["provider_record_id", "source_url", "playback_url", "file"]
    readonly_fields = ["recording_name", "created_at"]

    @admin.display(description=_("видеозапись"), ordering="pk")
    def recording_name(self, obj: Recording) -> str:
        return _recording_label(obj)


@admin.register(RecordingView)
class RecordingViewAdmin(ReadOnlyAdmin):
    """X-1: every opening of a recording — who and when (append-only)."""

    named_by_number = True
    list_display = ["recording_label", "user", "viewed_at"]
    list_filter = ["recording__session__championship"]
    list_select_related = ["recording__session", "user"]
    fields = ["recording_label", "user", "viewed_at"]
    readonly_fields = ["recording_label", "viewed_at"]

    @admin.display(description=_("видеозапись"), ordering="recording_id")
    def recording_label(self, obj: RecordingView) -> str:
        return _recording_label(obj.recording)
