"""The quality-control expert's check in a real browser (DOC-4, DOC-2; 003 §10): cabinet → quality page → an item
pre-filled from the records with its evidence link → a request to the chief expert → the chief expert answers
from the cabinet → the check report is generated and signed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.documents.models import Document, DocumentType, Signature
from profmaster.results.models import QualityCheck, QualityFinding, QualityRequest

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from ..results.conftest import Results
from .conftest import login

pytestmark = pytest.mark.browser


def test_doc4_quality_expert_checks_requests_and_signs_the_report_in_browser(page):
    championship = ChampionshipFactory(name="Мастерята-2023", time_zone="Asia/Vladivostok")
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru", last_name="Пекарева", first_name="Анна")
    expert = UserFactory(email="expert@example.ru", last_name="Кремов", first_name="Олег")
    inspector = UserFactory(email="quality@example.ru", last_name="Контролёва", first_name="Вера")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    give_role(expert, Role.EXPERT, championship, competency)
    give_role(inspector, Role.QUALITY_CONTROL, championship)
    records = Results(competency)
    scheme = records.lock_protocols(records.final, marks_signed=1, signers=[chief, expert])
    marks_form = scheme.marking.lock_document

    page.set_default_timeout(60000)  # the first request warms the live server up on a loaded machine
    login(page, "quality@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    assert "Сейчас ничего не ждёт вашего действия." not in page.locator("#todo").inner_text()
    cabinet = page.locator("#quality-cabinet")
    assert "не проверено 8 пунктов" in cabinet.inner_text()
    cabinet.get_by_role("link", name="Мастерята-2023").click()
    page.wait_for_url(re.compile(rf"/results/championships/{championship.pk}/quality/$"))

    item = page.locator(f"#item-{competency.pk}-protocols")
    assert "Предложено по записям" in item.inner_text()
    assert f"ждёт подписи: {expert.full_name}" in item.locator("textarea[name=finding]").input_value()
    assert item.locator("select[name=outcome]").input_value() == "violation"
    evidence = item.get_by_role("link", name=re.compile(rf"№ {marks_form.number} "))
    evidence.click()
    page.wait_for_url(re.compile(rf"/documents/{marks_form.pk}/$"))
    assert f"Ожидается подпись: {expert.full_name}" in page.locator("#signing").inner_text()
    page.go_back()
    page.locator(f"#item-{competency.pk}-protocols").get_by_role("button", name="Сохранить").click()
    assert "Пункт проверки записан." in page.locator(".alert-success").inner_text()
    check = QualityCheck.objects.get(competency=competency, violation="protocols")
    assert check.outcome == "violation" and QualityFinding.objects.get(item=check).confirmed_suggestion
    assert "История: 1 запись" in page.locator(f"#item-{competency.pk}-protocols").inner_text()

    section = page.locator(f"#quality-{competency.pk}")
    section.get_by_placeholder("Какая информация нужна для проверки").fill("Журнал инструктажа по ОТ и ТБ")
    due = timezone.localtime(timezone.now() + dt.timedelta(days=1), dt.timezone(dt.timedelta(hours=10)))
    section.locator("input[name=due_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
    section.get_by_role("button", name="Запросить").click()
    assert "Запрос направлен главному эксперту." in page.locator(".alert-success").inner_text()
    asked = QualityRequest.objects.get()
    assert asked.due_at == due.replace(second=0, microsecond=0)
    assert "Ожидает ответа" in page.locator(f"#quality-{competency.pk} .quality-request").inner_text()

    page.context.clear_cookies()
    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    todo = page.locator(f"#quality-request-{asked.pk}")
    assert "Журнал инструктажа по ОТ и ТБ" in todo.inner_text()
    todo.get_by_placeholder("Запрошенная информация").fill("Журнал приложен к пакету, лист 4")
    todo.get_by_role("button", name="Ответить").click()
    assert "Ответ отправлен контролю качества." in page.locator(".alert-success").inner_text()
    assert page.locator(f"#quality-request-{asked.pk}").count() == 0

    page.context.clear_cookies()
    login(page, "quality@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/championships/{championship.pk}/")
    page.locator("#quality-link").click()
    page.wait_for_url(re.compile(r"/quality/$"))
    answered = page.locator(f"#quality-{competency.pk} .quality-request")
    assert "Ответ получен" in answered.inner_text()
    assert "Журнал приложен к пакету, лист 4" in answered.inner_text()
    page.locator(f"#quality-{competency.pk}").get_by_role("button", name="Сформировать отчёт о проверке").click()
    report = Document.objects.get(doc_type=DocumentType.QUALITY_REPORT)
    page.wait_for_url(re.compile(rf"/documents/{report.pk}/$"))
    assert "Журнал приложен к пакету, лист 4" in page.locator("#content").inner_text()
    assert "Содержание сформировано системой из записей" in page.locator("#content").inner_text()
    assert page.get_by_role("link", name="Изменить").count() == 0
    page.get_by_label("Пароль для подтверждения").fill(PASSWORD)
    page.get_by_role("button", name="Подписать").click()
    assert "Документ подписан." in page.locator(".alert-success").inner_text()
    assert Signature.objects.get(document=report).signer == inspector

