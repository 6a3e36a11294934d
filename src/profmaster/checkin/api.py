"""HTTP API of the venue (OP-4, OP-6, OP-7): accreditations, check-in, toolbox checks — the same domain functions
as the pages. A competency whose venue the person may not see is reported as missing (404)."""

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
from profmaster.championships.models import Competency
from profmaster.permissions import has_perm, require
from profmaster.registration.models import Application

from . import domain
from .models import Accreditation, ToolboxCheck

router = Router(tags=["Площадка: допуск и тулбоксы"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class VenueCheckInIn(_In):
    code: str = Field(max_length=500, description="Код бейджа или ссылка из его QR-кода")


class VenueCheckInOut(Schema):
    accreditation_id: int
    full_name: str
    kind: str
    competency_id: int
    competency: str
    team_id: int | None
    flows: list[str]
    checked_in_at: dt.datetime
    already: bool = Field(description="Человек уже отмечен сегодня")


class VenueAccreditationOut(Schema):
    id: int
    full_name: str
    kind: str
    code: str
    team_id: int | None
    briefed: bool
    revoked: bool


class VenueToolboxItemIn(_In):
    name: str = Field(max_length=300)
    status: str = Field("allowed", description="allowed, suspicious или prohibited")
    explanation: str = Field("", max_length=2000)


class VenueToolboxCheckIn(_In):
    team_id: int
    participant_present: str = Field(max_length=450)
    items: list[VenueToolboxItemIn] = Field(default_factory=list, max_length=200)
    note: str = Field("", max_length=2000)


class VenueToolboxItemOut(Schema):
    name: str
    status: str
    explanation: str
    removed: bool


class VenueToolboxCheckOut(Schema):
    id: int
    team_id: int
    day: dt.date
    participant_present: str
    items: list[VenueToolboxItemOut]
    document_id: int | None


def _competency(request: HttpRequest, competency_id: int, perm: str) -> Competency:
    competency = get_or_404(Competency.objects.select_related("championship"), competency_id,
                            _("Компетенция не найдена."))
    user = current_user(request)
    if not (has_perm(user, "checkin.view_venue", competency) or has_perm(user, "checkin.view_toolbox", competency)):
        raise NotFound(_("Компетенция не найдена."))
    require(user, perm, competency)
    return competency


@router.post("/competencies/{competency_id}/checkins", response={201: VenueCheckInOut, 200: VenueCheckInOut,
                                                                  **WRITE_ERRORS},
             url_name="venue_check_in", summary="Отметить проход по коду бейджа (или получить причину отказа)")
def venue_check_in(request: HttpRequest, competency_id: Id, payload: VenueCheckInIn) -> Any:
    """Отказ — 409 с причиной в ``detail`` и кодом в ``code``: ``unknown``, ``wrong_competency``, ``wrong_day``,
    ``revoked``, ``no_briefing``, ``mentor_absent``."""
    competency = _competency(request, competency_id, "checkin.check_in")
    outcome = domain.check_in(competency, payload.code, by=current_user(request))
    a = outcome.accreditation
    return Status(200 if outcome.already else 201, {
        "accreditation_id": a.pk, "full_name": a.full_name, "kind": a.kind, "competency_id": a.competency_id,
        "competency": a.competency.name, "team_id": a.application_id,
        "flows": [f.title for f in outcome.flows], "checked_in_at": outcome.checkin.checked_in_at,
        "already": outcome.already})


@router.get("/competencies/{competency_id}/accreditations", response={200: list[VenueAccreditationOut], **READ_ERRORS},
            url_name="venue_accreditations", summary="Аккредитации компетенции (для печати бейджей)")
def venue_accreditations(request: HttpRequest, competency_id: Id) -> Any:
    competency = _competency(request, competency_id, "checkin.print_badges")
    return [{"id": a.pk, "full_name": a.full_name, "kind": a.kind, "code": a.code, "team_id": a.application_id,
             "briefed": a.briefed_at is not None, "revoked": a.revoked_at is not None}
            for a in Accreditation.objects.filter(competency=competency)]


def _check_out(check: ToolboxCheck) -> dict[str, Any]:
    return {"id": check.pk, "team_id": check.application_id, "day": check.day,
            "participant_present": check.participant_present, "document_id": check.document_id,
            "items": [{"name": i.name, "status": i.status, "explanation": i.explanation, "removed": i.removed}
                      for i in check.items.all()]}


@router.get("/competencies/{competency_id}/toolbox-checks", response={200: list[VenueToolboxCheckOut], **READ_ERRORS},
            url_name="venue_toolbox_checks", summary="Проверки тулбоксов компетенции")
def venue_toolbox_checks(request: HttpRequest, competency_id: Id) -> Any:
    competency = _competency(request, competency_id, "checkin.view_toolbox")
    return [_check_out(c) for c in ToolboxCheck.objects.filter(competency=competency).prefetch_related("items")]


@router.post("/competencies/{competency_id}/toolbox-checks", response={201: VenueToolboxCheckOut, **WRITE_ERRORS},
             url_name="venue_toolbox_check_create", summary="Записать проверку тулбокса команды (протокол формируется)")
def venue_toolbox_check_create(request: HttpRequest, competency_id: Id, payload: VenueToolboxCheckIn) -> Any:
    competency = _competency(request, competency_id, "checkin.check_toolbox")
    team = Application.objects.filter(pk=payload.team_id, competency=competency).first()
    if team is None:
        raise NotFound(_("Команда этой компетенции не найдена."))
    check = domain.record_toolbox_check(
        competency, team, participant_present=payload.participant_present, note=payload.note, by=current_user(request),
        items=[domain.ItemData(i.name, i.status, i.explanation) for i in payload.items])
    return Status(201, _check_out(check))
