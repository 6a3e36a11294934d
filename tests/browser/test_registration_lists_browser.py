"""Registration in a real browser (issue 3): a mentor requests a substitution and the Directorate decides it
(REG-13); the participant list is filtered and downloaded as xlsx (REG-14); the Directorate edits the
registration rules (REG-1…REG-4 settings)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from profmaster.registration import domain
from profmaster.registration.models import RegistrationRules, SubstitutionRequest

from ..factories import PASSWORD
from ..registration.conftest import Reg
from .conftest import login

pytestmark = pytest.mark.browser


def _approved(reg, application=None, *, day=None, names=("Алексеев", "Борисова")):
    application = reg.valid_team(application, names=names)
    application.competition_date = day or timezone.localdate() + dt.timedelta(days=10)
    application.save()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    return application


def _as(page, email):
    page.context.clear_cookies()
    login(page, email, PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))


def _newcomer(page, reason):
    page.get_by_label("Фамилия").fill("Новикова")
    page.get_by_label("Имя", exact=True).fill("Ольга")
    page.get_by_label("Дата рождения").fill("2015-03-03")
    page.get_by_label("Класс").fill("2")
    page.get_by_label("Организация").select_option(label="Школа № 1")
    page.get_by_label("Размер одежды").select_option("128")
    page.get_by_label("Уважительная причина замены").fill(reason)


def test_reg13_mentor_requests_substitution_directorate_refusal_needs_reason_then_approves(page):
    """REG-13: the mentor replaces a participant from the application page; the Directorate must give a reason
    to refuse, approves instead, and the page shows the newcomer in the team and the decision."""
    reg = Reg()
    application = _approved(reg)
    detail = f"/registration/applications/{application.pk}/"

    _as(page, "mentor@example.ru")
    page.goto(detail)
    page.locator("tr", has_text="Борисова Вера").get_by_role("link", name="Заменить").click()
    expect(page.get_by_role("heading", name="Замена: выбывает Борисова Вера")).to_be_visible()
    _newcomer(page, "Болезнь, справка № 15")
    page.get_by_role("button", name="Запросить замену").click()
    page.wait_for_url(re.compile(rf"/registration/applications/{application.pk}/"))
    expect(page.get_by_text("Запрос на замену отправлен Дирекции.")).to_be_visible()
    substitutions = page.locator("#substitutions")
    expect(substitutions).to_contain_text("Борисова Вера → Новикова Ольга")
    expect(substitutions).to_contain_text("Болезнь, справка № 15")
    expect(substitutions.locator(".badge")).to_have_text("На рассмотрении")
    expect(substitutions.get_by_role("link", name="Рассмотреть")).to_have_count(0)

    _as(page, "dir@example.ru")
    page.goto(detail)
    page.locator("#substitutions").get_by_role("link", name="Рассмотреть").click()
    expect(page.get_by_role("heading", name="Замена: Борисова Вера → Новикова Ольга")).to_be_visible()
    page.get_by_label("Отказать").check()
    page.get_by_role("button", name="Записать решение").click()
    expect(page.locator("main form")).to_contain_text("Укажите причину отказа.")
    assert SubstitutionRequest.objects.get().status == SubstitutionRequest.Status.PENDING

    page.get_by_label("Одобрить замену").check()
    page.get_by_label("Основание (обязательно при отказе)").fill("Справка представлена")
    page.get_by_role("button", name="Записать решение").click()
    expect(page.get_by_text("Решение по замене записано.")).to_be_visible()
    expect(page.locator("#substitutions .badge")).to_have_text("Одобрена")
    expect(page.locator("#substitutions")).to_contain_text("Основание решения: Справка представлена")
    expect(page.locator("tr", has_text="Новикова Ольга").get_by_role("link", name="Заменить")).to_be_visible()
    expect(page.locator("tr", has_text="Борисова Вера").get_by_role("link", name="Заменить")).to_have_count(0)
    states = dict(application.members.values_list("last_name", "state"))
    assert (states["Борисова"], states["Новикова"]) == ("replaced", "active")


def test_reg13_substitution_on_the_competition_day_is_refused_and_input_kept(page):
    """REG-13, bad path: too late a substitution is refused with the rule in Russian; what was typed stays."""
    reg = Reg()
    application = _approved(reg, day=timezone.localdate())
    _as(page, "mentor@example.ru")
    page.goto(f"/registration/applications/{application.pk}/")
    page.locator("tr", has_text="Борисова Вера").get_by_role("link", name="Заменить").click()
    _newcomer(page, "Болезнь")
    page.get_by_role("button", name="Запросить замену").click()
    expect(page.locator("main")).to_contain_text("Замена возможна не позднее")
    expect(page.get_by_label("Фамилия")).to_have_value("Новикова")
    expect(page.get_by_label("Уважительная причина замены")).to_have_value("Болезнь")
    assert not SubstitutionRequest.objects.exists()


def test_reg14_participant_list_filtered_and_downloaded_as_xlsx(page, tmp_path):
    """REG-14: the Directorate filters the participant list by competency and downloads exactly that list."""
    reg = Reg()
    _approved(reg)
    _approved(reg, reg.application(competency=reg.competency2), names=("Васильев", "Григорьева"),
              day=timezone.localdate() + dt.timedelta(days=20))  # the same mentor: other dates

    _as(page, "dir@example.ru")
    page.goto(f"/championships/{reg.championship.pk}/")
    page.get_by_role("link", name="Списки участников").click()
    expect(page.get_by_role("heading", name="Список участников")).to_be_visible()
    people = page.locator("#people tbody tr")
    expect(people).to_have_count(4)

    page.get_by_label("Компетенция").select_option(label="Робототехника")
    page.get_by_role("button", name="Показать").click()
    expect(people).to_have_count(2)
    expect(page.locator("#people")).to_contain_text("Васильев Алексей")
    expect(page.locator("#people")).not_to_contain_text("Алексеев Алексей")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать xlsx").click()
    download = download_info.value
    assert re.fullmatch(rf"participants-{reg.championship.pk}-\d{{4}}-\d{{2}}-\d{{2}}\.xlsx", download.suggested_filename)
    rows = list(load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][0] == "ФИО"
    assert sorted(r[0] for r in rows[1:]) == ["Васильев Алексей", "Григорьева Вера"]

    page.get_by_label("Компетенция").select_option(label="Кондитерское дело")
    page.get_by_role("button", name="Показать").click()
    expect(people).to_have_count(2)
    expect(page.locator("#people")).to_contain_text("Борисова Вера")


def test_reg_rules_page_directorate_edits_rules_bad_value_refused(page):
    """Registration rules: a negative number of days is refused in Russian and nothing changes; a good edit is
    saved and shown again."""
    reg = Reg()
    _as(page, "dir@example.ru")
    page.goto(f"/registration/championships/{reg.championship.pk}/registration-rules/")
    expect(page.get_by_role("heading", name="Правила регистрации")).to_be_visible()
    page.get_by_label("бабушка", exact=True).uncheck()
    page.get_by_label("Одна заявка организации на компетенцию и категорию").uncheck()
    days = page.get_by_label("Замена участника — не позднее чем за столько дней")
    days.fill("-1")
    days.evaluate("input => input.removeAttribute('min')")  # the browser's own check would stop the form
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("main form")).to_contain_text("больше либо равно 0")
    assert not RegistrationRules.objects.filter(championship=reg.championship, substitution_days_before=-1).exists()

    page.get_by_label("Замена участника — не позднее чем за столько дней").fill("3")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Правила регистрации сохранены.")).to_be_visible()
    expect(page.get_by_label("Замена участника — не позднее чем за столько дней")).to_have_value("3")
    expect(page.get_by_label("бабушка", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Одна заявка организации на компетенцию и категорию")).not_to_be_checked()
    rules = RegistrationRules.objects.get(championship=reg.championship)
    assert rules.substitution_days_before == 3 and not rules.one_application_per_organisation
    assert "grandmother" not in rules.relative_kinds and "mother" in rules.relative_kinds


def test_reg_rules_page_in_english_names_the_relatives_in_english(page):
    """X-3: after switching the interface to English the rules page names the kinds of relatives in English."""
    reg = Reg()
    _as(page, "dir@example.ru")
    page.goto(f"/registration/championships/{reg.championship.pk}/registration-rules/")
    with page.expect_navigation():
        page.locator("#language-form select").select_option("en")
    expect(page.get_by_role("heading", name="Registration rules")).to_be_visible()
    expect(page.get_by_label("grandmother", exact=True)).to_be_checked()
    expect(page.locator("main form")).not_to_contain_text("бабушка")


def test_reg_xlsx_import_of_organisations_all_or_nothing_with_row_report(page, tmp_path):
    """Registration import: the Directorate fills the downloaded template; one bad row stops the whole file with
    a report by row in Russian; the corrected file loads."""
    from openpyxl import Workbook

    from profmaster.organisations.models import Organisation

    reg = Reg()
    before = Organisation.objects.count()
    _as(page, "dir@example.ru")
    page.goto(f"/registration/championships/{reg.championship.pk}/import/")
    with page.expect_download() as download_info:
        page.get_by_role("main").get_by_role("link", name="Организации", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "template-organisations.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    sheet = workbook.active
    sheet.append(["ГБОУ Школа № 10", "Школа № 10", "7700000000", "Москва", "", "", ""])
    sheet.append(["", "Без имени", "", "", "", "", ""])
    sheet.append(["ГБОУ Школа № 11", "", "12ab", "", "", "", ""])
    bad = tmp_path / "организации.xlsx"
    workbook.save(bad)

    page.get_by_label("Что загружаем").select_option(label="Организации")
    page.get_by_label("Файл xlsx (по шаблону)").set_input_files(bad)
    page.get_by_role("button", name="Загрузить").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("Файл не загружен, ничего не сохранено.")
    expect(report).to_contain_text("Строка 3: не указано полное наименование.")
    expect(report).to_contain_text("Строка 4: ИНН — 10 или 12 цифр")
    assert Organisation.objects.count() == before

    good = Workbook()
    good.active.append([c.value for c in sheet[1]])
    good.active.append(["ГБОУ Школа № 10", "Школа № 10", "7700000000", "", "", "", ""])
    good_path = tmp_path / "организации-исправлено.xlsx"
    good.save(good_path)
    page.get_by_label("Что загружаем").select_option(label="Организации")
    page.get_by_label("Файл xlsx (по шаблону)").set_input_files(good_path)
    page.get_by_role("button", name="Загрузить").click()
    expect(page.get_by_text("Загружено записей: 1.")).to_be_visible()
    expect(page.locator("#import-report")).to_have_count(0)
    assert Organisation.objects.get(short_name="Школа № 10").region == "Москва"


def test_reg4_relative_shown_with_the_kind_of_relation_in_words(page):
    """REG-4 («Семья мастеров»): the application page names a relative's relation in words — «мать», not the
    stored code — and in English after switching the language."""
    reg = Reg()
    application = reg.application(category=reg.family)
    reg.add(application, "participant", last_name="Семёнов", first_name="Сеня")
    reg.add(application, "relative", last_name="Семёнова", first_name="Мария", relation="mother")
    _as(page, "mentor@example.ru")
    page.goto(f"/registration/applications/{application.pk}/")
    row = page.locator("tr", has_text="Семёнова Мария")
    expect(row).to_contain_text("родство: мать")
    expect(row).not_to_contain_text("mother")
    with page.expect_navigation():
        page.locator("#language-form select").select_option("en")
    expect(page.locator("tr", has_text="Семёнова Мария")).to_contain_text("mother")
