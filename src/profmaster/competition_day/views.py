"""Pages of the draws (OP-1): the chief expert's draw page per competency and the public verification page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.accounts.models import User
from profmaster.championships import timezones
from profmaster.championships.models import Competency, ProgrammeSlot
from profmaster.core.errors import DomainError
from profmaster.permissions import has_perm, require

from . import domain
from .models import Draw

MAX_FIELD = 4000  # longer than any field the domain accepts: it refuses the rest with its own message


def _competency(request: HttpRequest, competency_pk: int, perm: str) -> Competency:
    competency = get_object_or_404(Competency.objects.select_related("championship"), pk=competency_pk)
    if not has_perm(request.user, "championships.view_championship", competency.championship):
        raise Http404
    require(request.user, perm, competency)
    return competency


def _draw(request: HttpRequest, pk: int, perm: str) -> Draw:
    draw = get_object_or_404(Draw.objects.select_related("competency__championship", "flow"), pk=pk)
    if not has_perm(request.user, "championships.view_championship", draw.championship):
        raise Http404
    require(request.user, perm, draw.competency)
    return draw


def _card(draw: Draw) -> dict[str, Any]:
    return {"draw": draw, "contributions": list(draw.contributions.all()),
            "rows": domain._rows(draw, domain.draw_record(draw)["result"]) if draw.result_text else [],
            "inputs": domain.draw_record(draw)["inputs"]}


def draws_context(request: HttpRequest, competency: Competency) -> dict[str, Any]:
    flows_draw = domain.current_draw(competency, Draw.Kind.FLOWS)
    slots = list(domain.flow_slots(competency))
    per_flow = []
    for slot in slots:
        current = domain.current_draw(competency, Draw.Kind.WORKPLACES, slot)
        per_flow.append({"slot": slot, "label": domain.slot_label(slot),
                         "draw": _card(current) if current is not None else None})
    history = list(Draw.objects.filter(competency=competency, state=Draw.State.SUPERSEDED)
                   .select_related("flow", "protocol").order_by("-prepared_at"))
    return {
        "competency": competency, "championship": competency.championship,
        "flows_draw": _card(flows_draw) if flows_draw is not None else None,
        "flow_performed": flows_draw is not None and flows_draw.state == Draw.State.PERFORMED,
        "per_flow": per_flow, "history": history, "mentors": domain.mentors_of(competency),
        "can_manage": has_perm(request.user, "competition_day.manage_draws", competency),
        "zone": timezones.zone_label(timezones.zone_of(competency.championship)),
    }


@login_required
def draws(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """«Жеребьёвка»: prepare, show the commitment, take mentors' contributions, draw, redraw with a reason."""
    competency = _competency(request, competency_pk, "competition_day.view_draws")
    context = draws_context(request, competency)
    context["breadcrumbs"] = [
        (competency.championship.name, reverse("championships:detail", args=[competency.championship_id])),
        (competency.name, reverse("championships:competency", args=[competency.championship_id, competency.pk])),
        (_("Жеребьёвка"), None)]
    return render(request, "competition_day/draws.html", context)


def _answer(request: HttpRequest, competency: Competency, *, done: str = "", error: str = "") -> HttpResponse:
    """After an action: the draws section for htmx (the message inside it), else back to the page."""
    if request.htmx:
        context = draws_context(request, competency)
        context.update({"done": done, "error": error})
        return render(request, "competition_day/_draws.html", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("competition_day:draws", competency.pk)


def _field(request: HttpRequest, name: str) -> str:
    return str(request.POST.get(name, ""))[:MAX_FIELD]


@login_required
@require_POST
def prepare(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(request, competency_pk, "competition_day.manage_draws")
    kind = _field(request, "kind")
    flow = None
    if kind == Draw.Kind.WORKPLACES:
        flow_id = _field(request, "flow")
        flow = ProgrammeSlot.objects.filter(pk=int(flow_id) if flow_id.isdigit() and len(flow_id) < 18 else 0,
                                            competency=competency).first()
        if flow is None:
            return _answer(request, competency, error=_("Поток не найден."))
    try:
        domain.prepare_draw(competency, kind=kind, flow=flow, by=request.user)
    except DomainError as exc:
        return _answer(request, competency, error=exc.message)
    return _answer(request, competency, done=_("Жеребьёвка подготовлена: обязательство опубликовано."))


@login_required
@require_POST
def contribute(request: HttpRequest, pk: int) -> HttpResponse:
    draw = _draw(request, pk, "competition_day.manage_draws")
    user_id = _field(request, "user")
    user = None
    if user_id:
        user = User.objects.filter(pk=int(user_id) if user_id.isdigit() and len(user_id) < 18 else 0).first()
        if user is None:
            return _answer(request, draw.competency, error=_("Наставник не найден."))
    try:
        domain.add_contribution(draw, text=_field(request, "text"), name=_field(request, "name"), user=user,
                                by=request.user)
    except DomainError as exc:
        return _answer(request, draw.competency, error=exc.message)
    return _answer(request, draw.competency, done=_("Вклад принят."))


@login_required
@require_POST
def perform(request: HttpRequest, pk: int) -> HttpResponse:
    draw = _draw(request, pk, "competition_day.manage_draws")
    try:
        domain.perform_draw(draw, by=request.user)
    except DomainError as exc:
        return _answer(request, draw.competency, error=exc.message)
    return _answer(request, draw.competency, done=_("Жеребьёвка проведена, секрет раскрыт, протокол сформирован."))


@login_required
@require_POST
def redraw(request: HttpRequest, pk: int) -> HttpResponse:
    draw = _draw(request, pk, "competition_day.manage_draws")
    try:
        domain.redraw(draw, reason=_field(request, "reason"), by=request.user)
    except DomainError as exc:
        return _answer(request, draw.competency, error=exc.message)
    return _answer(request, draw.competency, done=_("Пережеребьёвка подготовлена: опубликовано новое обязательство."))


def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The public verification page: anyone re-runs the draw and sees «совпадает» or the differences."""
    draw = get_object_or_404(Draw.objects.select_related("competency", "championship", "flow", "protocol"), pk=pk)
    outcome = domain.verify_draw(draw)
    card = _card(draw)
    if draw.state == Draw.State.PREPARED:  # the secret is not revealed before the draw
        card["secret_hidden"] = True
    return render(request, "competition_day/verify.html", {
        **card, "outcome": outcome, "competency": draw.competency, "championship": draw.championship,
        "labels": draw.labels or {}, "successor": Draw.objects.filter(supersedes=draw).first(),
        "zone": timezones.zone_label(timezones.zone_of(draw.championship)),
    })
