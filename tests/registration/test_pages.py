"""REG-1…REG-5, X-1 on the pages: the applicant's screens, the Directorate's review, what leaks to whom."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.registration import domain
from profmaster.registration.models import Application, TeamMember

from ..factories import UserFactory, give_role


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reg1_mentor_creates_application_and_adds_participant(reg):
    client = client_for(reg.mentor_user)
    response = client.post(reverse("registration:create", args=[reg.championship.pk]), {
        "competency": reg.competency.pk, "age_category": reg.cat12.pk, "organisation": reg.school.pk})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registration:detail", args=[application.pk])
    assert (application.status, application.created_by) == ("draft", reg.mentor_user)
    response = client.post(reverse("registration:member_create", args=[application.pk, "participant"]), {
        "last_name": "Алексеев", "first_name": "Алексей", "birth_date": "2015-05-01", "grade": "1",
        "organisation": reg.school.pk, "clothing_size": "128"})
    assert response.status_code == 302
    assert list(application.members.values_list("last_name", "grade")) == [("Алексеев", 1)]


def test_reg1_mentor_offered_only_own_organisation(reg):
    response = client_for(reg.mentor_user).post(reverse("registration:create", args=[reg.championship.pk]), {
        "competency": reg.competency.pk, "age_category": reg.cat12.pk, "organisation": reg.school2.pk})
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()
    assert Application.objects.count() == 0


@pytest.mark.parametrize(("grade", "message"), [("0", "Класс — от 1 до 11."), ("13", "Класс — от 1 до 11."),
                                                ("", "Обязательное поле.")])
def test_reg5_bad_grade_re_shows_form_with_input_and_message(reg, grade, message):
    application = reg.application()
    response = client_for(reg.mentor_user).post(
        reverse("registration:member_create", args=[application.pk, "participant"]),
        {"last_name": "Алексеев", "first_name": "Алексей", "birth_date": "2015-05-01", "grade": grade,
         "organisation": reg.school.pk})
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and 'value="Алексеев"' in body
    assert application.members.count() == 0


def test_reg5_wrong_birth_date_message_on_the_field(reg):
    application = reg.application()
    response = client_for(reg.mentor_user).post(
        reverse("registration:member_create", args=[application.pk, "participant"]),
        {"last_name": "Алексеев", "first_name": "Алексей", "birth_date": "2090-01-01", "grade": "1",
         "organisation": reg.school.pk})
    assert response.status_code == 400
    assert "Дата рождения участника указана неверно: 01.01.2090." in response.content.decode()


def test_reg2_submit_invalid_team_shows_messages_next_to_people(reg):
    application = reg.application()
    wrong = reg.add(application, "participant", last_name="Старшеклассников", grade=4)
    client = client_for(reg.mentor_user)
    response = client.post(reverse("registration:submit", args=[application.pk]), follow=True)
    body = response.content.decode()
    assert "Заявка не соответствует правилам" in body
    assert "В категории «1–2 класс» в команде должно быть участников: 2, сейчас: 1." in body
    row = body.split(f'id="member-{wrong.pk}"')[1].split("</tr>")[0]
    assert "указан 4 класс" in row
    assert Application.objects.get().status == "draft"


def test_reg1_duplicate_submit_click_shows_message(reg):
    application = reg.valid_team()
    client = client_for(reg.mentor_user)
    client.post(reverse("registration:submit", args=[application.pk]))
    response = client.post(reverse("registration:submit", args=[application.pk]), follow=True)
    assert "Заявка уже в состоянии «Подана»: подать можно только черновик." in response.content.decode()


def test_reg1_directorate_return_reject_and_bulk_approve_confirmation(reg):
    a1 = reg.valid_team()
    domain.submit_application(a1, by=reg.mentor_user)
    a2 = reg.valid_team(reg.application(category=reg.cat34), grades=(3, 4), names=("Васильев", "Галкина"))
    domain.submit_application(a2, by=reg.mentor_user)
    client = client_for(reg.director)
    url = reverse("registration:bulk_approve", args=[reg.championship.pk])
    response = client.post(url, {"ids": [a1.pk, a2.pk]})
    assert "Вы собираетесь одобрить 2 заявки." in response.content.decode()  # Russian plural form
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}
    response = client.post(url, {"ids": [a1.pk, a2.pk], "confirm": "1"}, follow=True)
    assert "Одобрено заявок: 2." in response.content.decode()
    assert set(Application.objects.values_list("status", flat=True)) == {"approved"}


def test_reg1_return_form_without_remarks_keeps_state(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    response = client_for(reg.director).post(reverse("registration:return", args=[application.pk]), {"general": ""})
    assert response.status_code == 400
    assert "Напишите хотя бы одно замечание" in response.content.decode()
    assert Application.objects.get().status == "submitted"


def test_reg1_list_filters(reg):
    a1 = reg.valid_team()
    domain.submit_application(a1, by=reg.mentor_user)
    reg.application(organisation=reg.school2, competency=reg.competency2)
    client = client_for(reg.director)
    url = reverse("registration:list", args=[reg.championship.pk])
    assert client.get(url).context["applications"].count() == 2
    assert list(client.get(url, {"status": "submitted"}).context["applications"]) == [a1]
    assert list(client.get(url, {"competency": reg.competency2.pk}).context["applications"]) != [a1]
    assert client.get(url, {"status": "nonsense"}).status_code == 200


def test_reg1_cabinet_shows_applicant_state_and_directorate_count(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    mine = client_for(reg.mentor_user).get(reverse("cabinet")).content.decode()
    assert f"№ {application.pk}</a>" in mine and "Подана" in mine
    theirs = client_for(reg.director).get(reverse("cabinet")).content.decode()
    assert "1 заявка ждёт рассмотрения" in theirs


def test_x1_minor_data_hidden_from_other_mentor_expert_and_anonymous(reg):
    application = reg.valid_team()
    other_mentor = UserFactory(email="m2@example.ru")
    give_role(other_mentor, Role.MENTOR, reg.championship, organisation=reg.school2)
    expert = UserFactory(email="exp@example.ru")
    give_role(expert, Role.EXPERT, reg.championship, reg.competency)
    pupil = application.members.get(last_name="Алексеев")
    urls = [reverse("registration:detail", args=[application.pk]),
            reverse("registration:member_edit", args=[application.pk, pupil.pk]),
            reverse("registration:list", args=[reg.championship.pk])]
    for user in (other_mentor, expert):
        client = client_for(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 403, 404)
            assert "Алексеев" not in response.content.decode()
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_x1_every_view_of_minor_record_is_logged_and_readable_by_directorate(reg):
    application = reg.valid_team()
    client_for(reg.chief).get(reverse("registration:detail", args=[application.pk]))
    entries = AuditEntry.objects.filter(action="access", actor=reg.chief)
    assert sorted(entries.values_list("object_repr", flat=True)) == ["Алексеев Алексей", "Борисова Вера"]
    log = client_for(reg.director).get(reverse("audit:log", args=[reg.championship.pk]))
    assert log.status_code == 200 and "Алексеев Алексей" in log.content.decode()


def test_reg1_after_deadline_mentor_sees_message_directorate_reopens(reg):
    application = reg.application()
    reg.championship.registration_deadline = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    reg.championship.save()
    response = client_for(reg.mentor_user).post(
        reverse("registration:member_create", args=[application.pk, "participant"]),
        {"last_name": "Алексеев", "first_name": "Алексей", "birth_date": "2015-05-01", "grade": "1",
         "organisation": reg.school.pk})
    assert response.status_code == 400 and "Приём заявок закончился" in response.content.decode()
    client_for(reg.director).post(reverse("registration:reopen", args=[application.pk]), {"reason": "Ошибка школы"})
    assert Application.objects.get().reopened is True
    assert TeamMember.objects.count() == 0
