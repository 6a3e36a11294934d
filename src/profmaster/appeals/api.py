"""HTTP API of appeals and the appeal commission (AP-2, AP-3): the same domain functions as the pages.

An appeal's scanned form travels as base64 in the JSON body (``scan_base64``, ``scan_name``); it is checked by
its content and size exactly as an upload on the page. The deliberation (notes, votes) is answered only to the
commission's members and the Directorate; the appellant's mentor reads the appeal's state and decision.
"""

# mypy: disable-error-code="valid-type"

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from profmaster.accounts.models import User
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404
from profmaster.api.types import Id
from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.disputes.models import Dispute
from profmaster.permissions import has_perm, require
from profmaster.registration.models import Application, TeamMember

from . import domain
from .models import Appeal

router = Router(tags=["Апелляции"])

#: base64 of a 5 MB scan, with a little room: anything longer is refused before decoding.
SCAN_BASE64_MAX = 7_200_000


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class AppealCreateIn(_In):
    persons: str = Field(max_length=4000, description="Ф. И. О. всех вовлечённых в спор лиц")
    claim: str = Field(max_length=4000, description="Описание претензии")
    respondent: str = Field("", max_length=450)
    team_id: int | None = Field(None, description="Команда, если спорный вопрос не называет её")
    scan_name: str = Field(max_length=255, description="Имя файла скана (PDF, PNG или JPEG)")
    scan_base64: str = Field(max_length=SCAN_BASE64_MAX, description="Скан подписанной апелляции в base64, до 5 МБ")


class MembersIn(_In):
    user_id: int


class ApproveIn(_In):
    basis: str = Field("", max_length=300)


class BallotIn(_In):
    candidate_id: int


class HearingNoteIn(_In):
    kind: str = Field(description="appellant, respondent, witness или other")
    person: str = Field(max_length=450)
    text: str = Field(max_length=4000)


class VoteIn(_In):
    choice: str = Field(description="for, against или abstain")


class ChairVoteIn(_In):
    choice: str = Field(description="for или against")


class AppealDecisionIn(_In):
    decision: str = Field(max_length=4000)
    reasons: str = Field(max_length=4000)
    #: 003 §8.11: "" (none), "deduction" (with ``sanction_points``), "annulment" or "part_zeroing" (with
    #: ``sanction_criteria``, ids of the competency's criteria)
    sanction_kind: str = Field("", max_length=32)
    sanction_points: str = Field("", max_length=32)
    sanction_criteria: list[int] = Field(default_factory=list, max_length=200)
    #: for "removal": the accreditation (expert, mentor or other staff of the competency) removed from the venue
    sanction_accreditation: int | None = None


class SuspensionIn(_In):
    member_id: int
    reason: str = Field(max_length=4000)


class VoteOut(Schema):
    member_id: int
    member: str
    choice: str


class NoteOut(Schema):
    kind: str
    person: str
    text: str


class AppealOut(Schema):
    id: int
    number: int
    competency_id: int
    dispute_id: int
    team_id: int
    state: str
    filed_at: dt.datetime
    persons: str
    respondent: str
    claim: str
    dispute_protocol_id: int | None
    outcome: str
    decision: str
    reasons: str
    decided_at: dt.datetime | None
    decided_by_chair: bool
    protocol_id: int | None
    #: the deliberation: for the commission's members and the Directorate only (None for the appellant)
    votes: list[VoteOut] | None = None
    notes: list[NoteOut] | None = None
    chair_extra: str | None = None


class CommissionOut(Schema):
    championship_id: int
    state: str
    approved_at: dt.datetime | None
    approval_deadline: dt.datetime | None
    members: list[dict[str, Any]]
    chair_id: int | None
    election: dict[str, Any] | None


def _appeal_out(appeal: Appeal, user: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": appeal.pk, "number": appeal.number, "competency_id": appeal.competency_id,
        "dispute_id": appeal.dispute_id, "team_id": appeal.team_id, "state": appeal.state,
        "filed_at": appeal.filed_at, "persons": appeal.persons, "respondent": appeal.respondent,
        "claim": appeal.claim, "dispute_protocol_id": appeal.dispute_protocol_id, "outcome": appeal.outcome,
        "decision": appeal.decision, "reasons": appeal.reasons, "decided_at": appeal.decided_at,
        "decided_by_chair": appeal.decided_by_chair, "protocol_id": appeal.protocol_id}
    if has_perm(user, "appeals.view_case", appeal):
        hearing = getattr(appeal, "hearing", None) if appeal.state != Appeal.State.FILED else None
        out["votes"] = [{"member_id": v.member_id, "member": v.member.full_name, "choice": v.choice}
                        for v in hearing.votes.select_related("member")] if hearing else []
        out["notes"] = [{"kind": n.kind, "person": n.person, "text": n.text} for n in hearing.notes.all()] \
            if hearing else []
        out["chair_extra"] = hearing.chair_extra if hearing else ""
    return out


