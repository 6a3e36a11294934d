"""HTTP API of RM-5: the stage's summary sheet, the expert group's protocol and its transfer, what the regional
commission received and its own protocol — the same domain functions as the pages."""

# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut
from profmaster.api.shortcuts import NotFound, current_user, get_or_404
from profmaster.api.types import Id
from profmaster.championships.models import Championship
from profmaster.marking.models import MarkingScheme
from profmaster.permissions import has_perm, require

from . import domain
from .models import CommissionProtocol, ExpertGroupProtocol

router = Router(tags=["Экспертная группа и региональная комиссия"])


class CommissionTransferIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=domain.NOTE_MAX)


class CommissionSummaryRowOut(Schema):
    place: int
    team: str
    criteria: list[str]
    total: str


class CommissionSummaryOut(Schema):
    scheme: str
    competency: str
    stage: str
    criteria: list[dict[str, str]]
    rows: list[CommissionSummaryRowOut]
    locked_at: str
    zone: str


class CommissionProtocolOut(Schema):
    document_id: int
    title: str
    content_hash: str
    signed: int
    required: int
    complete: bool
    transferred_at: dt.datetime | None = None
    transferred_by: str | None = None


class CommissionTransferOut(Schema):
    document_id: int
    title: str
    competency: str
    passed_by: str
    passed_at: dt.datetime
    content_hash: str


def _protocol(document: Any, transfer: Any = None) -> dict[str, Any]:
    state = domain.state_of(document)
    return {"document_id": document.pk, "title": document.title, "content_hash": document.content_hash,
            "signed": state["signed"], "required": state["required"], "complete": state["complete"],
            "transferred_at": transfer.passed_at if transfer else None,
            "transferred_by": transfer.passed_by.full_name if transfer else None}


def _scheme(request: HttpRequest, scheme_id: int) -> MarkingScheme:
    scheme = get_or_404(MarkingScheme.objects.select_related("competency__championship", "stage"), scheme_id,
                        _("Схема оценки не найдена."))
    if not has_perm(current_user(request), "regional_commission.view_summary", scheme):
        raise NotFound(_("Схема оценки не найдена."))
    return scheme


def _championship(request: HttpRequest, championship_id: int) -> Championship:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    if not has_perm(current_user(request), "regional_commission.view_workspace", championship):
        if has_perm(current_user(request), "championships.view_championship", championship):
            require(current_user(request), "regional_commission.view_workspace", championship)
        raise NotFound(_("Чемпионат не найден."))
    return championship


@router.get("/schemes/{scheme_id}/summary-sheet", response={200: CommissionSummaryOut, **READ_ERRORS, 400: ErrorOut},
            url_name="commission_summary_sheet", summary="Сводная оценочная ведомость этапа")
def summary_sheet(request: HttpRequest, scheme_id: Id) -> Any:
    return domain.summary_sheet(_scheme(request, scheme_id))


@router.post("/schemes/{scheme_id}/expert-group-protocol", response={201: CommissionProtocolOut, **WRITE_ERRORS},
             url_name="commission_group_protocol_create", summary="Сформировать протокол экспертной рабочей группы")
def group_protocol_create(request: HttpRequest, scheme_id: Id) -> Any:
    scheme = _scheme(request, scheme_id)
    user = current_user(request)
    require(user, "regional_commission.create_group_protocol", scheme)
    protocol = domain.create_expert_group_protocol(scheme, by=user)
    return Status(201, _protocol(protocol.document))


@router.post("/schemes/{scheme_id}/expert-group-protocol/transfer", response={201: CommissionProtocolOut, **WRITE_ERRORS},
             url_name="commission_group_protocol_transfer",
             summary="Передать подписанный протокол в региональную конкурсную комиссию")
def group_protocol_transfer(request: HttpRequest, scheme_id: Id, payload: CommissionTransferIn) -> Any:
    scheme = _scheme(request, scheme_id)
    user = current_user(request)
    require(user, "regional_commission.transfer_protocol", scheme)
    protocol = ExpertGroupProtocol.objects.filter(scheme=scheme).select_related("document").first()
    if protocol is None:
        raise NotFound(_("Протокол экспертной рабочей группы этого этапа ещё не сформирован."))
    transfer = domain.transfer_protocol(protocol, by=user, note=payload.note)
    return Status(201, _protocol(protocol.document, transfer))


@router.get("/championships/{championship_id}/commission/received", response={200: list[CommissionTransferOut], **READ_ERRORS},
            url_name="commission_received", summary="Что получила региональная комиссия и когда")
def commission_received(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(request, championship_id)
    return [{"document_id": t.protocol.document_id, "title": t.protocol.document.title,
             "competency": t.protocol.competency.name, "passed_by": t.passed_by.full_name, "passed_at": t.passed_at,
             "content_hash": t.content_hash} for t in domain.received(championship)]


@router.post("/championships/{championship_id}/commission/protocol", response={201: CommissionProtocolOut, **WRITE_ERRORS},
             url_name="commission_protocol_create", summary="Сформировать протокол региональной комиссии")
def commission_protocol_create(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(request, championship_id)
    user = current_user(request)
    require(user, "regional_commission.create_commission_protocol", championship)
    protocol: CommissionProtocol = domain.create_commission_protocol(championship, by=user)
    protocol.document.refresh_from_db()
    return Status(201, _protocol(protocol.document))
