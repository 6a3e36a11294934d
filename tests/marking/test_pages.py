"""The marking scheme editor and the xlsx import/export (MS-1…MS-5)."""

from __future__ import annotations

import html
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from profmaster.marking import domain, xlsx
from profmaster.marking.models import Aspect, Criterion, MarkingScheme

from ..core import hostile

pytestmark = pytest.mark.django_db


def test_ms1_chief_expert_builds_a_scheme_on_the_pages(client, competency, panel):
    chief, _ = panel
    stage = competency.championship.stages.create(name="Финал", kind="final", starts_on="2023-04-10",
                                                  ends_on="2023-04-11")
    client.force_login(chief)
    url = f"/marking/championships/{competency.championship.pk}/competencies/{competency.pk}/"
    response = client.post(url, {"title": "Схема финала", "stage": stage.pk})
    scheme = MarkingScheme.objects.get(title="Схема финала")
    assert response["Location"] == f"/marking/schemes/{scheme.pk}/"
    client.post(f"/marking/schemes/{scheme.pk}/criterion/new/", {"code": "A", "title": "Выпечка", "order": 1})
    criterion = Criterion.objects.get(scheme=scheme)
    client.post(f"/marking/schemes/{scheme.pk}/sub-criterion/new/?parent={criterion.pk}",
                {"code": "A1", "title": "Тесто", "order": 1})
    sub = criterion.sub_criteria.get()
    response = client.post(f"/marking/schemes/{scheme.pk}/aspect/new/?parent={sub.pk}", {
        "code": "A1.1", "kind": "discrete", "description": "Толщина коржа", "max_points": "1.5", "order": 1,
        "levels_text": "нет = 0\nчастично = 0,5\nполностью = 1.5"})
    assert response.status_code == 302
    aspect = Aspect.objects.get(code="A1.1")
    assert aspect.levels == [["нет", "0"], ["частично", "0.5"], ["полностью", "1.5"]]
    body = client.get(f"/marking/schemes/{scheme.pk}/").content.decode()
    assert "В схеме 1 критерий, а должно быть от 3 до 9." in body
    assert 'id="scheme-total">1,50<' in body  # Russian decimal comma


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "judgement", "max_points": "2"}, "опишите, что означает каждая оценка"),
    ({"kind": "discrete", "max_points": "1", "levels_text": "да = 5\nнет = 0"}, "баллы от 0 до 1"),
    ({"kind": "discrete", "max_points": "1", "levels_text": "ерунда"}, "запишите уровень как"),
    ({"kind": "binary", "max_points": "-1"}, "Максимальный балл аспекта должен быть больше нуля"),
    ({"kind": "binary", "max_points": "abc"}, "Введите число"),
])
def test_ms2_bad_aspect_input_is_explained_and_nothing_saved(client, scheme, panel, data, message):
    chief, _ = panel
    client.force_login(chief)
    sub = Criterion.objects.get(scheme=scheme, code="A").sub_criteria.get()
    response = client.post(f"/marking/schemes/{scheme.pk}/aspect/new/?parent={sub.pk}",
                           {"code": "A1.9", "description": "x", "order": 2, **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Aspect.objects.filter(code="A1.9").exists()


def test_ms4_lock_from_page_and_locked_editor_refuses(client, scheme, panel):
    chief, experts = panel
    client.force_login(chief)
    response = client.post(f"/marking/schemes/{scheme.pk}/lock/", follow=True)
    assert "Протокол блокировки критериев ждёт подписей" in response.content.decode()
    aspect = Aspect.objects.get(code="A1.1")
    response = client.post(f"/marking/schemes/{scheme.pk}/aspect/{aspect.pk}/edit/", {
        "code": "A1.1", "kind": "binary", "description": "x", "max_points": "1", "order": 1})
    assert response.status_code == 400
    assert "заблокирована протоколом блокировки критериев" in response.content.decode()
    client.force_login(experts[0])
    assert client.get(f"/marking/schemes/{scheme.pk}/").status_code == 200
    assert client.post(f"/marking/schemes/{scheme.pk}/unlock-request/", {"reason": "x"}).status_code == 403


def test_ms5_xlsx_round_trip(client, scheme, panel):
    chief, _ = panel
    aspect = Aspect.objects.get(code="B1.1")
    aspect.kind, aspect.descriptors, aspect.levels = "discrete", [], [["нет", "0"], ["да", "1.25"]]
    aspect.save()
    client.force_login(chief)
    exported = client.get(f"/marking/schemes/{scheme.pk}/export.xlsx").content
    rows = list(load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("Критерий", "Название критерия", "Разделы спецификации", "Субкритерий",
                           "Название субкритерия", "Аспект")
    assert rows[2][5:9] == ("B1.1", "И-Д", "Аккуратность", 2) and rows[2][13] == "нет=0; да=1,25"
    before = domain.drafts(scheme)
    other = MarkingScheme.objects.create(competency=scheme.competency, stage=scheme.stage,
                                         age_category=scheme.competency.championship.age_categories.create(
                                             code="x", name="X", grade_min=1, grade_max=2), title="Копия")
    response = client.post(f"/marking/schemes/{other.pk}/import/",
                           {"file": SimpleUploadedFile("scheme.xlsx", exported)}, follow=True)
    assert "Схема загружена из файла." in response.content.decode()
    assert domain.drafts(other) == before
    assert Aspect.objects.get(sub_criterion__criterion__scheme=other, code="B1.1").max_points == Decimal("2.00")


def test_ms5_bad_files_change_nothing(client, scheme, panel):
    chief, _ = panel
    client.force_login(chief)
    before = domain.drafts(scheme)
    response = client.post(f"/marking/schemes/{scheme.pk}/import/",
                           {"file": SimpleUploadedFile("virus.xlsx", b"MZ\x90\x00 not a zip")}, follow=True)
    assert "Файл не прочитан: это не таблица xlsx (файл не является zip-архивом)." in response.content.decode()
    workbook = load_workbook(io.BytesIO(xlsx.export_scheme(before)))
    workbook.active["G3"] = "Судейская?"
    workbook.active["I2"] = "два"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(f"/marking/schemes/{scheme.pk}/import/",
                           {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())}, follow=True)
    body = response.content.decode()
    assert "Лист «Схема оценки», строка 2, столбец I («Макс. балл»): «два» — не число." in body
    assert ("Лист «Схема оценки», строка 3, столбец G («Вид»): вид аспекта «Судейская?» — ожидается С, И-Б или И-Д."
            in body)
    assert "Схема не изменена" in body
    assert domain.drafts(scheme) == before


@pytest.mark.parametrize(("build", "message"), [
    (hostile.malformed, "Файл не прочитан: XML внутри таблицы xlsx повреждён ("),
    (lambda rows: hostile.bomb(rows, megabytes=60),
     "Файл не прочитан: часть «xl/worksheets/sheet1.xml» после распаковки больше 50.0 МБ."),
])
def test_x5_hostile_xlsx_on_scheme_import_is_a_message(client, scheme, panel, build, message):
    """X-5 (issue 13 §6): malformed XML inside an .xlsx gave HTTP 500 on /marking/schemes/<id>/import/."""
    chief, _ = panel
    client.force_login(chief)
    before = domain.drafts(scheme)
    response = client.post(f"/marking/schemes/{scheme.pk}/import/",
                           {"file": SimpleUploadedFile("s.xlsx", build([xlsx.HEADERS]))}, follow=True)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert domain.drafts(scheme) == before


def test_sc_scheme_import_reports_every_error_with_sheet_row_and_column(client, scheme, panel):
    """Issue 13 §3, last bullet (MS-5): the xlsx scheme import reported only the first error of a row and
    stopped at the header; now every error, each with sheet, row and column."""
    chief, _ = panel
    client.force_login(chief)
    before = domain.drafts(scheme)
    workbook = load_workbook(io.BytesIO(xlsx.export_scheme(before)))
    sheet = workbook.active
    sheet["A2"] = None
    sheet["I2"] = "два"
    sheet["N2"] = "ерунда"
    sheet["C3"] = "один"
    sheet["G3"] = "?"
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = xlsx.read_scheme(buffer.getvalue())
    assert parsed.criteria == []
    assert parsed.errors == [
        "Лист «Схема оценки», строка 2, столбец A («Критерий»): заполните код критерия.",
        "Лист «Схема оценки», строка 2, столбец I («Макс. балл»): «два» — не число.",
        "Лист «Схема оценки», строка 2, столбец N («Уровни (название=баллы; …)»): «ерунда» — ожидается «название=баллы; …».",
        "Лист «Схема оценки», строка 3, столбец C («Разделы спецификации»): «один» — ожидаются номера разделов через запятую.",
        "Лист «Схема оценки», строка 3, столбец G («Вид»): вид аспекта «?» — ожидается С, И-Б или И-Д.",
    ]
    response = client.post(f"/marking/schemes/{scheme.pk}/import/",
                           {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())}, follow=True)
    body = html.unescape(response.content.decode())
    assert all(error in body for error in parsed.errors)
    assert domain.drafts(scheme) == before


def test_sc_scheme_import_header_names_the_wrong_columns():
    workbook = load_workbook(io.BytesIO(xlsx.export_scheme([])))
    workbook.active["B1"] = "Что-то"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert xlsx.read_scheme(buffer.getvalue()).errors == [
        "Лист «Схема оценки», строка 1: первая строка должна содержать заголовки " + ", ".join(xlsx.HEADERS)
        + ". Не совпадают столбцы: B («Название критерия»)."]
