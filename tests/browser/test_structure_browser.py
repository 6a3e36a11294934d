"""What a Directorate user sees and does in a real browser (CH-2, X-3)."""

from __future__ import annotations

import re

import pytest

from profmaster.accounts.models import Role
from profmaster.championships.models import Competency

from ..factories import PASSWORD, ChampionshipFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


def test_ch2_directorate_logs_in_sees_cabinet_and_creates_a_competency(page):
    championship = ChampionshipFactory(name="Мастерята-2023")
    user = UserFactory(email="dir@example.ru", last_name="Дирекцияева", first_name="Дарья")
    give_role(user, Role.DIRECTORATE, championship)

    login(page, "dir@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    assert page.get_by_role("heading", name="Личный кабинет").is_visible()
    roles = page.locator("#roles")
    assert "Мастерята-2023" in roles.inner_text()
    assert "Дирекция" in roles.inner_text()

    roles.get_by_role("link", name=re.compile("Мастерята-2023")).click()
    page.get_by_role("link", name="Добавить компетенцию").click()
    page.get_by_label("Название").fill("Флористика")
    page.get_by_label("Порядок оценки").select_option("blind")
    page.get_by_role("button", name="Сохранить").click()

    page.wait_for_url(re.compile(r"#competencies$"))
    assert "Сохранено." in page.locator(".alert-success").inner_text()
    row = page.locator("#competency-table tr", has_text="Флористика")
    assert "Слепая оценка" in row.inner_text()
    assert Competency.objects.get(name="Флористика").expert_count == 6


def test_bad_input_keeps_what_was_typed_and_explains(page):
    championship = ChampionshipFactory()
    user = UserFactory(email="dir2@example.ru")
    give_role(user, Role.DIRECTORATE, championship)
    login(page, "dir2@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/championships/{championship.pk}/stage/new/")
    page.get_by_label("Название").fill("Финал")
    page.get_by_label("Вид").select_option("final")
    page.get_by_label("Начало").fill("2023-04-10")
    page.get_by_label("Окончание").fill("2023-04-01")
    page.get_by_role("button", name="Сохранить").click()
    assert "Окончание этапа не может быть раньше начала." in page.locator("main form").inner_text()
    assert page.get_by_label("Название").input_value() == "Финал"


def test_x3_language_switch_to_english_and_back(page):
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.locator("#language-form select").select_option("en")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.get_by_label("Password").is_visible()
    with page.expect_navigation():
        page.locator("#language-form select").select_option("ru")
    expect(page.get_by_role("heading", name="Вход")).to_be_visible()
