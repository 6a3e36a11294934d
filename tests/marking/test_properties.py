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


def _sums(code_of: dict[str, int], marks: dict[str, object]) -> list[tuple[int, int, int, int, int]]:
    """What the database's GROUP BY gives for one team: (aspect key, sum, count, lowest, highest)."""
    rows = []
    for code, mark in marks.items():
        values = mark if isinstance(mark, list) else [int(mark)]
        rows.append((code_of[code], sum(values), len(values), min(values), max(values)))
    return rows


@settings(max_examples=150, deadline=None)
@given(scheme_and_marks(), st.lists(st.integers(0, 3), min_size=0, max_size=5), st.randoms())
def test_sc4_scheme_totals_equal_each_teams_totals(data, extra_team_marks, random):
    """SC-4: the one-pass totals of a whole scheme from summed marks (the results page, the lock, a full
    recompute) equal :func:`team_totals` of each team from its individual marks, with the same spread flags;
    a team with an aspect unmarked gets no totals but its count of marked aspects."""
    aspects, marks = data
    keys = {spec.code: 100 + n for n, (_c, _s, spec) in enumerate(aspects)}
    rows = [(keys[spec.code], criterion, sub, spec) for criterion, sub, spec in aspects]
    # A second team with other judgement marks, and a third with its first aspect unmarked.
    other = {code: (random.sample(extra_team_marks, len(extra_team_marks)) if isinstance(m, list) and extra_team_marks
                    else m) for code, m in marks.items()}
    partial = dict(list(marks.items())[1:])
    sums = [(team, *row) for team, team_marks in (("a", marks), ("b", other), ("c", partial))
            for row in _sums(keys, team_marks)]
    sums.append(("a", 999, 5, 1, 5, 5))  # a mark of an aspect that is not in the scheme is ignored
    random.shuffle(sums)
    result = calculation.scheme_totals(rows, sums, spread_limit=1)
    for team, team_marks in (("a", marks), ("b", other)):
        expected = calculation.team_totals(aspects, team_marks)
        got = result.totals[team]
        assert (got.total, got.by_criterion, got.by_sub_criterion, got.by_aspect) == (
            expected.total, expected.by_criterion, expected.by_sub_criterion, expected.by_aspect)
        assert list(got.by_criterion) == list(expected.by_criterion)  # the scheme's order
        assert list(got.by_sub_criterion) == list(expected.by_sub_criterion)
        flagged = {code for code, mark in team_marks.items() if isinstance(mark, list)
                   and calculation.spread_flagged(mark, 1)}
        assert {key for t, key in result.spread if t == team} == {keys[code] for code in flagged}
    assert "c" not in result.totals
    assert result.marked.get("c", 0) == len(aspects) - 1
