"""Admin of «Уроки профессионального мастерства» (UPM-1…UPM-7): read-only. The festival's stages, lessons,
confirmations and the lesson's day are kept on the УПМ pages through :mod:`.domain` and :mod:`.day`, which
validate, audit and notify.

X-1: pupils are minors, and their data is read only on the pages that decide who sees which pupil
(``permissions.upm_pupils_visible_to``). The admin names pupils, parents and their family links by account
number, never by name; a lesson's video link is not shown either (it goes to the schools with the lesson)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from profmaster.core.admin_base import ReadOnlyAdmin

from .models import (
    Agreement,
    Attendance,
    ChannelMessage,
    Confirmation,
    EquipmentDelivery,
    FamilyLink,
    Festival,
    FestivalCompetency,
    FestivalVenue,
    Lesson,
    LessonCheck,
    LessonNotice,
    ProfessionalTrial,
    VenueSchool,
)

#: A lesson is named by its competency and venue (``Lesson.__str__``).
LESSON = ("lesson__competency", "lesson__venue")


@admin.register(Festival)
class FestivalAdmin(ReadOnlyAdmin):
    """UPM-1: the region's festival of professions; its championship is the scope of the УПМ roles."""

    list_display = ("name", "region", "championship", "stages_deadline", "created_at")
    list_select_related = ("championship",)
    search_fields = ("name", "region")
    readonly_fields = ("created_at",)


@admin.register(FestivalCompetency)
class FestivalCompetencyAdmin(ReadOnlyAdmin):
    """UPM-1 (stage I); UPM-6: whether its equipment must be brought to the school."""

    list_display = ("competency", "festival", "needs_delivery", "delivery_source")
    list_filter = ("needs_delivery", "delivery_source", "festival")
    list_select_related = ("competency", "festival")
    search_fields = ("competency__name",)


@admin.register(FestivalVenue)
class FestivalVenueAdmin(ReadOnlyAdmin):
    """UPM-1 (stage I): the festival's venues, their representatives and competencies."""

    list_display = ("venue", "festival", "created_at")
    list_filter = ("festival",)
    list_select_related = ("venue", "festival")
    search_fields = ("venue__name",)
    readonly_fields = ("created_at",)


@admin.register(VenueSchool)
class VenueSchoolAdmin(ReadOnlyAdmin):
    """UPM-2 (stage II): the schools a venue may serve and the travel time between them."""

    list_display = ("school", "venue", "travel_minutes", "travel_source")
    list_filter = ("travel_source", "venue__festival")
    list_select_related = ("school", "venue__venue")
    search_fields = ("school__name", "school__short_name", "venue__venue__name")
    readonly_fields = ("created_at",)


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    """UPM-3 (stage III): the competencies a venue and a school agreed (proposed by one side, decided by the other)."""

    list_display = ("competency", "venue_school", "status", "proposed_by_side", "proposed_at", "decided_at")
    list_filter = ("status", "proposed_by_side", "venue_school__venue__festival")
    list_select_related = ("competency__competency", "venue_school__school", "venue_school__venue__venue")
    readonly_fields = ("proposed_at",)


@admin.register(ChannelMessage)
class ChannelMessageAdmin(ReadOnlyAdmin):
    """UPM-3: the venue's shared channel with its schools' coordinators."""

    list_display = ("venue", "author", "created_at")
    list_filter = ("venue__festival",)
    list_select_related = ("venue__venue", "author")
    readonly_fields = ("created_at",)


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    """UPM-4: the lessons the venues created, their places and confirmations so far."""

    list_display = ("competency", "venue", "festival", "starts_at", "format", "capacity", "confirmed_count",
                    "cancelled_at")
    list_filter = ("format", "festival")
    list_select_related = ("competency", "venue", "festival")
    search_fields = ("competency__name", "venue__name")
    exclude = ("video_link",)
    readonly_fields = ("created_at",)


class _Accounts:
    """Columns naming the accounts of a pupil and a parent by number (X-1)."""

    @admin.display(description=_("школьник (№ кабинета)"), ordering="pupil_id")
    def pupil_account(self, obj: Any) -> Any:
        return obj.pupil_id

    @admin.display(description=_("родитель (№ кабинета)"), ordering="parent_id")
    def parent_account(self, obj: Any) -> Any:
        return obj.parent_id


