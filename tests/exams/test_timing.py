"""RM-1: the timing rules of an exam attempt — one pure function, a table of cases."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.exams.timing import Phase, compute_timing

T0 = dt.datetime(2023, 4, 3, 10, 0, tzinfo=dt.UTC)


def m(minutes: float) -> dt.timedelta:
    return dt.timedelta(minutes=minutes)


def at(minutes: float) -> dt.datetime:
    return T0 + m(minutes)


# (case, kwargs, expected phase, expected deadline, expected accept_until)
CASES = [
    ("before the window", dict(now=at(-1), opens_at=at(0), closes_at=at(120), time_limit=m(60)),
     Phase.NOT_OPEN, None, None),
    ("window open", dict(now=at(0), opens_at=at(0), closes_at=at(120), time_limit=m(60)), Phase.OPEN, None, None),
    ("window closed exactly at close", dict(now=at(120), opens_at=at(0), closes_at=at(120), time_limit=m(60)),
     Phase.CLOSED, None, None),
    ("no window at all", dict(now=at(5000), opens_at=None, closes_at=None, time_limit=m(60)), Phase.OPEN, None, None),
    ("override opens earlier", dict(now=at(-30), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                    override_opens_at=at(-60)), Phase.OPEN, None, None),
    ("override closes later", dict(now=at(130), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                   override_closes_at=at(180)), Phase.OPEN, None, None),
    ("running: start + limit", dict(now=at(30), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                    started_at=at(10)), Phase.RUNNING, at(70), at(70)),
    ("extra time lengthens the limit", dict(now=at(75), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                            started_at=at(10), extra_time=m(15)), Phase.RUNNING, at(85), at(85)),
    ("window closes before the limit", dict(now=at(100), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                            started_at=at(90)), Phase.RUNNING, at(120), at(120)),
    ("extra time still capped by close", dict(now=at(100), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                              started_at=at(50), extra_time=m(30)), Phase.RUNNING, at(120), at(120)),
    ("override close lifts the cap", dict(now=at(100), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                          started_at=at(50), extra_time=m(30), override_closes_at=at(200)),
     Phase.RUNNING, at(140), at(140)),
    ("grace after deadline", dict(now=at(70, ), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                  started_at=at(10), grace=dt.timedelta(seconds=30)),
     Phase.GRACE, at(70), at(70.5)),
    ("past grace: over", dict(now=at(70.5), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                              started_at=at(10), grace=dt.timedelta(seconds=30)), Phase.OVER, at(70), at(70.5)),
    ("no grace: over at the deadline", dict(now=at(70), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                            started_at=at(10)), Phase.OVER, at(70), at(70)),
    ("no limit: window close is the deadline", dict(now=at(100), opens_at=at(0), closes_at=at(120),
                                                    time_limit=None, started_at=at(10)),
     Phase.RUNNING, at(120), at(120)),
    ("no limit, no close: never ends", dict(now=at(10**5), opens_at=None, closes_at=None, time_limit=None,
                                            started_at=at(10)), Phase.RUNNING, None, None),
    ("finished beats everything", dict(now=at(30), opens_at=at(0), closes_at=at(120), time_limit=m(60),
                                       started_at=at(10), finished_at=at(20)), Phase.FINISHED, at(70), at(70)),
]


@pytest.mark.parametrize(("case", "kwargs", "phase", "deadline", "accept_until"), CASES, ids=[c[0] for c in CASES])
def test_rm1_timing_table(case, kwargs, phase, deadline, accept_until):
    timing = compute_timing(**kwargs)
    assert (timing.phase, timing.deadline, timing.accept_until) == (phase, deadline, accept_until)


def test_rm1_remaining_counts_down_to_zero():
    base = dict(opens_at=at(0), closes_at=None, time_limit=m(60), started_at=at(0))
    assert compute_timing(now=at(15), **base).remaining == m(45)
    assert compute_timing(now=at(90), **base).remaining == m(0)


@pytest.mark.parametrize("bad", [dict(extra_time=m(-1)), dict(grace=m(-1)), dict(time_limit=m(0))])
def test_rm1_timing_refuses_nonsense(bad):
    kwargs = {"now": at(0), "opens_at": None, "closes_at": None, "time_limit": m(60), **bad}
    with pytest.raises(ValueError):
        compute_timing(**kwargs)


minutes = st.integers(min_value=0, max_value=10_000)


@given(start=minutes, limit=st.integers(1, 600), extra=st.integers(0, 600), close=minutes, now=minutes,
       grace=st.integers(0, 120))
def test_rm1_deadline_properties(start, limit, extra, close, now, grace):
    """The deadline never exceeds start + limit + extra nor the close; saves stop at deadline + grace."""
    timing = compute_timing(now=at(now), opens_at=None, closes_at=at(close), time_limit=m(limit),
                            started_at=at(start), extra_time=m(extra), grace=dt.timedelta(seconds=grace))
    assert timing.deadline == min(at(start + limit + extra), at(close))
    assert timing.accepts_answers == (at(now) < timing.deadline + dt.timedelta(seconds=grace))
    assert timing.remaining == max(timing.deadline - at(now), dt.timedelta(0))
