"""Acceptance (issue 5, AW-1, SC-9): the Directorate publishes a competency's results. Before it a mentor sees
no ranking anywhere (page, API, export); after it the public page — on a phone — shows the medals."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from profmaster.accounts.models import Role

from ..factories import PASSWORD, CompetencyFactory, UserFactory, give_role
from ..results.conftest import Results
from .conftest import login

pytestmark = pytest.mark.browser


def _xlsx_text(body: bytes) -> str:
    sheet = load_workbook(io.BytesIO(body)).active
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


def test_aw1_directorate_publishes_and_public_page_shows_medals(page, browser, live_server):
    competency = CompetencyFactory(name="Кондитерское дело")
    championship = competency.championship
    world = Results(competency)
    mentor = UserFactory(email="mentor@example.ru", last_name="Наставникова")
    give_role(mentor, Role.MENTOR, championship)
    directorate = UserFactory(email="directorate@example.ru")
    give_role(directorate, Role.DIRECTORATE, championship)
    gold, silver, bronze = (world.team(mentor=mentor if i == 0 else None) for i in range(3))
    world.lock(world.final, [(gold, "91.25"), (silver, "85.00"), (bronze, "70.50")])
    url = f"/results/competencies/{competency.pk}/"

    # Before publication: the mentor sees no ranking on the page, in the API or in the export.
    login(page, "mentor@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(url)
    expect(page.locator("#not-published")).to_be_visible()
    assert "91.25" not in page.content() and page.locator(".results-table").count() == 0
    api = page.request.get(f"/api/v1/competencies/{competency.pk}/results").json()
    assert api["visible"] is False and api["groups"] == []
    export = page.request.get(f"/results/competencies/{competency.pk}/export.xlsx")
    assert export.ok and "91.25" not in _xlsx_text(export.body())

    # The Directorate sees the working results and publishes them.
    directorate_context = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True)
    directorate_page = directorate_context.new_page()
    login(directorate_page, "directorate@example.ru", PASSWORD)
    directorate_page.wait_for_url(re.compile(r"/cabinet/$"))
    directorate_page.goto(url)
    expect(directorate_page.locator("#working-results")).to_be_visible()
    directorate_page.get_by_role("button", name="Опубликовать итоги компетенции").click()
    expect(directorate_page.get_by_text("Итоги опубликованы.")).to_be_visible()
    expect(directorate_page.locator("#published-version")).to_contain_text("версия 1")
    directorate_context.close()

    # After it: the mentor's page, API and export show the ranking with medals.
    page.goto(url)
    expect(page.locator(f"tr[data-team='{gold.pk}'] .medal-gold")).to_have_text("Золото")
    api = page.request.get(f"/api/v1/competencies/{competency.pk}/results").json()
    assert [r["medal"] for r in api["groups"][0]["rows"]] == ["gold", "silver", "bronze"]
    assert "золото" in _xlsx_text(page.request.get(f"/results/competencies/{competency.pk}/export.xlsx").body())

    # The public page on a phone, without logging in.
    phone = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True, viewport={"width": 390, "height": 844},
                                is_mobile=True)
    public = phone.new_page()
    public.goto(url)
    expect(public.locator(f"tr[data-team='{gold.pk}'] .medal-gold")).to_be_visible()
    expect(public.locator(f"tr[data-team='{silver.pk}'] .medal-silver")).to_have_text("Серебро")
    expect(public.locator(f"tr[data-team='{bronze.pk}'] .medal-bronze")).to_have_text("Бронза")
    assert public.evaluate("document.documentElement.scrollWidth") <= 390
    public.goto(f"/results/championships/{championship.pk}/")
    expect(public.locator("#medal-table")).to_contain_text("Кубок за 1 место")
    phone.close()
