"""RM-6 and RM-5 in a real browser: a contestant opens a support request from the exam page (support is one
click away in the exam's bar, under the enforced CSP, at 390 px) and sees the on-duty answer; a flood of public
requests is refused; the expert group signs its protocol, the chief expert passes it to the regional commission,
which sees it received and signs its own protocol."""

from __future__ import annotations

import re

import pytest

from profmaster.accounts.models import Role
from profmaster.regional_commission.models import ProtocolTransfer
from profmaster.support import domain as support
from profmaster.support.models import SupportRequest

from ..exams.factories import make_exam
from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from ..regional_commission.conftest import make_stage
from .conftest import login
from .test_csp_browser import WATCH_VIOLATIONS, violations

pytestmark = pytest.mark.browser


def test_rm6_contestant_asks_from_the_exam_page_and_sees_the_answer(browser, live_server, transactional_db):
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    chief = UserFactory()
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    examinee = UserFactory(email="examinee@example.ru", last_name="Ёлкина", first_name="Алёна")
    give_role(examinee, Role.PARTICIPANT, championship)
    duty = UserFactory(email="duty@example.ru", last_name="Дежурнов")
    give_role(duty, Role.VENUE_ADMIN, championship)
    support.set_duty(championship, duty, by=chief)
    make_exam(championship, competency, chief, kinds=["single"])

    # a phone, with the policy enforced: no violation, and the exam's bar keeps the support link
    context = browser.new_context(locale="ru-RU", base_url=live_server.url, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(WATCH_VIOLATIONS)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, "examinee@example.ru", PASSWORD)
    page.get_by_role("link", name="Открыть").click()
    page.get_by_role("button", name="Начать экзамен").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    attempt_path = page.url.removeprefix(live_server.url)
    link = page.locator("#exam-bar #exam-support")
    assert link.is_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # inside the phone's width
    page.mouse.wheel(0, 2000)
    assert link.is_visible()  # the bar is sticky: still one click away after scrolling
    with context.expect_page() as opened:
        link.click()
    form = opened.value
    form.wait_for_load_state()
    assert "/exams/attempts/" in page.url  # the exam stays open in its own tab
    assert form.locator("#support-page").inner_text() == f"Страница: {attempt_path}"
    assert form.get_by_label("Мероприятие").input_value() == str(championship.pk)
    form.get_by_label("Тема").fill("Не вижу картинку")
    form.get_by_label("Что случилось").fill("В вопросе 1 вместо картинки пустое место.")
    form.get_by_role("button", name="Отправить").click()
    form.wait_for_url(re.compile(r"/support/requests/\d+/$"))
    request = SupportRequest.objects.get()
    assert (request.page_url, request.championship_id, request.status) == (attempt_path, championship.pk, "new")
    assert violations(page) == [] and violations(form) == [] and errors == []

    support.answer_request(request, text="Обновите страницу: картинка загрузится.", by=duty)
    form.goto("/cabinet/")
    form.locator("#link-my-requests").click()
    assert "Дан ответ" in form.locator("#my-requests").inner_text()
    form.get_by_role("link", name="Не вижу картинку").click()
    assert "Обновите страницу: картинка загрузится." in form.locator(".support-answer").inner_text()
    context.close()


def test_rm6_public_form_flood_refused(page, settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "SUPPORT_LIMITS": {"ip": (2, 3600)}}
    championship = ChampionshipFactory(name="Лучший по профессии — 2023")
    for attempt in range(3):
        page.goto("/accounts/login/")
        page.locator("#support-link").click()
        page.get_by_label("Фамилия, имя, отчество").fill("Орёл Пётр Петрович")
        page.get_by_label("E-mail для ответа").fill(f"orel{attempt}@example.ru")
        page.get_by_label("Мероприятие").select_option(str(championship.pk))
        page.get_by_label("Что случилось").fill("Не приходит письмо для входа")
        page.get_by_role("button", name="Отправить").click()
        if attempt < 2:
            assert "отправлено" in page.locator("#support-sent h1").inner_text()
    assert "Слишком много обращений подряд" in page.locator("#support-throttled").inner_text()
    assert SupportRequest.objects.count() == 2


def _sign(page, document_link_text: str | None = None) -> None:
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Подписать")).click()
    page.wait_for_selector(".alert-success")


def test_rm5_expert_group_signs_commission_receives_and_signs_its_own(page, browser, live_server):
    competency = CompetencyFactory(championship=ChampionshipFactory(), name="Флористика")
    stage = make_stage(competency)

    login(page, stage.chief.email, PASSWORD)
    page.goto("/cabinet/")
    page.locator("#commission-card").get_by_role("link", name="Открыть").click()
    assert page.locator("#summary-sheet tbody tr").count() == 2
    page.locator("#create-group-protocol").click()
    page.locator("#group-protocol-link").click()
    _sign(page)
    protocol_url = page.url
    for expert in stage.experts:
        context = browser.new_context(locale="ru-RU", base_url=live_server.url)
        other = context.new_page()
        login(other, expert.email, PASSWORD)
        other.goto(protocol_url)
        _sign(other)
        context.close()
    page.goto(f"/regional-commission/schemes/{stage.scheme.pk}/")
    assert page.locator("#group-protocol-signatures").inner_text() == "3 / 3"
    page.get_by_label("Сопроводительная записка (необязательно)").fill("Протокол подписан всеми.")
    page.get_by_role("button", name="Передать в региональную комиссию").click()
    assert "Передан в региональную конкурсную комиссию" in page.locator("#transfer-done").inner_text()
    assert ProtocolTransfer.objects.count() == 1

    for index, member in enumerate(stage.commission):
        context = browser.new_context(locale="ru-RU", base_url=live_server.url)
        commission = context.new_page()
        commission.set_default_timeout(15000)
        login(commission, member.email, PASSWORD)
        commission.goto("/cabinet/")
        commission.locator(f"#link-commission-{stage.championship.pk}").click()
        received = commission.locator(".received-protocol")
        assert received.count() == 1 and stage.chief.full_name in received.inner_text()
        if index == 0:
            commission.locator("#form-commission-protocol").click()
        commission.locator("#commission-protocol-link").click()
        _sign(commission)
        commission.goto(f"/regional-commission/championships/{stage.championship.pk}/")
        assert commission.locator("#commission-signatures").inner_text() == f"{index + 1} / 2"
        context.close()
