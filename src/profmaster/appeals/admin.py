"""Admin of appeals and the appeal commission (AP-2, AP-3; the sanctions of a decision, AP-4): read-only. The
commission is composed and approved, its chair elected, an appeal filed, heard and decided on their pages
through :mod:`.domain`, which validates, audits and notifies.

The commission's deliberation is closed to everyone but its members and the Directorate (003 §8.10), and the
admin is no way around that: the case file (the persons involved, the respondent, the claim, the scanned form),
the hearing's notes, the members' votes, the chair's additional vote and the ballots of the chair's election
are not shown here. What is shown is the register: which appeal, in which state, decided when and how."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from profmaster.core.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .models import Appeal, ChairElection, Commission, CommissionMember, Hearing


class CommissionMemberInline(ReadOnlyInline):
    model = CommissionMember
    fields = ("user", "added_by", "added_at")
    readonly_fields = ("added_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommissionMember]:
        return super().get_queryset(request).select_related("user", "added_by")


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    """AP-3: the championship's appeal commission, its approval and its elected chair."""

    list_display = ("championship", "state", "approved_at", "approved_by", "chair", "chair_elected_at")
    list_filter = ("state",)
    list_select_related = ("championship", "approved_by", "chair")
    search_fields = ("championship__name",)
    inlines = [CommissionMemberInline]


@admin.register(CommissionMember)
class CommissionMemberAdmin(ReadOnlyAdmin):
    """AP-3: the members of the commissions (at least five of the Directorate's people each)."""

    list_display = ("user", "commission", "added_at")
    list_filter = ("commission__championship",)
    list_select_related = ("user", "commission__championship")
    search_fields = ("user__last_name", "user__email")
    readonly_fields = ("added_at",)


@admin.register(ChairElection)
class ChairElectionAdmin(ReadOnlyAdmin):
    """AP-3 (003 §8.5): the rounds of the chair's election and whom they elected (not who voted for whom)."""

    list_display = ("commission", "round", "state", "opened_at", "closed_at", "elected")
    list_filter = ("state", "commission__championship")
    list_select_related = ("commission__championship", "elected")
    readonly_fields = ("opened_at",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    """AP-2: the register of appeals — filed after which dispute, in which state, with which final decision
    (AP-3) and protocol. The scanned form is named, never linked: it opens only from the appeal's page."""

    list_display = ("number", "competency", "team", "state", "outcome", "filed_at", "decided_at", "decided_by_chair")
    list_filter = ("state", "outcome", "championship")
    list_select_related = ("competency", "team__organisation", "team__competency", "team__age_category")
    search_fields = ("=number", "=dispute__number")
    exclude = ("persons", "respondent", "claim", "scan")


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    """AP-3 (003 §8.10): when the closed hearing of an appeal was opened and closed."""

    list_display = ("appeal", "opened_by", "opened_at", "closed_at")
    list_filter = ("appeal__championship",)
    list_select_related = ("appeal", "opened_by")
    search_fields = ("=appeal__number",)
    exclude = ("chair_extra", "chair_extra_at")
