"""HTTP API of disputes (AP-1), their votes, the Directorate's explanations and the sanctions (AP-4): the same
domain functions as the pages."""

# No `from __future__ import annotations`: ninja builds its models from these annotations at runtime.
# mypy: disable-error-code="valid-type"

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404
from profmaster.api.types import Id, Text
from profmaster.championships.models import Competency
from profmaster.checkin.models import Accreditation
from profmaster.core.errors import DomainError
from profmaster.marking.models import Aspect, Criterion
from profmaster.permissions import has_perm, require
from profmaster.registration.models import Application, TeamMember

from . import domain, sanctions
from .models import Dispute, Explanation

router = Router(tags=["Спорные вопросы"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class DisputeCreateIn(_In):
    question: Text(4000, min_length=1)
    concerns: Text(500, min_length=1)
    circumstances: Text(4000) = ""
    team_id: Id | None = None
    criterion_id: Id | None = None
    on_behalf_of_id: Id | None = Field(None, description="Участник команды, от имени которого вопрос")


class DisputeVoteRoundIn(_In):
    proposal: Text(4000, min_length=1)
    revote_reason: Text(4000) = ""


class DisputeVoteIn(_In):
    choice: str = Field(description="for, against или abstain")


class DisputeReasonIn(_In):
    reason: Text(4000, min_length=1)


class DisputeExplanationIn(_In):
    person_id: Id
    question: Text(4000, min_length=1)


class DisputeAnswerIn(_In):
    answer: Text(4000, min_length=1)


class DisputeSanctionIn(_In):
    kind: str = Field(description="deduction, part_zeroing, zero_result, removal или suspension")
    reason: Text(4000, min_length=1)
    team_id: Id | None = None
    points: str = Field("", max_length=20, description="Для deduction: вычитаемые баллы")
    criteria_ids: list[Id] = Field(default_factory=list, max_length=200)
    aspect_ids: list[Id] = Field(default_factory=list, max_length=500)
    accreditation_id: Id | None = Field(None, description="Для removal: кого удалить с площадки")
    member_id: Id | None = Field(None, description="Для suspension: какого участника отстранить")


class DisputeRoundOut(Schema):
    number: int
    proposal: str
    revote_reason: str
    panel_size: int
    majority: int
    votes_for: int
    votes_against: int
    abstentions: int
    not_voted: list[int]
    result: str


class DisputeOut(Schema):
    id: int
    number: int
    competency_id: int
    team_id: int | None
    criterion_id: int | None
    question: str
    concerns: str
    circumstances: str
    raised_as: str
    arose_on: dt.date
    state: str
    outcome: str
    decision: str
    protocol_id: int | None
    rounds: list[DisputeRoundOut]
    result_decision_ids: list[int]
    investigation_open: bool


class DisputeVoteOut(Schema):
    id: int
    choice: str
    dispute_state: str


class DisputeExplanationOut(Schema):
    id: int
    person_id: int
    question: str
    answer: str
    answered: bool


class DisputeSanctionOut(Schema):
    kind: str
    id: int
    number: int | None = Field(None, description="Номер решения о баллах (для санкций, меняющих итоги)")


def _out(dispute: Dispute, user: Any) -> dict[str, Any]:
    rounds = []
    for r in dispute.rounds.order_by("number"):
        tally = domain.tally(r)
        rounds.append({"number": r.number, "proposal": r.proposal, "revote_reason": r.revote_reason,
                       "panel_size": r.panel_size, "majority": tally.majority, "votes_for": tally.votes_for,
                       "votes_against": tally.votes_against, "abstentions": tally.abstentions,
                       "not_voted": [u.pk for u in domain.not_voted(r)] if not r.result else [],
                       "result": r.result})
    return {"id": dispute.pk, "number": dispute.number, "competency_id": dispute.competency_id,
            "team_id": dispute.team_id, "criterion_id": dispute.criterion_id, "question": dispute.question,
            "concerns": dispute.concerns, "circumstances": dispute.circumstances, "raised_as": dispute.raised_as,
            "arose_on": dispute.arose_on, "state": dispute.state, "outcome": dispute.outcome,
            "decision": dispute.decision, "protocol_id": dispute.protocol_id, "rounds": rounds,
            "result_decision_ids": list(dispute.result_decisions.values_list("pk", flat=True)),
            "investigation_open": dispute.investigation_open}


def _dispute(request: HttpRequest, dispute_id: int) -> Dispute:
    dispute = get_or_404(Dispute.objects.select_related("competency__championship", "championship", "team"),
                         dispute_id, _("Спорный вопрос не найден."))
    if not has_perm(current_user(request), "disputes.view_dispute", dispute):
        raise NotFound(_("Спорный вопрос не найден."))
    return dispute


def _competency(request: HttpRequest, competency_id: int) -> Competency:
    competency = get_or_404(Competency.objects.select_related("championship"), competency_id,
                            _("Компетенция не найдена."))
    user = current_user(request)
    if not (has_perm(user, "disputes.view_disputes", competency) or domain.mentored_teams(user, competency)):
        raise NotFound(_("Компетенция не найдена."))
    return competency


@router.get("/competencies/{competency_id}/disputes", response={200: list[DisputeOut], **READ_ERRORS},
            url_name="disputes_list", summary="Спорные вопросы компетенции (наставнику — вопросы его команд)")
def disputes_list(request: HttpRequest, competency_id: Id) -> Any:
    competency = _competency(request, competency_id)
    user = current_user(request)
    items = Dispute.objects.filter(competency=competency)
    if not has_perm(user, "disputes.view_disputes", competency):
        teams = domain.mentored_teams(user, competency)
        items = (items.filter(team__in=teams) | items.filter(raised_by=user)).distinct()
    return [_out(d, user) for d in items]


@router.post("/competencies/{competency_id}/disputes", response={201: DisputeOut, **WRITE_ERRORS},
             url_name="disputes_create", summary="Поднять спорный вопрос")
def disputes_create(request: HttpRequest, competency_id: Id, payload: DisputeCreateIn) -> Any:
    competency = _competency(request, competency_id)
    user = current_user(request)
    require(user, "disputes.raise_dispute", competency)
    team = criterion = member = None
    if payload.team_id is not None:
        team = Application.objects.filter(pk=payload.team_id, competency=competency).first()
        if team is None:
            raise NotFound(_("Команда этой компетенции не найдена."))
    if payload.criterion_id is not None:
        criterion = Criterion.objects.filter(pk=payload.criterion_id, scheme__competency=competency).first()
        if criterion is None:
            raise NotFound(_("Критерий этой компетенции не найден."))
    if payload.on_behalf_of_id is not None:
        member = TeamMember.objects.filter(pk=payload.on_behalf_of_id, application__competency=competency).first()
        if member is None:
            raise NotFound(_("Участник этой компетенции не найден."))
    dispute = domain.raise_dispute(competency, question=payload.question, concerns=payload.concerns,
                                   circumstances=payload.circumstances, team=team, criterion=criterion,
                                   on_behalf_of=member, by=user)
    return Status(201, _out(dispute, user))


@router.get("/disputes/{dispute_id}", response={200: DisputeOut, **READ_ERRORS}, url_name="disputes_detail",
            summary="Спорный вопрос: голосования, решение, санкции")
def disputes_detail(request: HttpRequest, dispute_id: Id) -> Any:
    return _out(_dispute(request, dispute_id), current_user(request))


@router.post("/disputes/{dispute_id}/rounds", response={201: DisputeOut, **WRITE_ERRORS},
             url_name="disputes_put_to_vote", summary="Вынести на голосование жюри")
def disputes_put_to_vote(request: HttpRequest, dispute_id: Id, payload: DisputeVoteRoundIn) -> Any:
    dispute = _dispute(request, dispute_id)
    user = current_user(request)
    require(user, "disputes.manage_dispute", dispute)
    domain.put_to_vote(dispute, proposal=payload.proposal, revote_reason=payload.revote_reason, by=user)
    dispute.refresh_from_db()
    return Status(201, _out(dispute, user))


@router.post("/disputes/{dispute_id}/rounds/close", response={200: DisputeOut, **WRITE_ERRORS},
             url_name="disputes_close_round", summary="Закрыть голосование")
def disputes_close_round(request: HttpRequest, dispute_id: Id) -> Any:
    dispute = _dispute(request, dispute_id)
    user = current_user(request)
    require(user, "disputes.manage_dispute", dispute)
    domain.close_round(dispute, by=user)
    dispute.refresh_from_db()
    return _out(dispute, user)


@router.post("/disputes/{dispute_id}/votes", response={201: DisputeVoteOut, **WRITE_ERRORS},
             url_name="disputes_vote", summary="Голос эксперта (один раз)")
def disputes_vote(request: HttpRequest, dispute_id: Id, payload: DisputeVoteIn) -> Any:
    dispute = _dispute(request, dispute_id)
    user = current_user(request)
    require(user, "disputes.vote", dispute)
    vote = domain.cast_vote(dispute, choice=payload.choice, by=user)
    dispute.refresh_from_db()
    return Status(201, {"id": vote.pk, "choice": vote.choice, "dispute_state": dispute.state})


@router.post("/disputes/{dispute_id}/sanctions", response={201: DisputeSanctionOut, **WRITE_ERRORS},
             url_name="disputes_sanction", summary="Применить санкцию по решённому вопросу")
def disputes_sanction(request: HttpRequest, dispute_id: Id, payload: DisputeSanctionIn) -> Any:
    dispute = _dispute(request, dispute_id)
    user = current_user(request)
    require(user, "disputes.apply_sanction", dispute)
    competency = dispute.competency
    team = None
    if payload.kind in ("deduction", "part_zeroing", "zero_result"):
        team = Application.objects.filter(pk=payload.team_id or 0, competency=competency).first()
        if team is None:
            raise NotFound(_("Команда этой компетенции не найдена."))
    if payload.kind == "deduction":
        decision = sanctions.deduct_points(team, payload.points.replace(",", "."), reason=payload.reason,  # type: ignore[arg-type]
                                           by=user, dispute=dispute)
        return Status(201, {"kind": payload.kind, "id": decision.pk, "number": decision.number})
    if payload.kind == "part_zeroing":
        criteria = list(Criterion.objects.filter(pk__in=payload.criteria_ids, scheme__competency=competency)
                        .select_related("scheme"))
        aspects = list(Aspect.objects.filter(pk__in=payload.aspect_ids,
                                             sub_criterion__criterion__scheme__competency=competency)
                       .select_related("sub_criterion__criterion__scheme"))
        if len(criteria) != len(set(payload.criteria_ids)) or len(aspects) != len(set(payload.aspect_ids)):
            raise NotFound(_("Критерий или аспект этой компетенции не найден."))
        decision = sanctions.zero_part(team, criteria=criteria, aspects=aspects, reason=payload.reason,  # type: ignore[arg-type]
                                       by=user, dispute=dispute)
        return Status(201, {"kind": payload.kind, "id": decision.pk, "number": decision.number})
    if payload.kind == "zero_result":
        decision = sanctions.zero_result(team, reason=payload.reason, by=user, dispute=dispute)  # type: ignore[arg-type]
        return Status(201, {"kind": payload.kind, "id": decision.pk, "number": decision.number})
    if payload.kind == "removal":
        person = Accreditation.objects.filter(pk=payload.accreditation_id or 0, competency=competency).first()
        if person is None:
            raise NotFound(_("Аккредитация этой компетенции не найдена."))
        removal = sanctions.remove_from_venue(person, reason=payload.reason, by=user, dispute=dispute)
        return Status(201, {"kind": payload.kind, "id": removal.pk})
    if payload.kind == "suspension":
        member = TeamMember.objects.filter(pk=payload.member_id or 0, application__competency=competency,
                                           kind="participant").select_related("application").first()
        if member is None:
            raise NotFound(_("Участник этой компетенции не найден."))
        suspension = sanctions.suspend_participant(member, reason=payload.reason, by=user, dispute=dispute)
        return Status(201, {"kind": payload.kind, "id": suspension.pk})
    raise DomainError(_("Выберите санкцию."), field="kind")


@router.post("/disputes/{dispute_id}/investigation", response={200: DisputeOut, **WRITE_ERRORS},
             url_name="disputes_investigation", summary="Назначить расследование (Дирекция)")
def disputes_investigation(request: HttpRequest, dispute_id: Id, payload: DisputeReasonIn) -> Any:
    dispute = _dispute(request, dispute_id)
    user = current_user(request)
    require(user, "disputes.investigate", dispute)
    return _out(domain.open_investigation(dispute, reason=payload.reason, by=user), user)


def _explanation_out(e: Explanation) -> dict[str, Any]:
    return {"id": e.pk, "person_id": e.person_id, "question": e.question, "answer": e.answer,
            "answered": e.answered_at is not None}


@router.get("/disputes/{dispute_id}/explanations", response={200: list[DisputeExplanationOut], **READ_ERRORS},
            url_name="disputes_explanations", summary="Письменные пояснения по вопросу")
def disputes_explanations(request: HttpRequest, dispute_id: Id) -> Any:
    dispute = _dispute(request, dispute_id)
    return [_explanation_out(e) for e in dispute.explanations.all()]


@router.post("/disputes/{dispute_id}/explanations", response={201: DisputeExplanationOut, **WRITE_ERRORS},
             url_name="disputes_request_explanation", summary="Запросить письменное пояснение (Дирекция)")
def disputes_request_explanation(request: HttpRequest, dispute_id: Id, payload: DisputeExplanationIn) -> Any:
    from profmaster.accounts.models import User

    dispute = _dispute(request, dispute_id)
    user = current_user(request)
    require(user, "disputes.investigate", dispute)
    person = User.objects.filter(pk=payload.person_id).first()
    explanation = domain.request_explanation(dispute, person=person, question=payload.question, by=user)
    return Status(201, _explanation_out(explanation))


@router.post("/disputes/explanations/{explanation_id}/answer", response={200: DisputeExplanationOut, **WRITE_ERRORS},
             url_name="disputes_answer", summary="Дать письменное пояснение")
def disputes_answer(request: HttpRequest, explanation_id: Id, payload: DisputeAnswerIn) -> Any:
    explanation = get_or_404(Explanation.objects.select_related("dispute__competency__championship"),
                             explanation_id, _("Запрос пояснения не найден."))
    user = current_user(request)
    if not has_perm(user, "disputes.view_dispute", explanation.dispute):
        raise NotFound(_("Запрос пояснения не найден."))
    require(user, "disputes.answer_explanation", explanation.dispute)
    return _explanation_out(domain.answer_explanation(explanation, answer=payload.answer, by=user))
