"""The deadlines of the УПМ algorithm (seed 001), as plain date arithmetic with no Django import.

Stages I–III end on a fixed day of the festival (31.10 by default). Stages IV and V end «не менее, чем за 5 дней
до даты проведения УПМ», stage VI «не менее, чем за 2 дня»: counted in calendar days of the festival's zone, a
lesson on 20.11 must be created (and its pupils confirmed) by the end of 15.11, its equipment delivered by the end
of 18.11. The callers turn «the end of that day» into a moment with ``championships.timezones.end_of_local_day``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Stages IV (the venue creates the lesson) and V (parents confirm): days before the lesson's date.
LESSON_LEAD_DAYS = 5
#: Stage VI (equipment and consumables reach the school): days before the lesson's date.
DELIVERY_LEAD_DAYS = 2


def last_day(lesson_day: dt.date, lead_days: int) -> dt.date:
    """The last calendar day on which a step «at least ``lead_days`` days before» a lesson on ``lesson_day``
    may still be taken."""
    return lesson_day - dt.timedelta(days=lead_days)


def in_time(today: dt.date, lesson_day: dt.date, lead_days: int) -> bool:
    """Whether a step taken on ``today`` (the festival zone's calendar) is at least ``lead_days`` before."""
    return today <= last_day(lesson_day, lead_days)


@dataclass(frozen=True)
class StageDeadline:
    """A stage's number and the last day it may be completed (None: counted per lesson)."""

    number: str
    last_day: dt.date | None
    lead_days: int | None = None


def algorithm_deadlines(stages_deadline: dt.date) -> list[StageDeadline]:
    """Stages I–VII with their deadlines: the festival's fixed day for I–III, per lesson for IV–VII."""
    return [
        StageDeadline("I", stages_deadline), StageDeadline("II", stages_deadline),
        StageDeadline("III", stages_deadline),
        StageDeadline("IV", None, LESSON_LEAD_DAYS), StageDeadline("V", None, LESSON_LEAD_DAYS),
        StageDeadline("VI", None, DELIVERY_LEAD_DAYS), StageDeadline("VII", None, 0),
    ]
