"""The festival's report (issue 17 §6): lessons, confirmations, attendance and deadline compliance per venue, school
and competency, for the operator (the whole region) and for a venue or a coordinator (their own share).

Counting happens in SQL, grouped by lesson (confirmations, attendance, deliveries) and by school: the database
reads the region's 200 000 confirmations once, Python only adds up one row per lesson (a region has thousands of
lessons, not hundreds of thousands). The deadlines are compared on the festival's wall clocks: a lesson created
in time is one created by the end of the day five days before its date; a delivery in time one whose receipt the
school confirmed by the end of the day two days before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profmaster.championships import timezones
from profmaster.championships.models import Competency
from profmaster.organisations.models import Organisation, Venue

from . import selectors, stages
from .models import Confirmation, EquipmentDelivery, Festival, Lesson

#: Seed 001 IV: the venue creates the lesson «не менее, чем за 5 дней до даты проведения УПМ».
CREATION_DAYS_BEFORE = stages.LESSON_LEAD_DAYS


@dataclass
class Row:
    """One line of a report table: a venue, a school or a competency."""

    key: int
    name: str
    lessons: int = 0
    cancelled: int = 0
    capacity: int = 0
    confirmed: int = 0
    attended: int = 0
    created_in_time: int = 0
    needing_equipment: int = 0
    delivered_in_time: int = 0
    delivery_overdue: int = 0

    @property
    def attendance_rate(self) -> int | None:
        return round(100 * self.attended / self.confirmed) if self.confirmed else None

    @property
    def fill_rate(self) -> int | None:
        return round(100 * self.confirmed / self.capacity) if self.capacity else None


@dataclass
class Report:
    festival: Festival
    scope: str  # "region", "venue" or "school"
    totals: Row
    venues: list[Row] = field(default_factory=list)
    schools: list[Row] = field(default_factory=list)
    competencies: list[Row] = field(default_factory=list)
    zone_label: str = ""

    def chart(self) -> dict[str, Any]:
        """Plain data for the page's Chart.js charts (json_script, CSP)."""
        def series(rows: list[Row]) -> dict[str, Any]:
            return {"labels": [r.name for r in rows], "lessons": [r.lessons for r in rows],
                    "confirmed": [r.confirmed for r in rows], "attended": [r.attended for r in rows]}
        return {"venues": series(self.venues), "competencies": series(self.competencies)}


def _deadline_ok(moment: dt.datetime | None, starts_at: dt.datetime, days: int, zone: Any) -> bool:
    if moment is None:
        return False
    due = timezones.local_date(starts_at, zone) - dt.timedelta(days=days)
    return timezones.local_date(moment, zone) <= due


