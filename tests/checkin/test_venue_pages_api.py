"""OP-4, OP-6, OP-7 on the pages and the API: the technical administrator checks people in (no scoring rights,
003 §23.3), a refusal is shown with its reason and changes nothing, the chief expert admits press."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from profmaster.checkin.models import Accreditation, CheckIn, ToolboxCheck
from profmaster.permissions import has_perm

from ..api.conftest import ApiClient


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_op7_venue_admin_checks_people_in_on_the_page(venue):
    client = _client(venue.venue_admin)
    url = reverse("checkin:venue", args=[venue.competency.pk])
    page = client.get(url)
    assert (page.status_code == 200 and "Время" in page.content.decode()) or "время" in page.content.decode()
    refused = client.post(url, {"code": "NOPE"})
    assert refused.status_code == 409
    assert "Код не найден" in refused.content.decode()
    pupil = venue.badge("participant")
    refused = client.post(url, {"code": pupil.code})
    assert refused.status_code == 409 and "Наставник команды не отметился" in refused.content.decode()
    assert CheckIn.objects.count() == 0
    admitted = client.post(url, {"code": venue.badge("mentor").code})
    assert admitted.status_code == 200 and 'data-result="admitted"' in admitted.content.decode()
    assert "Наставникова Нина" in admitted.content.decode()


def test_op7_badge_link_opens_the_check_in_page_with_the_code(venue):
    mentor = venue.badge("mentor")
    response = _client(venue.venue_admin).get(reverse("checkin:badge_link", args=[mentor.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("checkin:venue", args=[venue.competency.pk]) + f"?code={mentor.code}"
    assert _client(venue.mentor_user).get(reverse("checkin:badge_link", args=[mentor.code])).status_code == 404


def test_op7_chief_admits_press_page_and_briefing(venue):
    client = _client(venue.chief)
    response = client.post(reverse("checkin:admit", args=[venue.competency.pk]), {
        "kind": "press", "full_name": "Корреспондентова Жанна", "organisation": "ТАСС",
        "valid_from": "2023-04-02", "valid_to": "2023-04-01"})
    assert response.status_code == 400 and "раньше" in response.content.decode()
    assert not Accreditation.objects.filter(kind="press").exists()
    client.post(reverse("checkin:admit", args=[venue.competency.pk]), {
        "kind": "press", "full_name": "Корреспондентова Жанна", "organisation": "ТАСС",
        "valid_from": "2023-04-01", "valid_to": "2023-04-02"})
    press = Accreditation.objects.get(kind="press")
    client.post(reverse("checkin:briefing", args=[press.pk]))
    press.refresh_from_db()
    assert press.briefed_at is not None and press.briefed_by == venue.chief
    pdf = client.get(reverse("checkin:badge_pdf", args=[press.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_op4_toolbox_page_records_a_check(venue):
    client = _client(venue.expert)
    url = reverse("checkin:toolbox", args=[venue.competency.pk])
    bad = client.post(url, {"team": venue.team.pk, "participant_present": "", "item_name": ["Нож"],
                            "item_status": ["prohibited"], "item_explanation": [""]})
    assert bad.status_code == 400 and "присутствии" in bad.content.decode()
    ok = client.post(url, {"team": venue.team.pk, "participant_present": "Орёл Семён",
                           "item_name": ["Нож", ""], "item_status": ["prohibited", "allowed"],
                           "item_explanation": ["", ""]})
    assert ok.status_code == 302
    check = ToolboxCheck.objects.get()
    assert [(i.name, i.removed) for i in check.items.all()] == [("Нож", True)]


def test_op7_venue_admin_has_no_scoring_rights(venue):
    """003 §23.3: the technical administrator checks people in but decides nothing on points or removals."""
    scheme_perms = ["marking.enter_marks", "marking.view_marks", "marking.lock_marks", "incidents.decide",
                    "checkin.record_non_appearance", "checkin.admit_individually", "incidents.view_evidence"]
    assert [p for p in scheme_perms if has_perm(venue.venue_admin, p, venue.competency)] == []
    assert has_perm(venue.venue_admin, "checkin.check_in", venue.competency)


def test_op7_api_check_in_by_the_venue_admin(venue):
    api = ApiClient(venue.venue_admin)
    path = f"/competencies/{venue.competency.pk}/checkins"
    unknown = api.post(path, {"code": "NOSUCHCODE234567"})
    assert unknown.status_code == 409 and unknown.json()["code"] == "unknown"
    refused = api.post(path, {"code": venue.badge("participant").code})
    assert refused.status_code == 409 and refused.json()["code"] == "mentor_absent"
    first = api.post(path, {"code": venue.badge("mentor").code})
    assert first.status_code == 201 and first.json()["kind"] == "mentor" and first.json()["already"] is False
    again = api.post(path, {"code": venue.badge("mentor").code})
    assert again.status_code == 200 and again.json()["already"] is True
    listed = api.get(f"/competencies/{venue.competency.pk}/accreditations").json()
    assert len(listed) == 5 and all(len(a["code"]) == 16 for a in listed)


def test_op4_api_toolbox_check(venue):
    api = ApiClient(venue.expert)
    path = f"/competencies/{venue.competency.pk}/toolbox-checks"
    response = api.post(path, {"team_id": venue.team.pk, "participant_present": "Орёл Семён",
                               "items": [{"name": "Горелка", "status": "prohibited"}]})
    assert response.status_code == 201, response.content
    assert response.json()["items"] == [{"name": "Горелка", "status": "prohibited", "explanation": "",
                                         "removed": True}]
    twice = api.post(path, {"team_id": venue.team.pk, "participant_present": "Орёл Семён", "items": []})
    assert twice.status_code == 409 and "уже проверен" in twice.json()["detail"]
    assert json.loads(ApiClient(venue.venue_admin).post(path, {"team_id": venue.team.pk, "participant_present": "x"})
                      .content)["detail"]
