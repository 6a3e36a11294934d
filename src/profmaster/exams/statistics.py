"""Item statistics of an exam (classical test theory), free of Django.

Facility: the mean share of the question's points that examinees earned (0 — nobody, 1 — everybody).
Discrimination: the Pearson correlation between the share earned on the question and the share earned
on the rest of the paper (the corrected item–total correlation, as Moodle's «discrimination index»
is computed); ``None`` when it is undefined (fewer than two attempts or no spread).
Distribution: how many attempts earned none, less than half, half or more (not all), and all of the
question's points — the per-question chart of the statistics page.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ItemStats:
    question: int
    attempts: int
    facility: Decimal | None
    discrimination: Decimal | None
    #: attempts earning 0, (0, ½), [½, 1), 1 of the question's points
    distribution: tuple[int, int, int, int] = (0, 0, 0, 0)


def _bucket(share: Decimal) -> int:
    if share <= 0:
        return 0
    if share >= 1:
        return 3
    return 1 if share < Decimal("0.5") else 2


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def _q(value: float) -> Decimal:
    return Decimal(str(round(value, 4)))


def item_statistics(attempts: Sequence[Mapping[int, tuple[Decimal, Decimal]]]) -> list[ItemStats]:
    """``attempts``: per finished attempt, question → (points earned, maximum points)."""
    questions = sorted({q for attempt in attempts for q, (_, maximum) in attempt.items() if maximum > 0})
    result = []
    for question in questions:
        item: list[float] = []
        rest: list[float] = []
        buckets = [0, 0, 0, 0]
        for attempt in attempts:
            if question not in attempt:
                continue
            earned, maximum = attempt[question]
            rest_earned = sum((e for q, (e, m) in attempt.items() if q != question), Decimal(0))
            rest_max = sum((m for q, (e, m) in attempt.items() if q != question), Decimal(0))
            item.append(float(earned / maximum))
            buckets[_bucket(earned / maximum)] += 1
            rest.append(float(rest_earned / rest_max) if rest_max > 0 else 0.0)
        facility = _q(sum(item) / len(item)) if item else None
        correlation = _pearson(item, rest)
        result.append(ItemStats(question, len(item), facility, _q(correlation) if correlation is not None else None,
                                (buckets[0], buckets[1], buckets[2], buckets[3])))
    return result
