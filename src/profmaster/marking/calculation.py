"""Exact results of the automated assessment system (SPEC SC-4, MS-2). Pure: no Django import.

Points are exact rationals (``Fraction``) until the very end; only the final totals are rounded,
to 2 decimals, half-up. Judgement: weight × mean(expert marks) / 3 (the WorldSkills convention);
measurement-binary: the weight or 0; measurement-discrete: the points of the chosen level.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from math import lcm
from typing import Any, NamedTuple

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


def _assemble(order: Iterable[tuple[str, str]], buckets: Mapping[tuple[str, str], dict[int, int]],
              parts: dict[str, tuple[int, int]], scale: Mapping[int, int] | None = None,
              common: int | None = None) -> Totals:
    """Totals from per-sub-criterion numerators kept per denominator, merged in the scheme's order.

    With ``common`` (a multiple of every denominator) and ``scale`` (denominator → common // denominator),
    each subtotal is one integer over ``common`` — the fast path of :func:`scheme_totals`.
    """
    if common is None or scale is None:
        dens = {den for bucket in buckets.values() for den in bucket}
        common = lcm(*dens) if dens else 1
        scale = {den: common // den for den in dens}
    by_sub: dict[str, int] = {}
    by_criterion: dict[str, int] = {}
    total = 0
    for key in order:
        bucket = buckets.get(key)
        if bucket is None:
            continue
        criterion, sub_criterion = key
        value = sum(num * scale[den] for den, num in bucket.items())
        by_sub[sub_criterion] = by_sub.get(sub_criterion, 0) + value
        by_criterion[criterion] = by_criterion.get(criterion, 0) + value
        total += value
    return Totals(parts, {code: Fraction(value, common) for code, value in by_sub.items()},
                  {code: Fraction(value, common) for code, value in by_criterion.items()},
                  Fraction(total, common))


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
    return _assemble(list(buckets), buckets, parts)


@dataclass
class SchemeTotals:
    """The exact totals of every team of a scheme, from the database's per-aspect sums (SC-4)."""

    #: team → totals, for the teams with every aspect marked.
    totals: dict[Hashable, Totals]
    #: team → how many of the scheme's aspects have a mark.
    marked: dict[Hashable, int]
    #: (team, aspect key) of judgement aspects whose marks differ by more than the limit.
    spread: list[tuple[Hashable, Hashable]]


def scheme_totals(
    aspects: Sequence[tuple[Hashable, str, str, AspectSpec]],
    sums: Iterable[tuple[Any, ...]],
    *,
    spread_limit: int = 1,
) -> SchemeTotals:
    """Totals of all teams of a scheme in one pass — the results page, the lock and a full recompute.

    ``aspects`` lists (key, criterion code, sub-criterion code, spec) in the scheme's order; ``sums``
    yields (team, aspect key, sum, count, lowest, highest, …) of each aspect's current marks — a GROUP
    BY's rows (for binary and discrete aspects the one mark is the sum); further items are ignored. Exactly what
    :func:`team_totals` gives for each team from its marks, without building a mark per aspect:
    judgement points are weight × sum / (3 × count), so the sum and count are all the arithmetic
    needs. Rows of an aspect not in ``aspects`` are ignored.
    """
    cache: dict[Decimal, tuple[int, int]] = {}
    prepared: dict[Hashable, tuple[tuple[str, str], str, str, int, int, dict[str, tuple[int, int]]]] = {}
    for key, criterion, sub_criterion, spec in aspects:
        num, den = _ratio(spec.weight, cache)
        levels = {level: _ratio(points, cache) for level, points in spec.levels.items()}
        prepared[key] = ((criterion, sub_criterion), spec.code, spec.kind, num, den, levels)
    order = list(dict.fromkeys(sub for sub, *_rest in prepared.values()))
    parts: dict[Hashable, dict[str, tuple[int, int]]] = {}
    buckets: dict[Hashable, dict[tuple[str, str], dict[int, int]]] = {}
    spread: list[tuple[Hashable, Hashable]] = []
    for team, key, total, count, low, high, *_rest in sums:
        info = prepared.get(key)
        if info is None:
            continue
        sub, code, kind, num, den, levels = info
        if kind == JUDGEMENT:
            if count < 1 or low < 0 or high > 3:  # as team_totals refuses any one mark outside 0–3
                raise MarkError(f"judgement marks of {code} out of range")
            num, den = num * total, den * 3 * count
            if high - low > spread_limit:
                spread.append((team, key))
        elif kind == BINARY:
            if not total:
                num, den = 0, 1
        elif kind == DISCRETE:
            try:
                num, den = levels[str(total)]
            except KeyError:
                raise MarkError(f"unknown level {total!r} for aspect {code}") from None
        else:
            raise MarkError(f"unknown aspect kind {kind!r}")
        team_parts = parts.get(team)
        if team_parts is None:
            team_parts = parts[team] = {}
            buckets[team] = {}
        team_parts[code] = (num, den)
        bucket = buckets[team].get(sub)
        if bucket is None:
            bucket = buckets[team][sub] = {}
        bucket[den] = bucket.get(den, 0) + num
    complete = len(prepared)
    dens = {den for team_buckets in buckets.values() for bucket in team_buckets.values() for den in bucket}
    common = lcm(*dens) if dens else 1
    scale = {den: common // den for den in dens}
    return SchemeTotals({team: _assemble(order, buckets[team], team_parts, scale, common)
                         for team, team_parts in parts.items() if len(team_parts) == complete},
                        {team: len(team_parts) for team, team_parts in parts.items()}, spread)
