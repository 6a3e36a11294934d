from django.contrib import admin

from profmaster.core.admin_base import ReadOnlyAdmin

from .models import TimekeepingSettings, Timer, TimerEvent


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ("title", "flow", "competency", "kind", "duration_minutes", "state")
    list_filter = ("kind", "state")


@admin.register(TimerEvent)
class TimerEventAdmin(ReadOnlyAdmin):
    list_display = ("timer", "seq", "kind", "at", "by")
    list_filter = ("kind",)


@admin.register(TimekeepingSettings)
class TimekeepingSettingsAdmin(ReadOnlyAdmin):
    list_display = ("championship", "workplace_familiarisation_minutes")
