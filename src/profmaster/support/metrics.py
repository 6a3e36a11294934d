"""Time to the first answer (RM-6): pure arithmetic, no Django, so the table of tests covers it exactly.

The Directorate reads, per request, how long its author waited for the first answer of the support staff
and, per event, the median over the answered requests (the median, not the mean: one request answered after
a weekend must not hide that the others were answered in minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def first_answer_wait(created_at: dt.datetime, first_answer_at: dt.datetime | None) -> dt.timedelta | None:
    """How long the author waited; None while nobody has answered. A clock skew never gives a negative wait."""
    if first_answer_at is None:
        return None
    return max(first_answer_at - created_at, dt.timedelta(0))


def median_wait(waits: Iterable[dt.timedelta | None]) -> dt.timedelta | None:
    """The median of the waits of answered requests (unanswered ones are left out); None when there are none.

    An even count gives the mean of the two middle waits, to the whole second (half a second rounds down).
    """
    values = sorted(w for w in waits if w is not None)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    total = values[middle - 1] + values[middle]
    return dt.timedelta(seconds=int(total.total_seconds()) // 2)


def format_wait(wait: dt.timedelta | None) -> str:
    """«45 с», «12 мин», «2 ч 05 мин», «3 дн 4 ч»; «—» while there is no answer."""
    if wait is None:
        return "—"
    seconds = int(wait.total_seconds())
    if seconds < 60:
        return f"{seconds} с"
    minutes, _seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} мин"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} ч {minutes:02d} мин"
    days, hours = divmod(hours, 24)
    return f"{days} дн {hours} ч"
