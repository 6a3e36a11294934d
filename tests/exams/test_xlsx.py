"""RM-1: question banks from xlsx — one row per question, a per-question (per-row) error report, a template."""

from __future__ import annotations

import base64
import html
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from profmaster.core.errors import DomainError
from profmaster.exams import domain, xlsx
from profmaster.exams.models import Question, QuestionBank

from ..api.conftest import ApiClient
from ..core import hostile

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(championship, competency):
    return QuestionBank.objects.create(championship=championship, competency=competency, name="Из таблицы")


def test_rm1_xlsx_template_imports_every_kind(bank, chief_expert):
    """The downloadable template itself is a valid file: one question of every kind, no errors."""
    result = domain.import_questions(bank, xlsx.template(), file_format="xlsx", by=chief_expert)
    assert (result.created, result.errors) == (8, [])
    kinds = list(Question.objects.filter(bank=bank).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["single", "multiple", "short", "numeric", "matching", "ordering", "questionnaire", "essay"]
    single = Question.objects.get(bank=bank, kind="single")
    assert [(o.text, o.fraction) for o in single.options.all()] == [
        ("27 °C", D(0)), ("31 °C", D(1)), ("45 °C", D(0))]
    multiple = Question.objects.get(bank=bank, kind="multiple")
    assert ([o.fraction for o in multiple.options.all()], multiple.points, multiple.tags) == (
        [D("0.5"), D(0), D("0.5")], D(2), ["химия"])
    numeric = Question.objects.get(bank=bank, kind="numeric")
    assert [(o.value, o.tolerance) for o in numeric.options.all()] == [(D(1000), D(0))]
    matching = Question.objects.get(bank=bank, kind="matching")
    assert ([(o.text, o.match) for o in matching.options.all()], matching.distractors) == (
        [("Безе", "белок"), ("Ганаш", "шоколад")], ["дрожжи"])
    questionnaire = Question.objects.get(bank=bank, kind="questionnaire")
    assert [o.scales for o in questionnaire.options.all()] == [{"интерес": "2"}, {"интерес": "0"}]
    assert Question.objects.get(bank=bank, kind="essay").category.name == "Технология"


def test_rm1_xlsx_template_has_help_sheet():
    workbook = load_workbook(io.BytesIO(xlsx.template()))
    assert workbook.sheetnames == ["Вопросы", "Справка"]
    assert [c.value for c in workbook["Вопросы"][1]][:4] == ["Категория", "Вид", "Название", "Текст вопроса"]


def test_rm1_xlsx_per_question_error_report(bank, chief_expert):
    """Good rows are loaded, every bad row is reported with its row number, name and reason."""
    rows = [
        ["Основы", "один", "Хороший", "2 + 2?", 1, "1", "", "", "", "4", "5"],
        ["Основы", "телепатия", "Странный", "?", 1, "1", "", "", "", "а"],
        ["Основы", "один", "Без верного", "3 + 3?", 1, "", "", "", "", "6", "7"],
        ["Основы", "один", "Мимо", "3 + 3?", 1, "5", "", "", "", "6", "7"],
        [],
        ["Основы", "число", "Не число", "Сколько?", 1, "", "", "", "", "много"],
        ["Основы", "несколько", "Баллы", "Что?", "два", "1", "", "", "", "а", "б"],
        ["Основы", "соответствие", "Без стрелки", "Сопоставьте", 1, "", "", "", "", "а - б", "в -> г"],
        ["Основы", "один", "", "", 1, "1", "", "", "", "а"],
        ["Основы", "один", "Дыра", "Что?", 1, "1", "", "", "", "а", None, "в"],
        ["Основы", "анкета", "Шкала", "Нравится?", 0, "", "", "", "", "Да || интерес"],
        ["Основы", "порядок", "Один шаг", "Порядок?", 1, "", "", "", "", "только"],
        ["Основы", "развёрнутый", "Эссе", "Опишите.", 5],
    ]
    result = domain.import_questions(bank, xlsx.sheet(rows), file_format="xlsx", by=chief_expert)
    assert result.created == 2
    assert result.errors == [
        (3, "Странный", "вид «телепатия» — ожидается: один, несколько, короткий, число, соответствие, порядок, "
                        "анкета, развёрнутый"),
        (4, "Без верного", "заполните «Верные» — номера верных вариантов"),
        (5, "Мимо", "«Верные»: варианта 5 нет"),
        (7, "Не число", "«Вариант 1»: «много» — не число"),
        (8, "Баллы", "«Баллы»: «два» — не число"),
        (9, "Без стрелки", "«Вариант 1»: для соответствия пишите «основа -> ответ»"),
        (10, "Строка 10", "нет текста вопроса"),
        (11, "Дыра", "пустой «Вариант 2» между заполненными"),
        (12, "Шкала", "«Вариант 1»: шкала «интерес» — ожидается «шкала=число»"),
        (13, "Один шаг", "Для порядка нужны хотя бы два элемента."),
    ]
    assert sorted(Question.objects.filter(bank=bank).values_list("name", flat=True)) == ["Хороший", "Эссе"]


@pytest.mark.parametrize(("data", "message"), [
    (b"not a zip", "это не таблица xlsx"),
    (b"PK\x03\x04broken", "это не таблица xlsx"),
    (xlsx.sheet([["a"]], headers=["Что-то", "другое"]), "первая строка должна содержать заголовки"),
])
def test_rm1_xlsx_unreadable_file_refused_whole(bank, chief_expert, data, message):
    with pytest.raises(DomainError) as caught:
        domain.import_questions(bank, data, file_format="xlsx", by=chief_expert)
    assert message in caught.value.message
    assert not Question.objects.filter(bank=bank).exists()


def test_rm1_xlsx_import_page_and_template_download(client, bank, chief_expert, django_capture_on_commit_callbacks):
    """RM-1, X-5: the upload returns at once with the job's page, which shows the report when the job is done."""
    client.force_login(chief_expert)
    template = client.get(reverse("exams:import_template", args=[bank.pk]))
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(template.content)
    upload.name = "bank.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exams:bank_import", args=[bank.pk]), {"file_format": "xlsx", "file": upload})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    page = client.get(response["Location"])
    assert "Загружено вопросов: 8. С ошибками: 0." in page.content.decode()
    bad = io.BytesIO(b"garbage")
    bad.name = "bank.xlsx"
    response = client.post(reverse("exams:bank_import", args=[bank.pk]), {"file_format": "xlsx", "file": bad})
    assert response.status_code == 400
    assert "это не таблица xlsx" in response.content.decode()


