"""What the day's pages, API, reports and notifications read about lessons (UPM-6, UPM-7): the schools of a lesson,
whether it needs equipment, its deadlines in the festival's zone, the lessons a person may see. No writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from profmaster.championships import timezones
from profmaster.championships.models import InfrastructureItem

from . import stages
from .models import Confirmation, EquipmentDelivery, Festival, FestivalCompetency, Lesson

#: Seed 001 VI: the equipment reaches the school «не менее, чем за 2 дня до даты проведения УПМ».
DELIVERY_DAYS_BEFORE = stages.DELIVERY_LEAD_DAYS


def zone_of_lesson(lesson: Lesson) -> Any:
    return timezones.zone_of(lesson.festival.championship)


def lesson_date(lesson: Lesson) -> dt.date:
    """The lesson's calendar date on the festival's wall clocks."""
    return timezones.local_date(lesson.starts_at, zone_of_lesson(lesson))


def delivery_due_date(lesson: Lesson) -> dt.date:
    """The last date the delivery may be recorded: two calendar days before the lesson's date (festival's zone)."""
    return stages.last_day(lesson_date(lesson), DELIVERY_DAYS_BEFORE)


def delivery_deadline(lesson: Lesson) -> dt.datetime:
    """The end of :func:`delivery_due_date` in the festival's zone: 23:59 there is in time, 00:00 the next day late."""
    return timezones.end_of_local_day(delivery_due_date(lesson), zone_of_lesson(lesson))


def lesson_school_ids(lesson: Lesson) -> set[int]:
    """The schools taking part in a lesson: those that agreed its competency with its venue
    (:func:`profmaster.upm.domain.lesson_schools`), those whose pupils are confirmed and those equipment went to."""
    from .domain import lesson_schools

    schools = set(lesson_schools(lesson).values_list("school_id", flat=True))
    schools |= set(Confirmation.objects.filter(lesson=lesson).values_list("school_id", flat=True).distinct())
    schools |= set(EquipmentDelivery.objects.filter(lesson=lesson).values_list("school_id", flat=True))
    return schools


def _needs_delivery() -> Exists:
    return Exists(FestivalCompetency.objects.filter(festival_id=OuterRef("festival_id"),
                                                    competency_id=OuterRef("competency_id"), needs_delivery=True))


def needs_equipment(lesson: Lesson) -> bool:
    """Whether the festival's competency of the lesson needs its infrastructure-list items brought to the schools
    (``FestivalCompetency.needs_delivery``, seed 001 VI)."""
    return FestivalCompetency.objects.filter(festival_id=lesson.festival_id, competency_id=lesson.competency_id,
                                             needs_delivery=True).exists()


def equipment_items(lesson: Lesson) -> list[InfrastructureItem]:
    return list(InfrastructureItem.objects.filter(competency_id=lesson.competency_id).order_by("name"))


def with_equipment_flag(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    """Annotate ``needs_equipment`` in SQL (one EXISTS per row, no query per lesson)."""
    return lessons.annotate(needs_equipment=_needs_delivery())


def delivery_overdue(lesson: Lesson, *, now: dt.datetime | None = None, schools: set[int] | None = None) -> bool:
    """UPM-6: two days before, some school of a lesson needing equipment has not confirmed receipt (until it does, or
    the lesson is over)."""
    now = now or timezone.now()
    if lesson.cancelled_at is not None or now <= delivery_deadline(lesson) or now >= lesson.starts_at + dt.timedelta(
            minutes=lesson.duration_minutes):
        return False
    if not needs_equipment(lesson):
        return False
    schools = lesson_school_ids(lesson) if schools is None else schools
    received = set(EquipmentDelivery.objects.filter(lesson=lesson, received_at__isnull=False)
                   .values_list("school_id", flat=True))
    return bool(schools - received)


def festivals_of(user: Any) -> QuerySet[Festival]:
    """The festivals in which ``user`` holds a role (platform Directorate: all)."""
    from profmaster.permissions import visible_championships

    return Festival.objects.filter(championship__in=visible_championships(user)).select_related("championship")


def visible_lessons(user: Any, festival: Festival) -> QuerySet[Lesson]:
    """The festival's lessons ``user`` may follow on the day: the operator all, a venue its own, a coordinator those
    their schools take part in."""
    from profmaster.permissions import has_perm, upm_school_ids, upm_venue_ids

    lessons = Lesson.objects.filter(festival=festival).select_related("venue", "competency", "festival__championship")
    if has_perm(user, "upm.view_report", festival):
        return lessons
    venues = upm_venue_ids(user, festival)
    schools = upm_school_ids(user, festival)
    if not venues and not schools:
        return lessons.none()
    from .models import VenueSchool

    agreed = VenueSchool.objects.filter(school_id__in=schools, venue__festival=festival, agreements__status="accepted")
    return lessons.filter(Q(venue_id__in=venues)
                          | Q(pk__in=Confirmation.objects.filter(school_id__in=schools).values("lesson_id"))
                          | Q(pk__in=EquipmentDelivery.objects.filter(school_id__in=schools).values("lesson_id"))
                          | Q(Exists(agreed.filter(venue__venue_id=OuterRef("venue_id"),
                                                   agreements__competency__competency_id=OuterRef("competency_id")))))
