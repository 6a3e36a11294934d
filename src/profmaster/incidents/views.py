"""Pages of incidents, removals and illness (OP-5, OP-6). Thin: permission, then :mod:`.domain`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships import timezones
from profmaster.championships.models import Competency
from profmaster.checkin.models import Accreditation
from profmaster.core.errors import DomainError
from profmaster.permissions import has_perm, require

from . import domain
from .models import Evidence, Incident, Removal


def _competency(pk: int) -> Competency:
    return get_object_or_404(Competency.objects.select_related("championship"), pk=pk)


def _incident(pk: int) -> Incident:
    return get_object_or_404(Incident.objects.select_related("competency__championship", "championship",
                                                             "accreditation", "application__organisation"), pk=pk)


def _crumbs(competency: Competency) -> list[tuple[str, str | None]]:
    return [(competency.championship.name, reverse("championships:detail", args=[competency.championship_id])),
            (competency.name, reverse("championships:competency", args=[competency.championship_id, competency.pk])),
            (_("Внештатные ситуации"), reverse("incidents:list", args=[competency.pk]))]


def _too_big(request: HttpRequest) -> bool:
    """A body far over the evidence limit is refused before it is read (a 200 MB video is not stored)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > domain.evidence_limit() + 1024 * 1024


def _too_big_message() -> str:
    return _("Файл больше допустимых %(limit)s. Ничего не сохранено: уменьшите видео или загрузите его частями.") % {
        "limit": domain._size_label(domain.evidence_limit())}


def _parse_local(value: str, championship: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezones.zone_of(championship))
    return moment


@login_required
def incidents(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """The competency's incidents and the form of a new one (with a first photo or video)."""
    competency = _competency(competency_pk)
    require(request.user, "incidents.view_incidents", competency)
    can_report = has_perm(request.user, "incidents.report_incident", competency)
    zone = timezones.zone_of(competency.championship)
    error, status, posted = "", 200, {}
    if request.method == "POST":
        require(request.user, "incidents.report_incident", competency)
        if _too_big(request):
            error, status = _too_big_message(), 413
        else:
            posted = request.POST.dict()
            accreditation = Accreditation.objects.filter(
                pk=_int(posted.get("accreditation")), competency=competency).first()
            try:
                occurred_at = _parse_local(posted.get("occurred_at", ""), competency.championship)
                if occurred_at is None:
                    raise DomainError(_("Укажите дату и время."), field="occurred_at")
                upload = request.FILES.get("file")
                if upload is not None and upload.size > domain.evidence_limit():
                    raise DomainError(_too_big_message(), field="file")
                from django.db import transaction

                with transaction.atomic():
                    incident = domain.report_incident(
                        competency, kind=posted.get("kind", ""), description=posted.get("description", ""),
                        occurred_at=occurred_at, accreditation=accreditation,
                        person_name=posted.get("person_name", ""), witnesses=posted.get("witnesses", ""),
                        by=request.user)
                    if upload is not None:
                        domain.add_evidence(incident, upload, by=request.user)
            except DomainError as exc:
                error, status = exc.message, 400
            else:
                messages.success(request, _("Внештатная ситуация № %(n)s записана.") % {"n": incident.number})
                return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/list.html", {
        "competency": competency, "incidents": Incident.objects.filter(competency=competency),
        "can_report": can_report, "kinds": Incident.Kind.choices, "error": error, "posted": posted,
        "people": Accreditation.objects.filter(competency=competency).order_by("kind", "full_name"),
        "now": timezones.local(timezone.now(), competency.championship).strftime("%Y-%m-%dT%H:%M"),
        "zone_label": timezones.zone_label(zone), "limit": domain._size_label(domain.evidence_limit()),
        "breadcrumbs": _crumbs(competency)[:2] + [(_("Внештатные ситуации"), None)],
    }, status=status)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    competency = incident.competency
    require(request.user, "incidents.view_incidents", competency)
    zone = timezones.zone_of(incident.championship)
    return render(request, "incidents/detail.html", {
        "incident": incident, "competency": competency, "zone_label": timezones.zone_label(zone),
        "occurred_at": timezones.format_local(incident.occurred_at, zone),
        "evidence": incident.evidence.all(), "removals": incident.removals.select_related("accreditation"),
        "readiness": incident.readiness.all(), "decisions": incident.result_decisions.all(),
        "can_view_evidence": has_perm(request.user, "incidents.view_evidence", competency),
        "can_add_evidence": has_perm(request.user, "incidents.add_evidence", competency),
        "can_decide": has_perm(request.user, "incidents.decide", competency),
        "removal_kinds": Removal.Kind.choices, "decision_kinds": [(k.value, k.label) for k in domain.INCIDENT_DECISION_KINDS],
        "limit": domain._size_label(domain.evidence_limit()),
        "breadcrumbs": [*_crumbs(competency), (_("№ %(n)s") % {"n": incident.number}, None)],
    })


def _act(request: HttpRequest, pk: int, perm: str, action: Any, success: str) -> HttpResponse:
    incident = _incident(pk)
    require(request.user, perm, incident.competency)
    try:
        action(incident)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("incidents:detail", incident.pk)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    if _too_big(request):
        incident = _incident(pk)
        require(request.user, "incidents.add_evidence", incident.competency)
        messages.error(request, _too_big_message())
        return redirect("incidents:detail", incident.pk)
    return _act(request, pk, "incidents.add_evidence",
                lambda i: domain.add_evidence(i, request.FILES.get("file"), by=request.user), _("Файл добавлен."))


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "incidents.decide",
                lambda i: domain.remove_person(i, kind=request.POST.get("kind", ""),
                                               reason=request.POST.get("reason", ""), by=request.user),
                _("Решение об отстранении записано."))


@login_required
@require_POST
def readiness(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "incidents.decide",
                lambda i: domain.confirm_readiness(i, participant_name=request.POST.get("participant_name", ""),
                                                   mentor_name=request.POST.get("mentor_name", ""),
                                                   statement=request.POST.get("statement", ""), by=request.user),
                _("Готовность к работе записана."))


@login_required
@require_POST
def decide_points(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "incidents.decide",
                lambda i: domain.decide_points(i, kind=request.POST.get("kind", ""),
                                               points=request.POST.get("points", "").replace(",", ".") or None,
                                               reason=request.POST.get("reason", ""), by=request.user),
                _("Решение о баллах записано: оно показано отдельной строкой в итогах."))


@login_required
@require_POST
def protocol(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    require(request.user, "incidents.decide", incident.competency)
    try:
        document = domain.create_incident_protocol(incident, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("incidents:detail", incident.pk)
    return redirect("documents:detail", document.pk)


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A photo or video streamed after the permission check (never a public URL)."""
    item = get_object_or_404(Evidence.objects.select_related("incident__championship"), pk=pk)
    require(request.user, "incidents.view_evidence", item)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=item.content_type, filename=item.original_name)
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
