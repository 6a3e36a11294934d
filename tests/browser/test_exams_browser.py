"""RM-1 in a real browser: answers autosave, survive a network cut, and the attempt ends by itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.exams.models import Answer, Attempt

from ..exams.factories import make_exam
from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


def test_rm1_offline_answers_queue_then_save_and_time_runs_out(page):
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    chief = UserFactory()
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    examinee = UserFactory(email="examinee@example.ru", last_name="Участникова")
    give_role(examinee, Role.PARTICIPANT, championship)
    make_exam(championship, competency, chief, kinds=["single", "multiple", "short"], grace_seconds=1,
                     closes_at=timezone.now() + dt.timedelta(seconds=30))

    login(page, "examinee@example.ru", PASSWORD)
    page.get_by_role("link", name="Открыть").click()
    page.get_by_role("button", name="Начать экзамен").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    assert page.locator("#end-time").inner_text() == timezone.localtime(Attempt.objects.get().deadline).strftime(
        "%H:%M:%S")

    with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 200):
        page.get_by_label("31 °C").check()
    page.wait_for_function("document.getElementById('save-status').textContent.includes('Сохранено')")
    assert Answer.objects.count() == 1

    page.context.set_offline(True)
    page.get_by_label("Сода").check()
    page.get_by_label("Ответ").fill("Шарлотт")
    page.wait_for_function("document.getElementById('save-status').textContent.includes('Нет связи')")
    assert Answer.objects.count() == 1

    page.context.set_offline(False)
    page.wait_for_function("document.getElementById('save-status').textContent.includes('Сохранено')")
    assert sorted(Answer.objects.values_list("question__kind", flat=True)) == ["multiple", "short", "single"]

    # Nobody presses «Завершить»: the time runs out and the attempt finishes by itself.
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/result/$"), timeout=45_000)
    attempt = Attempt.objects.get()
    assert (attempt.status, attempt.finished_by, str(attempt.score)) == ("finished", "deadline", "3.00")
    assert "3,00 из 4,00" in page.locator("#score").inner_text()


def test_rm1_second_browser_refused(page, browser, live_server):
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship)
    chief = UserFactory()
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    examinee = UserFactory(email="examinee@example.ru")
    give_role(examinee, Role.PARTICIPANT, championship)
    exam = make_exam(championship, competency, chief, kinds=["single"])
    login(page, "examinee@example.ru", PASSWORD)
    page.goto(f"/exams/{exam.pk}/take/")
    page.get_by_role("button", name="Начать экзамен").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    other = browser.new_context(locale="ru-RU", base_url=live_server.url, bypass_csp=True).new_page()
    try:
        login(other, "examinee@example.ru", PASSWORD)
        other.goto(page.url)
        assert "Обратитесь к проктору" in other.locator("#locked-message").inner_text()
    finally:
        other.context.close()


def test_rm1_item_statistics_chart_per_question(page):
    """The panel sees the overall chart and one distribution chart per question, drawn by Chart.js."""
    from profmaster.exams import domain

    from ..exams.factories import right_answers

    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship)
    chief = UserFactory(email="chief@example.ru")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    exam = make_exam(championship, competency, chief, kinds=["single", "multiple", "short"])
    answers = right_answers(exam)
    for n in range(3):
        examinee = UserFactory()
        give_role(examinee, Role.PARTICIPANT, championship)
        attempt, token = domain.start_attempt(exam, examinee)
        for seq, (question_id, response) in enumerate(list(answers.items())[:n + 1], start=1):
            domain.save_answer(attempt.pk, examinee, question_id=question_id, response=response, seq=seq, token=token)
        domain.finish_attempt(attempt, by=examinee)
    login(page, "chief@example.ru", PASSWORD)
    page.goto(f"/exams/{exam.pk}/statistics/")
    assert page.locator("canvas.item-distribution").count() == 3
    drawn = page.evaluate("""() => [document.getElementById('item-chart'),
        ...document.querySelectorAll('canvas.item-distribution')].map(c => Chart.getChart(c) !== undefined)""")
    assert drawn == [True, True, True, True]


def test_x5_autosave_retries_after_503_with_retry_after(page):
    """X-5 (issue 13 §6): while the database restarts the save gets 503 + Retry-After; the page keeps the
    answer queued, says it is not saved, waits as told and saves it."""
    import time

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

    refused: list[float] = []

    def database_down(route):
        if len(refused) < 2:
            refused.append(time.monotonic())
            route.fulfill(status=503, headers={"Retry-After": "2", "Content-Type": "application/json"},
                          body='{"detail": "База данных временно недоступна."}')
        else:
            route.continue_()

    page.route("**/answers", database_down)
    with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 200, timeout=15_000):
        page.get_by_label("31 °C").check()
        page.wait_for_function("document.getElementById('save-status').textContent.includes('Нет связи')")
    page.wait_for_function("document.getElementById('save-status').textContent.includes('Сохранено')")
    assert len(refused) == 2
    assert refused[1] - refused[0] >= 1.9  # waited as Retry-After said, not the 1 s backoff
    assert Answer.objects.count() == 1