def _commission_out(championship: Championship) -> dict[str, Any]:
    commission = domain.commission_of(championship)
    election = commission.elections.order_by("-round").first() if commission else None
    return {
        "championship_id": championship.pk, "state": commission.state if commission else "none",
        "approved_at": commission.approved_at if commission else None,
        "approval_deadline": domain.approval_deadline(championship),
        "members": [{"user_id": u.pk, "name": u.full_name} for u in domain.members_of(commission)],
        "chair_id": commission.chair_id if commission else None,
        "election": {"round": election.round, "state": election.state, "elected_id": election.elected_id,
                     "votes": {str(u.pk): n for u, n in domain.election_tally(election)}} if election else None,
    }


def _appeal(request: HttpRequest, appeal_id: int) -> Appeal:
    appeal = get_or_404(Appeal.objects.select_related("championship", "competency", "team"), appeal_id,
                        _("Апелляция не найдена."))
    if not has_perm(current_user(request), "appeals.view_appeal", appeal):
        raise NotFound(_("Апелляция не найдена."))
    return appeal


def _championship(request: HttpRequest, championship_id: int, perm: str) -> Championship:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", championship):
        raise NotFound(_("Чемпионат не найден."))
    require(user, perm, championship)
    return championship


def _scan(payload: AppealCreateIn) -> SimpleUploadedFile:
    try:
        content = base64.b64decode(payload.scan_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(_("Скан передан не в base64."), field="scan_base64") from exc
    return SimpleUploadedFile(payload.scan_name or "scan", content)


@router.get("/championships/{championship_id}/appeals", response={200: list[AppealOut], **READ_ERRORS},
            url_name="appeals_list", summary="Апелляции чемпионата (комиссии и Дирекции — все, наставнику — свои)")
def appeals_list(request: HttpRequest, championship_id: Id) -> Any:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", championship):
        raise NotFound(_("Чемпионат не найден."))
    appeals = Appeal.objects.filter(championship=championship).select_related("championship", "team")
    return [_appeal_out(a, user) for a in appeals if has_perm(user, "appeals.view_appeal", a)]


@router.post("/disputes/{dispute_id}/appeals", response={201: AppealOut, **WRITE_ERRORS},
             url_name="appeals_create", summary="Подать апелляцию по решённому спорному вопросу")
def appeals_create(request: HttpRequest, dispute_id: Id, payload: AppealCreateIn) -> Any:
    dispute = get_or_404(Dispute.objects.select_related("championship", "competency"), dispute_id,
                         _("Спорный вопрос не найден."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", dispute.championship):
        raise NotFound(_("Спорный вопрос не найден."))
    require(user, "appeals.file_appeal", dispute)
    team = Application.objects.filter(pk=payload.team_id).first() if payload.team_id else None
    appeal = domain.file_appeal(dispute, persons=payload.persons, claim=payload.claim, respondent=payload.respondent,
                                scan=_scan(payload), team=team, by=user)
    return Status(201, _appeal_out(appeal, user))


@router.get("/appeals/{appeal_id}", response={200: AppealOut, **READ_ERRORS}, url_name="appeals_detail",
            summary="Апелляция")
def appeals_detail(request: HttpRequest, appeal_id: Id) -> Any:
    return _appeal_out(_appeal(request, appeal_id), current_user(request))


@router.get("/championships/{championship_id}/appeal-commission", response={200: CommissionOut, **READ_ERRORS},
            url_name="appeals_commission", summary="Апелляционная комиссия: состав, председатель, выборы")
def appeals_commission(request: HttpRequest, championship_id: Id) -> Any:
    return _commission_out(_championship(request, championship_id, "championships.view_championship"))


@router.post("/championships/{championship_id}/appeal-commission/members", response={201: CommissionOut,
                                                                                     **WRITE_ERRORS},
             url_name="appeals_commission_add", summary="Включить сотрудника Дирекции в состав комиссии")
def appeals_commission_add(request: HttpRequest, championship_id: Id, payload: MembersIn) -> Any:
    championship = _championship(request, championship_id, "appeals.manage_commission")
    user = User.objects.filter(pk=payload.user_id).first()
    domain.add_member(championship, user=user, by=current_user(request))  # type: ignore[arg-type]
    return Status(201, _commission_out(championship))


@router.post("/championships/{championship_id}/appeal-commission/approval", response={200: CommissionOut,
                                                                                      **WRITE_ERRORS},
             url_name="appeals_commission_approve", summary="Утвердить и опубликовать состав комиссии")
def appeals_commission_approve(request: HttpRequest, championship_id: Id, payload: ApproveIn) -> Any:
    championship = _championship(request, championship_id, "appeals.manage_commission")
    domain.approve_commission(championship, basis=payload.basis, by=current_user(request))
    return _commission_out(championship)


@router.post("/championships/{championship_id}/appeal-commission/elections", response={201: CommissionOut,
                                                                                       **WRITE_ERRORS},
             url_name="appeals_election_open", summary="Открыть голосование о председателе")
def appeals_election_open(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(request, championship_id, "appeals.open_election")
    domain.open_election(championship, by=current_user(request))
    return Status(201, _commission_out(championship))


@router.post("/championships/{championship_id}/appeal-commission/ballots", response={201: CommissionOut,
                                                                                     **WRITE_ERRORS},
             url_name="appeals_ballot", summary="Голос члена комиссии за председателя")
def appeals_ballot(request: HttpRequest, championship_id: Id, payload: BallotIn) -> Any:
    championship = _championship(request, championship_id, "appeals.elect_chair")
    candidate = User.objects.filter(pk=payload.candidate_id).first()
    domain.cast_ballot(championship, candidate=candidate, by=current_user(request))
    return Status(201, _commission_out(championship))


def _case(request: HttpRequest, appeal_id: int, perm: str) -> Appeal:
    appeal = _appeal(request, appeal_id)
    user = current_user(request)
    if not has_perm(user, "appeals.view_case", appeal):
        raise NotFound(_("Апелляция не найдена."))
    require(user, perm, appeal)
    return appeal


@router.post("/appeals/{appeal_id}/hearing", response={201: AppealOut, **WRITE_ERRORS},
             url_name="appeals_hearing_open", summary="Открыть заседание (председатель)")
def appeals_hearing_open(request: HttpRequest, appeal_id: Id) -> Any:
    appeal = _case(request, appeal_id, "appeals.conduct_hearing")
    domain.open_hearing(appeal, by=current_user(request))
    appeal.refresh_from_db()
    return Status(201, _appeal_out(appeal, current_user(request)))


@router.post("/appeals/{appeal_id}/hearing/notes", response={201: AppealOut, **WRITE_ERRORS},
             url_name="appeals_hearing_note", summary="Записать выступление заявителя, ответчика или свидетеля")
def appeals_hearing_note(request: HttpRequest, appeal_id: Id, payload: HearingNoteIn) -> Any:
    appeal = _case(request, appeal_id, "appeals.conduct_hearing")
    domain.record_note(appeal, kind=payload.kind, person=payload.person, text=payload.text, by=current_user(request))
    return Status(201, _appeal_out(appeal, current_user(request)))


@router.post("/appeals/{appeal_id}/hearing/votes", response={201: AppealOut, **WRITE_ERRORS},
             url_name="appeals_vote", summary="Голос члена комиссии (один раз)")
def appeals_vote(request: HttpRequest, appeal_id: Id, payload: VoteIn) -> Any:
    appeal = _case(request, appeal_id, "appeals.vote")
    domain.cast_vote(appeal, choice=payload.choice, by=current_user(request))
    return Status(201, _appeal_out(appeal, current_user(request)))


@router.post("/appeals/{appeal_id}/hearing/chair-vote", response={201: AppealOut, **WRITE_ERRORS},
             url_name="appeals_chair_vote", summary="Дополнительный голос председателя при равенстве голосов")
def appeals_chair_vote(request: HttpRequest, appeal_id: Id, payload: ChairVoteIn) -> Any:
    appeal = _case(request, appeal_id, "appeals.conduct_hearing")
    domain.cast_chair_vote(appeal, choice=payload.choice, by=current_user(request))
    return Status(201, _appeal_out(appeal, current_user(request)))


@router.post("/appeals/{appeal_id}/decision", response={201: AppealOut, **WRITE_ERRORS},
             url_name="appeals_decide", summary="Закрыть заседание с решением (окончательно)")
def appeals_decide(request: HttpRequest, appeal_id: Id, payload: AppealDecisionIn) -> Any:
    appeal = _case(request, appeal_id, "appeals.conduct_hearing")
    sanction = domain.sanction_from(payload.sanction_kind, payload.sanction_points, payload.sanction_criteria,
                                    payload.sanction_accreditation)
    decided = domain.decide_appeal(appeal, decision=payload.decision, reasons=payload.reasons, sanction=sanction,
                                   by=current_user(request))
    return Status(201, _appeal_out(decided, current_user(request)))


@router.post("/appeals/{appeal_id}/suspension", response={201: AppealOut, **WRITE_ERRORS},
             url_name="appeals_suspend", summary="Отстранить участника на время рассмотрения апелляции")
def appeals_suspend(request: HttpRequest, appeal_id: Id, payload: SuspensionIn) -> Any:
    """003 §8.13: участник команды-заявителя отстраняется до решения комиссии; при отклонении апелляции время
    не компенсируется."""
    appeal = _case(request, appeal_id, "appeals.conduct_hearing")
    member = TeamMember.objects.filter(pk=payload.member_id, application_id=appeal.team_id).first()
    if member is None:
        raise DomainError(_("Выберите участника команды."), field="member_id")
    domain.suspend_during_appeal(appeal, member, reason=payload.reason, by=current_user(request))
    return Status(201, _appeal_out(appeal, current_user(request)))
