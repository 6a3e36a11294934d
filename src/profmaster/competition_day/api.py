"""HTTP API of the draws (OP-1, X-4), mounted under /api/v1/: the same permissions and domain functions as the
pages. A draw's secret is in the answer only once the draw is performed; verification needs no login."""

# No `from __future__ import annotations`: ninja builds its models from these annotations at runtime.
# mypy: disable-error-code="valid-type"

import json
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from profmaster.accounts.models import User
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import authorize_championship, current_user, get_or_404, reference
from profmaster.api.types import Id, Text
from profmaster.championships.models import Competency, ProgrammeSlot
from profmaster.permissions import require

from . import domain
from .models import Draw

router = Router(tags=["draws"])

NOT_FOUND = "Жеребьёвка не найдена."


class DrawContributionOut(Schema):
    name: str
    text: str
    user_id: int | None
    added_at: Any


class DrawOut(Schema):
    id: int
    competency_id: int
    kind: str
    flow_id: int | None
    state: str
    commitment: str = Field(description="SHA-256 секрета сервера, опубликованный до жеребьёвки.")
    secret: str | None = Field(None, description="Раскрывается после жеребьёвки.")
    seed: str | None
    algorithm: str
    algorithm_version: int
    inputs: dict[str, Any] = Field(description="Исходные данные в каноническом порядке.")
    inputs_text: str = Field(description="Канонический JSON исходных данных, байт в байт как жеребьёвались.")
    labels: dict[str, Any]
    contributions: list[DrawContributionOut]
    result: dict[str, Any] | None
    supersedes_id: int | None
    reason: str
    protocol_id: int | None
    verification_url: str


class DrawVerificationOut(Schema):
    id: int
    matches: bool
    performed: bool
    differences: list[str]


class DrawPrepareIn(Schema):
    kind: Literal["flows", "workplaces"]
    flow_id: Id | None = Field(None, description="Поток (пункт программы) — для жеребьёвки рабочих мест.")


class DrawContributionIn(Schema):
    text: Text(200)
    user_id: Id | None = Field(None, description="Наставник с учётной записью (подпишет протокол).")
    name: Text(300) = Field("", description="ФИО, если у наставника нет учётной записи.")


class DrawRedrawIn(Schema):
    reason: Text(2000)


def draw_out(draw: Draw) -> dict[str, Any]:
    revealed = draw.state != Draw.State.PREPARED
    return {
        "id": draw.pk, "competency_id": draw.competency_id, "kind": draw.kind, "flow_id": draw.flow_id,
        "state": draw.state, "commitment": draw.commitment, "secret": draw.secret if revealed else None,
        "seed": draw.seed or None, "algorithm": draw.algorithm, "algorithm_version": draw.algorithm_version,
        "inputs": json.loads(draw.inputs_text), "inputs_text": draw.inputs_text, "labels": draw.labels or {},
        "contributions": [{"name": c.name, "text": c.text, "user_id": c.user_id, "added_at": c.added_at}
                          for c in draw.contributions.all()],
        "result": json.loads(draw.result_text) if draw.result_text else None,
        "supersedes_id": draw.supersedes_id, "reason": draw.reason, "protocol_id": draw.protocol_id,
        "verification_url": domain.verification_url(draw),
    }


def _competency(request: HttpRequest, competency_id: int, perm: str) -> Competency:
    competency = get_or_404(Competency.objects.select_related("championship"), competency_id,
                            _("Компетенция не найдена."))
    authorize_championship(request, competency.championship, message=_("Компетенция не найдена."))
    require(current_user(request), perm, competency)
    return competency


def _draw(request: HttpRequest, draw_id: int, perm: str) -> Draw:
    draw = get_or_404(Draw.objects.select_related("competency__championship", "flow"), draw_id, _(NOT_FOUND))
    authorize_championship(request, draw.championship, message=_(NOT_FOUND))
    require(current_user(request), perm, draw.competency)
    return draw


@router.get("/competencies/{competency_id}/draws", response={200: list[DrawOut], **READ_ERRORS},
            url_name="draws_list", summary="Жеребьёвки компетенции")
