"""OP-3: the time arithmetic of a timer as one pure function — a table of cases and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.timekeeping import clock
from profmaster.timekeeping.clock import EXTRA, PAUSE, RESUME, START, STOP, Event, OutOfOrder, compute, refusal

T0 = dt.datetime(2023, 4, 21, 7, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def ev(kind: str, minute: float, team: int | None = None, extra: int = 0) -> Event:
    return Event(kind=kind, at=at(minute), team=team, minutes=extra)


# duration, events, now (minutes after T0) → state, worked, paused, remaining, ends_at (minutes or None)
CASES = [
    ("not started", 60, [], 10, clock.NOT_STARTED, 0, 0, 60, None),
    ("running", 60, [ev(START, 0)], 25, clock.RUNNING, 25, 0, 35, 60),
    ("running, time out", 60, [ev(START, 0)], 90, clock.RUNNING, 90, 0, 0, 60),
    ("paused", 60, [ev(START, 0), ev(PAUSE, 20)], 30, clock.PAUSED, 20, 10, 40, None),
    ("resumed after a pause", 60, [ev(START, 0), ev(PAUSE, 20), ev(RESUME, 30)], 40, clock.RUNNING, 30, 10, 30, 70),
    ("two pauses", 60, [ev(START, 0), ev(PAUSE, 10), ev(RESUME, 15), ev(PAUSE, 20), ev(RESUME, 30)], 30,
     clock.RUNNING, 15, 15, 45, 75),
    ("stopped while running", 60, [ev(START, 0), ev(STOP, 50)], 120, clock.STOPPED, 50, 0, 10, 50),
    ("stopped while paused", 60, [ev(START, 0), ev(PAUSE, 40), ev(STOP, 45)], 120, clock.STOPPED, 40, 5, 20, 45),
    ("now before the last event", 60, [ev(START, 0), ev(PAUSE, 20)], 5, clock.PAUSED, 20, 0, 40, None),
]


@pytest.mark.parametrize(("name", "duration", "events", "now", "state", "worked", "paused", "remaining", "ends"),
                         CASES, ids=[c[0] for c in CASES])
def test_op3_clock_table(name, duration, events, now, state, worked, paused, remaining, ends):
    result = compute(duration * M, events, at(now))
    assert (result.state, result.worked, result.paused, result.remaining, result.ends_at) == (
        state, worked * M, paused * M, remaining * M, at(ends) if ends is not None else None)


# extra time per team: events, now → {team: (remaining, ends_at)}
TEAM_CASES = [
    ("extra while running", [ev(START, 0), ev(EXTRA, 10, team=7, extra=15)], 30, {7: (45, 75)}, 30),
    ("extra twice adds up", [ev(START, 0), ev(EXTRA, 10, team=7, extra=5), ev(EXTRA, 20, team=7, extra=10)], 30,
     {7: (45, 75)}, 30),
    ("extra and a pause", [ev(START, 0), ev(EXTRA, 5, team=7, extra=10), ev(PAUSE, 20), ev(RESUME, 30)], 40,
     {7: (40, 80)}, 30),
    ("main time over, team still working", [ev(START, 0), ev(EXTRA, 10, team=7, extra=15)], 65, {7: (10, 75)}, 0),
    ("team time over too", [ev(START, 0), ev(EXTRA, 10, team=7, extra=15)], 80, {7: (0, 75)}, 0),
    ("extra while paused: end unknown", [ev(START, 0), ev(PAUSE, 10), ev(EXTRA, 12, team=3, extra=20)], 15,
     {3: (70, None)}, 50),
    ("two teams", [ev(START, 0), ev(EXTRA, 1, team=1, extra=10), ev(EXTRA, 2, team=2, extra=20)], 30,
     {1: (40, 70), 2: (50, 80)}, 30),
    ("after the stop the end is the stop", [ev(START, 0), ev(EXTRA, 1, team=1, extra=10), ev(STOP, 65)], 90,
     {1: (5, 65)}, 0),
]


@pytest.mark.parametrize(("name", "events", "now", "teams", "remaining"), TEAM_CASES, ids=[c[0] for c in TEAM_CASES])
def test_op3_clock_extra_time_per_team(name, events, now, teams, remaining):
    result = compute(60 * M, events, at(now))
    assert {t: (c.remaining / M, c.ends_at) for t, c in result.teams.items()} == {
        t: (left, at(end) if end is not None else None) for t, (left, end) in teams.items()}
    assert result.remaining == remaining * M


# state, command → refusal code (None: allowed)
COMMAND_TABLE = [
    (clock.NOT_STARTED, START, None), (clock.NOT_STARTED, PAUSE, "not_started"),
    (clock.NOT_STARTED, RESUME, "not_started"), (clock.NOT_STARTED, STOP, "not_started"),
    (clock.NOT_STARTED, EXTRA, None),
    (clock.RUNNING, START, "already_running"), (clock.RUNNING, PAUSE, None), (clock.RUNNING, RESUME, "not_paused"),
    (clock.RUNNING, STOP, None), (clock.RUNNING, EXTRA, None),
    (clock.PAUSED, START, "already_started"), (clock.PAUSED, PAUSE, "already_paused"), (clock.PAUSED, RESUME, None),
    (clock.PAUSED, STOP, None), (clock.PAUSED, EXTRA, None),
    (clock.STOPPED, START, "stopped"), (clock.STOPPED, PAUSE, "stopped"), (clock.STOPPED, RESUME, "stopped"),
    (clock.STOPPED, STOP, "stopped"), (clock.STOPPED, EXTRA, "stopped"),
    (clock.RUNNING, "explode", "unknown"),
]


@pytest.mark.parametrize(("state", "command", "code"), COMMAND_TABLE)
def test_op3_command_table(state, command, code):
    assert refusal(state, command) == code


@pytest.mark.parametrize(("events", "code"), [
    ([ev(PAUSE, 0)], "not_started"),
    ([ev(START, 0), ev(RESUME, 1)], "not_paused"),
    ([ev(START, 0), ev(STOP, 1), ev(STOP, 2)], "stopped"),
    ([ev(START, 5), ev(PAUSE, 1)], "time_goes_back"),
    ([ev(START, 0), ev(EXTRA, 1, team=None, extra=5)], "bad_extra"),
    ([ev(START, 0), ev(EXTRA, 1, team=1, extra=0)], "bad_extra"),
])
def test_op3_out_of_order_sequences_refused(events, code):
    with pytest.raises(OutOfOrder) as refused:
        compute(60 * M, events, at(100))
    assert refused.value.code == code


@st.composite
def histories(draw):
    """A valid command history: gaps between events and a choice of the allowed next command."""
    events, state, minute = [], clock.NOT_STARTED, 0.0
    for _ in range(draw(st.integers(0, 12))):
        allowed = [k for k in (START, PAUSE, RESUME, STOP, EXTRA) if refusal(state, k) is None]
        if not allowed:
            break
        kind = draw(st.sampled_from(allowed))
        minute += draw(st.integers(0, 90))
        if kind == EXTRA:
            events.append(ev(EXTRA, minute, team=draw(st.integers(1, 3)), extra=draw(st.integers(1, 30))))
        else:
            events.append(ev(kind, minute))
            state = clock.NEXT_STATE[kind]
    return events, minute + draw(st.integers(0, 120))


@given(histories(), st.integers(1, 300))
def test_op3_clock_properties(history, duration):
    """Working plus pause time is the time since the start; remaining never negative; a team's limit is the
    duration plus its extra minutes; a team never has less time than the timer."""
    events, now = history
    result = compute(duration * M, events, at(now))
    assert result.remaining >= dt.timedelta(0)
    assert result.remaining == max(dt.timedelta(0), duration * M - result.worked) or result.state == clock.NOT_STARTED
    if result.started_at is not None:
        end = result.stopped_at or at(now)
        assert result.worked + result.paused == end - result.started_at
    for team in result.teams.values():
        granted = sum(e.minutes for e in events if e.kind == EXTRA and e.team == team.team)
        assert team.limit == (duration + granted) * M
        assert team.remaining >= result.remaining
    assert result.state == clock.state_after(events)


@given(histories(), st.integers(1, 300), st.integers(0, 600))
def test_op3_clock_later_now_never_gives_more_time(history, duration, later):
    events, now = history
    first = compute(duration * M, events, at(now))
    second = compute(duration * M, events, at(now + later))
    assert second.remaining <= first.remaining
    assert second.worked >= first.worked
