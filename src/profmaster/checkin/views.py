"""Pages of the venue (OP-4, OP-6, OP-7): check-in, accreditations and badges, non-appearance, toolbox checks.

Thin: each page checks its permission and calls :mod:`.domain`; a refusal is shown with its reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships import timezones
from profmaster.championships.models import Competency, ProgrammeSlot
from profmaster.core.errors import DomainError
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require
from profmaster.registration import workflow
from profmaster.registration.models import Application

from . import badges, domain
from .forms import AdmitForm
from .models import Accreditation, ToolboxCheck, ToolboxItem


def _competency(pk: int) -> Competency:
    return get_object_or_404(Competency.objects.select_related("championship"), pk=pk)


def _crumbs(competency: Competency) -> list[tuple[str, str | None]]:
    return [(competency.championship.name, reverse("championships:detail", args=[competency.championship_id])),
            (competency.name, reverse("championships:competency", args=[competency.championship_id, competency.pk]))]


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def venue(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """OP-7: the check-in page: read a badge (typed or scanned), let in or refuse with the reason."""
    competency = _competency(competency_pk)
    require(request.user, "checkin.view_venue", competency)
    can_check_in = has_perm(request.user, "checkin.check_in", competency)
    outcome: domain.CheckInOutcome | None = None
    refusal: domain.CheckInRefused | None = None
    status = 200
    if request.method == "POST":
        if not can_check_in:
            raise PermissionDenied("checkin.check_in")
        try:
            outcome = domain.check_in(competency, request.POST.get("code", ""), by=request.user)
        except domain.CheckInRefused as exc:
            refusal, status = exc, 409
    day = domain.today(competency.championship)
    zone = timezones.zone_of(competency.championship)
    return render(request, "checkin/venue.html", {
        "competency": competency, "championship": competency.championship, "day": day,
        "zone_label": timezones.zone_label(zone), "outcome": outcome, "refusal": refusal,
        "code": request.GET.get("code", "") if outcome is None and refusal is None else "",
        "can_check_in": can_check_in, "teams": domain.presence(competency, day),
        "checkins": domain.checkins_on(competency, day)[:200], "flows": domain.flows_on(competency, day),
        "can_non_appearance": has_perm(request.user, "checkin.record_non_appearance", competency),
        "can_badges": has_perm(request.user, "checkin.print_badges", competency),
        "can_toolbox": competency.toolbox_allowed and has_perm(request.user, "checkin.view_toolbox", competency),
        "can_incidents": has_perm(request.user, "incidents.view_incidents", competency),
        "breadcrumbs": [*_crumbs(competency), (_("Допуск на площадку"), None)],
    }, status=status)


@login_required
def badge_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link in a badge's QR code: the venue's staff land on the check-in page with the code filled in."""
    accreditation = domain.find_badge(code)
    if accreditation is None or not has_perm(request.user, "checkin.check_in", accreditation.competency):
        raise Http404
    return redirect(reverse("checkin:venue", args=[accreditation.competency_id]) + f"?code={accreditation.code}")


@login_required
def accreditations(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "checkin.print_badges", competency)
    items = Accreditation.objects.filter(competency=competency).select_related("application__organisation")
    return render(request, "checkin/accreditations.html", {
        "competency": competency, "accreditations": items,
        "can_issue": has_perm(request.user, "checkin.issue_accreditations", competency),
        "can_admit": has_perm(request.user, "checkin.admit_individually", competency),
        "can_brief": has_perm(request.user, "checkin.record_briefing", competency),
        "breadcrumbs": [*_crumbs(competency), (_("Допуск на площадку"), reverse("checkin:venue", args=[competency.pk])),
                        (_("Аккредитация"), None)],
    })


@login_required
@require_POST
def issue(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "checkin.issue_accreditations", competency)
    created = domain.issue_accreditations(competency, by=request.user)
    messages.success(request, _("Аккредитовано по протоколу регистрации: %(count)s.") % {"count": len(created)})
    return redirect("checkin:accreditations", competency.pk)


@login_required
def admit(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "checkin.admit_individually", competency)
    day = domain.today(competency.championship)
    form = AdmitForm(request.POST or None, initial={"valid_from": day, "valid_to": day})
    return form_page(
        request, form=form, title=_("Индивидуальный допуск"),
        on_valid=lambda f: domain.admit_individually(competency, by=request.user, **f.cleaned_data),
        success_url=reverse("checkin:accreditations", args=[competency.pk]),
        breadcrumbs=_crumbs(competency), cancel_url=reverse("checkin:accreditations", args=[competency.pk]),
        success_message=_("Допуск записан. Проход — после инструктажа по ОТ и ТБ."))