def draws_list(request: HttpRequest, competency_id: Id) -> Any:
    """Все жеребьёвки компетенции, включая заменённые пережеребьёвкой; секрет — только у проведённых."""
    competency = _competency(request, competency_id, "competition_day.view_draws")
    return [draw_out(d) for d in Draw.objects.filter(competency=competency).select_related("flow")
            .prefetch_related("contributions").order_by("pk")]


@router.post("/competencies/{competency_id}/draws", response={201: DrawOut, **WRITE_ERRORS},
             url_name="draws_prepare", summary="Подготовить жеребьёвку (опубликовать обязательство)")
def draws_prepare(request: HttpRequest, competency_id: Id, payload: DrawPrepareIn) -> Any:
    """Фиксирует исходные данные и публикует обязательство. Повторная жеребьёвка того же вида — 400 с
    объяснением: новую проводят пережеребьёвкой с причиной."""
    competency = _competency(request, competency_id, "competition_day.manage_draws")
    flow = reference(ProgrammeSlot.objects.filter(competency=competency), payload.flow_id, field="flow_id",
                     message=_("Поток этой компетенции не найден."))
    draw = domain.prepare_draw(competency, kind=payload.kind, flow=flow, by=current_user(request))
    return Status(201, draw_out(draw))


@router.get("/draws/{draw_id}", response={200: DrawOut, **READ_ERRORS}, url_name="draws_detail",
            summary="Жеребьёвка")
def draws_detail(request: HttpRequest, draw_id: Id) -> Any:
    return draw_out(_draw(request, draw_id, "competition_day.view_draws"))


@router.post("/draws/{draw_id}/contributions", response={201: DrawOut, **WRITE_ERRORS},
             url_name="draws_contribute", summary="Добавить вклад наставника в зерно")
def draws_contribute(request: HttpRequest, draw_id: Id, payload: DrawContributionIn) -> Any:
    """Только до жеребьёвки (после — 409), один вклад на наставника."""
    draw = _draw(request, draw_id, "competition_day.manage_draws")
    user = reference(User.objects.all(), payload.user_id, field="user_id", message=_("Наставник не найден."))
    domain.add_contribution(draw, text=payload.text, user=user, name=payload.name, by=current_user(request))
    return Status(201, draw_out(Draw.objects.get(pk=draw.pk)))


@router.post("/draws/{draw_id}/perform", response={200: DrawOut, **WRITE_ERRORS}, url_name="draws_perform",
             summary="Провести жеребьёвку")
def draws_perform(request: HttpRequest, draw_id: Id) -> Any:
    """Зерно из секрета и вкладов, результат, раскрытый секрет и протокол; повторно — 409."""
    draw = _draw(request, draw_id, "competition_day.manage_draws")
    return draw_out(domain.perform_draw(draw, by=current_user(request)))


@router.post("/draws/{draw_id}/redraw", response={201: DrawOut, **WRITE_ERRORS}, url_name="draws_redraw",
             summary="Пережеребьёвка с указанием причины")
def draws_redraw(request: HttpRequest, draw_id: Id, payload: DrawRedrawIn) -> Any:
    """Прежняя жеребьёвка и её протокол остаются; новая готовится с новым обязательством."""
    draw = _draw(request, draw_id, "competition_day.manage_draws")
    return Status(201, draw_out(domain.redraw(draw, reason=payload.reason, by=current_user(request))))


@router.get("/draws/{draw_id}/verification", response={200: DrawVerificationOut, **READ_ERRORS}, auth=None,
            url_name="draws_verification", summary="Проверить жеребьёвку (без входа)")
def draws_verification(request: HttpRequest, draw_id: Id) -> Any:
    """Повторяет жеребьёвку из записанных данных: matches — совпадает, иначе — список расхождений."""
    draw = get_or_404(Draw.objects.select_related("protocol"), draw_id, _(NOT_FOUND))
    outcome = domain.verify_draw(draw)
    return {"id": draw.pk, "matches": outcome.matches, "performed": outcome.performed,
            "differences": outcome.differences}
