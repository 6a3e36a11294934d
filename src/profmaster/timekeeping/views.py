"""Pages of the competition day: the chief expert's day board, timer commands, the venue's countdown screen
(public by its signed link), familiarisation confirmations and the evidence of the day (OP-2, OP-3, OP-7).

Every change calls :mod:`.domain`; refusals come back as a message on the board, nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from profmaster.championships import timezones
from profmaster.championships.models import Competency, ProgrammeSlot
from profmaster.core.errors import DomainError
from profmaster.permissions import has_perm, require
from profmaster.registration.models import TeamMember

from . import domain
from .board import day_board
from .forms import EvidenceForm, ExceptionForm, ExtraTimeForm, PhotoForm, SettingsForm, TimerForm
from .models import FamiliarisationConfirmation, Timer, WorkPhoto
from .selectors import cached_flow_state, flow_of_token, flow_state, screen_token, store_flow_state

#: How often the countdown screen asks whether anything changed, and the board refreshes its live block.
SCREEN_POLL_MS = 800
BOARD_POLL_SECONDS = 2


def _day(value: str) -> dt.date:
    """The day in the URL; a malformed or far-off one (overflow a year later) is a missing page."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc
    if not dt.date(1900, 1, 1) <= day <= dt.date(2199, 12, 31):
        raise Http404
    return day


def _competency(request: HttpRequest, competency_pk: int, perm: str) -> Competency:
    competency = get_object_or_404(Competency.objects.select_related("championship"), pk=competency_pk)
    require(request.user, perm, competency)
    return competency


def _flow(request: HttpRequest, flow_pk: int, perm: str) -> ProgrammeSlot:
    flow = get_object_or_404(ProgrammeSlot.objects.select_related("championship", "competency__championship"),
                             pk=flow_pk, kind=ProgrammeSlot.Kind.FLOW, competency__isnull=False)
    require(request.user, perm, flow.competency)
    return flow


def _board_url(flow: ProgrammeSlot) -> str:
    day = timezones.local_date(flow.starts_at, flow.championship)
    return reverse("timekeeping:board", kwargs={"competency_pk": flow.competency_id, "day": day.isoformat()})


def _refused(request: HttpRequest, exc: DomainError | ValidationError) -> None:
    text = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
    messages.error(request, text)


