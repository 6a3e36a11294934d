"""When an exam attempt may start, until when answers are accepted, and when it must end (RM-1).

One pure function, :func:`compute_timing`, decides it from the exam's window and limit, the person's
override (extra time, another window), the grace for in-flight requests and the current moment —
in the spirit of CMS ``compute_actual_phase``. Pages, the API, the save path and the background job
all ask it, so the rule is the same on every channel. No Django import.

The rules:

* The window is the exam's ``opens_at``/``closes_at``; a per-person override replaces either end.
* An attempt may start only inside the window.
* Its deadline is the earliest of ``started_at + limit + extra time`` and the window's close. Extra
  time lengthens the limit, not the window: an accommodation that must outlast the window is given
  as a later personal close time.
* Answers are accepted until ``deadline + grace`` (requests in flight when the time runs out); after
  that the attempt is over and is finished with the last saved answers.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

ZERO = dt.timedelta(0)


class Phase(enum.StrEnum):
    NOT_OPEN = "not_open"  # not started; the window has not opened yet
    OPEN = "open"  # not started; may start now
    CLOSED = "closed"  # not started; the window has closed
    RUNNING = "running"  # started, before the deadline
    GRACE = "grace"  # started, the deadline passed, saves still accepted (in flight)
    OVER = "over"  # started, past deadline + grace: must be finished with the saved answers
    FINISHED = "finished"  # finished (by the person, the deadline or the panel)


@dataclass(frozen=True)
class Timing:
    phase: Phase
    #: When the attempt ends (None: no limit and no close time, or not started).
    deadline: dt.datetime | None
    #: Until when saves are accepted: deadline + grace.
    accept_until: dt.datetime | None
    #: Time left until the deadline (zero when past it; None when unbounded or not started).
    remaining: dt.timedelta | None
    #: The effective window after the override.
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None

    @property
    def accepts_answers(self) -> bool:
        return self.phase in (Phase.RUNNING, Phase.GRACE)

    @property
    def may_start(self) -> bool:
        return self.phase is Phase.OPEN


def compute_timing(
    *,
    now: dt.datetime,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    time_limit: dt.timedelta | None,
    started_at: dt.datetime | None = None,
    finished_at: dt.datetime | None = None,
    extra_time: dt.timedelta = ZERO,
    override_opens_at: dt.datetime | None = None,
    override_closes_at: dt.datetime | None = None,
    grace: dt.timedelta = ZERO,
) -> Timing:
    """The phase of one person's attempt (or of their chance to start one) at ``now``."""
    if extra_time < ZERO or grace < ZERO:
        raise ValueError("extra time and grace cannot be negative")
    if time_limit is not None and time_limit <= ZERO:
        raise ValueError("the time limit must be positive")
    opens = override_opens_at if override_opens_at is not None else opens_at
    closes = override_closes_at if override_closes_at is not None else closes_at

    if started_at is None:
        if opens is not None and now < opens:
            phase = Phase.NOT_OPEN
        elif closes is not None and now >= closes:
            phase = Phase.CLOSED
        else:
            phase = Phase.OPEN
        return Timing(phase, None, None, None, opens, closes)

    candidates = []
    if time_limit is not None:
        candidates.append(started_at + time_limit + extra_time)
    if closes is not None:
        candidates.append(closes)
    deadline = min(candidates) if candidates else None
    accept_until = deadline + grace if deadline is not None else None
    remaining = max(deadline - now, ZERO) if deadline is not None else None

    if finished_at is not None:
        phase = Phase.FINISHED
    elif deadline is None or now < deadline:
        phase = Phase.RUNNING
    elif accept_until is not None and now < accept_until:
        phase = Phase.GRACE
    else:
        phase = Phase.OVER
    return Timing(phase, deadline, accept_until, remaining, opens, closes)
