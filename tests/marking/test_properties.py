"""Hypothesis properties of the exact results (SC-4): a total never exceeds the scheme's maximum, and the
order in which marks are entered does not change any result."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from profmaster.marking import calculation
from profmaster.marking.calculation import AspectSpec

weights = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2.00"), places=2)


@st.composite
def scheme_and_marks(draw):
    aspects, marks = [], {}
    for index in range(draw(st.integers(min_value=1, max_value=25))):
        code = f"A{index}"
        kind = draw(st.sampled_from(calculation.KINDS))
        weight = draw(weights)
        if kind == calculation.DISCRETE:
            levels = {str(n): draw(st.decimals(min_value=0, max_value=weight, places=2)) for n in range(3)}
            spec = AspectSpec(code, kind, weight, levels)
            marks[code] = draw(st.sampled_from(sorted(levels)))
        else:
            spec = AspectSpec(code, kind, weight)
            marks[code] = (draw(st.lists(st.integers(0, 3), min_size=1, max_size=6)) if kind == calculation.JUDGEMENT
                           else draw(st.booleans()))
        aspects.append((f"C{index % 4}", f"S{index % 7}", spec))
    return aspects, marks


@settings(max_examples=200, deadline=None)
@given(scheme_and_marks())
def test_sc4_total_never_exceeds_the_scheme_maximum(data):
    aspects, marks = data
    totals = calculation.team_totals(aspects, marks)
    maximum = sum((spec.weight for _c, _s, spec in aspects), Decimal(0))
    assert totals.rounded_total <= maximum
    assert totals.total >= 0


@settings(max_examples=200, deadline=None)
@given(scheme_and_marks(), st.randoms())
def test_sc4_order_of_entry_does_not_change_results(data, random):
    aspects, marks = data
    shuffled_items = list(marks.items())
    random.shuffle(shuffled_items)
    reordered = {}
    for code, mark in shuffled_items:  # experts' marks arrive in another order too
        reordered[code] = random.sample(mark, len(mark)) if isinstance(mark, list) else mark
    shuffled_aspects = random.sample(aspects, len(aspects))
    a, b = calculation.team_totals(aspects, marks), calculation.team_totals(shuffled_aspects, reordered)
    assert a.total == b.total and a.by_criterion == b.by_criterion and a.by_sub_criterion == b.by_sub_criterion
