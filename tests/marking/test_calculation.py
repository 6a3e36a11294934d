"""SC-4 / MS-2: exact points, exact sums, one rounding at the end (pure module)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.marking.calculation import (
    AspectSpec,
    MarkError,
    aspect_points,
    exact_half_up,
    judgement_points,
    scheme_totals,
    spread_flagged,
    team_totals,
)


@pytest.mark.parametrize(("weight", "marks", "expected"), [
    ("2.00", [3, 3, 3], Fraction(2)),
    ("2.00", [2, 2, 3], Fraction(14, 9)),     # 2 × 7/3 / 3
    ("1.50", [0, 1, 2, 3], Fraction(3, 4)),   # 1.5 × 1.5 / 3
    ("0.50", [1], Fraction(1, 6)),
    ("2.00", [0, 0, 0, 0], Fraction(0)),
])
def test_sc4_judgement_points_are_weight_times_mean_over_three(weight, marks, expected):
    assert judgement_points(Decimal(weight), marks) == expected


@pytest.mark.parametrize("marks", [[], [4], [-1], [1.5], [True], ["2"]])
def test_sc4_judgement_marks_outside_0_to_3_are_refused(marks):
    with pytest.raises(MarkError):
        judgement_points(Decimal("1"), marks)


@pytest.mark.parametrize("marks", [[4], [0, 4], [4, 0, 0], [-1, 2]])
def test_sc4_scheme_totals_refuse_judgement_marks_outside_0_to_3_whatever_their_sum(marks):
    """The one-pass totals refuse what team_totals refuses, though 0 + 4 is a sum two marks in range could give."""
    rows = [("k", "A", "A1", AspectSpec("A1.1", "judgement", Decimal("1")))]
    with pytest.raises(MarkError, match="out of range"):
        scheme_totals(rows, [("team", "k", sum(marks), len(marks), min(marks), max(marks))])
    with pytest.raises(MarkError):
        team_totals([("A", "A1", rows[0][3])], {"A1.1": marks})


def test_ms2_binary_and_discrete_points():
    binary = AspectSpec("A1.1", "binary", Decimal("1.25"))
    discrete = AspectSpec("A1.2", "discrete", Decimal("2"), {"нет": Decimal("0"), "частично": Decimal("0.8"),
                                                                "полностью": Decimal("2")})
    assert (aspect_points(binary, True), aspect_points(binary, False)) == (Fraction(5, 4), Fraction(0))
    assert aspect_points(discrete, "частично") == Fraction(4, 5)
    with pytest.raises(MarkError, match="unknown level"):
        aspect_points(discrete, "почти")
    with pytest.raises(MarkError):
        aspect_points(binary, "да")


@pytest.mark.parametrize(("value", "rounded"), [
    (Fraction(14, 9), Decimal("1.56")),
    (Fraction(1, 200), Decimal("0.01")),      # exactly half a cent rounds up
    (Fraction(1, 201), Decimal("0.00")),
    (Fraction(2345, 1000), Decimal("2.35")),  # 2.345 → 2.35 (float would give 2.34)
    (Fraction(-2345, 1000), Decimal("-2.35")),
    (Fraction(100), Decimal("100.00")),
])
def test_sc4_final_rounding_is_half_up_to_two_decimals(value, rounded):
    assert exact_half_up(value) == rounded


def test_sc4_team_totals_sum_exactly_then_round_once():
    """Three aspects of 1/3 point each sum to exactly 1.00, not 0.99 from rounding each."""
    aspects = [("A", "A1", AspectSpec(f"A1.{i}", "judgement", Decimal("1"))) for i in range(1, 4)]
    totals = team_totals(aspects, {f"A1.{i}": [1, 1, 1] for i in range(1, 4)})
    assert totals.total == Fraction(1)
    assert totals.rounded_total == Decimal("1.00")
    assert totals.rounded(totals.by_aspect) == {"A1.1": Decimal("0.33"), "A1.2": Decimal("0.33"),
                                                "A1.3": Decimal("0.33")}


def test_sc4_subtotals_per_sub_criterion_and_criterion():
    aspects = [
        ("A", "A1", AspectSpec("A1.1", "judgement", Decimal("2"))),
        ("A", "A2", AspectSpec("A2.1", "binary", Decimal("1.5"))),
        ("B", "B1", AspectSpec("B1.1", "discrete", Decimal("2"), {"x": Decimal("0.5"), "y": Decimal("2")})),
    ]
    totals = team_totals(aspects, {"A1.1": [3, 2, 2], "A2.1": True, "B1.1": "x"})
    assert totals.rounded(totals.by_sub_criterion) == {"A1": Decimal("1.56"), "A2": Decimal("1.50"),
                                                       "B1": Decimal("0.50")}
    assert totals.rounded(totals.by_criterion) == {"A": Decimal("3.06"), "B": Decimal("0.50")}
    assert totals.rounded_total == Decimal("3.56")


def test_sc2_every_aspect_needs_a_mark():
    with pytest.raises(MarkError, match="has no mark"):
        team_totals([("A", "A1", AspectSpec("A1.1", "binary", Decimal("1")))], {})


@pytest.mark.parametrize(("marks", "limit", "flagged"), [
    ([1, 2, 2], 1, False), ([1, 3], 1, True), ([0, 2], 2, False), ([3], 1, False), ([0, 3, 3], 2, True),
])
def test_sc4_spread_above_limit_is_flagged(marks, limit, flagged):
    assert spread_flagged(marks, limit) is flagged


weights = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2.00"), places=2)
marks_lists = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=15)


@given(weight=weights, marks=marks_lists)
def test_sc4_judgement_points_stay_between_zero_and_weight(weight, marks):
    points = judgement_points(weight, marks)
    assert 0 <= points <= Fraction(weight)
    if all(m == 3 for m in marks):
        assert points == Fraction(weight)


@given(st.lists(st.tuples(weights, marks_lists), min_size=1, max_size=40))
def test_sc4_total_is_the_exact_sum_and_rounding_is_within_half_a_cent(items):
    aspects = [("A", "A1", AspectSpec(f"a{i}", "judgement", w)) for i, (w, _) in enumerate(items)]
    marks = {f"a{i}": m for i, (_, m) in enumerate(items)}
    totals = team_totals(aspects, marks)
    assert totals.total == sum(totals.by_aspect.values(), Fraction(0))
    assert abs(Fraction(totals.rounded_total) - totals.total) <= Fraction(1, 200)
