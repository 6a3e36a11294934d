"""HTTP API of the УПМ lessons (UPM-1…UPM-5): festivals, venues, their schools, lessons and confirmations, through
the same domain functions as the pages. What a person may not see answers 404; a coordinator sees only their
school's pupils, a parent only their own children (``permissions.upm_pupils_visible_to``)."""

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
from profmaster.api.types import Id
from profmaster.permissions import has_perm, require, upm_pupils_visible_to

from . import domain
from .models import Festival, FestivalCompetency, FestivalVenue, Lesson

router = Router(tags=["Уроки профессионального мастерства"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class FestivalOut(Schema):
    id: int
    name: str
    region: str
    championship_id: int
    time_zone: str
    stages_deadline: dt.date


class VenueSchoolOut(Schema):
    id: int
    school_id: int
    school: str
    travel_minutes: int
    travel_source: str
    travel_note: str


class FestivalVenueOut(Schema):
    id: int
    venue_id: int
    name: str
    competencies: list[str]


class LessonIn(_In):
    competency_id: int = Field(description="id компетенции фестиваля (FestivalCompetency)")
    starts_at: dt.datetime = Field(description="Без часового пояса — время фестиваля")
    capacity: int
    format: str = Field(description="online или in_person")
    video_link: str = Field("", max_length=200)
    duration_minutes: int = 45


class LessonOut(Schema):
    id: int
    competency: str
    venue: str
    starts_at: dt.datetime
    capacity: int
    confirmed_count: int
    format: str
    video_link: str
    cancelled: bool


class ConfirmIn(_In):
    token: str = Field(max_length=500, description="Токен из ссылки координатора (…/upm/c/<токен>/)")
    pupil_id: int


class ConfirmationOut(Schema):
    id: int
    lesson_id: int
    pupil_id: int
    school_id: int


class PupilOut(Schema):
    id: int
    full_name: str


def _festival(request: HttpRequest, festival_id: int) -> Festival:
    festival = get_or_404(Festival.objects.select_related("championship"), festival_id, _("Фестиваль не найден."))
    if not has_perm(current_user(request), "upm.view_festival", festival):
        raise NotFound(_("Фестиваль не найден."))
    return festival


def _festival_out(f: Festival) -> dict[str, Any]:
    return {"id": f.pk, "name": f.name, "region": f.region, "championship_id": f.championship_id,
            "time_zone": f.championship.time_zone, "stages_deadline": f.stages_deadline}


def _lesson_out(lesson: Lesson) -> dict[str, Any]:
    return {"id": lesson.pk, "competency": lesson.competency.name, "venue": str(lesson.venue),
            "starts_at": lesson.starts_at, "capacity": lesson.capacity, "confirmed_count": lesson.confirmed_count,
            "format": lesson.format, "video_link": lesson.video_link, "cancelled": lesson.cancelled_at is not None}


@router.get("/upm/festivals", response={200: list[FestivalOut], **READ_ERRORS}, url_name="upm_festivals",
            summary="Фестивали профессий, в которых у вас есть роль")
def upm_festivals(request: HttpRequest) -> Any:
    user = current_user(request)
    return [_festival_out(f) for f in Festival.objects.select_related("championship")
            if has_perm(user, "upm.view_festival", f)]


@router.get("/upm/festivals/{festival_id}", response={200: FestivalOut, **READ_ERRORS}, url_name="upm_festival",
            summary="Фестиваль профессий")
def upm_festival(request: HttpRequest, festival_id: Id) -> Any:
    return _festival_out(_festival(request, festival_id))


@router.get("/upm/festivals/{festival_id}/venues", response={200: list[FestivalVenueOut], **READ_ERRORS},
            url_name="upm_venues", summary="Площадки фестиваля, которые вам видны")
def upm_venues(request: HttpRequest, festival_id: Id) -> Any:
    festival = _festival(request, festival_id)
    user = current_user(request)
    venues = FestivalVenue.objects.filter(festival=festival).select_related("venue", "festival").prefetch_related(
        "competencies__competency")
    return [{"id": v.pk, "venue_id": v.venue_id, "name": str(v.venue),
             "competencies": [c.competency.name for c in v.competencies.all()]}
            for v in venues if has_perm(user, "upm.view_venue", v)]


def _venue(request: HttpRequest, venue_id: int) -> FestivalVenue:
    item = get_or_404(FestivalVenue.objects.select_related("festival__championship", "venue"), venue_id,
                      _("Площадка не найдена."))
    if not has_perm(current_user(request), "upm.view_venue", item):
        raise NotFound(_("Площадка не найдена."))
    return item


@router.get("/upm/venues/{venue_id}/schools", response={200: list[VenueSchoolOut], **READ_ERRORS},
            url_name="upm_venue_schools", summary="Школы площадки и время в пути (с источником)")
def upm_venue_schools(request: HttpRequest, venue_id: Id) -> Any:
    item = _venue(request, venue_id)
    return [{"id": s.pk, "school_id": s.school_id, "school": str(s.school), "travel_minutes": s.travel_minutes,
             "travel_source": s.travel_source, "travel_note": s.travel_note}
            for s in item.schools.select_related("school")]


@router.get("/upm/venues/{venue_id}/lessons", response={200: list[LessonOut], **READ_ERRORS},
            url_name="upm_lessons", summary="Уроки площадки")
def upm_lessons(request: HttpRequest, venue_id: Id) -> Any:
    item = _venue(request, venue_id)
    return [_lesson_out(lesson) for lesson in Lesson.objects.filter(festival_id=item.festival_id, venue=item.venue)
            .select_related("competency", "venue")]


@router.post("/upm/venues/{venue_id}/lessons", response={201: LessonOut, **WRITE_ERRORS},
             url_name="upm_lesson_create", summary="Создать урок (не позже чем за 5 дней)")
def upm_lesson_create(request: HttpRequest, venue_id: Id, payload: LessonIn) -> Any:
    item = _venue(request, venue_id)
    user = current_user(request)
    require(user, "upm.work_as_venue", item)
    competency = FestivalCompetency.objects.filter(pk=payload.competency_id, festival_id=item.festival_id) \
        .select_related("competency").first()
    if competency is None:
        raise NotFound(_("Компетенция фестиваля не найдена."))
    lesson = domain.create_lesson(item, competency=competency, starts_at=payload.starts_at,
                                  capacity=payload.capacity, format=payload.format, video_link=payload.video_link,
                                  duration_minutes=payload.duration_minutes, by=user)
    return Status(201, _lesson_out(lesson))


@router.get("/upm/festivals/{festival_id}/pupils", response={200: list[PupilOut], **READ_ERRORS},
            url_name="upm_pupils", summary="Школьники фестиваля, которые вам видны")
def upm_pupils(request: HttpRequest, festival_id: Id) -> Any:
    festival = _festival(request, festival_id)
    return [{"id": p.pk, "full_name": p.full_name}
            for p in upm_pupils_visible_to(current_user(request), festival).order_by("last_name", "first_name")]


@router.post("/upm/confirmations", response={201: ConfirmationOut, **WRITE_ERRORS}, url_name="upm_confirm",
             summary="Подтвердить участие ребёнка по ссылке координатора")
def upm_confirm(request: HttpRequest, payload: ConfirmIn) -> Any:
    lesson, school = domain.read_confirmation_link(payload.token)
    user = current_user(request)
    require(user, "upm.confirm_child", lesson.festival)
    confirmation = domain.confirm(lesson, school=school, pupil=payload.pupil_id, parent=user)
    return Status(201, {"id": confirmation.pk, "lesson_id": lesson.pk, "pupil_id": confirmation.pupil_id,
                        "school_id": school.pk})
