"""REG-1, REG-2, X-1 on the API channel: the same domain functions and rules as the pages."""

from __future__ import annotations

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.registration import domain

from ..api.conftest import ApiClient
from ..factories import UserFactory, give_role


def test_reg1_api_submit_invalid_team_reports_rules_then_return_and_approve(reg, db):
    application = reg.application()
    pupil = reg.add(application, "participant", last_name="Третьеклассников", grade=3)
    mentor_api, director_api = ApiClient(reg.mentor_user), ApiClient(reg.director)
    response = mentor_api.post(f"/applications/{application.pk}/submit")
    assert response.status_code == 400
    assert response.json()["code"] == "rules"
    detail = mentor_api.get(f"/applications/{application.pk}").json()
    assert [(v["rule"], v["person_id"]) for v in detail["violations"]] == [
        ("REG-2", None), ("REG-2", None), ("REG-3", pupil.pk)]

    pupil.grade = 2
    domain.save_member(pupil, by=reg.mentor_user)
    reg.add(application, "participant", last_name="Второй", grade=1)
    reg.add(application, "mentor")
    assert mentor_api.post(f"/applications/{application.pk}/submit").json()["status"] == "submitted"
    response = director_api.post(f"/applications/{application.pk}/return",
                                 {"remarks": [{"member_id": pupil.pk, "text": "Проверьте класс"}]})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert mentor_api.post(f"/applications/{application.pk}/submit").json()["status"] == "resubmitted"
    assert director_api.post(f"/applications/{application.pk}/approve").json()["status"] == "approved"
    again = director_api.post(f"/applications/{application.pk}/approve")
    assert (again.status_code, again.json()["detail"]) == (
        409, "Одобрить можно только поданную заявку; сейчас она в состоянии «Одобрена».")


def test_x1_api_minor_data_hidden_from_other_mentor_expert_anonymous_and_reads_logged(reg, db):
    application = reg.valid_team()
    other_mentor = UserFactory(email="m2@example.ru")
    give_role(other_mentor, Role.MENTOR, reg.championship, organisation=reg.school2)
    expert = UserFactory(email="exp@example.ru")
    give_role(expert, Role.EXPERT, reg.championship, reg.competency)
    for client in (ApiClient(other_mentor), ApiClient(expert), ApiClient(None)):
        detail = client.get(f"/applications/{application.pk}")
        listing = client.get(f"/championships/{reg.championship.pk}/applications")
        assert detail.status_code in (401, 404)
        assert "Алексеев" not in detail.content.decode() + listing.content.decode()
    assert ApiClient(other_mentor).get(f"/championships/{reg.championship.pk}/applications").json() == {
        "count": 0, "items": []}
    ApiClient(reg.chief).get(f"/applications/{application.pk}")
    assert AuditEntry.objects.filter(action="access", actor=reg.chief).count() == 2


def test_reg1_api_return_with_person_of_another_application_refused(reg, db):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    stranger = reg.add(reg.application(category=reg.cat34), "participant", grade=3)
    response = ApiClient(reg.director).post(f"/applications/{application.pk}/return",
                                            {"remarks": [{"member_id": stranger.pk, "text": "x"}]})
    assert response.status_code == 400
    assert response.json()["detail"] == f"Человек {stranger.pk} не из этой заявки."


def _approved(reg, day):
    application = reg.valid_team()
    application.competition_date = day
    application.save()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    return application


