"""Pages of the УПМ lessons (UPM-1…UPM-5): the operator's board, the venue's page and channel, lessons with their
confirmation links, the school coordinator's page, the family page and the parent's confirmation page (a phone
page: small, no script of its own). Every change goes through :mod:`profmaster.upm.domain`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.championships import timezones
from profmaster.championships.models import Competency
from profmaster.core.actions import act, chosen, next_url
from profmaster.core.errors import DomainError
from profmaster.organisations.models import Organisation, Venue
from profmaster.permissions import has_perm, require, upm_pupils_visible_to

from . import board, domain
from .models import (
    Agreement,
    ChannelMessage,
    Confirmation,
    FamilyLink,
    Festival,
    FestivalCompetency,
    FestivalVenue,
    Lesson,
    SchoolInFestival,
    VenueSchool,
)


def _me(request: HttpRequest) -> Any:
    return request.user


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _festival(pk: int) -> Festival:
    return get_object_or_404(Festival.objects.select_related("championship"), pk=pk)


def _venue(pk: int) -> FestivalVenue:
    return get_object_or_404(FestivalVenue.objects.select_related("festival__championship", "venue"), pk=pk)


def _visible(request: HttpRequest, perm: str, obj: Any) -> None:
    """Not allowed to see: answered like a missing object (ids of other festivals leak nothing)."""
    if not has_perm(_me(request), perm, obj):
        raise Http404


def _zone(festival: Festival) -> tuple[Any, str]:
    zone = domain.zone_of(festival)
    return zone, timezones.zone_label(zone)


def _crumbs(festival: Festival, *extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Уроки профессионального мастерства"), reverse("upm:index")),
            (festival.name, reverse("upm:festival", args=[festival.pk])), *extra]


# --- where the УПМ people come from --------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The festivals the person works in, each with the page their role opens."""
    festivals = Festival.objects.select_related("championship").order_by("name")
    cards = []
    for festival in festivals:
        if not has_perm(_me(request), "upm.view_festival", festival):
            continue
        school_ids = (RoleAssignment.objects.filter(user=_me(request), role=Role.SCHOOL_COORDINATOR,
                                                    championship_id=festival.championship_id)
                      .values_list("organisation_id", flat=True))
        cards.append({
            "festival": festival, "board": has_perm(_me(request), "upm.view_board", festival),
            "venues": FestivalVenue.objects.filter(festival=festival, staff=_me(request)).select_related("venue"),
            "schools": Organisation.objects.filter(pk__in=list(school_ids)),
        })
    return render(request, "upm/index.html", {"cards": cards})


# --- the operator: stages I–III and the board ------------------------------------------------------------------------


@login_required
def festival(request: HttpRequest, pk: int) -> HttpResponse:
    item = _festival(pk)
    _visible(request, "upm.view_board", item)
    _zone_info, zone_label = _zone(item)
    return render(request, "upm/festival.html", {
        "festival": item, "zone_label": zone_label, "board": board.festival_board(item),
        "can_manage": has_perm(_me(request), "upm.manage_festival", item),
        "competencies": Competency.objects.filter(championship=item.championship).exclude(
            pk__in=item.competencies.values("competency_id")).order_by("name"),
        "venues": Venue.objects.exclude(pk__in=item.venues.values("venue_id")).order_by("name"),
        "breadcrumbs": _crumbs(item)[:1] + [(item.name, None)],
    })


@login_required
@require_POST
def competency_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _festival(pk)
    _visible(request, "upm.view_board", item)
    require(_me(request), "upm.manage_festival", item)
    competency = Competency.objects.filter(pk=_int(request.POST.get("competency")),
                                           championship=item.championship).first()
    delivery = {"yes": True, "no": False}.get(request.POST.get("needs_delivery", ""))
    return act(request, lambda: domain.add_competency(item, chosen(competency, _("Выберите компетенцию из списка.")),
                                                      needs_delivery=delivery, by=_me(request)),
               success=_("Компетенция добавлена."), back=reverse("upm:festival", args=[item.pk]))


