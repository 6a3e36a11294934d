"""A chief expert builds a marking scheme in the browser (MS-1, MS-2)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.marking.models import Aspect

from ..factories import PASSWORD, CompetencyFactory, StageFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


def test_ms1_chief_expert_builds_scheme_and_sees_why_it_cannot_lock_yet(page):
    competency = CompetencyFactory(name="Кондитерское дело")
    StageFactory(championship=competency.championship, name="Финал")
    chief = UserFactory(email="chief@example.ru")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/championships/{competency.championship.pk}/competencies/{competency.pk}/")
    page.get_by_role("link", name="Схемы оценки").click()
    page.get_by_label("Название").fill("Схема оценки финала")
    page.get_by_label("Этап").select_option(label="Финал")
    page.get_by_role("button", name="Создать схему").click()

    expect(page.get_by_role("heading", name="Схема оценки финала")).to_be_visible()
    page.get_by_role("link", name="Добавить критерий").click()
    page.get_by_label("Код").fill("A")
    page.get_by_label("Название").fill("Выпечка")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("link", name="Субкритерий +").click()
    page.get_by_label("Код").fill("A1")
    page.get_by_label("Название").fill("Тесто")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("link", name="Аспект +").click()
    page.get_by_label("Код").fill("A1.1")
    page.get_by_label("Вид").select_option("judgement")
    page.get_by_label("Описание").fill("Равномерность выпечки")
    page.get_by_label("Максимальный балл").fill("2")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("main form").first).to_contain_text("опишите, что означает каждая оценка")
    for mark, meaning in enumerate(["Сырое", "Неравномерно", "Почти равномерно", "Идеально"]):
        page.get_by_label(f"Оценка {mark} означает").fill(meaning)
    page.get_by_role("button", name="Сохранить").click()

    expect(page.locator("#criterion-A")).to_contain_text("Равномерность выпечки")
    expect(page.locator("#scheme-problems")).to_contain_text("В схеме 1 критерий, а должно быть от 3 до 9.")
    expect(page.get_by_role("button", name="Заблокировать критерии")).to_be_disabled()
    assert Aspect.objects.get(code="A1.1").descriptors[3] == "Идеально"