def festival_report(festival: Festival, *, venue_ids: set[int] | None = None, school_ids: set[int] | None = None,
                    now: dt.datetime | None = None) -> Report:
    """The report of the festival: the whole region, or only ``venue_ids``' lessons (a venue), or only the pupils
    and lessons of ``school_ids`` (a coordinator)."""
    now = now or timezone.now()
    zone = timezones.zone_of(festival.championship)
    scope = "region" if venue_ids is None and school_ids is None else ("venue" if venue_ids is not None else "school")
    confirmations = Confirmation.objects.filter(lesson__festival=festival)
    deliveries = EquipmentDelivery.objects.filter(lesson__festival=festival)
    lessons = Lesson.objects.filter(festival=festival)
    if venue_ids is not None:
        lessons = lessons.filter(venue_id__in=venue_ids)
        confirmations = confirmations.filter(lesson__venue_id__in=venue_ids)
        deliveries = deliveries.filter(lesson__venue_id__in=venue_ids)
    if school_ids is not None:
        confirmations = confirmations.filter(school_id__in=school_ids)
        deliveries = deliveries.filter(school_id__in=school_ids)
        lessons = lessons.filter(Q(pk__in=confirmations.values("lesson_id")) | Q(pk__in=deliveries.values("lesson_id")))
    lesson_rows = list(selectors.with_equipment_flag(lessons).values(  # type: ignore[misc]
        "pk", "venue_id", "competency_id", "starts_at", "created_at", "cancelled_at", "capacity", "duration_minutes",
        "needs_equipment"))
    per_lesson = {row["lesson_id"]: row for row in confirmations.order_by().values("lesson_id").annotate(
        confirmed=Count("pk"), attended=Count("pk", filter=Q(attendance__present=True)))}
    delivery_rows = defaultdict(list)
    for row in deliveries.order_by().values("lesson_id", "school_id", "received_at"):
        delivery_rows[row["lesson_id"]].append(row)
    schools_per_lesson: dict[int, set[int]] = defaultdict(set)
    for lesson_id, school_id in confirmations.order_by().values_list("lesson_id", "school_id").distinct():
        schools_per_lesson[lesson_id].add(school_id)
    for lesson_id, rows in delivery_rows.items():
        schools_per_lesson[lesson_id] |= {r["school_id"] for r in rows}

    venues: dict[int, Row] = {}
    competencies: dict[int, Row] = {}
    totals = Row(0, "")
    lesson_delivery_ok: dict[int, bool] = {}
    for lesson in lesson_rows:
        counts = per_lesson.get(lesson["pk"], {})
        in_time = _deadline_ok(lesson["created_at"], lesson["starts_at"], CREATION_DAYS_BEFORE, zone)
        needs = bool(lesson["needs_equipment"]) and lesson["cancelled_at"] is None
        delivered_ok = overdue = False
        if needs:
            received = {r["school_id"]: r["received_at"] for r in delivery_rows.get(lesson["pk"], [])}
            taking_part = schools_per_lesson.get(lesson["pk"], set())
            delivered_ok = bool(taking_part) and all(
                _deadline_ok(received.get(s), lesson["starts_at"], selectors.DELIVERY_DAYS_BEFORE, zone)
                for s in taking_part)
            deadline = timezones.end_of_local_day(
                timezones.local_date(lesson["starts_at"], zone) - dt.timedelta(days=selectors.DELIVERY_DAYS_BEFORE),
                zone)
            ends = lesson["starts_at"] + dt.timedelta(minutes=lesson["duration_minutes"])
            overdue = deadline < now < ends and any(received.get(s) is None for s in taking_part)
        lesson_delivery_ok[lesson["pk"]] = delivered_ok
        for target in (venues.setdefault(lesson["venue_id"], Row(lesson["venue_id"], "")),
                       competencies.setdefault(lesson["competency_id"], Row(lesson["competency_id"], "")), totals):
            if lesson["cancelled_at"] is not None:
                target.cancelled += 1
                continue
            target.lessons += 1
            target.capacity += lesson["capacity"]
            target.confirmed += counts.get("confirmed", 0)
            target.attended += counts.get("attended", 0)
            target.created_in_time += in_time
            target.needing_equipment += needs
            target.delivered_in_time += delivered_ok
            target.delivery_overdue += overdue

    schools: dict[int, Row] = {}
    live = confirmations.filter(lesson__cancelled_at__isnull=True).order_by()
    for school_row in live.values("school_id").annotate(lessons=Count("lesson_id", distinct=True), confirmed=Count("pk"),
                                                   attended=Count("pk", filter=Q(attendance__present=True))):
        schools[school_row["school_id"]] = Row(school_row["school_id"], "", lessons=school_row["lessons"],
                                               confirmed=school_row["confirmed"], attended=school_row["attended"])
    for received_row in deliveries.filter(lesson__cancelled_at__isnull=True).order_by().values(
            "school_id", "received_at", "lesson__starts_at"):
        target = schools.setdefault(received_row["school_id"], Row(received_row["school_id"], ""))
        target.needing_equipment += 1
        target.delivered_in_time += _deadline_ok(received_row["received_at"], received_row["lesson__starts_at"],
                                                 selectors.DELIVERY_DAYS_BEFORE, zone)

    _name(venues, Venue.objects.filter(pk__in=venues).values_list("pk", "name"))
    _name(competencies, Competency.objects.filter(pk__in=competencies).values_list("pk", "name"))
    _name(schools, ((pk, short or name) for pk, short, name in
                    Organisation.objects.filter(pk__in=schools).values_list("pk", "short_name", "name")))
    totals.name = festival.name
    return Report(festival=festival, scope=scope, totals=totals, venues=_sorted(venues), schools=_sorted(schools),
                  competencies=_sorted(competencies), zone_label=timezones.zone_label(zone))


def _name(rows: dict[int, Row], names: Any) -> None:
    for pk, name in names:
        rows[pk].name = name


def _sorted(rows: dict[int, Row]) -> list[Row]:
    return sorted(rows.values(), key=lambda r: (r.name, r.key))


# --- Export ------------------------------------------------------------------------------------------------

COLUMNS: list[tuple[str, Any]] = [
    ("name", _("Название")), ("lessons", _("Уроков")), ("cancelled", _("Отменено")), ("capacity", _("Мест")),
    ("confirmed", _("Подтверждено")), ("attended", _("Присутствовало")),
    ("created_in_time", _("Созданы в срок (за 5 дней)")), ("needing_equipment", _("С доставкой оборудования")),
    ("delivered_in_time", _("Доставка подтверждена в срок")), ("delivery_overdue", _("Доставка просрочена")),
]


def export_tables(report: Report) -> list[tuple[str, list[list[Any]]]]:
    """The report's three tables as rows (headers first), for xlsx sheets and CSV."""
    headers = [str(label) for _key, label in COLUMNS]
    tables = []
    for title, rows in ((_("Площадки"), report.venues), (_("Школы"), report.schools),
                        (_("Компетенции"), report.competencies)):
        tables.append((str(title), [headers, *[[getattr(r, key) for key, _label in COLUMNS] for r in rows]]))
    tables.append((str(_("Итого")), [headers, [getattr(report.totals, key) for key, _label in COLUMNS]]))
    return tables