@login_required
@require_POST
def venue_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _festival(pk)
    _visible(request, "upm.view_board", item)
    require(_me(request), "upm.manage_festival", item)
    venue = Venue.objects.filter(pk=_int(request.POST.get("venue"))).first()
    competencies = FestivalCompetency.objects.filter(festival=item, pk__in=[_int(v) for v in
                                                                            request.POST.getlist("competencies")])
    return act(request, lambda: domain.add_venue(item, chosen(venue, _("Выберите площадку из списка.")),
                                                 competencies=competencies, by=_me(request)),
               success=_("Площадка добавлена: теперь укажите её школы и представителей."),
               back=reverse("upm:festival", args=[item.pk]), then=lambda added: reverse("upm:venue", args=[added.pk]))


# --- the venue ---------------------------------------------------------------------------------------------------


def _side(request: HttpRequest, obj: Any) -> str:
    if has_perm(_me(request), "upm.work_as_venue", obj):
        return Agreement.Side.VENUE
    if has_perm(_me(request), "upm.agree_as_school", obj):
        return Agreement.Side.SCHOOL
    return ""


@login_required
def venue(request: HttpRequest, pk: int) -> HttpResponse:
    item = _venue(pk)
    _visible(request, "upm.view_venue", item)
    festival_ = item.festival
    _zone_info, zone_label = _zone(festival_)
    is_venue = has_perm(_me(request), "upm.work_as_venue", item)
    can_manage = has_perm(_me(request), "upm.manage_festival", festival_)
    links = list(item.schools.select_related("school").prefetch_related(
        Prefetch("agreements", queryset=Agreement.objects.select_related("competency__competency"))))
    coordinated = set(RoleAssignment.objects.filter(
        user=_me(request), role=Role.SCHOOL_COORDINATOR, championship_id=festival_.championship_id)
        .values_list("organisation_id", flat=True))
    if not (is_venue or can_manage or has_perm(_me(request), "upm.view_board", festival_)):
        links = [link for link in links if link.school_id in coordinated]  # a coordinator sees their own school
    competencies = list(item.competencies.select_related("competency"))
    rows = []
    for link in links:
        agreed = {a.competency_id: a for a in link.agreements.all()}
        rows.append({"link": link, "mine": link.school_id in coordinated, "cells": [
            {"competency": c, "agreement": agreed.get(c.pk), "refusal": domain.delivery_refusal(link, c)}
            for c in competencies]})
    lessons = Lesson.objects.filter(festival=festival_, venue=item.venue).select_related("competency")
    now_local = timezones.local(timezone.now(), festival_.championship)
    return render(request, "upm/venue.html", {
        "item": item, "festival": festival_, "rows": rows, "competencies": competencies, "is_venue": is_venue,
        "can_manage": can_manage, "lessons": lessons, "zone_label": zone_label,
        "agreed": FestivalCompetency.objects.filter(
            festival=festival_, agreements__venue_school__venue=item,
            agreements__status=Agreement.Status.ACCEPTED).select_related("competency").distinct(),
        "schools": Organisation.objects.filter(kind=Organisation.Kind.SCHOOL).exclude(
            pk__in=[link.school_id for link in links]).order_by("name") if can_manage else [],
        "staff": item.staff.all(), "sources": VenueSchool.TravelSource.choices, "formats": Lesson.Format.choices,
        "earliest": (now_local + dt.timedelta(days=6)).strftime("%Y-%m-%dT10:00"),
        "breadcrumbs": _crumbs(festival_, (str(item.venue), None)),
    })


@login_required
@require_POST
def school_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _venue(pk)
    _visible(request, "upm.view_venue", item)
    require(_me(request), "upm.manage_festival", item.festival)
    school = Organisation.objects.filter(pk=_int(request.POST.get("school"))).first()
    return act(request, lambda: domain.add_venue_school(
        item, chosen(school, _("Выберите школу из списка.")), travel_minutes=request.POST.get("travel_minutes", ""),
        travel_source=request.POST.get("travel_source", ""), travel_note=request.POST.get("travel_note", ""),
        by=_me(request)),
        success=_("Школа закреплена за площадкой."), back=reverse("upm:venue", args=[item.pk]))


@login_required
@require_POST
def venue_person_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _venue(pk)
    _visible(request, "upm.view_venue", item)
    require(_me(request), "upm.manage_festival", item.festival)
    user = User.objects.filter(email__iexact=(request.POST.get("email") or "").strip(), is_active=True).first()
    return act(request, lambda: domain.add_venue_person(item, chosen(user, _("Пользователь с таким e-mail не найден.")),
                                                        by=_me(request)),
               success=_("Представитель площадки добавлен."), back=reverse("upm:venue", args=[item.pk]))


