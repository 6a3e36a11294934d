"""Admin of the regional stage of «Лучший по профессии» (REG-1, RM-4, RM-7): read-only. Nominations, checklists
and groups are kept on the contest's pages through :mod:`.domain`, which validates and audits.

RM-7 (X-1): a contestant's personal data is read only on the pages that check who asks and log the access, so
the admin does not show it. Contestants' profiles are not listed; a scan is listed by its kind, size and
retention dates (the job that erases it is what the admin follows), never by its file; the access log names the
contestant by number."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from profmaster.core.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    ContestantDocument,
    PersonalDataAccess,
    ProfessionNomination,
    VenueChecklist,
    VenueChecklistItem,
    VenueGroup,
    VenueGroupMember,
)


@admin.register(ProfessionNomination)
class ProfessionNominationAdmin(ReadOnlyAdmin):
    """REG-1: the contest's nominations and their admission conditions."""

    list_display = ("name", "championship", "competency", "profession", "min_age", "max_age", "min_years_of_service",
                    "min_education")
    list_filter = ("min_education", "championship")
    list_select_related = ("championship", "competency")
    search_fields = ("name", "profession")


@admin.register(ContestantDocument)
class ContestantDocumentAdmin(ReadOnlyAdmin):
    """RM-7: the contestants' scans and their retention: kept until their date, then erased by the scheduled job
    (the row stays as the record of the erasure)."""

    named_by_number = True
    list_display = ("pk", "kind", "contestant", "stored", "size", "retain_until", "uploaded_at", "erased_at")
    list_filter = ("kind", "profile__member__application__championship")
    fields = ("contestant", "kind", "stored", "content_type", "size", "retain_until", "uploaded_by", "uploaded_at",
              "erased_at")
    readonly_fields = ("contestant", "stored", "uploaded_at")

    @admin.display(description=_("участник (№ записи)"), ordering="profile__member_id")
    def contestant(self, obj: ContestantDocument) -> Any:
        return obj.profile.member_id

    @admin.display(description=_("скан хранится"), boolean=True)
    def stored(self, obj: ContestantDocument) -> bool:
        return bool(obj.file)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContestantDocument]:
        return super().get_queryset(request).select_related("profile")


class VenueChecklistItemInline(ReadOnlyInline):
    model = VenueChecklistItem
    fields = ("item", "required_quantity", "available_quantity", "has_photo", "note", "checked_by", "checked_at")
    readonly_fields = ("has_photo",)

    @admin.display(description=_("фото"), boolean=True)
    def has_photo(self, obj: VenueChecklistItem) -> bool:
        return bool(obj.photo)

    def get_queryset(self, request: HttpRequest) -> QuerySet[VenueChecklistItem]:
        return super().get_queryset(request).select_related("item", "checked_by")


@admin.register(VenueChecklist)
class VenueChecklistAdmin(ReadOnlyAdmin):
    """RM-4: each venue's equipment checklist of a stage, item by item (photos open from the checklist's page)."""

    list_display = ("base_venue", "competency", "stage", "status", "confirmed_by", "confirmed_at")
    list_filter = ("status", "stage__championship")
    list_select_related = ("base_venue__venue", "competency", "stage", "confirmed_by")
    search_fields = ("base_venue__venue__name", "competency__name")
    readonly_fields = ("created_at",)
    inlines = [VenueChecklistItemInline]


class VenueGroupMemberInline(ReadOnlyInline):
    model = VenueGroupMember
    fields = ("application", "assigned_by", "assigned_at")
    readonly_fields = ("assigned_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[VenueGroupMember]:
        return super().get_queryset(request).select_related(
            "application__organisation", "application__competency", "application__age_category", "assigned_by")


@admin.register(VenueGroup)
class VenueGroupAdmin(ReadOnlyAdmin):
    """RM-4: the small groups doing the practical task at one venue at their own time."""

    list_display = ("name", "checklist", "starts_at", "ends_at", "capacity")
    list_filter = ("checklist__stage__championship",)
    list_select_related = ("checklist__base_venue__venue", "checklist__competency")
    search_fields = ("name",)
    inlines = [VenueGroupMemberInline]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """RM-7 (X-1): who read a contestant's personal data, when, what and through which channel (append-only)."""

    named_by_number = True
    list_display = ("at", "user", "channel", "what", "contestant", "championship")
    list_filter = ("channel", "championship")
    list_select_related = ("user", "championship")
    search_fields = ("what", "user__email")
    fields = ("at", "user", "channel", "what", "contestant", "championship")
    readonly_fields = ("at", "contestant")

    @admin.display(description=_("участник (№ записи)"), ordering="member_id")
    def contestant(self, obj: PersonalDataAccess) -> Any:
        return obj.member_id