@login_required
def board_today(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(request, competency_pk, "timekeeping.view_board")
    today = timezone.localdate(timezone=timezones.zone_of(competency.championship))
    day = domain.board_day(competency, today)
    return redirect("timekeeping:board", competency_pk=competency.pk, day=day.isoformat())


def _board_context(request: HttpRequest, competency: Competency, day: dt.date) -> dict[str, Any]:
    user = request.user
    data = day_board(competency, day, user)
    teams = domain.teams_of_flow(data["flows"][0]["flow"]) if data["flows"] else None
    return {
        **data, "poll_seconds": BOARD_POLL_SECONDS, "server_ms": int(timezone.now().timestamp() * 1000),
        "can_run": has_perm(user, "timekeeping.run_timer", competency),
        "can_manage": has_perm(user, "timekeeping.manage_timers", competency),
        "can_extra": has_perm(user, "timekeeping.grant_extra_time", competency),
        "can_protocol": has_perm(user, "timekeeping.create_protocol", competency),
        "can_confirm": has_perm(user, "timekeeping.record_confirmation", competency),
        "can_evidence": has_perm(user, "timekeeping.manage_evidence", competency),
        "can_upload": has_perm(user, "timekeeping.upload_photo", competency),
        "can_view_photos": has_perm(user, "timekeeping.view_photos", competency),
        "can_settings": has_perm(user, "timekeeping.manage_settings", competency.championship),
        "timer_form": TimerForm(competency=competency),
        "extra_form": ExtraTimeForm(teams=teams) if teams is not None else None,
        "exception_form": ExceptionForm(),
        "photo_form": PhotoForm(teams=domain.Application.objects.filter(competency=competency, status="approved")),
        "previous_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
        "competition_days": domain.competition_days(competency),
    }


@login_required
def board(request: HttpRequest, competency_pk: int, day: str) -> HttpResponse:
    competency = _competency(request, competency_pk, "timekeeping.view_board")
    the_day = _day(day)
    with timezones.activated(competency.championship):
        return render(request, "timekeeping/board.html", _board_context(request, competency, the_day))


@login_required
def board_live(request: HttpRequest, competency_pk: int, day: str) -> HttpResponse:
    """The live block of the board (htmx replaces it every few seconds)."""
    competency = _competency(request, competency_pk, "timekeeping.view_board")
    the_day = _day(day)
    with timezones.activated(competency.championship):
        response = render(request, "timekeeping/_board_live.html", _board_context(request, competency, the_day))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def timer_create(request: HttpRequest, flow_pk: int) -> HttpResponse:
    flow = _flow(request, flow_pk, "timekeeping.manage_timers")
    form = TimerForm(request.POST, competency=flow.competency)
    if not form.is_valid():
        messages.error(request, _("Таймер не создан: %(errors)s") % {
            "errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect(_board_url(flow))
    try:
        domain.create_timer(flow, kind=form.cleaned_data["kind"], module=form.cleaned_data["module"],
                            duration_minutes=form.cleaned_data["duration_minutes"],
                            title=form.cleaned_data["title"], by=request.user)
    except (DomainError, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Таймер добавлен."))
    return redirect(_board_url(flow))


@login_required
@require_POST
def timer_command(request: HttpRequest, timer_pk: int, command: str) -> HttpResponse:
    timer = get_object_or_404(Timer.objects.select_related("flow__championship", "competency"), pk=timer_pk)
    require(request.user, "timekeeping.run_timer", timer)
    try:
        domain.command_timer(timer, command, by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        _refused(request, exc)
    return redirect(_board_url(timer.flow))


@login_required
@require_POST
def extra_time(request: HttpRequest, timer_pk: int) -> HttpResponse:
    timer = get_object_or_404(Timer.objects.select_related("flow__championship", "competency"), pk=timer_pk)
    require(request.user, "timekeeping.grant_extra_time", timer)
    form = ExtraTimeForm(request.POST, teams=domain.teams_of_flow(timer.flow))
    if not form.is_valid():
        messages.error(request, _("Дополнительное время не записано: %(errors)s") % {
            "errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect(_board_url(timer.flow))
    try:
        domain.grant_extra_time(form.cleaned_data["team"], form.cleaned_data["minutes"], form.cleaned_data["reason"],
                                request.user, timer=timer)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Дополнительное время записано."))
    return redirect(_board_url(timer.flow))


@login_required
@require_POST
def protocol(request: HttpRequest, flow_pk: int, kind: str) -> HttpResponse:
    flow = _flow(request, flow_pk, "timekeeping.create_protocol")
    make = {"timekeeping": domain.timekeeping_protocol, "familiarisation": domain.familiarisation_protocol}.get(kind)
    if make is None:
        raise Http404
    try:
        document = make(flow, by=request.user)
    except DomainError as exc:
        _refused(request, exc)
        return redirect(_board_url(flow))
    messages.success(request, _("Протокол сформирован и ждёт подписей."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def exception_protocol(request: HttpRequest, flow_pk: int) -> HttpResponse:
    flow = _flow(request, flow_pk, "timekeeping.manage_timers")
    form = ExceptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Протокол не сформирован: укажите минуты и основание."))
        return redirect(_board_url(flow))
    try:
        with transaction.atomic():
            document = domain.familiarisation_exception_protocol(
                flow, minutes=form.cleaned_data["minutes"], reason=form.cleaned_data["reason"], by=request.user)
            domain.create_timer(flow, kind=Timer.Kind.WORKPLACE_FAMILIARISATION, exception_document=document,
                                duration_minutes=form.cleaned_data["minutes"], by=request.user)
    except DomainError as exc:
        _refused(request, exc)
        return redirect(_board_url(flow))
    messages.success(request, _("Протокол об исключении сформирован: этап начнётся, когда его подпишут все эксперты."))
    return redirect("documents:detail", pk=document.pk)


@login_required
def familiarisation(request: HttpRequest, flow_pk: int) -> HttpResponse:
    """The venue's device: participants and mentors of the flow confirm the familiarisation (003 §13.5)."""
    flow = _flow(request, flow_pk, "timekeeping.record_confirmation")
    if request.method == "POST":
        member_id = request.POST.get("member", "")
        member = TeamMember.objects.filter(pk=int(member_id)).first() if member_id.isdigit() and len(member_id) < 19 \
            else None
        try:
            if member is None:
                raise DomainError(_("Выберите участника или наставника."))
            domain.confirm_familiarisation(flow, member, by=request.user,
                                           device=FamiliarisationConfirmation.Device.VENUE)
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Ознакомление подтверждено: %(name)s.") % {"name": member.full_name})
        return redirect("timekeeping:familiarisation", flow_pk=flow.pk)
    confirmed = {c.member_id: c for c in FamiliarisationConfirmation.objects.filter(flow=flow)}
    members = [(m, confirmed.get(m.pk)) for m in domain.members_of_flow(flow)]
    with timezones.activated(flow.championship):
        return render(request, "timekeeping/familiarisation.html",
                      {"flow": flow, "members": members, "board_url": _board_url(flow), "own": False})


@login_required
def confirm_own(request: HttpRequest, flow_pk: int) -> HttpResponse:
    """A participant or mentor confirms the familiarisation on their own device (003 §13.5)."""
    flow = get_object_or_404(ProgrammeSlot.objects.select_related("championship", "competency"), pk=flow_pk,
                             kind=ProgrammeSlot.Kind.FLOW, competency__isnull=False)
    require(request.user, "timekeeping.confirm_own", flow)
    mine = list(domain.members_of_flow(flow).filter(user=request.user))
    if request.method == "POST":
        member = next((m for m in mine if str(m.pk) == request.POST.get("member")), None)
        try:
            if member is None:
                raise DomainError(_("Вы не участник и не наставник команды этого потока."))
            domain.confirm_familiarisation(flow, member, by=request.user, device=FamiliarisationConfirmation.Device.OWN)
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Ознакомление подтверждено."))
        return redirect("timekeeping:confirm_own", flow_pk=flow.pk)
    confirmed = {c.member_id: c for c in FamiliarisationConfirmation.objects.filter(flow=flow, member__in=mine)}
    with timezones.activated(flow.championship):
        return render(request, "timekeeping/familiarisation.html",
                      {"flow": flow, "members": [(m, confirmed.get(m.pk)) for m in mine], "own": True})


def _screen_flow(token: str) -> ProgrammeSlot:
    flow_id = flow_of_token(token)
    flow = ProgrammeSlot.objects.select_related("championship").filter(pk=flow_id or 0).first()
    if flow is None:
        raise Http404
    return flow


@require_GET
def screen(request: HttpRequest, token: str) -> HttpResponse:
    """The venue's full-screen countdown (public by its signed link; read-only)."""
    flow = _screen_flow(token)
    state = flow_state(flow)
    config = {"state_url": reverse("timekeeping:screen_state", kwargs={"token": token}), "poll_ms": SCREEN_POLL_MS,
              "state": state, "labels": {"ends": _("Окончание"), "extra": _("доп. время"), "none": _("Таймеров нет"),
                                         "over": _("Время вышло")}}
    response = render(request, "timekeeping/screen.html", {"flow": flow, "config": config, "state": state})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def screen_state(request: HttpRequest, token: str) -> JsonResponse:
    """What the screen polls: ``{"v", "t"}`` only while nothing changed (one shared-cache read, no query);
    the flow's whole state when the version the screen holds is not the current one — computed by the first
    screen that asks and kept in the shared cache for the others (``at`` says when its times were taken)."""
    flow_id = flow_of_token(token)
    if flow_id is None:
        raise Http404
    version = domain.flow_version(flow_id)
    now_ms = int(timezone.now().timestamp() * 1000)
    if request.GET.get("v") == version:
        return JsonResponse({"v": version, "t": now_ms})
    state = cached_flow_state(flow_id)
    if state is None:
        state = flow_state(_screen_flow(token))
        store_flow_state(flow_id, state)
    return JsonResponse({**state, "t": now_ms}, json_dumps_params={"ensure_ascii": False})


@login_required
def evidence(request: HttpRequest, competency_pk: int, day: str) -> HttpResponse:
    """Where the day's video stream and its recording are (003 §9.3)."""
    competency = _competency(request, competency_pk, "timekeeping.manage_evidence")
    the_day = _day(day)
    current = domain.DayEvidence.objects.filter(competency=competency, day=the_day).first()
    initial = {"stream_url": current.stream_url, "recording_location": current.recording_location,
               "retention_until": current.retention_until} if current else {}
    form = EvidenceForm(request.POST or None, initial=initial)
    board_url = reverse("timekeeping:board", kwargs={"competency_pk": competency.pk, "day": the_day.isoformat()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                domain.record_day_evidence(competency, the_day, by=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                from profmaster.core.forms import apply_error

                apply_error(form, exc)
            else:
                messages.success(request, _("Сохранено."))
                return redirect(board_url)
        status = 400
    with timezones.activated(competency.championship):
        return render(request, "core/form.html", {
            "form": form, "title": _("Видеотрансляция и запись дня — %(day)s") % {"day": the_day.strftime("%d.%m.%Y")},
            "breadcrumbs": [(str(competency), board_url), (_("Видеотрансляция"), None)], "cancel_url": board_url},
            status=status)


@login_required
@require_POST
def photo_upload(request: HttpRequest, competency_pk: int, day: str) -> HttpResponse:
    competency = _competency(request, competency_pk, "timekeeping.upload_photo")
    the_day = _day(day)
    board_url = reverse("timekeeping:board", kwargs={"competency_pk": competency.pk, "day": the_day.isoformat()})
    teams = domain.Application.objects.filter(competency=competency, status="approved")
    form = PhotoForm(request.POST, request.FILES, teams=teams)
    if not form.is_valid():
        messages.error(request, _("Фото не загружено: %(errors)s") % {
            "errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)})
        return redirect(board_url)
    try:
        domain.upload_work_photo(competency, the_day, form.cleaned_data["file"], caption=form.cleaned_data["caption"],
                                 team=form.cleaned_data["team"], by=request.user)
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Фото загружено."))
    return redirect(board_url)


@login_required
def photo(request: HttpRequest, photo_pk: int) -> FileResponse:
    """A private photo of a finished work, streamed after the permission check."""
    item = get_object_or_404(WorkPhoto.objects.select_related("competency"), pk=photo_pk)
    if not has_perm(request.user, "timekeeping.view_photos", item):
        raise PermissionDenied
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    suffix = "png" if item.content_type == "image/png" else "jpg"
    response = FileResponse(handle, content_type=item.content_type, filename=f"work-photo-{item.pk}.{suffix}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def screen_url(flow: ProgrammeSlot) -> str:
    return reverse("timekeeping:screen", kwargs={"token": screen_token(flow)})


@login_required
def settings_page(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The championship's settings of the competition day (OP-2), for its Directorate."""
    from profmaster.championships.models import Championship
    from profmaster.core.views import form_page

    championship = get_object_or_404(Championship, pk=championship_pk)
    require(request.user, "timekeeping.manage_settings", championship)
    current = domain.settings_of(championship)
    form = SettingsForm(request.POST or None,
                        initial={"workplace_familiarisation_minutes": current.workplace_familiarisation_minutes})
    detail = reverse("championships:detail", args=[championship.pk])
    return form_page(
        request, form=form, success_url=detail, cancel_url=detail,
        title=_("Настройки дня соревнований"), breadcrumbs=[(championship.name, detail)],
        on_valid=lambda f: domain.save_settings(
            championship, workplace_familiarisation_minutes=f.cleaned_data["workplace_familiarisation_minutes"],
            by=request.user))