@login_required
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(VenueSchool.objects.select_related("venue__festival__championship", "school"), pk=pk)
    _visible(request, "upm.view_venue", link)
    side = _side(request, link)
    if not side:
        raise Http404
    competency = FestivalCompetency.objects.filter(pk=_int(request.POST.get("competency")),
                                                   festival_id=link.venue.festival_id).select_related(
        "competency").first()
    return act(request, lambda: domain.propose_competency(link, chosen(competency, _("Выберите компетенцию.")),
                                                          side=side, by=_me(request)),
               success=_("Компетенция предложена: её должна принять другая сторона."),
               back=reverse("upm:venue", args=[link.venue_id]))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement.objects.select_related(
        "venue_school__venue__festival__championship", "venue_school__school", "competency__competency"), pk=pk)
    _visible(request, "upm.view_venue", agreement.venue_school)
    side = _side(request, agreement)
    if not side:
        raise Http404
    return act(request, lambda: domain.decide_agreement(agreement, accept=request.POST.get("accept") == "1", side=side,
                                                        by=_me(request)),
               success=_("Решение записано."), back=reverse("upm:venue", args=[agreement.venue_school.venue_id]))


@login_required
def channel(request: HttpRequest, pk: int) -> HttpResponse:
    item = _venue(pk)
    _visible(request, "upm.view_channel", item)
    error, text, status = "", "", 200
    if request.method == "POST":
        require(_me(request), "upm.post_channel", item)
        text = request.POST.get("text", "")
        try:
            domain.post_message(item, text=text, by=_me(request))
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            return redirect("upm:channel", item.pk)
    _zone_info, zone_label = _zone(item.festival)
    return render(request, "upm/channel.html", {
        "item": item, "festival": item.festival, "zone_label": zone_label, "error": error, "text": text,
        "posts": ChannelMessage.objects.filter(venue=item).select_related("author").order_by("-created_at")[:200],
        "can_post": has_perm(_me(request), "upm.post_channel", item),
        "breadcrumbs": _crumbs(item.festival, (str(item.venue), reverse("upm:venue", args=[item.pk])),
                               (_("Канал площадки"), None)),
    }, status=status)


# --- lessons -----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def lesson_create(request: HttpRequest, pk: int) -> HttpResponse:
    item = _venue(pk)
    _visible(request, "upm.view_venue", item)
    require(_me(request), "upm.work_as_venue", item)
    competency = FestivalCompetency.objects.filter(pk=_int(request.POST.get("competency")),
                                                   festival_id=item.festival_id).select_related("competency").first()
    starts_at: dt.datetime | None
    try:
        starts_at = dt.datetime.fromisoformat((request.POST.get("starts_at") or "").strip())
    except ValueError:
        starts_at = None
    return act(request, lambda: domain.create_lesson(
        item, competency=chosen(competency, _("Выберите согласованную компетенцию.")),
        starts_at=chosen(starts_at, _("Укажите дату и время урока.")), capacity=request.POST.get("capacity"),
        format=request.POST.get("format", ""), video_link=request.POST.get("video_link", ""),
        duration_minutes=request.POST.get("duration_minutes") or 45, by=_me(request)),
        success=_("Урок создан. Отправьте координаторам школ ссылки для подтверждения."),
        back=reverse("upm:venue", args=[item.pk]), then=lambda lesson: reverse("upm:lesson", args=[lesson.pk]))


