"""Exact results of the automated assessment system (SPEC SC-4, MS-2). Pure: no Django import.

Points are exact rationals (``Fraction``) until the very end; only the final totals are rounded,
to 2 decimals, half-up. Judgement: weight × mean(expert marks) / 3 (the WorldSkills convention);
measurement-binary: the weight or 0; measurement-discrete: the points of the chosen level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from math import lcm
from typing import NamedTuple

JUDGEMENT = "judgement"
BINARY = "binary"
DISCRETE = "discrete"
KINDS = (JUDGEMENT, BINARY, DISCRETE)
JUDGEMENT_MARKS = (0, 1, 2, 3)
CENT = Decimal("0.01")


class MarkError(ValueError):
    """A mark that does not fit its aspect (e.g. 4 on a 0–3 scale)."""


@dataclass(frozen=True)
class AspectSpec:
    code: str
    kind: str
    weight: Decimal
    #: For discrete aspects: level → points (each ≤ weight).
    levels: Mapping[str, Decimal] = field(default_factory=dict)


def exact_half_up(value: Fraction) -> Decimal:
    """Round an exact value half-up to 2 decimals — the only rounding in the system.

    Works on the fraction itself, so no intermediate Decimal context can round first.
    """
    scaled = abs(value) * 100
    cents = scaled.numerator // scaled.denominator
    if scaled - cents >= Fraction(1, 2):
        cents += 1
    sign = -1 if value < 0 else 1
    return (Decimal(sign * cents) / 100).quantize(CENT)


def judgement_points(weight: Decimal, marks: Sequence[int]) -> Fraction:
    """weight × mean(marks) / 3, exactly."""
    if not marks:
        raise MarkError("no expert marks")
    for mark in marks:
        if isinstance(mark, bool) or mark not in JUDGEMENT_MARKS:
            raise MarkError(f"judgement mark must be 0, 1, 2 or 3, got {mark!r}")
    return Fraction(weight) * Fraction(sum(marks), len(marks)) / 3


def binary_points(weight: Decimal, achieved: bool) -> Fraction:
    if not isinstance(achieved, bool):
        raise MarkError(f"binary mark must be yes or no, got {achieved!r}")
    return Fraction(weight) if achieved else Fraction(0)


def discrete_points(spec: AspectSpec, level: str) -> Fraction:
    try:
        return Fraction(spec.levels[level])
    except KeyError:
        raise MarkError(f"unknown level {level!r} for aspect {spec.code}") from None


def aspect_points(spec: AspectSpec, mark: object) -> Fraction:
    """Exact points of one aspect from its mark: a list of expert marks, a yes/no, or a level."""
    if spec.kind == JUDGEMENT:
        if not isinstance(mark, list | tuple):
            raise MarkError("judgement aspects take one mark per expert")
        return judgement_points(spec.weight, list(mark))
    if spec.kind == BINARY:
        return binary_points(spec.weight, mark)  # type: ignore[arg-type]
    if spec.kind == DISCRETE:
        return discrete_points(spec, str(mark))
    raise MarkError(f"unknown aspect kind {spec.kind!r}")


def judgement_spread(marks: Sequence[int]) -> int:
    """The largest difference between two experts' marks of one aspect."""
    return max(marks) - min(marks) if marks else 0


def spread_flagged(marks: Sequence[int], limit: int = 1) -> bool:
    """SC-4: judgement marks differing by more than ``limit`` must be re-marked or resolved."""
    return judgement_spread(marks) > limit


@dataclass(frozen=True)
class Totals:
    """Exact subtotals and the rounded totals shown to people."""

    #: aspect code → exact points as (numerator, denominator); :attr:`by_aspect` gives fractions.
    aspect_parts: dict[str, tuple[int, int]]
    by_sub_criterion: dict[str, Fraction]
    by_criterion: dict[str, Fraction]
    total: Fraction

    @cached_property
    def by_aspect(self) -> dict[str, Fraction]:
        return {code: Fraction(num, den) for code, (num, den) in self.aspect_parts.items()}

    @property
    def rounded_total(self) -> Decimal:
        return exact_half_up(self.total)

    def rounded(self, exact: Mapping[str, Fraction]) -> dict[str, Decimal]:
        return {code: exact_half_up(value) for code, value in exact.items()}