def _accreditation(pk: int) -> Accreditation:
    return get_object_or_404(Accreditation.objects.select_related("competency__championship", "championship"), pk=pk)


@login_required
@require_POST
def briefing(request: HttpRequest, pk: int) -> HttpResponse:
    accreditation = _accreditation(pk)
    require(request.user, "checkin.record_briefing", accreditation.competency)
    try:
        domain.record_briefing(accreditation, note=request.POST.get("note", ""), by=request.user)
        messages.success(request, _("Инструктаж записан: %(name)s.") % {"name": accreditation.full_name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("checkin:accreditations", accreditation.competency_id)


@login_required
def badges_pdf(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "checkin.print_badges", competency)
    items = Accreditation.objects.filter(competency=competency).select_related("competency", "championship")
    return _pdf(badges.badges_pdf(items), f"badges-{competency.pk}.pdf")


@login_required
def badge_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    accreditation = _accreditation(pk)
    require(request.user, "checkin.print_badges", accreditation.competency)
    return _pdf(badges.badges_pdf([accreditation]), f"badge-{accreditation.pk}.pdf")


@login_required
@require_POST
def non_appearance(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """OP-6: the chief expert records the teams absent at the flow's start; the protocol is generated."""
    competency = _competency(competency_pk)
    require(request.user, "checkin.record_non_appearance", competency)
    flow = ProgrammeSlot.objects.filter(pk=_int(request.POST.get("flow")), competency=competency).first()
    teams = list(Application.objects.filter(pk__in=[_int(v) for v in request.POST.getlist("teams")],
                                            competency=competency))
    if flow is None:
        messages.error(request, _("Выберите поток."))
        return redirect("checkin:venue", competency.pk)
    try:
        document = domain.record_non_appearance(competency, flow=flow, applications=teams, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("checkin:venue", competency.pk)
    messages.success(request, _("Неявка зафиксирована, протокол сформирован."))
    return redirect("documents:detail", document.pk)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def toolbox(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """OP-4: the day's toolbox checks of the competency's teams and the form of a new one."""
    competency = _competency(competency_pk)
    require(request.user, "checkin.view_toolbox", competency)
    if not competency.toolbox_allowed:
        raise Http404
    can_check = has_perm(request.user, "checkin.check_toolbox", competency)
    day = domain.today(competency.championship)
    teams = list(Application.objects.filter(competency=competency, status=workflow.APPROVED)
                 .select_related("organisation").order_by("organisation__short_name", "pk"))
    error = ""
    posted: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        if not can_check:
            raise PermissionDenied("checkin.check_toolbox")
        team = next((t for t in teams if t.pk == _int(request.POST.get("team"))), None)
        names, statuses = request.POST.getlist("item_name"), request.POST.getlist("item_status")
        explanations = request.POST.getlist("item_explanation")
        items = [domain.ItemData(name=n, status=statuses[i] if i < len(statuses) else "allowed",
                                 explanation=explanations[i] if i < len(explanations) else "")
                 for i, n in enumerate(names)]
        posted = {"team": _int(request.POST.get("team")), "participant_present": request.POST.get(
            "participant_present", ""), "note": request.POST.get("note", "")}
        try:
            if team is None:
                raise DomainError(_("Выберите команду."), field="team")
            check = domain.record_toolbox_check(competency, team, participant_present=posted["participant_present"],
                                                items=items, note=posted["note"], by=request.user)
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, _("Проверка тулбокса записана, протокол сформирован."))
            return redirect(reverse("checkin:toolbox", args=[competency.pk]) + f"#check-{check.pk}")
    checks = (ToolboxCheck.objects.filter(competency=competency).select_related("application__organisation", "document")
              .prefetch_related("items").order_by("-day", "application__organisation__short_name"))
    return render(request, "checkin/toolbox.html", {
        "competency": competency, "day": day, "teams": teams, "checks": checks, "can_check": can_check,
        "statuses": ToolboxItem.Status.choices, "rows": range(6), "error": error, "posted": posted,
        "breadcrumbs": [*_crumbs(competency), (_("Проверка тулбоксов"), None)],
    }, status=status)