@login_required
def lesson(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Lesson.objects.select_related("festival__championship", "competency", "venue"), pk=pk)
    _visible(request, "upm.view_lesson", item)
    festival_ = item.festival
    zone, zone_label = _zone(festival_)
    schools = list(domain.lesson_schools(item))
    full_view = has_perm(_me(request), "upm.work_as_venue", item) or has_perm(_me(request), "upm.view_board",
                                                                              festival_)
    if not full_view:  # a coordinator: their own school's link and pupils only
        mine = set(RoleAssignment.objects.filter(user=_me(request), role=Role.SCHOOL_COORDINATOR,
                                                 championship_id=festival_.championship_id)
                   .values_list("organisation_id", flat=True))
        schools = [s for s in schools if s.school_id in mine]
    confirmations = Confirmation.objects.filter(lesson=item, school_id__in=[s.school_id for s in schools]) \
        .select_related("pupil", "parent", "school").order_by("school__name", "pupil__last_name")
    festival_venue = FestivalVenue.objects.filter(festival=festival_, venue=item.venue).first()
    return render(request, "upm/lesson.html", {
        "lesson": item, "festival": festival_, "zone_label": zone_label,
        "starts": timezones.format_local(item.starts_at, zone), "due": domain.lesson_due(festival_, item.starts_at),
        "links": [(s, domain.confirmation_link(item, s.school)) for s in schools], "confirmations": confirmations,
        "can_run": has_perm(_me(request), "upm.work_as_venue", item) and item.cancelled_at is None,
        "breadcrumbs": _crumbs(festival_, *([(str(item.venue), reverse("upm:venue", args=[festival_venue.pk]))]
                                            if festival_venue else []), (str(item.competency), None)),
    })


def _venue_lesson(request: HttpRequest, pk: int) -> Lesson:
    item = get_object_or_404(Lesson.objects.select_related("festival__championship", "competency", "venue"), pk=pk)
    _visible(request, "upm.view_lesson", item)
    require(_me(request), "upm.work_as_venue", item)
    return item


@login_required
@require_POST
def lesson_send_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Stage IV: the venue sends a school's confirmation link to its coordinators."""
    item = _venue_lesson(request, pk)
    school = Organisation.objects.filter(pk=_int(request.POST.get("school"))).first()
    return act(request, lambda: domain.send_confirmation_link(item, chosen(school, _("Выберите школу.")), by=_me(request)),
               success=lambda sent: ngettext("Ссылка отправлена %(n)s координатору школы.",
                                             "Ссылка отправлена координаторам школы: %(n)s.", sent) % {"n": sent},
               back=reverse("upm:lesson", args=[item.pk]))