@admin.register(Confirmation)
class ConfirmationAdmin(_Accounts, ReadOnlyAdmin):
    """UPM-5: the parents' confirmations of their children for a lesson (each counted once it exists)."""

    named_by_number = True
    list_display = ("lesson", "school", "pupil_account", "parent_account", "confirmed_at")
    list_filter = ("lesson__festival",)
    list_select_related = (*LESSON, "school")
    fields = ("lesson", "school", "pupil_account", "parent_account", "confirmed_at")
    readonly_fields = ("pupil_account", "parent_account", "confirmed_at")


@admin.register(ProfessionalTrial)
class ProfessionalTrialAdmin(_Accounts, ReadOnlyAdmin):
    """UPM-5, UPM-7: the professional trials (профпробы) pupils have taken; a taken lesson records one."""

    named_by_number = True
    list_display = ("pupil_account", "lesson", "taken_on", "source", "recorded_at")
    list_select_related = LESSON
    fields = ("pupil_account", "lesson", "taken_on", "source", "recorded_by", "recorded_at")
    readonly_fields = ("pupil_account", "recorded_at")


@admin.register(FamilyLink)
class FamilyLinkAdmin(ReadOnlyAdmin):
    """UPM-5 (condition 2): the links of parents' and children's accounts, requested and confirmed."""

    named_by_number = True
    list_display = ("parent_account", "child_account", "status", "created_at", "decided_at")
    list_filter = ("status",)
    fields = ("parent_account", "child_account", "status", "created_at", "decided_at")
    readonly_fields = ("parent_account", "child_account", "created_at")

    @admin.display(description=_("родитель (№ кабинета)"), ordering="parent_id")
    def parent_account(self, obj: FamilyLink) -> Any:
        return obj.parent_id

    @admin.display(description=_("ребёнок (№ кабинета)"), ordering="child_id")
    def child_account(self, obj: FamilyLink) -> Any:
        return obj.child_id


@admin.register(EquipmentDelivery)
class EquipmentDeliveryAdmin(ReadOnlyAdmin):
    """UPM-6: equipment delivered to a school for a lesson and its receipt confirmed by the coordinator."""

    list_display = ("lesson", "school", "delivered_at", "recorded_by", "received_at", "received_by")
    list_filter = ("lesson__festival",)
    list_select_related = (*LESSON, "school", "recorded_by", "received_by")


@admin.register(LessonCheck)
class LessonCheckAdmin(ReadOnlyAdmin):
    """UPM-7: the lesson's checklist for the day (mentor present, video link tested, school's representative)."""

    list_display = ("lesson", "item", "school", "done_at", "done_by")
    list_filter = ("item", "lesson__festival")
    list_select_related = (*LESSON, "school", "done_by")
    readonly_fields = ("recorded_at",)


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    """UPM-7: whether a confirmed pupil was at the lesson (present: the lesson counts as their trial)."""

    named_by_number = True
    list_display = ("confirmation_number", "lesson", "school", "present", "recorded_by", "recorded_at")
    list_filter = ("present", "confirmation__lesson__festival")
    list_select_related = ("confirmation__lesson__competency", "confirmation__lesson__venue", "confirmation__school",
                           "recorded_by")
    fields = ("confirmation_number", "lesson", "school", "present", "recorded_by", "recorded_at")
    readonly_fields = ("confirmation_number", "lesson", "school")

    @admin.display(description=_("подтверждение №"), ordering="confirmation_id")
    def confirmation_number(self, obj: Attendance) -> Any:
        return obj.confirmation_id

    @admin.display(description=_("урок"))
    def lesson(self, obj: Attendance) -> Any:
        return obj.confirmation.lesson

    @admin.display(description=_("школа"))
    def school(self, obj: Attendance) -> Any:
        return obj.confirmation.school


@admin.register(LessonNotice)
class LessonNoticeAdmin(ReadOnlyAdmin):
    """X-6, UPM-6: the notices about a lesson that go out once (the reminder, the overdue delivery)."""

    list_display = ("lesson", "kind", "sent_at")
    list_filter = ("kind",)
    list_select_related = LESSON
    readonly_fields = ("sent_at",)