def test_reg6_reg8_api_consents_minor_by_parent_future_date_and_withdrawal(reg, db):
    import datetime as dt

    from django.utils import timezone

    application = reg.valid_team()
    pupil = application.members.get(last_name="Алексеев")
    director_api, mentor_api = ApiClient(reg.director), ApiClient(reg.mentor_user)
    response = director_api.post(f"/championships/{reg.championship.pk}/consent-versions",
                                 {"kind": "personal_data", "title": "ПДн", "text": "Текст"})
    assert response.status_code == 201 and response.json()["number"] == 1
    version_id = response.json()["id"]
    url = f"/applications/{application.pk}/members/{pupil.pk}/consents"
    response = mentor_api.post(url, {"version_id": version_id, "given_by": "self", "given_by_name": "Сам"})
    assert response.status_code == 400 and "За несовершеннолетнего" in response.json()["detail"]
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = mentor_api.post(url, {"version_id": version_id, "given_by": "parent", "given_by_name": "Мать",
                                     "given_on": future})
    assert response.status_code == 400 and response.json()["detail"] == "Дата согласия не может быть в будущем."
    response = mentor_api.post(url, {"version_id": version_id, "given_by": "parent", "given_by_name": "Мать"})
    assert response.status_code == 201
    consent = response.json()
    assert (consent["given_by"], consent["version_number"], consent["recorded_by_id"]) == ("parent", 1,
                                                                                         reg.mentor_user.pk)
    response = mentor_api.post(f"/consents/{consent['id']}/withdraw", {"note": "Заявление"})
    assert response.status_code == 200 and response.json()["withdrawn_at"]
    assert mentor_api.post(f"/consents/{consent['id']}/withdraw", {"note": "Ещё"}).status_code == 409
    assert [c["withdrawal_note"] for c in mentor_api.get(url).json()] == ["Заявление"]


def test_reg13_api_substitution_deadline_and_decision(reg, db):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    late = _approved(reg, today)
    outgoing = late.members.get(last_name="Борисова")
    body = {"outgoing_id": outgoing.pk, "reason": "Болезнь",
            "incoming": {"last_name": "Новикова", "first_name": "Оля", "birth_date": "2015-03-03", "grade": 2,
                         "organisation_id": reg.school.pk}}
    response = ApiClient(reg.mentor_user).post(f"/applications/{late.pk}/substitutions", body)
    assert response.status_code == 400 and "Замена возможна не позднее" in response.json()["detail"]
    late.competition_date = today + dt.timedelta(days=5)
    late.save()
    response = ApiClient(reg.mentor_user).post(f"/applications/{late.pk}/substitutions", {
        **body, "incoming": {**body["incoming"], "grade": 13}})
    assert response.status_code == 400 and late.members.count() == 3
    response = ApiClient(reg.mentor_user).post(f"/applications/{late.pk}/substitutions", body)
    assert response.status_code == 201 and response.json()["status"] == "pending"
    sub = response.json()["id"]
    refused = ApiClient(reg.director).post(f"/substitutions/{sub}/decide", {"approve": False})
    assert refused.status_code == 400 and refused.json()["detail"] == "Укажите причину отказа."
    approved = ApiClient(reg.director).post(f"/substitutions/{sub}/decide", {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_reg7_reg14_api_document_checks_and_lists_respect_x1(reg, db):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    pupil = application.members.get(last_name="Алексеев")
    chief_api = ApiClient(reg.chief)
    url = f"/applications/{application.pk}/members/{pupil.pk}/document-checks"
    response = chief_api.post(url, {"item": "identity", "outcome": "invalid"})
    assert response.status_code == 400 and response.json()["detail"] == "Опишите, что не так с документом."
    assert chief_api.post(url, {"item": "identity", "outcome": "accepted"}).status_code == 200
    assert [c["item"] for c in chief_api.get(f"/applications/{application.pk}/document-checks").json()] == ["identity"]
    assert ApiClient(reg.mentor_user).post(url, {"item": "identity", "outcome": "accepted"}).status_code == 403
    people = ApiClient(reg.director).get(f"/championships/{reg.championship.pk}/people").json()
    assert {r[0] for r in people["rows"]} == {"Алексеев Алексей", "Борисова Вера"}
    assert AuditEntry.objects.filter(action="access", actor=reg.director, reason="Список участников (API)").count() == 2
    other = UserFactory(email="other@example.ru")
    give_role(other, Role.MENTOR, reg.championship, organisation=reg.school2)
    assert ApiClient(other).get(f"/championships/{reg.championship.pk}/people").json()["rows"] == []
    assert ApiClient(other).get(f"/applications/{application.pk}/members/{pupil.pk}/consents").status_code == 404
    expert = UserFactory(email="expert@example.ru")
    give_role(expert, Role.EXPERT, reg.championship, reg.competency)
    assert ApiClient(expert).get(f"/championships/{reg.championship.pk}/people").status_code == 403
    assert ApiClient(other).get(f"/championships/{reg.championship.pk}/people?kind=expert").status_code == 403
