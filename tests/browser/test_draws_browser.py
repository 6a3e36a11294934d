"""OP-1 in a real browser: the chief expert prepares the flow draw from the cabinet, a mentor present adds a
contribution, the draw is performed (htmx, no reload), and the public verification page confirms it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profmaster.competition_day.models import Draw

from ..competition_day.conftest import make_day
from ..factories import PASSWORD
from .conftest import login

pytestmark = pytest.mark.browser


def test_op1_chief_runs_a_draw_with_a_mentor_contribution_and_public_page_confirms_it(page, browser, live_server):
    day = make_day(teams=5, flows=2, workplaces=3)
    login(page, day.chief.email, PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.locator("#cabinet-draws").get_by_role("link", name="Жеребьёвка").click()
    page.wait_for_url(re.compile(rf"/competencies/{day.competency.pk}/draws/$"))

    page.get_by_role("button", name="Подготовить жеребьёвку потоков").click()
    expect(page.locator("#draw-done")).to_contain_text("обязательство опубликовано")
    draw = Draw.objects.get()
    expect(page.locator(".commitment")).to_have_text(draw.commitment)
    assert draw.secret not in page.content()

    page.get_by_label("Наставник").select_option(str(day.mentors[0].pk))
    page.get_by_label("Вклад", exact=True).fill("Ёлки-палки 2023")
    page.get_by_role("button", name="Добавить вклад").click()
    expect(page.locator(".contributions")).to_contain_text("«Ёлки-палки 2023»")
    page.get_by_role("button", name="Провести жеребьёвку").click()
    expect(page.locator(".draw-state")).to_have_text("Проведена")
    draw.refresh_from_db()
    expect(page.locator(".secret")).to_have_text(draw.secret)
    expect(page.locator(".draw-result tbody tr")).to_have_count(5)
    assert draw.protocol is not None and draw.contributions.get().user == day.mentors[0]

    # anyone, without logging in, re-runs the draw on its public page
    public = browser.new_context(locale="ru-RU", base_url=live_server.url).new_page()
    public.goto(f"/competition-day/draws/{draw.pk}/verify/")
    expect(public.locator("#verify-outcome")).to_have_attribute("data-outcome", "match")
    expect(public.locator("#verify-outcome")).to_contain_text("Совпадает")
    expect(public.locator("#seed")).to_have_text(draw.seed)
    public.context.close()
