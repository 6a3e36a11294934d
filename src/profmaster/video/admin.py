"""Admin of video services: a championship's server is configured here; the secret is write-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from . import domain
from .models import Recording, RecordingView, VideoProvider, VideoSession


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
    list_filter = ["kind"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        domain.save_provider(obj, by=request.user)


@admin.register(VideoSession)
class VideoSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "championship", "starts_at", "status", "provider_kind"]
    list_filter = ["kind", "status", "provider_kind"]
    readonly_fields = [f.name for f in VideoSession._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False  # sessions are planned on the schedule page (domain functions, audit)


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ["session", "state", "size", "retention_until", "erased_at"]
    readonly_fields = [f.name for f in Recording._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(RecordingView)
class RecordingViewAdmin(admin.ModelAdmin):
    list_display = ["recording", "user", "viewed_at"]
    readonly_fields = ["recording", "user", "viewed_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
