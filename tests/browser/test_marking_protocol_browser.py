"""Marking in a real browser (issue 4): the four-eyes check of a sheet (SC-2, SC-3), the unlock protocol
after the lock (SC-6, SC-7) and the panel page with its conflict-of-interest refusal (SC-8)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.documents.models import Signature
from profmaster.marking import marks
from profmaster.marking import panel as panels
from profmaster.marking.models import (
    JudgingRole,
    Mark,
    MarkEntry,
    SchemeMarking,
    TeamResult,
)

from ..factories import PASSWORD, CompetencyFactory, UserFactory, give_role
from ..marking.conftest import make_locked_scheme, make_team, mark_everything
from .conftest import login

pytestmark = pytest.mark.browser


EMAILS = {"Альфа": "alpha@example.ru", "Бета": "beta@example.ru"}


def _world():
    competency = CompetencyFactory(name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru", last_name="Главная")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    experts = []
    for name, email in EMAILS.items():
        expert = UserFactory(email=email, last_name=name)
        give_role(expert, Role.EXPERT, competency.championship, competency)
        experts.append(expert)
    return competency, chief, experts


def _second_page(browser, live_server, email):
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, email, PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    return context, page


def _type_grid(page, values):
    grid = page.locator("#entry-grid input.mark-input")
    expect(grid).to_have_count(len(values))
    grid.first.focus()
    for value in values:
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    expect(page.locator("#save-state")).to_have_text("Все изменения сохранены")
    return grid


def test_sc3_four_eyes_blind_reentry_mismatch_blocks_then_match_completes(page, browser, live_server):
    """SC-2/SC-3: with the four-eyes check on, a second panel member re-enters the sheet blind; a mismatch is
    shown and blocks completion; once the re-entry matches, the sheet completes."""
    competency, chief, (alpha, beta) = _world()
    scheme = make_locked_scheme(competency, chief)
    team = make_team(competency)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/marking/championships/{competency.championship.pk}/competencies/{competency.pk}/panel/")
    page.get_by_label("проверка в четыре глаза").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Настройки жюри сохранены.")).to_be_visible()
    assert panels.panel_of(competency).four_eyes is True

    page.goto(f"/marking/schemes/{scheme.pk}/marks/{team.pk}/")
    _type_grid(page, ["1", "2", "2", "2", "3", "3"])  # A1.1 by Альфа, Бета; B1.1; C1.1

    # The one who typed the marks may not check them: the grid says so instead of saving.
    page.get_by_role("link", name="Повторный ввод").click()
    first = page.locator("#entry-grid input.mark-input").first
    expect(first).to_be_focused()
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.locator("#save-state")).to_have_text("Не сохранено: Проверяет другой член жюри, не тот, кто вводил оценку.")
    expect(first).to_have_class(re.compile("is-invalid"))
    assert not Mark.objects.filter(check_value__isnull=False).exists()
    page.get_by_role("link", name="К вводу").click()
    expect(page.get_by_role("heading", name=re.compile("^Ввод оценок"))).to_be_visible()

    # The second panel member opens the re-entry: the chief's marks are not shown to them.
    context, expert_page = _second_page(browser, live_server, "alpha@example.ru")
    expert_page.goto(f"/marking/schemes/{scheme.pk}/marks/{team.pk}/")
    expert_page.get_by_role("link", name="Повторный ввод").click()
    expect(expert_page.get_by_role("heading", name=re.compile("Повторный ввод \\(четыре глаза\\)"))).to_be_visible()
    inputs = expert_page.locator("#entry-grid input.mark-input")
    for index in range(6):
        expect(inputs.nth(index)).to_have_value("")
    expect(expert_page.get_by_role("button", name="Завершить ведомость")).to_have_count(0)
    _type_grid(expert_page, ["1", "3", "2", "2", "3", "3"])  # A1.1 of Бета mistyped
    expect(inputs.nth(1)).to_have_class(re.compile("is-invalid"))
    expect(inputs.nth(0)).to_have_class(re.compile("is-valid"))

    # The chief cannot complete sheet A while the re-entry disagrees, and sees why.
    page.reload()
    expect(page.locator("#entry-grid input.mark-input").nth(1)).to_have_class(re.compile("is-invalid"))
    page.locator("#sheet-A1").get_by_role("button", name="Завершить ведомость").click()
    expect(page.locator(".alert-danger, .alert-error")).to_contain_text(
        "Повторный ввод не совпал: A1.1 (Бета")
    expect(page.locator("#sheet-A1 .sheet-complete")).to_have_count(0)
    page.locator("#sheet-B1").get_by_role("button", name="Завершить ведомость").click()
    expect(page.locator("#sheet-B1 .sheet-complete")).to_have_text("Ведомость завершена")

    # The expert re-enters the disputed mark again, matching the handwritten sheet; then A completes.
    expert_page.reload()
    expect(inputs.nth(1)).to_have_value("3")
    inputs.nth(1).fill("2")
    inputs.nth(1).press("Enter")
    expect(expert_page.locator("#save-state")).to_have_text("Все изменения сохранены")
    expect(inputs.nth(1)).to_have_class(re.compile("is-valid"))
    context.close()

    page.reload()
    page.locator("#sheet-A1").get_by_role("button", name="Завершить ведомость").click()
    expect(page.get_by_text("Ведомость завершена.")).to_be_visible()
    expect(page.locator("#sheet-A1 .sheet-complete")).to_be_visible()
    mark = Mark.objects.get(team=team, expert=beta, aspect__code="A1.1")
    assert (mark.value, mark.check_value, mark.checked_by) == (2, 2, alpha)
    assert marks.verify(scheme) == []


def test_sc6_unlock_protocol_signed_approved_corrected_and_locked_again(page, browser, live_server):
    """SC-6/SC-7: after the lock the chief expert drafts the unlock protocol, the chief and experts sign it,
    the Directorate approves, the chief corrects a mark with a reason and locks again."""
    competency, chief, _experts = _world()
    directorate = UserFactory(email="directorate@example.ru", last_name="Дирекцияева")
    give_role(directorate, Role.DIRECTORATE, competency.championship)
    scheme = make_locked_scheme(competency, chief)
    team = make_team(competency)
    mark_everything(scheme, [team], chief)
    marks.lock_marks(scheme, by=chief)
    assert TeamResult.objects.get(scheme=scheme, team=team).total == Decimal("4.00")
    board = f"/marking/schemes/{scheme.pk}/marks/"

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(board)
    expect(page.locator("#marks-status")).to_have_text("Оценки заблокированы")
    expect(page.get_by_role("link", name="Ввод")).to_have_count(0)
    page.get_by_label("Какие оценки и почему исправить").fill("Ошибка переноса оценки A1.1 эксперта Альфа")
    page.get_by_role("button", name="Составить протокол разблокировки").click()
    expect(page.get_by_text("Протокол разблокировки оценок создан и ждёт подписей.")).to_be_visible()

    # The Directorate cannot approve before every signature, and is told why.
    context, director_page = _second_page(browser, live_server, "directorate@example.ru")
    director_page.goto(board)
    director_page.get_by_role("button", name="Одобрить разблокировку оценок").click()
    expect(director_page.get_by_text(re.compile("Разблокировать можно только по протоколу разблокировки"))).to_be_visible()
    expect(director_page.locator("#marks-status")).to_have_text("Оценки заблокированы")

    # The chief expert and both experts sign the protocol on its page.
    page.get_by_role("link", name="Протокол разблокировки оценок").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    document_url = page.url
    for email in ("chief@example.ru", "alpha@example.ru", "beta@example.ru"):
        if email != "chief@example.ru":
            page.context.clear_cookies()
            login(page, email, PASSWORD)
            page.wait_for_url(re.compile(r"/cabinet/$"))
            page.goto(document_url)
        expect(page.locator("main")).to_contain_text("Ошибка переноса оценки A1.1 эксперта Альфа")
        page.get_by_label("Пароль для подтверждения").fill(PASSWORD)
        page.get_by_role("button", name="Подписать").click()
        expect(page.locator(".alert-success")).to_contain_text("Документ подписан.")
    assert Signature.objects.count() == 3

    director_page.goto(board)
    director_page.get_by_role("button", name="Одобрить разблокировку оценок").click()
    expect(director_page.get_by_text(re.compile("Разблокировка одобрена"))).to_be_visible()
    expect(director_page.locator("#marks-status")).to_have_text("Идёт ввод оценок")
    context.close()
    assert not TeamResult.objects.filter(scheme=scheme).exists()

    # The chief corrects a mark of a completed sheet: the page asks for the reason.
    page.context.clear_cookies()
    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(board)
    page.get_by_role("link", name="Ввод").click()
    cell = page.get_by_label("A1.1 — Альфа")
    page.get_by_label(re.compile("Причина исправления")).first.fill("Ошибка переноса с рукописной ведомости")
    cell.fill("3")
    cell.press("Enter")
    expect(page.locator("#save-state")).to_have_text("Все изменения сохранены")
    expect(cell).to_have_class(re.compile("is-valid"))
    correction = MarkEntry.objects.filter(scheme=scheme, kind=MarkEntry.Kind.MARK).order_by("seq").last()
    assert (correction.new_value, correction.reason) == (3, "Ошибка переноса с рукописной ведомости")

    page.goto(board)
    page.locator("#lock-marks").click()
    expect(page.get_by_text(re.compile("Оценки заблокированы. Каждый эксперт подписывает"))).to_be_visible()
    expect(page.locator("#marks-status")).to_have_text("Оценки заблокированы")
    assert SchemeMarking.objects.get(scheme=scheme).is_locked
    assert TeamResult.objects.get(scheme=scheme, team=team).total == Decimal("4.33")  # A: 2.5 / 3 × 2, B and C: 4 / 3
    assert marks.verify(scheme) == []


def test_sc8_panel_page_assigns_a_role_and_refuses_a_conflict_of_interest(page):
    """SC-8: the chief expert assigns a judging role on the panel page; a role judging the team the expert
    mentors is refused with a Russian message and the conflict is listed."""
    competency, _chief, (alpha, beta) = _world()
    team = make_team(competency, mentor=alpha)
    url = f"/marking/championships/{competency.championship.pk}/competencies/{competency.pk}/panel/"

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(url)
    expect(page.get_by_role("heading", name="Жюри компетенции «Кондитерское дело»")).to_be_visible()
    expect(page.locator("#panel-members")).to_contain_text("Главный эксперт: Главная")
    expect(page.locator("#panel-members")).to_contain_text("Эксперт: Альфа")
    expect(page.locator("#conflicts")).to_contain_text("Альфа")
    expect(page.locator("#conflicts")).to_contain_text("наставник этой команды и не оценивает её")
    expect(page.locator("#judging-roles")).to_contain_text("Роли не распределены.")

    page.get_by_label("Член жюри").select_option(str(beta.pk))
    page.get_by_label("Судейская роль").fill("Эксперт-оценщик критерия A")
    page.get_by_role("button", name="Назначить роль").click()
    expect(page.get_by_text("Судейская роль назначена.")).to_be_visible()
    expect(page.locator("#judging-roles")).to_contain_text("Эксперт-оценщик критерия A")
    expect(page.locator("#judging-roles")).to_contain_text("Бета")

    page.get_by_label("Член жюри").select_option(str(alpha.pk))
    page.get_by_label("Судейская роль").fill("Оценка команды")
    page.get_by_label("Команда (если роль — оценка команды)").select_option(str(team.pk))
    page.get_by_role("button", name="Назначить роль").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text(
        "наставник этой команды и не оценивает её")
    expect(page.locator("#judging-roles")).not_to_contain_text("Оценка команды")
    assert list(JudgingRole.objects.values_list("user_id", "duty")) == [(beta.pk, "Эксперт-оценщик критерия A")]

    page.get_by_role("button", name="Составить протокол распределения ролей").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    expect(page.get_by_role("heading", name=re.compile("Протокол распределения судейских ролей"))).to_be_visible()
