"""AW-3 (003 §25.4), issue 13 §3 «Shared places»: the one pure function that numbers places, and every
channel that prints a place (results page, protocol, xlsx export, API, diplomas) agrees with it."""

from __future__ import annotations

import io
import itertools
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from profmaster.accounts.domain import create_api_token
from profmaster.results import diplomas, domain
from profmaster.results.medals import BRONZE, GOLD, MEDAL_ORDER, SILVER, Entry, allocate_medals, places


def E(*totals: str, out: tuple[int, ...] = ()) -> list[Entry]:
    return [Entry(i, D(t), i in out) for i, t in enumerate(totals, start=1)]


def numbered(totals: tuple[str, ...], out: tuple[int, ...] = ()) -> list[int | None]:
    entries = E(*totals, out=out)
    allocation = allocate_medals(entries)
    found = places(entries, allocation.medals(), settled=allocation.decided)
    return [found[i] for i in range(1, len(totals) + 1)]


@pytest.mark.parametrize(("totals", "expected"), [
    # the issue's case: 5.33 is 1.75 below 7.08, so all three share the first place (and gold)
    (("7.08", "5.33", "5.33"), [1, 1, 1]),
    # two teams with the same top total share place 1; the next place starts with the next team
    (("90.00", "90.00", "80.00", "70.00"), [1, 1, 2, 3]),
    (("90.00", "88.00", "80.00", "70.00"), [1, 1, 2, 3]),
    (("90.00", "87.99", "80.00", "70.00", "60.00"), [1, 2, 3, 4, 5]),
    # up to three first places, then the second place
    (("90.00", "89.00", "88.00", "60.00", "59.00", "40.00"), [1, 1, 1, 2, 2, 3]),
    # below the medal places: one number per distinct total, equal totals share it
    (("90.00", "80.00", "70.00", "50.00", "50.00", "40.00"), [1, 2, 3, 4, 4, 5]),
    ((), []),
])
def test_aw3_issue13_shared_places_numbering(totals, expected):
    assert numbered(totals) == expected


def test_aw3_out_of_competition_takes_no_place():
    assert numbered(("99.00", "90.00", "80.00"), out=(1,)) == [None, 1, 2]


def test_aw4_undecided_place_leaves_the_places_from_it_open():
    # four teams within 2 points of 90.00: the first place is undecided, nothing below it is numbered
    assert numbered(("90.00", "89.50", "88.50", "88.00", "70.00")) == [None, None, None, None, None]
    # a decided gold above an undecided silver keeps its place
    assert numbered(("95.00", "80.00", "80.00", "80.00", "80.00", "50.00")) == [1, None, None, None, None, None]


def test_aw4_directorate_distribution_gives_the_places():
    entries = E("90.00", "89.50", "88.50", "88.00", "70.00")
    decided = {1: GOLD, 2: GOLD, 3: SILVER, 4: SILVER}
    assert places(entries, decided) == {1: 1, 2: 1, 3: 2, 4: 2, 5: 3}
    assert places(entries, {1: GOLD, 2: GOLD, 3: GOLD, 4: GOLD, 5: BRONZE}) == {1: 1, 2: 1, 3: 1, 4: 1, 5: 3}


totals_strategy = st.lists(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), max_size=14)


@given(totals_strategy, st.sets(st.integers(min_value=0, max_value=13), max_size=3))
def test_aw3_property_places_follow_the_medals_and_run_on(totals, out):
    entries = [Entry(i, t, i in out) for i, t in enumerate(totals)]
    allocation = allocate_medals(entries)
    medal_of = allocation.medals()
    found = places(entries, medal_of, settled=allocation.decided)
    assert set(found) == {e.team_id for e in entries}
    competing = sorted((e for e in entries if not e.out_of_competition), key=lambda e: (-e.total, e.team_id))
    for entry in entries:
        if entry.out_of_competition:
            assert found[entry.team_id] is None
        elif entry.team_id in medal_of:  # a medal is its place
            assert found[entry.team_id] == MEDAL_ORDER[medal_of[entry.team_id]] + 1
        elif not allocation.decided:
            assert found[entry.team_id] is None
    numbered_rows = [(e.total, found[e.team_id]) for e in competing if found[e.team_id] is not None]
    for (total_a, place_a), (total_b, place_b) in itertools.pairwise(numbered_rows):
        # a higher total never has a worse place; equal totals share; the next place is the next number
        assert place_a <= place_b
        if total_a == total_b:
            assert place_a == place_b
        else:
            assert place_b in (place_a, place_a + 1)
    if numbered_rows:
        assert numbered_rows[0][1] == 1
    if allocation.decided:
        assert all(found[e.team_id] is not None for e in competing)


def test_aw3_issue13_every_channel_prints_the_same_shared_places(results, directorate_user, chief_expert, expert):
    """7.08 / 5.33 / 5.33 / 2.00: places 1, 1, 1, 2 on the page, the xlsx export, the API, the results
    protocol and the diplomas."""
    a, b, c, d = (results.team() for _ in range(4))
    results.lock(results.final, [(a, "7.08"), (b, "5.33"), (c, "5.33"), (d, "2.00")])
    domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    expected = {a.pk: 1, b.pk: 1, c.pk: 1, d.pk: 2}
    client = Client()
    page = client.get(f"/results/competencies/{results.competency.pk}/").content.decode()
    page_places = {int(team): int(place) for team, place in re.findall(
        r'<tr data-team="(\d+)">\s*<td class="results-place">(\d+)</td>', page)}
    assert page_places == expected
    sheet = load_workbook(io.BytesIO(client.get(f"/results/competencies/{results.competency.pk}/export.xlsx")
                                     .content)).active
    labels = {str(t): t.pk for t in (a, b, c, d)}
    xlsx_places = {}
    for row in sheet.iter_rows(values_only=True):
        team = row[1] if len(row) > 1 else None
        for pk in labels.values():
            if isinstance(team, str) and team.endswith(f"№ {pk})"):
                xlsx_places[pk] = row[0]
    assert xlsx_places == expected
    _, secret = create_api_token(directorate_user, name="t")
    api = Client().get(f"/api/v1/competencies/{results.competency.pk}/results",
                       headers={"Authorization": f"Bearer {secret}"}).json()
    assert {r["team_id"]: r["rank"] for r in api["groups"][0]["rows"]} == expected
    protocol = domain.create_results_protocol(results.competency, stage_kind="final", by=chief_expert)
    rows = next(v for k, v in protocol.data.items() if k != "text")
    assert [(r["Место"], r["Медаль"]) for r in rows] == [(1, "золото"), (1, "золото"), (1, "золото"), (2, "серебро")]
    kinds = {s.team_id: (s.kind, s.detail) for s in diplomas.recipients(results.championship)
             if s.kind in ("winner", "prize_winner")}
    assert kinds == {a.pk: ("winner", "gold"), b.pk: ("winner", "gold"), c.pk: ("winner", "gold"),
                     d.pk: ("prize_winner", "silver")}
