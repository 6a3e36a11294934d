from django.contrib import admin

from .models import TimekeepingSettings, Timer, TimerEvent


class ReadOnly(admin.ModelAdmin):
    """What happened on the day is a record: commands go through the day board (``timekeeping.domain``)."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Timer)
class TimerAdmin(ReadOnly):
    list_display = ("title", "flow", "competency", "kind", "duration_minutes", "state")
    list_filter = ("kind", "state")


@admin.register(TimerEvent)
class TimerEventAdmin(ReadOnly):
    list_display = ("timer", "seq", "kind", "at", "by")
    list_filter = ("kind",)


@admin.register(TimekeepingSettings)
class TimekeepingSettingsAdmin(ReadOnly):
    list_display = ("championship", "workplace_familiarisation_minutes")
