"""The operator's board (UPM-1…UPM-3, seed 001): the algorithm's stages with their deadlines and which venues and
schools are behind — read in a fixed number of queries whatever the region's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from profmaster.championships import timezones

from . import stages
from .domain import local_today
from .models import Agreement, Confirmation, Festival, FestivalVenue, Lesson, VenueSchool

#: Seed 001's table: stage → who acts and what they do.
STAGE_TEXT: dict[str, tuple[Any, Any]] = {
    "I": (_("Региональный оператор"), _("Определяет компетенции и площадки фестиваля")),
    "II": (_("Региональный оператор"), _("Для каждой площадки — перечень школ (не дальше 30 минут, если нужна "
                                         "доставка оборудования)")),
    "III": (_("Площадка и школа"), _("Согласуют компетенции; общий канал площадки с координаторами школ")),
    "IV": (_("Площадка"), _("Создаёт уроки и отправляет координаторам ссылки для подтверждения")),
    "V": (_("Школа"), _("Координатор передаёт ссылку родителям; родители подтверждают участие детей")),
    "VI": (_("Площадка"), _("Доставляет в школу оборудование и расходные материалы по инфраструктурному листу")),
    "VII": (_("Площадка и школа"), _("Проводят урок: наставник, видеосвязь, ученики и представитель школы")),
}


def stage_rows(festival: Festival) -> list[dict[str, Any]]:
    rows = []
    for item in stages.algorithm_deadlines(festival.stages_deadline):
        who, what = STAGE_TEXT[item.number]
        deadline: Any
        if item.last_day is not None:
            deadline = _("до %(day)s") % {"day": item.last_day.strftime("%d.%m.%Y")}
        elif item.lead_days:
            deadline = _("не менее чем за %(n)s дн. до урока") % {"n": item.lead_days}
        else:
            deadline = _("в день урока")
        rows.append({"number": item.number, "who": who, "what": what, "deadline": deadline,
                     "last_day": item.last_day})
    return rows


def festival_board(festival: Festival, *, today: dt.date | None = None) -> dict[str, Any]:
    """Venues and schools with what each has done of stages I–V and what is behind."""
    today = today or local_today(festival)
    overdue = today > festival.stages_deadline
    venues = list(FestivalVenue.objects.filter(festival=festival).select_related("venue").annotate(
        n_competencies=Count("competencies", distinct=True), n_staff=Count("staff", distinct=True)))
    links = list(VenueSchool.objects.filter(venue__festival=festival).select_related("school").annotate(
        accepted=Count("agreements", filter=Q(agreements__status=Agreement.Status.ACCEPTED), distinct=True),
        proposed=Count("agreements", filter=Q(agreements__status=Agreement.Status.PROPOSED), distinct=True)))
    lessons = defaultdict(int)
    for venue_id, n in Lesson.objects.filter(festival=festival, cancelled_at__isnull=True).values_list(
            "venue_id").annotate(n=Count("pk")):
        lessons[venue_id] = n
    confirmed = defaultdict(int)
    for school_id, n in Confirmation.objects.filter(lesson__festival=festival).values_list("school_id").annotate(
            n=Count("pk")):
        confirmed[school_id] = n
    by_venue: dict[int, list[Any]] = defaultdict(list)
    for link in links:
        by_venue[link.venue_id].append(link)
    venue_rows = []
    for venue in venues:
        mine = by_venue[venue.pk]
        behind: list[Any] = []
        if not venue.n_competencies or not venue.n_staff:
            behind.append(_("I: нет компетенций или представителей площадки"))
        if not mine:
            behind.append(_("II: не закреплены школы"))
        if mine and not any(link.accepted for link in mine):
            behind.append(_("III: ни одна компетенция не согласована"))
        if any(link.accepted for link in mine) and not lessons[venue.venue_id]:
            behind.append(_("IV: уроки ещё не созданы"))
        venue_rows.append({"venue": venue, "schools": len(mine), "lessons": lessons[venue.venue_id],
                           "accepted": sum(link.accepted for link in mine), "behind": behind})
    school_rows = []
    for link in links:
        behind_school: list[Any] = []
        if link.proposed:
            behind_school.append(_("III: ждут решения %(n)s предложений") % {"n": link.proposed})
        if not link.accepted and not link.proposed:
            behind_school.append(_("III: компетенции не согласованы"))
        if link.accepted and lessons[next((v.venue_id for v in venues if v.pk == link.venue_id), 0)] \
                and not confirmed[link.school_id]:
            behind_school.append(_("V: нет подтверждений родителей"))
        school_rows.append({"link": link, "venue": next((v for v in venues if v.pk == link.venue_id), None),
                            "confirmed": confirmed[link.school_id], "behind": behind_school})
    return {
        "stages": stage_rows(festival), "today": today, "overdue": overdue,
        "deadline": festival.stages_deadline, "venues": venue_rows, "schools": school_rows,
        "venues_behind": sum(1 for r in venue_rows if r["behind"]),
        "schools_behind": sum(1 for r in school_rows if r["behind"]),
        "zone": timezones.zone_label(timezones.zone_of(festival.championship)),
    }
