"""The chief expert enters a sheet by keyboard, sees a discrepancy, resolves it and locks; the mentor then
sees only their own team's marks (SC-2…SC-5, SC-9)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.marking import marks
from profmaster.marking.models import TeamResult

from ..factories import PASSWORD, CompetencyFactory, UserFactory, give_role
from ..marking.conftest import make_locked_scheme, make_team, mark_everything
from .conftest import login

pytestmark = pytest.mark.browser


def test_sc3_keyboard_entry_discrepancy_lock_and_mentor_view(page):
    competency = CompetencyFactory(name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru", last_name="Главная")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    for name in ("Альфа", "Бета"):
        give_role(UserFactory(last_name=name), Role.EXPERT, competency.championship, competency)
    mentor = UserFactory(email="mentor@example.ru", last_name="Наставникова")
    give_role(mentor, Role.MENTOR, competency.championship)
    scheme = make_locked_scheme(competency, chief)
    mine = make_team(competency, mentor=mentor)
    theirs = make_team(competency)
    mark_everything(scheme, [theirs], chief)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/marking/schemes/{scheme.pk}/marks/{mine.pk}/")
    grid = page.locator("#entry-grid input.mark-input")
    expect(grid).to_have_count(6)
    expect(grid.first).to_be_focused()
    for value in ["0", "3", "2", "2", "2", "2"]:  # A1.1 by Альфа, Бета; B1.1; C1.1
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    expect(page.locator("#save-state")).to_have_text("Все изменения сохранены")
    expect(grid.nth(5)).to_have_class(re.compile("is-valid"))
    for done in range(1, 4):
        page.get_by_role("button", name="Завершить ведомость").first.click()
        expect(page.locator(".sheet-complete")).to_have_count(done)
    expect(page.locator("tr.table-danger .discrepancy")).to_be_visible()

    page.goto(f"/marking/schemes/{scheme.pk}/marks/")
    expect(page.locator("#lock-problems")).to_contain_text("расхождение оценок 0, 3")
    expect(page.locator("#lock-marks")).to_be_disabled()
    page.get_by_label("Основание A1.1").fill("Эксперты обсудили: оценки обоснованы")
    page.get_by_role("button", name="Оставить").click()
    expect(page.locator("#lock-problems")).to_have_count(0)
    page.locator("#lock-marks").click()
    expect(page.locator("#marks-status")).to_have_text("Оценки заблокированы")
    assert TeamResult.objects.get(scheme=scheme, team=mine).total == Decimal("3.67")  # 1 + 4/3 + 4/3

    page.context.clear_cookies()
    login(page, "mentor@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/marking/championships/{competency.championship.pk}/my-marks/")
    expect(page.locator("#my-marks li")).to_have_count(1)
    page.locator("#my-marks a").click()
    expect(page.locator("#team-total")).to_have_text("3,67")
    expect(page.locator("#team-marks")).to_contain_text("0, 3")
    response = page.goto(f"/marking/schemes/{scheme.pk}/teams/{theirs.pk}/marks/")
    assert response.status == 403
    assert marks.verify(scheme) == []


def test_sc3_a_mark_typed_before_the_page_script_runs_is_saved(page):
    """SC-3: on a slow connection the chief may type into the grid before its script has loaded; that mark is
    saved once the script runs (it counts as saved only what the server rendered), and the page says so."""
    competency = CompetencyFactory(name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru", last_name="Главная")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    give_role(UserFactory(last_name="Альфа"), Role.EXPERT, competency.championship, competency)
    scheme = make_locked_scheme(competency, chief)
    team = make_team(competency)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    held = []
    page.route("**/marking/entry.js", lambda route: held.append(route))  # the script waits on the network
    page.goto(f"/marking/schemes/{scheme.pk}/marks/{team.pk}/", wait_until="commit")  # the grid is parsed, not run
    cell = page.locator("#entry-grid input.mark-input").first
    cell.fill("2")
    assert not marks.Mark.objects.filter(team=team).exists()
    for _ in range(100):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()
    expect(page.locator("#save-state")).to_have_text("Все изменения сохранены")
    expect(cell).to_have_class(re.compile("is-valid"))
    assert list(marks.Mark.objects.filter(team=team).values_list("value", flat=True)) == [2]
