"""OP-1: the pure draw of flows and workplaces — deterministic, fair, constrained, verifiable."""

from __future__ import annotations

import itertools
import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profmaster.competition_day import draw
from profmaster.competition_day.draw import DrawImpossible, Flow, FlowDrawInputs, Team, WorkplaceDrawInputs

SECRET = "00" * 32
FLOWS = [
    Flow.of("A", "2026-03-02T09:00:00+03:00", "2026-03-02T13:00:00+03:00", 2),
    Flow.of("B", "2026-03-02T14:00:00+03:00", "2026-03-02T18:00:00+03:00", 2),
    Flow.of("C", "2026-03-03T09:00:00+03:00", "2026-03-03T13:00:00+03:00", 1),
]
TEAMS = [Team.of(1, ["m1"]), Team.of(2, ["m1"]), Team.of(3, ["m2"]), Team.of(4), Team.of(5, ["m2"])]


def test_op1_known_vector_is_the_same_on_every_machine():
    """OP-1: a fixed secret, contributions and inputs give this exact seed and result, forever (v1)."""
    record = draw.run("flows", FlowDrawInputs.of(TEAMS, FLOWS), secret=SECRET, contributions=["Иванова", "  Пётр "])
    assert record.commitment == "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"
    assert record.seed == "1b7fca4eff50ee4689ab06d3ce6f6dede17915e8408af883a4452d88f0799ca8"
    assert record.result == {"1": "B", "2": "C", "3": "A", "4": "A", "5": "B"}
    assert record.algorithm == "sha256-ctr-slots-v1"
    assert record.contributions == ["Иванова", "Пётр"]
    workplaces = draw.run("workplaces", WorkplaceDrawInputs.of({"A": ["1", "2"], "B": ["3", "5"]},
                                                               ["РМ-1", "РМ-2", "РМ-3"]),
                          secret=SECRET, contributions=[])
    assert workplaces.result == {"A": {"1": "РМ-2", "2": "РМ-1"}, "B": {"3": "РМ-2", "5": "РМ-1"}}


def test_op1_input_order_does_not_matter():
    """OP-1: the inputs are put in canonical order before the draw, so listing them otherwise changes nothing."""
    seed = draw.seed_of(SECRET, ["x"])
    forward = draw.draw_flows(FlowDrawInputs.of(TEAMS, FLOWS), seed)
    backward = draw.draw_flows(FlowDrawInputs.of(list(reversed(TEAMS)), list(reversed(FLOWS))), seed)
    assert forward == backward


def test_op1_seed_ignores_contribution_order_and_unicode_form():
    """OP-1: «ё» typed as one letter or as е + combining diaeresis is the same contribution; order is irrelevant."""
    decomposed = unicodedata.normalize("NFD", "Орёл")
    assert decomposed != "Орёл"
    assert draw.seed_of(SECRET, ["Орёл", "Пьеха"]) == draw.seed_of(SECRET, ["Пьеха ", decomposed])
    assert draw.seed_of(SECRET, ["Орёл"]) != draw.seed_of(SECRET, ["Орел"])
    assert draw.seed_of(SECRET, ["", "  "]) == draw.seed_of(SECRET, [])


def test_op1_mentor_never_gets_overlapping_flows():
    """OP-1 / REG-11: a mentor's two teams are never in the same or overlapping flows, whatever the seed."""
    for n in range(200):
        result = draw.draw_flows(FlowDrawInputs.of(TEAMS, FLOWS), draw.seed_of(SECRET, [str(n)]))
        assert result["1"] != result["2"]
        assert result["3"] != result["5"]
        assert Counter(result.values()) <= Counter({"A": 2, "B": 2, "C": 1})


def test_op1_backtracks_where_taking_the_first_place_fails():
    """OP-1: the mentor's three teams need the three disjoint flows; an overlapping flow is used by others."""
    flows = [Flow.of("morning", "2026-03-02T09:00:00+00:00", "2026-03-02T12:00:00+00:00", 1),
             Flow.of("noon", "2026-03-02T11:00:00+00:00", "2026-03-02T14:00:00+00:00", 1),
             Flow.of("afternoon", "2026-03-02T13:00:00+00:00", "2026-03-02T16:00:00+00:00", 1),
             Flow.of("evening", "2026-03-02T16:00:00+00:00", "2026-03-02T19:00:00+00:00", 1)]
    teams = [Team.of("a", ["m"]), Team.of("b", ["m"]), Team.of("c", ["m"]), Team.of("d")]
    for n in range(100):
        result = draw.draw_flows(FlowDrawInputs.of(teams, flows), draw.seed_of(SECRET, [str(n)]))
        assert {result["a"], result["b"], result["c"]} == {"morning", "afternoon", "evening"}
        assert result["d"] == "noon"


def test_op1_draw_is_fair_between_teams():
    """OP-1: without constraints every team lands in every flow equally often (600 fixed seeds, 3 × 3)."""
    flows = [Flow.of(name, f"2026-03-0{day}T09:00:00+00:00", f"2026-03-0{day}T12:00:00+00:00", 1)
             for day, name in ((2, "A"), (3, "B"), (4, "C"))]
    teams = [Team.of(t) for t in "xyz"]
    counts = Counter()
    for n in range(600):
        for team, flow in draw.draw_flows(FlowDrawInputs.of(teams, flows), draw.seed_of(SECRET, [str(n)])).items():
            counts[team, flow] += 1
    assert len(counts) == 9
    assert all(140 <= count <= 260 for count in counts.values()), counts


