"""X-5 (issue 13 §6, CSP): the main pages, in a browser that enforces the Content-Security-Policy (no
``bypass_csp``), raise no policy violation and no console error — including the API's Swagger page, whose
scripts and styles are served from our own static files — and the three pages that run the most script
work under it: the marks grid (an expert typing and autosaving marks), an exam attempt (answering,
autosave) and the exam statistics (Chart.js). Violations are caught twice: by the console and by a
``securitypolicyviolation`` listener installed before any page script (report-only ones too)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import login

#: Runs in every document before its own scripts (through the DevTools protocol, so the policy does not apply).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The policy violations the current document reported."""
    return page.evaluate("() => window.__cspViolations || []")  # type: ignore[no-any-return]


@pytest.fixture
def strict_page(browser, live_server, transactional_db):
    context = browser.new_context(locale="ru-RU", base_url=live_server.url)  # the policy is enforced
    page = context.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(WATCH_VIOLATIONS)
    problems: list[str] = []

    def console(msg):  # type: ignore[no-untyped-def]
        # Django admin's own pages name no icon, so Chromium asks for /favicon.ico: a 404, not a policy matter
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{page.url}: {msg.text}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    yield page, problems
    context.close()


def test_x5_main_pages_raise_no_csp_violation(strict_page):
    page, problems = strict_page
    championship = ChampionshipFactory(name="Чемпионат Мастерята")
    director = UserFactory(email="directorate@example.ru", is_staff=True, is_superuser=True)
    give_role(director, Role.DIRECTORATE, championship)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", state="attached")  # the bundle ran and drew the operations
    login(page, "directorate@example.ru", PASSWORD)
    for url in ["/cabinet/", f"/results/championships/{championship.pk}/", "/admin/"]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
    assert (violations(page), problems) == ([], [])


def test_x5_csp_marks_grid_expert_enters_marks_and_autosaves(strict_page):
    """SC-3 under the policy: the grid's script (static file, data by json_script) focuses, saves each mark."""
    from profmaster.marking.models import Mark

    from ..marking.conftest import make_locked_scheme, make_team

    page, problems = strict_page
    competency = CompetencyFactory(name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru", last_name="Главная")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    for name in ("Альфа", "Бета"):
        give_role(UserFactory(last_name=name), Role.EXPERT, competency.championship, competency)
    scheme = make_locked_scheme(competency, chief)
    team = make_team(competency)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/marking/schemes/{scheme.pk}/marks/{team.pk}/")
    grid = page.locator("#entry-grid input.mark-input")
    expect(grid).to_have_count(6)
    expect(grid.first).to_be_focused()  # the script ran
    for value in ["1", "2", "2"]:
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    expect(page.locator("#save-state")).to_have_text("Все изменения сохранены")
    assert Mark.objects.filter(team=team).count() >= 3
    page.goto(f"/marking/schemes/{scheme.pk}/marks/")
    page.wait_for_load_state("networkidle")
    assert (violations(page), problems) == ([], [])


def test_x5_csp_exam_attempt_answers_autosave(strict_page):
    """RM-1 under the policy: the attempt page's script (timer, autosave) runs and saves the answers."""
    from profmaster.exams.models import Answer

    from ..exams.factories import make_exam

    page, problems = strict_page
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    chief = UserFactory()
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    examinee = UserFactory(email="examinee@example.ru", last_name="Участникова")
    give_role(examinee, Role.PARTICIPANT, championship)
    make_exam(championship, competency, chief, kinds=["single", "multiple", "short"])

    login(page, "examinee@example.ru", PASSWORD)
    page.get_by_role("link", name="Открыть").click()
    page.get_by_role("button", name="Начать экзамен").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    expect(page.locator("#end-time")).not_to_be_empty()
    with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 200):
        page.get_by_label("31 °C").check()
    expect(page.locator("#save-status")).to_contain_text("Сохранено")
    page.get_by_label("Ответ").fill("Шарлотка")
    expect(page.locator("#save-status")).to_contain_text("Сохранено")
    page.wait_for_load_state("networkidle")
    assert sorted(Answer.objects.values_list("question__kind", flat=True)) == ["short", "single"]
    assert (violations(page), problems) == ([], [])


def test_x5_csp_exam_statistics_charts_drawn(strict_page):
    """RM-1 under the policy: Chart.js (static file) draws the overall chart and one per question from
    json_script data."""
    from profmaster.exams import domain

    from ..exams.factories import make_exam, right_answers

    page, problems = strict_page
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship)
    chief = UserFactory(email="chief@example.ru")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    exam = make_exam(championship, competency, chief, kinds=["single", "multiple", "short"])
    answers = right_answers(exam)
    for n in range(2):
        examinee = UserFactory()
        give_role(examinee, Role.PARTICIPANT, championship)
        attempt, token = domain.start_attempt(exam, examinee)
        for seq, (question_id, response) in enumerate(list(answers.items())[:n + 1], start=1):
            domain.save_answer(attempt.pk, examinee, question_id=question_id, response=response, seq=seq, token=token)
        domain.finish_attempt(attempt, by=examinee)

    login(page, "chief@example.ru", PASSWORD)
    page.goto(f"/exams/{exam.pk}/statistics/")
    page.wait_for_load_state("networkidle")
    expect(page.locator("canvas.item-distribution")).to_have_count(3)
    drawn = page.evaluate("""() => [document.getElementById('item-chart'),
        ...document.querySelectorAll('canvas.item-distribution')].map(c => Chart.getChart(c) !== undefined)""")
    assert drawn == [True, True, True, True]
    assert (violations(page), problems) == ([], [])
