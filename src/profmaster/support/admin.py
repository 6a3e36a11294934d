"""Admin of the technical support of every event (RM-6): read-only. Requests are filed, answered and closed, the
duty roster and the FAQ kept on the support desk's pages through :mod:`.domain`, which validates, audits and
notifies. A request's reply address is not shown: the desk answers through the platform."""

from __future__ import annotations

from django.contrib import admin

from profmaster.core.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .models import DutyAssignment, FaqEntry, SupportReply, SupportRequest


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(ReadOnlyAdmin):
    """RM-6: the event's support duty roster, set by the Directorate."""

    list_display = ("user", "championship", "note", "added_by", "added_at")
    list_filter = ("championship",)
    list_select_related = ("user", "championship", "added_by")
    search_fields = ("user__last_name", "user__email", "note")
    readonly_fields = ("added_at",)


class SupportReplyInline(ReadOnlyInline):
    model = SupportReply
    fields = ("author_name", "from_staff", "text", "created_at")


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    """RM-6: the event's support requests, their status and the time to the first answer."""

    list_display = ("number", "championship", "subject", "channel", "status", "assignee", "created_at",
                    "first_answer_at", "closed_at")
    list_filter = ("status", "channel", "championship")
    list_select_related = ("championship", "assignee")
    search_fields = ("=number", "subject")
    exclude = ("author_email",)
    inlines = [SupportReplyInline]


@admin.register(FaqEntry)
class FaqEntryAdmin(ReadOnlyAdmin):
    """RM-6: the event's short FAQ (the Directorate writes it on the support desk's pages)."""

    list_display = ("question", "championship", "order", "updated_by", "updated_at")
    list_filter = ("championship",)
    list_select_related = ("championship", "updated_by")
    search_fields = ("question", "answer")
    readonly_fields = ("updated_at",)
