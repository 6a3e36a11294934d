"""Issue 16 (REG-1, RM-1, RM-2, X-6): an employer enters a contestant, the Directorate approves; the contestant
takes the theory exam and opens the practical task — the first access recorded and shown in the championship's
zone (Yekaterinburg)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils import timezone

from profmaster.exams import domain as exams_domain
from profmaster.exams.models import Attempt, TaskAccess, TaskHandout
from profmaster.registration.models import Application

from ..best_in_profession.conftest import make_contest
from ..exams.factories import make_exam
from ..factories import PASSWORD
from .conftest import login


def test_reg1_rm1_rm2_employer_enters_directorate_approves_contestant_takes_exam_and_opens_task(page):
    c = make_contest()
    exam = make_exam(c.championship, c.competency, c.chief, kinds=["single"], requires_admission=True)

    # the employer's representative enters a worker from the cabinet
    login(page, c.rep.email, PASSWORD)
    page.locator(".cabinet-enter").click()
    page.get_by_label("Номинация").select_option(str(c.nomination.pk))
    page.get_by_label("Фамилия").fill("Орёл")
    page.get_by_label("Имя", exact=True).fill("Семён")
    page.get_by_label("Дата рождения").fill("1990-05-14")
    page.get_by_label("Должность").fill("Электросварщик 5 разряда")
    page.get_by_label("Стаж по профессии, лет").fill("2")
    page.get_by_label("Образование").select_option("secondary_vocational")
    page.get_by_label("E-mail участника").fill("orel@example.ru")
    page.get_by_role("button", name="Подать заявку").click()
    assert "нужен стаж по профессии не менее 3 лет, указано 2" in page.content()  # refused, nothing saved
    assert Application.objects.count() == 0
    page.get_by_label("Стаж по профессии, лет").fill("8")
    page.get_by_role("button", name="Подать заявку").click()
    page.wait_for_url(re.compile(r"/best-in-profession/contestants/\d+/$"))
    assert page.locator("#application-status").inner_text() == "Подана"
    page.context.clear_cookies()

    # the Directorate reviews it on the registration page and approves
    login(page, c.directorate.email, PASSWORD)
    application = Application.objects.get()
    page.goto(f"/best-in-profession/contestants/{application.pk}/")
    page.locator("#review-link").click()
    page.get_by_role("button", name="Одобрить").click()
    assert page.locator("#application-status").inner_text() == "Одобрена"
    page.context.clear_cookies()

    # the contestant (who set their password by the reset link) is admitted individually and takes the exam
    contestant = application.members.get().user
    contestant.set_password(PASSWORD)
    contestant.save()
    exams_domain.admit(exam, contestant, by=c.chief, document_note="Паспорт 6510 123456")
    handout = TaskHandout(championship=c.championship, competency=c.competency, title="Практическое задание",
                          text="Стыковое соединение пластин 10 мм.", publish_at=timezone.now() - dt.timedelta(minutes=1))
    exams_domain.save_handout(handout, recipients=[contestant], by=c.chief)
    login(page, "orel@example.ru", PASSWORD)
    page.locator("#my-exams").get_by_role("link", name="Открыть").first.click()
    page.get_by_role("button", name="Начать экзамен").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 200):
        page.get_by_label("31 °C").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#finish-button").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/result/$"))
    assert Attempt.objects.get(user=contestant).status == "finished"

    # and opens the practical task: the first access is recorded and shown in Yekaterinburg time
    page.goto("/cabinet/")
    page.locator("#my-exams").get_by_role("link", name="Открыть").last.click()
    first = page.locator("#first-access").inner_text()
    access = TaskAccess.objects.get(user=contestant)
    local = timezone.localtime(access.first_opened_at, ZoneInfo("Asia/Yekaterinburg"))
    assert first == f"Вы впервые открыли задание: {local:%d.%m.%Y %H:%M:%S} (Екатеринбург, UTC+5)"