@login_required
@require_POST
def lesson_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The venue cancels the lesson; parents and coordinators are told why."""
    item = _venue_lesson(request, pk)
    return act(request, lambda: domain.cancel_lesson(item, reason=request.POST.get("reason", ""), by=_me(request)),
               success=_("Урок отменён. Родители подтверждённых детей и координаторы школ получат письмо."),
               back=reverse("upm:lesson", args=[item.pk]))


# --- the school coordinator ------------------------------------------------------------------------------------------


def _school(request: HttpRequest, pk: int, school_pk: int) -> SchoolInFestival:
    item = _festival(pk)
    school = get_object_or_404(Organisation, pk=school_pk)
    scope = SchoolInFestival(item, school)
    _visible(request, "upm.view_school", scope)
    return scope


@login_required
def school(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    scope = _school(request, pk, school_pk)
    festival_ = scope.festival
    zone, zone_label = _zone(festival_)
    links = VenueSchool.objects.filter(venue__festival=festival_, school=scope.school).select_related(
        "venue__venue").prefetch_related(Prefetch("agreements", queryset=Agreement.objects.select_related(
            "competency__competency")))
    lessons: list[dict[str, Any]] = []
    for link in links:
        agreed = [a.competency.competency_id for a in link.agreements.all() if a.status == "accepted"]
        for item in Lesson.objects.filter(festival=festival_, venue=link.venue.venue, competency_id__in=agreed,
                                          cancelled_at__isnull=True).select_related("competency", "venue"):
            started = item.starts_at <= timezone.now()  # its link has expired: no link to pass on
            lessons.append({"lesson": item, "starts": timezones.format_local(item.starts_at, zone),
                            "due": domain.lesson_due(festival_, item.starts_at), "started": started,
                            "link": "" if started else domain.confirmation_link(item, scope.school),
                            "count": item.confirmations.filter(school=scope.school).count()})
    lessons.sort(key=lambda row: (row["started"], row["lesson"].starts_at))  # coming lessons first
    pupils = upm_pupils_visible_to(_me(request), festival_).filter(
        role_assignments__organisation=scope.school).order_by("last_name", "first_name")
    family = FamilyLink.objects.filter(child__in=pupils).select_related("parent", "child").order_by(
        "child__last_name")
    return render(request, "upm/school.html", {
        "scope": scope, "festival": festival_, "school": scope.school, "links": links, "lessons": lessons,
        "zone_label": zone_label, "pupils": pupils, "family": family,
        "can_help": has_perm(_me(request), "upm.help_families", scope),
        "breadcrumbs": _crumbs(festival_, (str(scope.school), None)) if has_perm(
            _me(request), "upm.view_board", festival_) else [(_("Уроки профессионального мастерства"),
                                                              reverse("upm:index")), (str(scope.school), None)],
    })


@login_required
@require_POST
def family_register(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    scope = _school(request, pk, school_pk)
    require(_me(request), "upm.help_families", scope)
    post = request.POST
    return act(request, lambda: domain.register_family(
        scope.festival, scope.school, by=_me(request),
        parent=domain.Person(post.get("parent_email", ""), post.get("parent_last_name", ""),
                             post.get("parent_first_name", ""), post.get("parent_patronymic", "")),
        child=domain.Person(post.get("child_email", ""), post.get("child_last_name", ""),
                            post.get("child_first_name", ""), post.get("child_patronymic", ""))),
        success=_("Родитель и ребёнок зарегистрированы, их кабинеты связаны. Пароль они зададут по ссылке «Забыли "
                  "пароль?» на странице входа."),
        back=reverse("upm:school", args=[scope.festival.pk, scope.school.pk]))


@login_required
@require_POST
def family_link_decide(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(FamilyLink.objects.select_related("parent", "child"), pk=pk)
    if not has_perm(_me(request), "upm.decide_family_link", link):
        raise Http404
    accept = request.POST.get("accept") == "1"
    back = next_url(request, request.POST.get("next"), reverse("upm:family"))
    return act(request, lambda: domain.decide_family_link(link, accept=accept, by=_me(request)),
               success=_("Связь кабинетов подтверждена.") if accept else _("Запрос на связь отклонён."), back=back)


# --- families and the parent's confirmation -----------------------------------------------------------------------


@login_required
def family(request: HttpRequest) -> HttpResponse:
    """The parent's children (and requests to link), the pupil's requests to confirm."""
    error, status = "", 200
    back = next_url(request, request.GET.get("next") or request.POST.get("next"), "")
    if request.method == "POST":
        try:
            domain.request_family_link(_me(request), child_email=request.POST.get("child_email", ""),
                                       by=_me(request))
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, _("Запрос отправлен. Его подтвердит ребёнок в своём кабинете или координатор "
                                        "школы."))
            return redirect(back or "upm:family")
    return render(request, "upm/family.html", {
        "children": FamilyLink.objects.filter(parent=_me(request)).select_related("child"),
        "requests": FamilyLink.objects.filter(child=_me(request), status=FamilyLink.Status.REQUESTED)
        .select_related("parent"),
        "error": error, "next": back,
    }, status=status)


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The parent's page behind the coordinator's link: choose the child and confirm (a phone page)."""
    try:
        item, school_ = domain.read_confirmation_link(token)
    except domain.BadLink as exc:
        return render(request, "upm/confirm_bad_link.html", {"message": exc.message}, status=400)
    festival_ = item.festival
    zone, zone_label = _zone(festival_)
    context: dict[str, Any] = {
        "lesson": item, "school": school_, "festival": festival_, "zone_label": zone_label,
        "starts": timezones.format_local(item.starts_at, zone, "%d.%m.%Y %H:%M"),
        "due": domain.lesson_due(festival_, item.starts_at), "token": token,
        "refusal": domain.lesson_refusal(item),
    }
    if not _me(request).is_authenticated:
        return render(request, "upm/confirm.html", context)
    status = 200
    if request.method == "POST":
        pupil_id = _int(request.POST.get("pupil"))
        try:
            confirmation = domain.confirm(item, school=school_, pupil=pupil_id, parent=_me(request))
        except domain.NotEligible as exc:  # the domain e-mailed the steps to the parent
            context["steps"], status = exc.steps, 400
        except DomainError as exc:
            context["error"], status = exc.message, 400
        else:
            messages.success(request, _("Готово! Участие подтверждено: %(name)s, %(starts)s (%(zone)s).") % {
                "name": confirmation.pupil.first_name,
                "starts": timezones.local(item.starts_at, zone).strftime("%d.%m.%Y %H:%M"), "zone": zone_label})
            return redirect("upm:confirm", token)
    context["children"] = domain.eligibility(item, school_, _me(request))
    context["may_confirm"] = has_perm(_me(request), "upm.confirm_child", festival_)
    return render(request, "upm/confirm.html", context, status=status)
