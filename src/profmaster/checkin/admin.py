from django.contrib import admin

from profmaster.core.admin_base import ReadOnlyAdmin

from .models import Accreditation, CheckIn, NonAppearance, ToolboxCheck


@admin.register(Accreditation)
class AccreditationAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "kind", "competency", "code", "briefed_at", "revoked_at")
    list_filter = ("kind", "championship")
    search_fields = ("full_name", "code")


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ("accreditation", "day", "checked_in_at", "checked_in_by")
    list_filter = ("day",)


@admin.register(NonAppearance)
class NonAppearanceAdmin(ReadOnlyAdmin):
    list_display = ("competency", "application", "flow", "day", "recorded_at")


@admin.register(ToolboxCheck)
class ToolboxCheckAdmin(ReadOnlyAdmin):
    list_display = ("competency", "application", "day", "checked_by", "checked_at")
