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
