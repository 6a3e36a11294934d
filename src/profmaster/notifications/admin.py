from django.contrib import admin

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Read-only: what was sent is a record; resending goes through the championship's e-mail page."""

    list_display = ("created_at", "to", "subject", "status", "attempts", "championship")
    list_filter = ("status", "template")
    search_fields = ("to", "subject")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
