"""X-5 (issue 13 §6): one escaping function for every xlsx and CSV export; numbers stay numbers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from profmaster.core.spreadsheets import safe_cell
from profmaster.registration import lists
from profmaster.results import exports

HOSTILE = ["=HYPERLINK(\"http://x\")", "+7 495", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+7 495 000-00-00", "'+7 495 000-00-00"), ("-5", "'-5"), ("@cmd", "'@cmd"),
    ("\t=cmd", "'\t=cmd"), ("\r=cmd", "'\r=cmd"), ("Команда «Звезда»", "Команда «Звезда»"), ("a=b", "a=b"),
    ("", ""), (None, ""), (7, 7), (Decimal("87.17"), Decimal("87.17")), (-3, -3), (1.5, 1.5), (True, "True"),
    (dt.date(2023, 4, 1), dt.date(2023, 4, 1)),
])
def test_x5_safe_cell(value, cell):
    assert safe_cell(value) == cell


def _cells(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_x5_results_xlsx_escapes_team_names_and_keeps_totals_numbers():
    data = {"groups": [{"stage": "Финал", "age_category": "1-2", "rows": [
        {"rank": 1, "team": name, "total": "87.17", "medal": "gold", "nomination": "=cmd", "qualified": None}
        for name in HOSTILE]}]}
    rows = _cells(exports.results_xlsx(data, title="=Чемпионат"))
    assert rows[0][0] == "'=Чемпионат"
    # XML reads a stored carriage return back as a line feed; the apostrophe is what matters.
    assert [r[1].replace("\n", "\r") for r in rows[4:]] == ["'" + name for name in HOSTILE]
    assert {r[2] for r in rows[4:]} == {87.17}
    assert {r[4] for r in rows[4:]} == {"'=cmd"}


def test_x5_standings_and_people_lists_escape_user_text():
    rows = _cells(exports.standings_xlsx([{"cup": "@cup", "organisation": "=org", "gold": 1, "silver": 0,
                                            "bronze": 2, "total": 3}], title="t"))
    assert rows[2] == ["'@cup", "'=org", 1, 0, 2, 3]
    rows = _cells(lists.to_xlsx("Список", ["ФИО", "Телефон"], [["\t=1+1", "+7 495 000-00-00"]]))
    assert rows[1] == ["'\t=1+1", "'+7 495 000-00-00"]


def test_x5_csv_is_utf8_with_bom_semicolons_and_escaped():
    from profmaster.core.spreadsheets import csv_bytes

    content = csv_bytes([["Команда", "Балл"], ["=cmd", Decimal("87.17")], ["Звезда; «Юг»", 3]])
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == 'Команда;Балл\r\n\'=cmd;87,17\r\n"Звезда; «Юг»";3\r\n'


@pytest.mark.django_db
def test_x5_results_and_medal_table_csv_downloads(client):
    """X-5: the CSV downloads of the results and the medal table (linked beside the xlsx ones)."""
    from ..factories import ChampionshipFactory, CompetencyFactory

    competency = CompetencyFactory(championship=ChampionshipFactory(name="Мастерята"), name="=Кондитерское дело")
    response = client.get(f"/results/competencies/{competency.pk}/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig") == "Мастерята — =Кондитерское дело\r\nИтоги ещё не опубликованы.\r\n"
    championship = competency.championship
    response = client.get(f"/results/championships/{championship.pk}/medal-table.csv")
    assert response.content.decode("utf-8-sig") == "Мастерята\r\nКубок;Организация;Золото;Серебро;Бронза;Всего\r\n"