class JudgementSum(NamedTuple):
    """The experts' judgement marks of one aspect already summed (e.g. by the database): exactly the same
    as the list of marks, since the mean only needs their sum and count."""

    total: int
    experts: int


def _ratio(value: Decimal, cache: dict[Decimal, tuple[int, int]]) -> tuple[int, int]:
    found = cache.get(value)
    if found is None:
        found = cache[value] = Decimal(value).as_integer_ratio()
    return found


def _scaled(spec: AspectSpec, mark: object, cache: dict[Decimal, tuple[int, int]]) -> tuple[int, int]:
    """Exact points of one aspect as an integer (numerator, denominator) — no Fraction on the hot path."""
    if spec.kind == JUDGEMENT:
        if isinstance(mark, JudgementSum):
            total, count = mark.total, mark.experts
            if count < 1 or not 0 <= total <= 3 * count:
                raise MarkError(f"judgement marks of {spec.code} out of range")
        elif isinstance(mark, list | tuple):
            if not mark:
                raise MarkError("no expert marks")
            for value in mark:
                if isinstance(value, bool) or value not in JUDGEMENT_MARKS:
                    raise MarkError(f"judgement mark must be 0, 1, 2 or 3, got {value!r}")
            total, count = sum(mark), len(mark)
        else:
            raise MarkError("judgement aspects take one mark per expert")
        num, den = _ratio(spec.weight, cache)
        return num * total, den * 3 * count
    if spec.kind == BINARY:
        if not isinstance(mark, bool):
            raise MarkError(f"binary mark must be yes or no, got {mark!r}")
        num, den = _ratio(spec.weight, cache)
        return (num, den) if mark else (0, 1)
    if spec.kind == DISCRETE:
        try:
            return _ratio(spec.levels[str(mark)], cache)
        except KeyError:
            raise MarkError(f"unknown level {mark!r} for aspect {spec.code}") from None
    raise MarkError(f"unknown aspect kind {spec.kind!r}")


def _exact(parts: dict[int, int]) -> Fraction:
    """One fraction from numerators kept per denominator, by integer arithmetic (one normalisation)."""
    if len(parts) == 1:
        ((den, num),) = parts.items()
        return Fraction(num, den)
    common = lcm(*parts)
    return Fraction(sum(num * (common // den) for den, num in parts.items()), common)


def _merge(into: dict[int, int], parts: dict[int, int]) -> None:
    for den, num in parts.items():
        into[den] = into.get(den, 0) + num


def team_totals(
    aspects: Iterable[tuple[str, str, AspectSpec]],
    marks: Mapping[str, object],
) -> Totals:
    """Sum one team's marks exactly.

    ``aspects`` yields (criterion code, sub-criterion code, aspect spec); ``marks`` maps aspect code
    to its mark. Every aspect must be marked (SC-2: a not-attempted aspect gets 0, not nothing).
    Numerators are summed per denominator in integers and turned into fractions once per subtotal,
    which is exact and an order of magnitude faster than adding fractions aspect by aspect.
    """
    cache: dict[Decimal, tuple[int, int]] = {}
    parts: dict[str, tuple[int, int]] = {}
    buckets: dict[tuple[str, str], dict[int, int]] = {}
    for criterion, sub_criterion, spec in aspects:
        if spec.code not in marks:
            raise MarkError(f"aspect {spec.code} has no mark")
        num, den = parts[spec.code] = _scaled(spec, marks[spec.code], cache)
        bucket = buckets.get((criterion, sub_criterion))
        if bucket is None:
            bucket = buckets[(criterion, sub_criterion)] = {}
        bucket[den] = bucket.get(den, 0) + num
    sub_parts: dict[str, dict[int, int]] = {}
    criterion_parts: dict[str, dict[int, int]] = {}
    everything: dict[int, int] = {}
    for (criterion, sub_criterion), bucket in buckets.items():
        _merge(sub_parts.setdefault(sub_criterion, {}), bucket)
        _merge(criterion_parts.setdefault(criterion, {}), bucket)
        _merge(everything, bucket)
    return Totals(parts, {code: _exact(p) for code, p in sub_parts.items()},
                  {code: _exact(p) for code, p in criterion_parts.items()},
                  _exact(everything) if everything else Fraction(0))