def test_op1_too_few_places_is_reported_not_broken():
    """OP-1: more teams than places — refused with the numbers, nothing drawn."""
    teams = [Team.of(n) for n in range(6)]
    with pytest.raises(DrawImpossible) as caught:
        draw.draw_flows(FlowDrawInputs.of(teams, FLOWS), draw.seed_of(SECRET, []))
    assert caught.value.code == "capacity"
    assert caught.value.reason.startswith("Команд 6, а мест во всех потоках 5")


def test_op1_mentor_with_more_teams_than_disjoint_flows_is_named():
    """OP-1 / REG-11: a mentor with three teams and two non-overlapping flows cannot be drawn; the mentor is named."""
    flows = [Flow.of("A", "2026-03-02T09:00:00+00:00", "2026-03-02T12:00:00+00:00", 3),
             Flow.of("B", "2026-03-02T13:00:00+00:00", "2026-03-02T16:00:00+00:00", 3)]
    teams = [Team.of(n, ["Шевчук Т. А."]) for n in range(3)]
    with pytest.raises(DrawImpossible) as caught:
        draw.draw_flows(FlowDrawInputs.of(teams, flows), draw.seed_of(SECRET, []))
    assert caught.value.code == "mentor"
    assert caught.value.subjects == ("Шевчук Т. А.",)


def test_op1_workplaces_distinct_and_bounded():
    """OP-1: in a flow no two teams share a workplace; more teams than workplaces is refused."""
    inputs = WorkplaceDrawInputs.of({"A": ["1", "2", "3"]}, ["РМ-1", "РМ-2", "РМ-3", "РМ-4"])
    result = draw.draw_workplaces(inputs, draw.seed_of(SECRET, []))
    assert sorted(result["A"]) == ["1", "2", "3"]
    assert len(set(result["A"].values())) == 3
    with pytest.raises(DrawImpossible) as caught:
        draw.draw_workplaces(WorkplaceDrawInputs.of({"A": ["1", "2", "3"]}, ["РМ-1"]), draw.seed_of(SECRET, []))
    assert caught.value.code == "capacity"


def test_op1_flow_times_need_a_zone_and_an_order():
    """OP-1: a flow time without a zone, or one ending before it starts, is refused (no silent guess)."""
    with pytest.raises(ValueError, match="time zone"):
        Flow.of("A", "2026-03-02T09:00:00", "2026-03-02T12:00:00+03:00", 1)
    with pytest.raises(ValueError, match="ends before"):
        Flow.of("A", "2026-03-02T12:00:00+03:00", "2026-03-02T09:00:00+03:00", 1)


def test_op1_verify_matches_and_reports_every_tampering():
    """OP-1: the verifier re-runs the record; a changed result, secret or contribution is reported."""
    record = draw.run("flows", FlowDrawInputs.of(TEAMS, FLOWS), secret=SECRET, contributions=["Иванова"]).as_dict()
    assert draw.verify(record) == []

    moved = {**record, "result": {**record["result"], "4": "C" if record["result"]["4"] != "C" else "A"}}
    assert any(line.startswith("4: записано") for line in draw.verify(moved))

    other_secret = {**record, "secret": "11" * 32}
    problems = draw.verify(other_secret)
    assert "Раскрытый секрет не соответствует опубликованному до жеребьёвки обязательству." in problems
    assert any(p.startswith("Зерно не совпадает") for p in problems)

    added = {**record, "contributions": ["Иванова", "Петров"]}
    assert any(p.startswith("Зерно не совпадает") for p in draw.verify(added))

    broken = {**record, "inputs": {"teams": [{"id": "1"}], "flows": []}}
    assert draw.verify(broken)[-1].startswith("Исходные данные жеребьёвки повреждены")
    assert draw.verify({**record, "algorithm": "random"})[0].startswith("Алгоритм 'random' не поддерживается")


flow_strategy = st.lists(st.tuples(st.integers(0, 20), st.integers(1, 6), st.integers(0, 3)), min_size=1, max_size=5)
team_strategy = st.lists(st.lists(st.sampled_from(["m1", "m2", "m3"]), max_size=2), max_size=8)


@settings(max_examples=120, deadline=None)
@given(flow_strategy, team_strategy, st.text(max_size=8))
def test_op1_property_constraints_hold_or_draw_is_refused(flow_specs, team_specs, contribution):
    """OP-1 property: a draw either meets capacity and the mentors' non-overlap, or says why it cannot."""
    flows = [Flow.of(f"f{i}", f"2026-03-02T{start:02d}:00:00+00:00", f"2026-03-0{2 + (start + length) // 24}T"
                     f"{(start + length) % 24:02d}:00:00+00:00", capacity)
             for i, (start, length, capacity) in enumerate(flow_specs)]
    teams = [Team.of(f"t{i}", mentors) for i, mentors in enumerate(team_specs)]
    inputs = FlowDrawInputs.of(teams, flows)
    seed = draw.seed_of(SECRET, [contribution])
    try:
        result = draw.draw_flows(inputs, seed)
    except DrawImpossible as exc:
        assert exc.reason
        if len(teams) <= 6:  # small enough to check by brute force that no assignment exists
            assert not any(_valid(dict(zip([t.id for t in teams], choice, strict=True)), teams, flows)
                           for choice in itertools.product([f.id for f in flows], repeat=len(teams)))
        return
    assert sorted(result) == sorted(t.id for t in teams)
    assert _valid(result, teams, flows)
    assert draw.draw_flows(inputs, seed) == result


def _valid(result, teams, flows) -> bool:
    by_id = {f.id: f for f in flows}
    if any(Counter(result.values())[f.id] > f.capacity for f in flows):
        return False
    return not any(a.id < b.id and set(a.mentors) & set(b.mentors) and by_id[result[a.id]].overlaps(by_id[result[b.id]])
                   for a in teams for b in teams)
