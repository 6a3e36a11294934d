from django.contrib import admin

from profmaster.core.admin_base import ReadOnlyAdmin

from .models import Evidence, Incident, Readiness, Removal


class EvidenceInline(admin.TabularInline):
    """Evidence is private: the admin names the files; they open only from the incident page, which checks
    who asks."""

    model = Evidence
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "competency", "person_name", "occurred_at")
    list_filter = ("kind", "championship")
    search_fields = ("person_name", "description")
    inlines = [EvidenceInline]


@admin.register(Removal)
class RemovalAdmin(ReadOnlyAdmin):
    list_display = ("accreditation", "kind", "decided_at", "ended_at")
    list_filter = ("kind",)


@admin.register(Readiness)
class ReadinessAdmin(ReadOnlyAdmin):
    list_display = ("incident", "participant_name", "mentor_name", "confirmed_at")
