"""HTTP API of incidents and removals (OP-5, OP-6): the same domain functions as the pages."""

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
from profmaster.championships.models import Competency
from profmaster.checkin.models import Accreditation
from profmaster.permissions import has_perm, require

from . import domain
from .models import Incident

router = Router(tags=["Внештатные ситуации"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class IncidentCreateIn(_In):
    kind: str = Field(description="safety, intoxication, illness или other")
    description: str = Field(max_length=4000)
    occurred_at: DateTime
    accreditation_id: int | None = None
    person_name: str = Field("", max_length=450)
    witnesses: str = Field("", max_length=4000)


class IncidentRemovalIn(_In):
    kind: str = Field(description="temporary или final")
    reason: str = Field(max_length=4000)


class IncidentOut(Schema):
    id: int
    number: int
    kind: str
    person_name: str
    accreditation_id: int | None
    team_id: int | None
    occurred_at: dt.datetime
    description: str
    witnesses: str
    evidence_count: int
    access_revoked: bool


class IncidentRemovalOut(Schema):
    id: int
    kind: str
    accreditation_id: int
    access_revoked: bool


def _out(incident: Incident) -> dict[str, Any]:
    return {"id": incident.pk, "number": incident.number, "kind": incident.kind, "person_name": incident.person_name,
            "accreditation_id": incident.accreditation_id, "team_id": incident.application_id,
            "occurred_at": incident.occurred_at, "description": incident.description,
            "witnesses": incident.witnesses, "evidence_count": incident.evidence.count(),
            "access_revoked": bool(incident.accreditation and incident.accreditation.revoked_at)}


def _competency(request: HttpRequest, competency_id: int) -> Competency:
    competency = get_or_404(Competency.objects.select_related("championship"), competency_id,
                            _("Компетенция не найдена."))
    if not has_perm(current_user(request), "incidents.view_incidents", competency):
        raise NotFound(_("Компетенция не найдена."))
    return competency


@router.get("/competencies/{competency_id}/incidents", response={200: list[IncidentOut], **READ_ERRORS},
            url_name="incidents_list", summary="Внештатные ситуации компетенции")
def incidents_list(request: HttpRequest, competency_id: Id) -> Any:
    competency = _competency(request, competency_id)
    return [_out(i) for i in Incident.objects.filter(competency=competency).select_related("accreditation")]


@router.post("/competencies/{competency_id}/incidents", response={201: IncidentOut, **WRITE_ERRORS},
             url_name="incidents_create", summary="Записать внештатную ситуацию")
def incidents_create(request: HttpRequest, competency_id: Id, payload: IncidentCreateIn) -> Any:
    competency = _competency(request, competency_id)
    user = current_user(request)
    require(user, "incidents.report_incident", competency)
    accreditation = None
    if payload.accreditation_id is not None:
        accreditation = Accreditation.objects.filter(pk=payload.accreditation_id, competency=competency).first()
        if accreditation is None:
            raise NotFound(_("Аккредитация этой компетенции не найдена."))
    incident = domain.report_incident(competency, kind=payload.kind, description=payload.description,
                                      occurred_at=payload.occurred_at, accreditation=accreditation,
                                      person_name=payload.person_name, witnesses=payload.witnesses, by=user)
    return Status(201, _out(incident))


@router.post("/incidents/{incident_id}/removals", response={201: IncidentRemovalOut, **WRITE_ERRORS},
             url_name="incidents_remove", summary="Отстранить (окончательное — сразу отзывает доступ)")
def incidents_remove(request: HttpRequest, incident_id: Id, payload: IncidentRemovalIn) -> Any:
    incident = get_or_404(Incident.objects.select_related("competency__championship", "championship"), incident_id,
                          _("Внештатная ситуация не найдена."))
    user = current_user(request)
    if not has_perm(user, "incidents.view_incidents", incident.competency):
        raise NotFound(_("Внештатная ситуация не найдена."))
    require(user, "incidents.decide", incident.competency)
    removal = domain.remove_person(incident, kind=payload.kind, reason=payload.reason, by=user)
    removal.accreditation.refresh_from_db()
    return Status(201, {"id": removal.pk, "kind": removal.kind, "accreditation_id": removal.accreditation_id,
                        "access_revoked": removal.accreditation.revoked_at is not None})
