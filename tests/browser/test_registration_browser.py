"""REG-1, REG-2, REG-3 in the browser: a mentor registers a team and the Directorate reviews it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.championships.domain import create_default_age_categories
from profmaster.registration.models import Application

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, OrganisationFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def setup(transactional_db):
    director = UserFactory(email="dir@example.ru", last_name="Дирекцияева")
    championship = ChampionshipFactory(name="Мастерята")
    give_role(director, Role.DIRECTORATE, championship)
    categories = create_default_age_categories(championship, by=director)
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    competency.age_categories.set(categories)
    school = OrganisationFactory(name="ГБОУ Школа № 1", short_name="Школа № 1")
    mentor = UserFactory(email="mentor@example.ru", last_name="Наставникова", first_name="Нина")
    give_role(mentor, Role.MENTOR, championship, organisation=school)
    return {"director": director, "championship": championship, "mentor": mentor}


def add_participant(page, last_name: str, grade: str) -> None:
    page.get_by_role("link", name="Добавить: участник").click()
    page.get_by_label("Фамилия").fill(last_name)
    page.get_by_label("Имя", exact=True).fill("Алексей")
    page.get_by_label("Дата рождения").fill("2015-05-01")
    page.get_by_label("Класс").fill(grade)
    page.get_by_label("Размер одежды").select_option("128")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#team")).to_contain_text(last_name)


def create_application(page, championship) -> None:
    page.goto(f"/championships/{championship.pk}/")
    page.get_by_role("link", name="Заявки").click()
    page.get_by_role("link", name="Подать заявку").click()
    page.get_by_label("Компетенция").select_option(label="Кондитерское дело")
    page.get_by_label("Возрастная категория").select_option(label="1–2 класс")
    page.get_by_label("Организация").select_option(label="Школа № 1")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name=re.compile("Заявка №"))).to_be_visible()


def test_reg1_mentor_registers_directorate_returns_mentor_fixes_directorate_approves(page, live_server, setup):
    championship = setup["championship"]
    login(page, "mentor@example.ru", PASSWORD)
    create_application(page, championship)
    add_participant(page, "Алексеев", "1")
    add_participant(page, "Борисов", "2")
    page.get_by_role("link", name="Добавить: наставник").click()
    page.get_by_label("Фамилия").fill("Наставникова")
    page.get_by_label("Имя", exact=True).fill("Нина")
    page.get_by_label("Должность").fill("Учитель технологии")
    page.get_by_label("Телефон").fill("+7 900 000-00-00")
    page.get_by_label("E-mail").fill("mentor@example.ru")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#rules")).to_contain_text("Команда соответствует правилам регистрации.")
    page.get_by_role("button", name="Подать заявку").click()
    expect(page.locator("#application-status")).to_have_text("Подана")
    application = Application.objects.get()

    # The Directorate returns it with a remark on one participant.
    page.get_by_role("button", name="Выйти").click()
    login(page, "dir@example.ru", PASSWORD)
    expect(page.locator("#registration")).to_contain_text("1 заявка ждёт рассмотрения")
    page.get_by_role("link", name="Рассмотреть").click()
    page.get_by_role("link", name=f"№ {application.pk}").click()
    page.get_by_role("link", name="Вернуть на доработку").click()
    page.get_by_label(re.compile("Замечание: Борисов")).fill("Борисов учится во 2 классе? Проверьте дату рождения.")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.locator("#application-status")).to_have_text("Возвращена на доработку")

    # The mentor sees the remark next to that participant, fixes and resubmits.
    page.get_by_role("button", name="Выйти").click()
    login(page, "mentor@example.ru", PASSWORD)
    page.get_by_role("link", name=f"Заявка № {application.pk}").click()
    row = page.locator("tr", has_text="Борисов Алексей")
    expect(row.locator(".remark")).to_contain_text("Проверьте дату рождения.")
    row.get_by_role("link", name="Изменить").click()
    page.get_by_label("Дата рождения").fill("2015-09-02")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("button", name="Подать повторно").click()
    expect(page.locator("#application-status")).to_have_text("Подана повторно")

    # The Directorate approves; the mentor sees the approval in the cabinet.
    page.get_by_role("button", name="Выйти").click()
    login(page, "dir@example.ru", PASSWORD)
    page.goto(f"/registration/applications/{application.pk}/")
    page.get_by_role("button", name="Одобрить").click()
    expect(page.locator("#application-status")).to_have_text("Одобрена")
    page.get_by_role("button", name="Выйти").click()
    login(page, "mentor@example.ru", PASSWORD)
    expect(page.locator("#registration")).to_contain_text(f"Заявка № {application.pk}")
    expect(page.locator("#registration .application-status")).to_have_text("Одобрена")


def test_reg2_reg3_invalid_team_shows_each_message_next_to_the_right_person(page, live_server, setup):
    login(page, "mentor@example.ru", PASSWORD)
    create_application(page, setup["championship"])
    add_participant(page, "Первоклассников", "1")
    add_participant(page, "Третьеклассников", "3")
    page.get_by_role("button", name="Подать заявку").click()
    expect(page.locator(".alert-danger").first).to_contain_text("Заявка не соответствует правилам")
    wrong = page.locator("tr", has_text="Третьеклассников Алексей")
    expect(wrong.locator(".violation")).to_have_text(
        "Третьеклассников Алексей: в категории «1–2 класс» участник учится в 1–2 классе, указан 3 класс. "
        "Исправьте класс или выберите другую категорию.")
    expect(page.locator("tr", has_text="Первоклассников Алексей").locator(".violation")).to_have_count(0)
    expect(page.locator("#team-violations")).to_contain_text(
        "В категории «1–2 класс» у команды должно быть наставников: 1, сейчас: 0. Добавьте недостающих.")
    expect(page.locator("#application-status")).to_have_text("Черновик")