def test_rm1_xlsx_import_over_api(bank, chief_expert, django_capture_on_commit_callbacks):
    """RM-1, X-5: the API answers 202 with the import job; its report lists the skipped rows."""
    api = ApiClient(chief_expert)
    rows = [["Основы", "один", "Хороший", "2 + 2?", 1, "1", "", "", "", "4", "5"],
            ["Основы", "один", "Плохой", "2 + 2?", 1, "", "", "", "", "4", "5"]]
    content = base64.b64encode(xlsx.sheet(rows)).decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/question-banks/{bank.pk}/import", {"file_format": "xlsx", "content": content})
    assert response.status_code == 202
    job = api.get(f"/jobs/{response.json()['id']}").json()
    assert (job["status"], job["report"]["created"], job["report"]["errors"]) == ("done", 1, [
        {"number": 3, "name": "Плохой", "message": "заполните «Верные» — номера верных вариантов"}])
    response = api.post(f"/question-banks/{bank.pk}/import", {"file_format": "xlsx", "content": "не base64!"})
    assert (response.status_code, response.json()["detail"]) == (400, "Файл xlsx передайте в base64.")


@pytest.mark.parametrize(("build", "message", "refused_at_upload"), [
    (hostile.malformed, "Файл не прочитан: XML внутри таблицы xlsx повреждён (", False),
    (hostile.with_dtd, "Файл не прочитан: таблица содержит DTD или сущности XML — такие файлы не принимаются.", False),
    (lambda rows: hostile.bomb(rows, megabytes=60),
     "Файл не прочитан: часть «xl/worksheets/sheet1.xml» после распаковки больше 50.0 МБ.", True),
])
def test_x5_hostile_xlsx_is_a_message_on_the_page_and_the_api(client, bank, chief_expert, build, message,
                                                              refused_at_upload, django_capture_on_commit_callbacks):
    """X-5 (issue 13 §6): malformed XML, entities or a zip bomb inside an .xlsx gave HTTP 500 on
    /exams/banks/<id>/import/ and /api/v1/question-banks/<id>/import. A zip bomb is refused at upload (400
    naming the limit, nothing queued); a file that can only be found broken by parsing it fails its import
    job with the message — never a 500, nothing stored."""
    from profmaster.jobs.models import Job

    data = build([xlsx.HEADERS])
    client.force_login(chief_expert)
    upload = io.BytesIO(data)
    upload.name = "bank.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exams:bank_import", args=[bank.pk]), {"file_format": "xlsx", "file": upload})
    if refused_at_upload:
        assert response.status_code == 400
        assert message in html.unescape(response.content.decode())
        assert not Job.objects.exists()
    else:
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert message in html.unescape(page.content.decode())
        assert Job.objects.get().status == Job.Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(chief_expert).post(f"/question-banks/{bank.pk}/import",
                                                {"file_format": "xlsx", "content": base64.b64encode(data).decode()})
    if refused_at_upload:
        assert response.status_code == 400
        assert response.json()["detail"].startswith(message)
    else:
        assert response.status_code == 202
        job = ApiClient(chief_expert).get(f"/jobs/{response.json()['id']}").json()
        assert job["status"] == "failed" and job["message"].startswith(message)
    assert not Question.objects.filter(bank=bank).exists()
