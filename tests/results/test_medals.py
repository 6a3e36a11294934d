"""AW-1…AW-4, AW-7: the pure ranking, medal, qualification and cup functions, with exact Decimal totals."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.results.medals import (
    BRONZE,
    GOLD,
    SILVER,
    Entry,
    allocate_medals,
    check_distribution,
    cup_places,
    medal_table,
    qualify,
    rank,
)


def E(*totals: str, out: tuple[int, ...] = ()) -> list[Entry]:
    return [Entry(i, D(t), i in out) for i, t in enumerate(totals, start=1)]


def places(allocation):
    return [(p.number, p.medal, p.team_ids, p.candidates) for p in allocation.places]


@pytest.mark.parametrize(("totals", "expected"), [
    # AW-3: exactly 2.00 below the best shares the place; 2.01 does not
    (("90.00", "88.00", "80.00", "70.00"), [(1, GOLD, (1, 2), ()), (2, SILVER, (3,), ()), (3, BRONZE, (4,), ())]),
    (("90.00", "87.99", "80.00", "70.00"), [(1, GOLD, (1,), ()), (2, SILVER, (2,), ()), (3, BRONZE, (3,), ())]),
    # a chain of near totals does not stretch the place: 87.50 is within 2 of 89.00 but not of 90.00
    (("90.00", "89.00", "87.50", "86.00", "84.00"),
     [(1, GOLD, (1, 2), ()), (2, SILVER, (3, 4), ()), (3, BRONZE, (5,), ())]),
    # ties at the cap: three equal totals share gold; the next place starts with the next team
    (("90.00", "90.00", "90.00", "70.00", "60.00"),
     [(1, GOLD, (1, 2, 3), ()), (2, SILVER, (4,), ()), (3, BRONZE, (5,), ())]),
    # fewer than three teams: fewer places
    (("50.00",), [(1, GOLD, (1,), ())]),
    (("50.00", "40.00"), [(1, GOLD, (1,), ()), (2, SILVER, (2,), ())]),
    ((), []),
    # three teams within 2.00 of gold: no silver or bronze left to anyone else? the rule starts silver with team 4
    (("90.00", "89.00", "88.00", "60.00", "59.00"),
     [(1, GOLD, (1, 2, 3), ()), (2, SILVER, (4, 5), ())]),
])
def test_aw3_shared_places(totals, expected):
    assert places(allocate_medals(E(*totals))) == expected


def test_aw4_more_than_cap_within_window_is_flagged_not_decided():
    allocation = allocate_medals(E("90.00", "89.50", "88.50", "88.00", "70.00"))
    assert not allocation.decided
    assert places(allocation) == [(1, GOLD, (), (1, 2, 3, 4))]
    assert allocation.medals() == {}


def test_aw4_more_than_cap_ties_on_a_later_place_keeps_earlier_places():
    allocation = allocate_medals(E("95.00", "80.00", "80.00", "80.00", "80.00", "50.00"))
    assert places(allocation) == [(1, GOLD, (1,), ()), (2, SILVER, (), (2, 3, 4, 5))]
    assert allocation.undecided_place.number == 2
    assert allocation.medals() == {1: GOLD}


def test_aw3_totals_are_rounded_to_two_decimals_before_the_window():
    # 88.005 rounds half up to 88.01: 1.99 below 90.00 → shares; 87.994 rounds to 87.99 → does not
    assert places(allocate_medals(E("90.00", "88.005")))[0][2] == (1, 2)
    assert places(allocate_medals(E("90.00", "87.994")))[0][2] == (1,)


def test_aw3_out_of_competition_at_the_top_takes_no_medal_and_no_window():
    allocation = allocate_medals(E("99.00", "90.00", "88.00", "85.00", out=(1,)))
    assert places(allocation) == [(1, GOLD, (2, 3), ()), (2, SILVER, (4,), ())]
    ranked = rank(E("99.00", "90.00", "90.00", "85.00", out=(1,)))
    assert [(r.team_id, r.rank) for r in ranked] == [(1, None), (2, 1), (3, 1), (4, 3)]


@pytest.mark.parametrize(("window", "cap", "expected"), [
    (D("0.00"), 3, [(1, GOLD, (1,), ()), (2, SILVER, (2,), ()), (3, BRONZE, (3,), ())]),
    (D("2.01"), 3, [(1, GOLD, (1, 2, 3), ()), (2, SILVER, (4,), ())]),
    (D("2.00"), 2, [(1, GOLD, (1, 2), ()), (2, SILVER, (3,), ()), (3, BRONZE, (4,), ())]),
    (D("5.00"), 2, [(1, GOLD, (), (1, 2, 3))]),
])
def test_aw3_window_and_cap_are_championship_data(window, cap, expected):
    assert places(allocate_medals(E("90.00", "88.00", "87.99", "70.00"), window=window, cap=cap)) == expected


def test_aw3_bad_rules_refused():
    with pytest.raises(ValueError):
        allocate_medals(E("1"), window=D("-1"))
    with pytest.raises(ValueError):
        allocate_medals(E("1"), cap=0)


def test_aw1_equal_totals_share_a_rank():
    assert [(r.team_id, r.rank, r.total) for r in rank(E("80.5", "90", "80.50", "70"))] == [
        (2, 1, D("90.00")), (1, 2, D("80.50")), (3, 2, D("80.50")), (4, 4, D("70.00"))]


def test_aw4_distribution_checks():
    entries = E("95.00", "80.00", "80.00", "80.00", "80.00", "50.00", "99.00", out=(7,))
    automatic = {1: GOLD}
    good = {1: GOLD, 2: SILVER, 3: SILVER, 4: SILVER, 5: SILVER, 6: BRONZE}
    assert check_distribution(entries, good, automatic) == []
    fewer = {1: GOLD, 2: SILVER, 3: SILVER, 4: BRONZE, 5: BRONZE}
    assert check_distribution(entries, fewer, automatic) == []
    assert [p.message for p in check_distribution(entries, {**good, 1: SILVER}, automatic)] == [
        "decided place changed"]
    assert [p.team_id for p in check_distribution(entries, {1: GOLD, 6: GOLD}, automatic)] == [6]
    assert [p.message for p in check_distribution(entries, {**good, 7: GOLD}, automatic)] == ["out of competition"]
    assert [p.message for p in check_distribution(entries, {**good, 42: GOLD}, automatic)] == ["unknown team"]
    assert [p.message for p in check_distribution(entries, {**good, 2: "platinum"}, automatic)] == ["unknown medal"]


def test_aw7_medal_table_gold_then_silver_then_bronze_and_cups():
    rows = [(10, GOLD), (10, BRONZE), (20, SILVER), (20, SILVER), (20, SILVER), (30, GOLD), (30, SILVER),
            (40, BRONZE), (50, GOLD), (50, SILVER), (60, "none")]
    table = medal_table(rows)
    assert table == [(30, 1, 1, 0), (50, 1, 1, 0), (10, 1, 0, 1), (20, 0, 3, 0), (40, 0, 0, 1)]
    assert cup_places(table) == {30: 1, 50: 1, 10: 3}


@pytest.mark.parametrize(("totals", "quota", "barred", "expected"), [
    (("90", "80", "70", "60"), 2, (), ([1, 2], [])),
    (("90", "80", "80", "60"), 2, (), ([1], [2, 3])),
    (("90", "80", "80", "60"), 3, (), ([1, 2, 3], [])),
    (("90", "80"), 5, (), ([1, 2], [])),
    (("90", "80", "70"), 2, (1,), ([2, 3], [])),
    (("90", "80", "70"), 0, (), ([], [])),
    (("80", "80", "80"), 1, (), ([], [1, 2, 3])),
])
def test_qualification_quota_and_tie_on_the_cut(totals, quota, barred, expected):
    assert qualify(E(*totals), quota, barred=frozenset(barred)) == expected


totals_strategy = st.lists(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), max_size=12)


@given(totals_strategy)
def test_aw3_property_places_are_well_formed(totals):
    entries = [Entry(i, t) for i, t in enumerate(totals)]
    allocation = allocate_medals(entries)
    given_medal = allocation.medals()
    by_id = {e.team_id: e.total for e in entries}
    for place in allocation.places:
        members = place.team_ids or place.candidates
        assert all(place.best_total - by_id[t] <= D("2.00") for t in members)
        assert len(place.team_ids) <= 3
        if place.candidates:
            assert len(place.candidates) > 3 and place is allocation.places[-1]
    # a team with a higher total never gets a worse medal
    order = {GOLD: 0, SILVER: 1, BRONZE: 2}
    for a, ma in given_medal.items():
        for b, mb in given_medal.items():
            if by_id[a] > by_id[b]:
                assert order[ma] <= order[mb]
