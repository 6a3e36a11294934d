"""OP-3: the time arithmetic of one timer — pauses, extra time, each team's end — as one pure function.

No Django here. A timer is a planned duration and its recorded events in order: ``start``, ``pause``,
``resume``, ``stop`` and ``extra`` (minutes granted to one team by a panel decision, 003 §17.3–17.4).
:func:`compute` replays the events up to ``now`` and says where the timer stands; :func:`refusal` is the
table of allowed commands, so an out-of-order command is refused before anything is written.

Rules (the table of tests in ``tests/timekeeping/test_clock.py`` pins them):

- working time runs only between ``start`` and ``stop`` while not paused; a pause stops it for everyone;
- every team has the timer's duration plus the extra minutes granted to it; its remaining time is that
  limit minus the working time, never below zero; while running its end is ``now + remaining``;
- the timer's own end (``ends_at``) is ``start + duration + all pauses`` while it runs (a team's:
  ``start + its limit + all pauses``); unknown while paused; the stop's moment once stopped;
- ``stop`` freezes everything; nothing may follow it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

START, PAUSE, RESUME, STOP, EXTRA = "start", "pause", "resume", "stop", "extra"
COMMANDS = (START, PAUSE, RESUME, STOP)
NOT_STARTED, RUNNING, PAUSED, STOPPED = "not_started", "running", "paused", "stopped"

ZERO = dt.timedelta(0)

#: Why a command is refused in a state (a code; the domain turns it into a Russian message).
#: A pair missing from the table is allowed.
REFUSALS: dict[tuple[str, str], str] = {
    (NOT_STARTED, PAUSE): "not_started",
    (NOT_STARTED, RESUME): "not_started",
    (NOT_STARTED, STOP): "not_started",
    (RUNNING, START): "already_running",
    (RUNNING, RESUME): "not_paused",
    (PAUSED, START): "already_started",
    (PAUSED, PAUSE): "already_paused",
    (STOPPED, START): "stopped",
    (STOPPED, PAUSE): "stopped",
    (STOPPED, RESUME): "stopped",
    (STOPPED, STOP): "stopped",
    (STOPPED, EXTRA): "stopped",
}
NEXT_STATE = {START: RUNNING, PAUSE: PAUSED, RESUME: RUNNING, STOP: STOPPED}


class OutOfOrder(ValueError):
    """An event sequence no command table allows (e.g. a pause before the start)."""

    def __init__(self, code: str, index: int) -> None:
        super().__init__(f"event {index}: {code}")
        self.code = code
        self.index = index


@dataclass(frozen=True)
class Event:
    kind: str
    at: dt.datetime
    team: int | None = None
    minutes: int = 0


@dataclass(frozen=True)
class TeamClock:
    team: int
    extra: dt.timedelta
    limit: dt.timedelta
    remaining: dt.timedelta
    ends_at: dt.datetime | None  # known while the timer runs (or when it stopped); None while paused/not started

    @property
    def over(self) -> bool:
        return self.remaining <= ZERO


@dataclass(frozen=True)
class Clock:
    state: str
    duration: dt.timedelta
    worked: dt.timedelta
    paused: dt.timedelta
    remaining: dt.timedelta
    started_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    pauses: tuple[tuple[dt.datetime, dt.datetime | None], ...] = ()
    teams: dict[int, TeamClock] = field(default_factory=dict)

    @property
    def over(self) -> bool:
        """The planned time has run out (teams with extra time may still be working)."""
        return self.state != NOT_STARTED and self.remaining <= ZERO

    @property
    def all_over(self) -> bool:
        return self.over and all(t.over for t in self.teams.values())


def state_after(events: Iterable[Event]) -> str:
    state = NOT_STARTED
    for index, event in enumerate(events):
        code = refusal(state, event.kind)
        if code:
            raise OutOfOrder(code, index)
        state = NEXT_STATE.get(event.kind, state)
    return state


def refusal(state: str, command: str) -> str | None:
    """Why ``command`` may not be given in ``state`` (a code of :data:`REFUSALS`), or None."""
    if command not in (*COMMANDS, EXTRA):
        return "unknown"
    return REFUSALS.get((state, command))


def compute(duration: dt.timedelta, events: Sequence[Event], now: dt.datetime) -> Clock:
    """Where the timer stands at ``now``: its state, working and pause time, remaining time, each team's end.

    ``events`` are in the order recorded (times must not go back); ``now`` earlier than the last event is
    taken as that event's time. Raises :class:`OutOfOrder` for a sequence the command table forbids.
    """
    if duration < ZERO:
        raise ValueError("negative duration")
    state = NOT_STARTED
    worked = paused = ZERO
    started_at = stopped_at = None
    mark: dt.datetime | None = None  # start of the current running or pause interval
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = []
    extra: dict[int, dt.timedelta] = {}
    last = None
    for index, event in enumerate(events):
        if last is not None and event.at < last:
            raise OutOfOrder("time_goes_back", index)
        last = event.at
        code = refusal(state, event.kind)
        if code:
            raise OutOfOrder(code, index)
        if event.kind == EXTRA:
            if event.team is None or event.minutes <= 0:
                raise OutOfOrder("bad_extra", index)
            extra[event.team] = extra.get(event.team, ZERO) + dt.timedelta(minutes=event.minutes)
            continue
        if event.kind == START:
            started_at = event.at
        elif event.kind == PAUSE:
            assert mark is not None
            worked += event.at - mark
            pauses.append((event.at, None))
        elif event.kind == RESUME:
            assert mark is not None
            paused += event.at - mark
            pauses[-1] = (pauses[-1][0], event.at)
        elif event.kind == STOP:
            assert mark is not None
            if state == RUNNING:
                worked += event.at - mark
            else:
                paused += event.at - mark
                pauses[-1] = (pauses[-1][0], event.at)
            stopped_at = event.at
        mark = event.at
        state = NEXT_STATE[event.kind]

    now = max(now, last) if last is not None else now
    if state == RUNNING and mark is not None:
        worked += now - mark
    elif state == PAUSED and mark is not None:
        paused += now - mark

    def remaining_of(limit: dt.timedelta) -> dt.timedelta:
        return max(ZERO, limit - worked) if state != NOT_STARTED else limit

    remaining = remaining_of(duration)
    ends_at = None
    if state == RUNNING and started_at is not None:
        ends_at = started_at + duration + paused  # = now + remaining until the time runs out
    elif state == STOPPED:
        ends_at = stopped_at
    teams = {}
    for team, minutes in extra.items():
        limit = duration + minutes
        left = remaining_of(limit)
        team_end = (started_at + limit + paused if state == RUNNING and started_at is not None
                    else stopped_at if state == STOPPED else None)
        teams[team] = TeamClock(team=team, extra=minutes, limit=limit, remaining=left, ends_at=team_end)
    return Clock(state=state, duration=duration, worked=worked, paused=paused, remaining=remaining,
                 started_at=started_at, stopped_at=stopped_at, ends_at=ends_at, pauses=tuple(pauses), teams=teams)
