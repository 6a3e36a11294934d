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

    by_aspect: dict[str, Fraction]
    by_sub_criterion: dict[str, Fraction]
    by_criterion: dict[str, Fraction]
    total: Fraction

    @property
    def rounded_total(self) -> Decimal:
        return exact_half_up(self.total)

    def rounded(self, exact: Mapping[str, Fraction]) -> dict[str, Decimal]:
        return {code: exact_half_up(value) for code, value in exact.items()}


def team_totals(
    aspects: Iterable[tuple[str, str, AspectSpec]],
    marks: Mapping[str, object],
) -> Totals:
    """Sum one team's marks exactly.

    ``aspects`` yields (criterion code, sub-criterion code, aspect spec); ``marks`` maps aspect code
    to its mark. Every aspect must be marked (SC-2: a not-attempted aspect gets 0, not nothing).
    """
    by_aspect: dict[str, Fraction] = {}
    by_sub: dict[str, Fraction] = {}
    by_criterion: dict[str, Fraction] = {}
    for criterion, sub_criterion, spec in aspects:
        if spec.code not in marks:
            raise MarkError(f"aspect {spec.code} has no mark")
        points = aspect_points(spec, marks[spec.code])
        by_aspect[spec.code] = points
        by_sub[sub_criterion] = by_sub.get(sub_criterion, Fraction(0)) + points
        by_criterion[criterion] = by_criterion.get(criterion, Fraction(0)) + points
    return Totals(by_aspect, by_sub, by_criterion, sum(by_aspect.values(), Fraction(0)))
