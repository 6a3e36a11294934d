"""REG-6, REG-7, REG-14 in the browser: the Directorate publishes a consent form and records a parent's
consent, the chief expert is refused an executable posing as a PDF, the lists are reachable from the
championship page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.championships.domain import create_default_age_categories
from profmaster.registration.models import Application, Consent, DocumentCheck, TeamMember

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, OrganisationFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(transactional_db, tmp_path):
    director = UserFactory(email="dir@example.ru", last_name="Дирекцияева")
    championship = ChampionshipFactory(name="Мастерята")
    give_role(director, Role.DIRECTORATE, championship)
    categories = create_default_age_categories(championship, by=director)
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    competency.age_categories.set(categories)
    school = OrganisationFactory(name="ГБОУ Школа № 1", short_name="Школа № 1")
    chief = UserFactory(email="chief@example.ru", last_name="Главэкспертов")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    application = Application.objects.create(championship=championship, competency=competency,
                                             age_category=categories[0], organisation=school, created_by=director,
                                             status="submitted")
    pupil = TeamMember.objects.create(application=application, kind="participant", last_name="Алексеев",
                                      first_name="Алексей", grade=1, birth_date=dt.date(2015, 5, 1),
                                      organisation=school)
    return {"championship": championship, "application": application, "pupil": pupil}


def test_reg6_directorate_publishes_consent_and_records_parent_consent(page, live_server, setup):
    login(page, "dir@example.ru", PASSWORD)
    page.goto(f"/championships/{setup['championship'].pk}/")
    page.get_by_role("link", name="Заявки", exact=True).click()
    page.get_by_role("link", name="Формы согласий").click()
    page.get_by_label("Вид согласия").select_option("personal_data")
    page.get_by_label("Название").fill("Согласие на обработку ПДн")
    page.get_by_label("Текст согласия").fill("Я, законный представитель, согласен.")
    page.get_by_role("button", name="Опубликовать").click()
    expect(page.locator("#consent-forms")).to_contain_text("версия 1")
    page.goto(f"/registration/applications/{setup['application'].pk}/")
    page.locator("tr", has_text="Алексеев Алексей").get_by_role("link", name="Согласия").click()
    page.get_by_label("Согласие (версия текста)").select_option(label="Согласие на обработку ПДн v1")
    page.get_by_label("Кем дано").select_option("parent")
    page.get_by_label("ФИО давшего согласие").fill("Алексеева Анна Ивановна")
    page.get_by_role("button", name="Записать согласие").click()
    expect(page.locator("#consents")).to_contain_text("Родитель (законный представитель): Алексеева Анна Ивановна")
    assert Consent.objects.get().given_by == "parent"
    page.goto(f"/championships/{setup['championship'].pk}/")
    page.get_by_role("link", name="Списки участников").click()
    expect(page.locator("#people")).to_contain_text("Алексеев Алексей")


def test_reg7_chief_expert_gets_clear_message_for_executable_pdf(page, live_server, setup, tmp_path):
    exe = tmp_path / "passport.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * (10 * 1024 * 1024))
    login(page, "chief@example.ru", PASSWORD)
    page.goto(f"/registration/applications/{setup['application'].pk}/")
    page.get_by_role("link", name="Проверка документов").click()
    page.locator("tr", has_text="Документ, удостоверяющий личность").get_by_role("link", name="Отметить").click()
    page.get_by_label("Результат").select_option("accepted")
    page.get_by_label("Скан (необязательно): PDF, PNG или JPEG до 5 МБ").set_input_files(str(exe))
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("form[enctype]")).to_contain_text(
        "Файл «passport.pdf» не принят: по содержимому это не PDF, PNG или JPEG (исполняемая программа)")
    assert DocumentCheck.objects.count() == 0
    page.get_by_role("button", name="Сохранить").click()  # without the scan the check is recorded
    expect(page.locator("#document-checks")).to_contain_text("Предъявлен, в порядке")
