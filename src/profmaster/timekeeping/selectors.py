"""What the countdown screen, the day board and the API read: plain data, no state change."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core import signing
from django.core.cache import caches
from django.utils import timezone

from profmaster.championships import timezones
from profmaster.championships.models import ProgrammeSlot

from . import clock
from .domain import CACHE, flow_version
from .models import Timer, TimerEvent

SCREEN_SALT = "timekeeping.screen"
#: How long a flow's state is kept per version (a new version is a new key; old ones expire).
STATE_SECONDS = 600


def screen_token(flow: ProgrammeSlot) -> str:
    """The unguessable part of the venue screen's link (read-only, public by link)."""
    return signing.Signer(salt=SCREEN_SALT).sign(str(flow.pk))


def flow_of_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=SCREEN_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def _ms(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def _iso_local(value: dt.datetime | None, tz: Any) -> str | None:
    return timezone.localtime(value, tz).isoformat() if value else None


def state_key(flow_id: int, version: str) -> str:
    return f"timekeeping:state:{flow_id}:{version}"


def cached_flow_state(flow_id: int) -> dict[str, Any] | None:
    """The flow's state as the first screen that asked for the current version stored it, or None."""
    return caches[CACHE].get(state_key(flow_id, flow_version(flow_id)))


def store_flow_state(flow_id: int, state: dict[str, Any]) -> None:
    """Keep the state for every other screen asking for the same version (a change is fetched once, not 500×)."""
    caches[CACHE].set(state_key(flow_id, state["v"]), state, timeout=STATE_SECONDS)


def flow_state(flow: ProgrammeSlot, *, now: dt.datetime | None = None, version: str | None = None) -> dict[str, Any]:
    """Every timer of the flow with its clock at ``at`` (three queries), the version, the zone, and ``t``, the
    server's clock when answered (the same as ``at`` here; a stored state is answered later with a new ``t``).

    The version is read first (or given: the one a change has just committed, before it is published): a change
    committed meanwhile can only make the content newer than its label.
    """
    version = version if version is not None else flow_version(flow.pk)
    now = now or timezone.now()
    tz = timezones.zone_of(flow.championship)
    timers = list(Timer.objects.filter(flow=flow).order_by("order", "pk"))
    events: dict[int, list[clock.Event]] = defaultdict(list)
    teams: dict[int, str] = {}
    for row in (TimerEvent.objects.filter(timer__flow=flow).select_related("extra_time__team__organisation")
                .order_by("timer_id", "seq")):
        extra = row.extra_time
        if extra is not None:
            teams[extra.team_id] = str(extra.team.organisation)
        events[row.timer_id].append(clock.Event(kind=row.kind, at=row.at, team=extra.team_id if extra else None,
                                                minutes=extra.minutes if extra else 0))
    out: list[dict[str, Any]] = []
    current: int | None = None
    for timer in timers:
        state = clock.compute(timer.duration, events[timer.pk], now)
        if current is None and state.state in (clock.RUNNING, clock.PAUSED):
            current = timer.pk
        out.append({
            "id": timer.pk, "title": timer.title, "kind": timer.kind, "state": state.state,
            "state_label": str(Timer.State(state.state).label), "duration_ms": _ms(timer.duration),
            "remaining_ms": _ms(state.remaining), "worked_ms": _ms(state.worked), "paused_ms": _ms(state.paused),
            "started_at": _iso_local(state.started_at, tz), "ends_at": _iso_local(state.ends_at, tz),
            "over": state.over,
            "teams": [{"team": t.team, "name": teams.get(t.team, ""), "extra_minutes": int(t.extra.total_seconds() // 60),
                       "remaining_ms": _ms(t.remaining), "ends_at": _iso_local(t.ends_at, tz)}
                      for t in state.teams.values()],
        })
    if current is None:
        current = next((int(t["id"]) for t in out if t["state"] == clock.NOT_STARTED),
                       int(out[-1]["id"]) if out else None)
    moment = int(now.timestamp() * 1000)
    return {"v": version, "t": moment, "at": moment, "flow": flow.title,
            "zone": timezones.zone_label(tz), "current": current, "timers": out}
