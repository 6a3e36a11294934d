"""Admin of disputes inside a competency (AP-1; its sanctions, AP-4): read-only. A dispute is raised, voted on and
decided on its page through :mod:`.domain`, which validates, audits and notifies; the admin shows what was
recorded. The participant on whose behalf a mentor raised a question is not shown (X-1: participants may be
minors, and their data is read on the pages that check who asks)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from profmaster.core.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .models import Dispute, Explanation, Vote, VoteRound


class VoteRoundInline(ReadOnlyInline):
    model = VoteRound
    fields = ("number", "proposal", "revote_reason", "panel_size", "opened_by", "opened_at", "closed_at", "result")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    """AP-1: the register of disputed questions; AP-4: the sanctions taken on a decision."""

    list_display = ("number", "competency", "state", "outcome", "raised_as", "raised_by", "arose_on", "decided_at")
    list_filter = ("state", "outcome", "raised_as", "championship")
    list_select_related = ("competency", "raised_by")
    search_fields = ("=number", "question", "concerns")
    exclude = ("on_behalf_of",)
    readonly_fields = ("raised_at",)
    inlines = [VoteRoundInline]


class VoteInline(ReadOnlyInline):
    model = Vote
    fields = ("expert", "choice", "cast_at")
    readonly_fields = ("cast_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Vote]:
        return super().get_queryset(request).select_related("expert")


@admin.register(VoteRound)
class VoteRoundAdmin(ReadOnlyAdmin):
    """AP-1: each vote of the panel, with its fixed panel and result."""

    list_display = ("dispute", "number", "result", "panel_size", "opened_at", "closed_at")
    list_filter = ("result", "dispute__championship")
    list_select_related = ("dispute",)
    search_fields = ("=dispute__number", "proposal")
    inlines = [VoteInline]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    """AP-1: one expert's vote in one round (cast once, never changed)."""

    list_display = ("round", "expert", "choice", "cast_at")
    list_filter = ("choice", "round__dispute__championship")
    list_select_related = ("round__dispute", "expert")
    readonly_fields = ("cast_at",)


@admin.register(Explanation)
class ExplanationAdmin(ReadOnlyAdmin):
    """AP-1 (003 §7.3): the written explanations the Directorate asked for in its investigation."""

    list_display = ("dispute", "person", "requested_by", "requested_at", "answered_at")
    list_filter = ("dispute__championship",)
    list_select_related = ("dispute", "person", "requested_by")
    search_fields = ("=dispute__number", "question")
    readonly_fields = ("requested_at",)
