"""HTTP API of the competition day's timers (OP-3): the flow's state, timers, commands and extra time — the
same domain functions as the day board."""

# No `from __future__ import annotations`: ninja builds its models from these annotations at runtime.

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404, reference
from profmaster.api.types import Choice, Id, PositiveSmallInt, Text
from profmaster.championships.models import ProgrammeSlot
from profmaster.marking.models import Criterion
from profmaster.permissions import has_perm, require

from . import clock, domain
from .models import Timer
from .selectors import flow_state

router = Router(tags=["День соревнований: учёт времени"])


class TimekeepingTeamClockOut(Schema):
    team: int
    name: str
    extra_minutes: int
    remaining_ms: int
    ends_at: str | None


class TimekeepingTimerOut(Schema):
    id: int
    title: str
    kind: str
    state: str
    state_label: str
    duration_ms: int
    remaining_ms: int
    worked_ms: int
    paused_ms: int
    started_at: str | None
    ends_at: str | None
    over: bool
    teams: list[TimekeepingTeamClockOut]


class TimekeepingFlowStateOut(Schema):
    v: str
    t: int
    at: int
    flow: str
    zone: str
    current: int | None
    timers: list[TimekeepingTimerOut]


class TimekeepingTimerIn(Schema):
    kind: Choice(Timer.Kind.values)  # type: ignore[valid-type]
    duration_minutes: PositiveSmallInt
    module_id: Id | None = None
    title: Text(200) = ""  # type: ignore[valid-type]


class TimekeepingCommandIn(Schema):
    command: Choice(clock.COMMANDS)  # type: ignore[valid-type]
    reason: Text(500) = ""  # type: ignore[valid-type]


class TimekeepingExtraTimeIn(Schema):
    team_id: Id
    minutes: PositiveSmallInt
    reason: Text(2000)  # type: ignore[valid-type]


def _flow(request: HttpRequest, flow_id: int, perm: str) -> ProgrammeSlot:
    flow = get_or_404(ProgrammeSlot.objects.select_related("championship", "competency__championship")
                      .filter(kind=ProgrammeSlot.Kind.FLOW, competency__isnull=False), flow_id, _("Поток не найден."))
    user = current_user(request)
    if not has_perm(user, "timekeeping.view_board", flow.competency):
        raise NotFound(_("Поток не найден."))
    require(user, perm, flow.competency)
    return flow


def _timer(request: HttpRequest, timer_id: int, perm: str) -> Timer:
    timer = get_or_404(Timer.objects.select_related("flow__championship", "competency"), timer_id,
                       _("Таймер не найден."))
    user = current_user(request)
    if not has_perm(user, "timekeeping.view_board", timer):
        raise NotFound(_("Таймер не найден."))
    require(user, perm, timer)
    return timer


@router.get("/timekeeping/flows/{flow_id}/state", response={200: TimekeepingFlowStateOut, **READ_ERRORS},
            url_name="timekeeping_flow_state", summary="Таймеры потока: состояние по часам сервера")
def flow_state_route(request: HttpRequest, flow_id: Id) -> Any:
    """Жюри компетенции, Дирекции и контролю качества. `t` — время сервера (мс), `remaining_ms` — на этот момент."""
    return flow_state(_flow(request, flow_id, "timekeeping.view_board"))


@router.post("/timekeeping/flows/{flow_id}/timers", response={201: TimekeepingTimerOut, **WRITE_ERRORS},
             url_name="timekeeping_timer_create", summary="Добавить этап потока (модуль или ознакомление)")
def timer_create(request: HttpRequest, flow_id: Id, payload: TimekeepingTimerIn) -> Any:
    flow = _flow(request, flow_id, "timekeeping.manage_timers")
    module = reference(Criterion.objects.filter(scheme__competency_id=flow.competency_id), payload.module_id,
                       field="module_id", message=_("Нет такого модуля в схемах оценки компетенции."))
    timer = domain.create_timer(flow, kind=payload.kind, duration_minutes=payload.duration_minutes, module=module,
                                title=payload.title, by=current_user(request))
    return Status(201, _timer_out(timer))


def _timer_out(timer: Timer) -> dict[str, Any]:
    state = flow_state(timer.flow)
    return next(t for t in state["timers"] if t["id"] == timer.pk)


@router.post("/timekeeping/timers/{timer_id}/commands", response={200: TimekeepingTimerOut, **WRITE_ERRORS},
             url_name="timekeeping_timer_command", summary="Старт, пауза, продолжение или стоп")
def timer_command(request: HttpRequest, timer_id: Id, payload: TimekeepingCommandIn) -> Any:
    """Главному эксперту и эксперту с ролью контроля времени. Команда не по порядку — 409, ничего не меняется."""
    timer = _timer(request, timer_id, "timekeeping.run_timer")
    domain.command_timer(timer, payload.command, by=current_user(request), reason=payload.reason)
    return _timer_out(timer)


@router.post("/timekeeping/timers/{timer_id}/extra-time", response={201: TimekeepingTimerOut, **WRITE_ERRORS},
             url_name="timekeeping_extra_time", summary="Дополнительное время команде по решению жюри")
def timer_extra_time(request: HttpRequest, timer_id: Id, payload: TimekeepingExtraTimeIn) -> Any:
    timer = _timer(request, timer_id, "timekeeping.grant_extra_time")
    team = reference(domain.teams_of_flow(timer.flow), payload.team_id, field="team_id",
                     message=_("Нет такой команды в потоке."))
    assert team is not None
    domain.grant_extra_time(team, payload.minutes, payload.reason, current_user(request), timer=timer)
    return Status(201, _timer_out(timer))
