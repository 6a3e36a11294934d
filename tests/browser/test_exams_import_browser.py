"""Question import in a real browser (issue 6, RM-1 item 1): the chief expert downloads the xlsx template,
fills it in, uploads it on the bank page and reads the per-row report; a Moodle XML file goes through the
import page and the bank is exported back."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.exams.models import Question, QuestionBank

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser

BANK_XML = Path(__file__).parent.parent / "exams" / "data" / "bank.xml"


def _bank():
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    return QuestionBank.objects.create(championship=championship, competency=competency, name="Теория кондитера")


def test_rm1_xlsx_template_filled_uploaded_and_per_row_report_shown(page, tmp_path):
    """RM-1: the template's eight example rows load; a row with an unknown kind is reported by its row number,
    name and the reason in Russian, and nothing good is lost because of it."""
    bank = _bank()
    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/exams/banks/{bank.pk}/")
    expect(page.locator("#questions")).to_contain_text("Вопросов пока нет.")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Шаблон xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "questions-template.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    sheet = workbook["Вопросы"]
    sheet.append(["Основы", "телепатия", "Странный", "Что я думаю?", 1, "1", "", "", "", "а"])
    filled = tmp_path / "вопросы.xlsx"
    workbook.save(filled)

    page.get_by_label("Формат").select_option("xlsx")
    page.get_by_label("Файл").set_input_files(filled)
    page.get_by_role("button", name="Импортировать").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))  # the import runs as a job with its own page
    expect(page.get_by_role("heading", name="Импорт вопросов в банк «Теория кондитера»")).to_be_visible()
    expect(page.locator("#import-summary")).to_have_text("Загружено вопросов: 8. С ошибками: 1.")
    expect(page.locator("#import-summary")).to_have_class(re.compile("alert-warning"))
    error_row = page.locator("#import-report tbody tr.table-warning")
    expect(error_row).to_have_count(1)
    expect(error_row.locator("td").nth(0)).to_have_text("10")
    expect(error_row.locator("td").nth(1)).to_have_text("Странный")
    expect(error_row.locator("td").nth(4)).to_contain_text("вид «телепатия» — ожидается: один, несколько")

    page.get_by_role("link", name="К банку").click()
    expect(page.locator("#questions tbody tr")).to_have_count(8)
    expect(page.locator("#questions")).to_contain_text("Темперирование")
    expect(page.get_by_text("Основы (4)")).to_be_visible()
    expect(page.get_by_text("Технология (3)")).to_be_visible()
    assert Question.objects.filter(bank=bank).count() == 8
    assert not Question.objects.filter(name="Странный").exists()


def test_rm1_xlsx_upload_of_a_file_that_is_not_a_table_is_refused_in_russian(page, tmp_path):
    """RM-1, bad path: a file that is no xlsx gives a Russian message on the form, not a 500, and loads nothing."""
    bank = _bank()
    broken = tmp_path / "вопросы.xlsx"
    broken.write_bytes(b"this is not a spreadsheet")
    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/exams/banks/{bank.pk}/import/")
    page.get_by_label("Формат").select_option("xlsx")
    page.get_by_label("Файл").set_input_files(broken)
    page.get_by_role("button", name="Импортировать").click()
    expect(page.locator("main form")).to_contain_text("это не таблица xlsx")
    expect(page.locator("#import-summary")).to_have_count(0)
    assert not Question.objects.filter(bank=bank).exists()


def test_rm1_moodle_xml_import_page_then_export_download(page):
    """RM-1: a Moodle XML bank is imported on the import page (unsupported questions listed), then exported."""
    bank = _bank()
    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/exams/banks/{bank.pk}/import/")
    expect(page.get_by_role("heading", name="Импорт вопросов: Теория кондитера")).to_be_visible()
    page.get_by_label("Формат").select_option(label="Moodle XML")
    page.get_by_label("Файл").set_input_files(BANK_XML)
    page.get_by_role("button", name="Импортировать").click()
    expect(page.locator("#import-summary")).to_have_text("Загружено вопросов: 9. С ошибками: 3.")
    expect(page.locator("#import-report tbody tr.table-warning")).to_have_count(3)
    expect(page.locator("#import-report")).to_contain_text("не поддерживается")
    assert Question.objects.filter(bank=bank).count() == 9

    page.get_by_role("link", name="К банку").click()
    expect(page.locator("#questions tbody tr")).to_have_count(9)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Экспорт в Moodle XML").click()
    download = download_info.value
    assert download.suggested_filename == f"bank-{bank.pk}.xml"
    exported = Path(download.path()).read_text(encoding="utf-8")
    assert "<quiz>" in exported and exported.count("<question ") >= 9


MOODLE4 = Path(__file__).parent.parent / "fixtures" / "moodle4_export.xml"


def test_rm1_moodle4_export_job_page_then_examinee_sees_the_image(page, browser, live_server):
    """RM-1, X-5: the chief expert uploads a real Moodle 4.x export; the job's page shows the progress bar
    reaching 100 % and the per-question report; an examinee then sees the embedded image in the attempt."""
    from profmaster.exams import domain
    from profmaster.exams.models import Attempt, Exam, ExamSection, QuestionImage

    bank = _bank()
    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/exams/banks/{bank.pk}/")
    page.get_by_label("Формат").select_option(label="Moodle XML")
    page.get_by_label("Файл").set_input_files(MOODLE4)
    page.get_by_role("button", name="Импортировать").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#import-summary")).to_have_text("Загружено вопросов: 7. С ошибками: 4.")
    expect(page.locator("#import-unsupported")).to_contain_text("Пропуски в рецепте, Пересчёт рецептуры, Слои торта")
    expect(page.locator("#import-report tr[data-number='11']")).to_contain_text("оценка 33 % не допускается Moodle")
    page.get_by_role("link", name="К банку").click()
    expect(page.locator("#questions tbody tr")).to_have_count(7)
    expect(page.get_by_text("Кондитерское дело / Шоколад / Начинки (2)")).to_be_visible()

    image = QuestionImage.objects.get(question__bank=bank, name="image.png")
    examinee = UserFactory(email="examinee@example.ru")
    give_role(examinee, Role.PARTICIPANT, bank.championship)
    exam = Exam.objects.create(championship=bank.championship, competency=bank.competency, bank=bank, title="Теория",
                               status=Exam.Status.PUBLISHED, time_limit_minutes=60)
    ExamSection.objects.create(exam=exam, category=image.question.category)
    attempt, _ = domain.start_attempt(exam, examinee)
    Attempt.objects.filter(pk=attempt.pk).update(lock_token="")
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True)
    other = context.new_page()
    try:
        login(other, "examinee@example.ru", PASSWORD)
        other.wait_for_url(re.compile(r"/cabinet/$"))
        other.goto(f"/exams/attempts/{attempt.pk}/")
        picture = other.locator(f"#q{image.question_id} img.question-image")
        expect(picture).to_have_attribute("src", f"/exams/images/{image.pk}/")
        other.wait_for_function("img => img.complete && img.naturalWidth === 12", arg=picture.element_handle())
        expect(other.locator(f"#q{image.question_id}")).not_to_contain_text("@@PLUGINFILE@@")
    finally:
        context.close()
