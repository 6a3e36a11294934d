"""HTTP API of the lesson's day and the festival's report (UPM-6, UPM-7): the same domain functions as the pages.

A lesson the person may not follow is reported as missing (404); one they follow but may not change is a 403; a
refusal of the rules (a delivery a day ahead, a pupil not confirmed) is the domain's 400/409 with its message.
"""

# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404
from profmaster.api.types import DateTime, Id
from profmaster.organisations.models import Organisation
from profmaster.permissions import has_perm, require, upm_school_ids, upm_venue_ids

from . import day, reports, selectors
from .models import Attendance, Confirmation, EquipmentDelivery, Festival, Lesson, LessonCheck

router = Router(tags=["УПМ: день урока"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class DeliveryIn(_In):
    school_id: int
    items: str = Field("", max_length=4000)


class CheckIn(_In):
    item: str = Field(description="mentor_present, link_tested или school_representative")
    school_id: int | None = None
    done_at: DateTime | None = None
    note: str = Field("", max_length=300)


class LessonAttendanceMarkIn(_In):
    pupil_id: int
    present: bool


class LessonAttendanceIn(_In):
    marks: list[LessonAttendanceMarkIn] = Field(min_length=1, max_length=1000)


class DeliveryOut(Schema):
    id: int
    school_id: int
    items: str
    delivered_at: dt.datetime
    received_at: dt.datetime | None


class CheckOut(Schema):
    id: int
    item: str
    school_id: int | None
    done_at: dt.datetime
    done_by_id: int
    note: str


class LessonAttendanceOut(Schema):
    pupil_id: int
    school_id: int
    present: bool | None


class LessonDayOut(Schema):
    lesson_id: int
    needs_equipment: bool
    delivery_due_date: dt.date
    delivery_overdue: bool
    deliveries: list[DeliveryOut]
    checks: list[CheckOut]
    attendance: list[LessonAttendanceOut]


class ReportRowOut(Schema):
    id: int
    name: str
    lessons: int
    cancelled: int
    capacity: int
    confirmed: int
    attended: int
    created_in_time: int
    needing_equipment: int
    delivered_in_time: int
    delivery_overdue: int


class ReportOut(Schema):
    scope: str
    totals: ReportRowOut
    venues: list[ReportRowOut]
    schools: list[ReportRowOut]
    competencies: list[ReportRowOut]


def _lesson(request: HttpRequest, lesson_id: int) -> Lesson:
    lesson = get_or_404(Lesson.objects.select_related("festival__championship", "venue", "competency"), lesson_id,
                        _("Урок не найден."))
    if not has_perm(current_user(request), "upm.view_lesson_day", lesson):
        raise NotFound(_("Урок не найден."))
    return lesson


def _school(lesson: Lesson, school_id: int | None) -> Organisation:
    school = Organisation.objects.filter(pk=school_id).first() if school_id else None
    if school is None or school.pk not in selectors.lesson_school_ids(lesson):
        raise NotFound(_("Эта школа не участвует в уроке."))
    return school


def _delivery_out(d: EquipmentDelivery) -> dict[str, Any]:
    return {"id": d.pk, "school_id": d.school_id, "items": d.items, "delivered_at": d.delivered_at,
            "received_at": d.received_at}


def _check_out(c: LessonCheck) -> dict[str, Any]:
    return {"id": c.pk, "item": c.item, "school_id": c.school_id, "done_at": c.done_at, "done_by_id": c.done_by_id,
            "note": c.note}


def _sees_every_school(user: Any, lesson: Lesson) -> bool:
    return lesson.venue_id in upm_venue_ids(user, lesson.festival) or has_perm(user, "upm.view_report", lesson.festival)


def _day_out(user: Any, lesson: Lesson) -> dict[str, Any]:
    confirmations = Confirmation.objects.filter(lesson=lesson)
    deliveries = EquipmentDelivery.objects.filter(lesson=lesson)
    if not _sees_every_school(user, lesson):  # a coordinator: their school's pupils and deliveries only
        mine = upm_school_ids(user, lesson.festival)
        confirmations = confirmations.filter(school_id__in=mine)
        deliveries = deliveries.filter(school_id__in=mine)
    stored = dict(Attendance.objects.filter(confirmation__in=confirmations).values_list("confirmation_id", "present"))
    needs = selectors.needs_equipment(lesson)
    return {"lesson_id": lesson.pk, "needs_equipment": needs, "delivery_due_date": selectors.delivery_due_date(lesson),
            "delivery_overdue": needs and selectors.delivery_overdue(lesson),
            "deliveries": [_delivery_out(d) for d in deliveries],
            "checks": [_check_out(c) for c in LessonCheck.objects.filter(lesson=lesson)],
            "attendance": [{"pupil_id": c.pupil_id, "school_id": c.school_id, "present": stored.get(c.pk)}
                           for c in confirmations.order_by("pk")]}


@router.get("/upm/lessons/{lesson_id}/day", response={200: LessonDayOut, **READ_ERRORS}, url_name="upm_lesson_day",
            summary="День урока: доставка, чек-лист, посещаемость")
def lesson_day(request: HttpRequest, lesson_id: Id) -> Any:
    lesson = _lesson(request, lesson_id)
    return _day_out(current_user(request), lesson)


@router.post("/upm/lessons/{lesson_id}/deliveries", response={201: DeliveryOut, **WRITE_ERRORS},
             url_name="upm_delivery_create", summary="Записать доставку оборудования в школу (за 2 дня до урока)")
def delivery_create(request: HttpRequest, lesson_id: Id, payload: DeliveryIn) -> Any:
    lesson = _lesson(request, lesson_id)
    user = current_user(request)
    require(user, "upm.record_delivery", lesson)
    delivery = day.record_delivery(lesson, _school(lesson, payload.school_id), items=payload.items, by=user)
    return Status(201, _delivery_out(delivery))


@router.post("/upm/deliveries/{delivery_id}/receipt", response={200: DeliveryOut, **WRITE_ERRORS},
             url_name="upm_delivery_receipt", summary="Подтвердить получение оборудования школой")
def delivery_receipt(request: HttpRequest, delivery_id: Id) -> Any:
    delivery = get_or_404(EquipmentDelivery.objects.select_related("lesson__festival__championship", "school"),
                          delivery_id, _("Доставка не найдена."))
    user = current_user(request)
    if not has_perm(user, "upm.view_lesson_day", delivery.lesson):
        raise NotFound(_("Доставка не найдена."))
    require(user, "upm.confirm_receipt", delivery)
    return _delivery_out(day.confirm_receipt(delivery, by=user))


@router.post("/upm/lessons/{lesson_id}/checks", response={201: CheckOut, **WRITE_ERRORS}, url_name="upm_check_create",
             summary="Отметить пункт чек-листа урока")
def check_create(request: HttpRequest, lesson_id: Id, payload: CheckIn) -> Any:
    lesson = _lesson(request, lesson_id)
    user = current_user(request)
    school = _school(lesson, payload.school_id) if payload.item in LessonCheck.PER_SCHOOL else None
    require(user, "upm.record_check", LessonCheck(lesson=lesson, item=payload.item, school=school))
    check = day.record_check(lesson, payload.item, school=school, done_at=payload.done_at, note=payload.note, by=user)
    return Status(201, _check_out(check))


@router.post("/upm/lessons/{lesson_id}/attendance", response={200: list[LessonAttendanceOut], **WRITE_ERRORS},
             url_name="upm_attendance", summary="Отметить посещаемость подтверждённых учеников")
def attendance_take(request: HttpRequest, lesson_id: Id, payload: LessonAttendanceIn) -> Any:
    lesson = _lesson(request, lesson_id)
    user = current_user(request)
    is_venue = lesson.venue_id in upm_venue_ids(user, lesson.festival)
    schools = upm_school_ids(user, lesson.festival)
    if not is_venue and not schools:
        require(user, "upm.take_attendance", lesson)
    marks = {m.pupil_id: m.present for m in payload.marks}
    day.take_attendance(lesson, marks, by=user, school_ids=None if is_venue else schools)
    return [{"pupil_id": c.pupil_id, "school_id": c.school_id, "present": c.attendance.present}
            for c in Confirmation.objects.filter(lesson=lesson, pupil_id__in=marks).select_related("attendance")
            .order_by("pk")]


def _row(row: reports.Row) -> dict[str, Any]:
    return {"id": row.key, "name": row.name, **{k: getattr(row, k) for k, _label in reports.COLUMNS if k != "name"}}


@router.get("/upm/festivals/{festival_id}/report", response={200: ReportOut, **READ_ERRORS},
            url_name="upm_report", summary="Отчёт фестиваля (оператору — регион, площадке и школе — своя часть)")
def festival_report(request: HttpRequest, festival_id: Id) -> Any:
    festival = get_or_404(Festival.objects.select_related("championship"), festival_id, _("Фестиваль не найден."))
    user = current_user(request)
    if not has_perm(user, "upm.view_own_report", festival):
        raise NotFound(_("Фестиваль не найден."))
    if has_perm(user, "upm.view_report", festival):
        data = reports.festival_report(festival)
    elif venues := upm_venue_ids(user, festival):
        data = reports.festival_report(festival, venue_ids=venues)
    else:
        data = reports.festival_report(festival, school_ids=upm_school_ids(user, festival))
    return {"scope": data.scope, "totals": _row(data.totals), "venues": [_row(r) for r in data.venues],
            "schools": [_row(r) for r in data.schools], "competencies": [_row(r) for r in data.competencies]}
