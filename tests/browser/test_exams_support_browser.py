"""RM-1 + RM-6 in a real browser: «Поддержка» during an exam opens a new tab and the attempt stays put; the focus
loss that follows is logged as «Открыл поддержку», a focus loss without it as leaving the window."""

from __future__ import annotations

import re

import pytest

from profmaster.accounts.models import Role
from profmaster.exams.models import Attempt, AttemptEvent

from ..exams.factories import make_exam
from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


def _events(attempt):
    return list(AttemptEvent.objects.filter(attempt=attempt).exclude(kind__in=["start", "resume", "save"])
                .values_list("kind", flat=True))


def test_rm6_opening_support_from_the_exam_is_not_logged_as_leaving_it(page, browser, live_server):
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    chief = UserFactory()
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    examinee = UserFactory(email="examinee@example.ru", last_name="Участникова")
    give_role(examinee, Role.PARTICIPANT, championship)
    exam = make_exam(championship, competency, chief, kinds=["single"])

    login(page, "examinee@example.ru", PASSWORD)
    page.goto(f"/exams/{exam.pk}/take/")
    page.get_by_role("button", name="Начать экзамен").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    attempt_url = page.url
    attempt = Attempt.objects.get()

    def event(kind, action):
        with page.expect_response(lambda r: r.url.endswith("/events") and r.status == 204
                                  and (r.request.post_data_json or {}).get("kind") == kind):
            action()

    # Headless chromium does not move the OS focus between tabs, so the window's blur and focus are dispatched
    # as the operating system would dispatch them.
    blur = lambda: page.evaluate("window.dispatchEvent(new Event('blur'))")  # noqa: E731
    focus = lambda: page.evaluate("window.dispatchEvent(new Event('focus'))")  # noqa: E731

    with page.context.expect_page() as opened:
        page.locator("#exam-support").click()
    support = opened.value
    support.wait_for_load_state()
    assert "/support/" in support.url and f"page=%2Fexams%2Fattempts%2F{attempt.pk}%2F" in support.url
    assert page.url == attempt_url  # the attempt stays open in its own tab
    event("support", blur)
    event("focus_back", focus)
    event("focus_lost", blur)  # no click on «Поддержка» before it: an ordinary focus loss
    event("focus_back", focus)
    with page.context.expect_page() as opened_again:
        page.locator("#support-link").click()  # the header's link behaves the same on the attempt page
    opened_again.value.close()
    event("support", blur)
    assert page.url == attempt_url
    assert _events(attempt) == ["support", "focus_back", "focus_lost", "focus_back", "support"]
    support.close()

    proctor = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True).new_page()
    try:
        login(proctor, chief.email, PASSWORD)
        proctor.goto(f"/exams/attempts/{attempt.pk}/log/")
        rows = proctor.locator("#events tbody tr")
        assert rows.filter(has_text="Открыл поддержку (окно экзамена в фоне)").count() == 2
        assert proctor.locator("#events tr.table-info").count() == 2
        assert rows.filter(has_text="Окно экзамена потеряло фокус").count() == 1
    finally:
        proctor.context.close()
