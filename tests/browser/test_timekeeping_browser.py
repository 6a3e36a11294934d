"""OP-3: a timer started and paused on the chief expert's day board changes on the venue's countdown screen and
on a second open board, without a reload."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from profmaster.championships.models import ProgrammeSlot
from profmaster.timekeeping import domain
from profmaster.timekeeping.selectors import screen_token

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory
from ..timekeeping.conftest import build_day
from .conftest import login

pytestmark = pytest.mark.browser


def test_op3_timer_started_and_paused_on_the_board_changes_on_open_screen_and_board(page, browser, live_server,
                                                                                  request):
    championship = ChampionshipFactory()
    day = build_day(championship, CompetencyFactory(championship=championship, name="Кондитерское дело"))
    # today's flow, so that the board of today shows it
    ProgrammeSlot.objects.filter(pk=day.flow.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5),
                                                        ends_at=timezone.now() + dt.timedelta(hours=3))
    day.flow.refresh_from_db()
    timer = domain.create_timer(day.flow, kind="module", module=day.module, duration_minutes=90, by=day.chief)

    screen_context = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True)
    request.addfinalizer(screen_context.close)  # the screen polls until closed: before the database goes
    screen = screen_context.new_page()
    screen.set_default_timeout(15000)
    screen.goto(f"/timekeeping/screen/{screen_token(day.flow)}/")
    screen.wait_for_function("document.getElementById('screen-time').dataset.state === 'not_started'")
    assert screen.locator("#screen-title").inner_text() == "Модуль A. Торт «Пьеха»"
    assert screen.locator("#screen-time").inner_text() == "1:30:00"
    assert "Москва, UTC+3" in screen.locator("#screen-zone").inner_text()

    board_context = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True)
    request.addfinalizer(board_context.close)
    watcher = board_context.new_page()
    watcher.set_default_timeout(15000)
    login(watcher, "expert@example.ru", PASSWORD)
    watcher.goto(f"/timekeeping/competencies/{day.competency.pk}/day/")
    expect_state = f"#timer-{timer.pk}"
    assert watcher.locator(expect_state).get_attribute("data-timer-state") == "not_started"
    for opened in (screen, watcher):
        opened.evaluate("window.stillTheSamePage = true")

    login(page, "chief@example.ru", PASSWORD)
    page.goto("/cabinet/")
    page.locator("#day-boards").get_by_role("link", name="Доска дня").click()
    page.wait_for_url(re.compile(r"/timekeeping/competencies/\d+/day/\d{4}-\d{2}-\d{2}/$"))
    page.locator(expect_state).get_by_role("button", name="Старт").click()
    page.locator(expect_state).get_by_role("button", name="Пауза").wait_for()

    screen.wait_for_function("document.getElementById('screen-time').dataset.state === 'running'")
    assert screen.locator("#screen-state").inner_text() == "Идёт"
    screen.wait_for_function("/^1:29:[0-5][0-9]$/.test(document.getElementById('screen-time').textContent)")
    watcher.wait_for_function(f"document.querySelector('{expect_state}').dataset.timerState === 'running'")

    page.locator(expect_state).get_by_role("button", name="Пауза").click()
    page.locator(expect_state).get_by_role("button", name="Продолжить").wait_for()
    screen.wait_for_function("document.getElementById('screen-time').dataset.state === 'paused'")
    assert screen.locator("#screen-state").inner_text() == "Пауза"
    frozen = screen.locator("#screen-time").inner_text()
    screen.wait_for_timeout(1500)
    assert screen.locator("#screen-time").inner_text() == frozen  # a paused timer does not count down
    watcher.wait_for_function(f"document.querySelector('{expect_state}').dataset.timerState === 'paused'")
    for opened in (screen, watcher):
        assert opened.evaluate("window.stillTheSamePage") is True  # changed without a reload
    assert list(timer.events.values_list("kind", flat=True)) == ["start", "pause"]
