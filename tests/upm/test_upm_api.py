"""UPM-1…UPM-5 on the API channel: the same domain functions, the УПМ roles' scopes (a coordinator sees only their
school's pupils, a parent only their own children), confirmations and their refusals."""

from __future__ import annotations

from profmaster.accounts.models import Role
from profmaster.upm import domain
from profmaster.upm.models import Confirmation, Lesson

from ..api.conftest import ApiClient
from ..factories import UserFactory, give_role
from .world import lesson_start


def test_upm_api_coordinator_sees_own_school_parent_own_children(upm):
    far_pupil = UserFactory(email="far.pupil@example.ru", last_name="Дальний")
    give_role(far_pupil, Role.PUPIL, upm.championship, organisation=upm.far)
    path = f"/upm/festivals/{upm.festival.pk}/pupils"
    assert [p["id"] for p in ApiClient(upm.people["coordinator_far"]).get(path).json()] == [far_pupil.pk]
    assert [p["id"] for p in ApiClient(upm.people["orlova"]).get(path).json()] == [upm.people["pyekha"].pk]
    assert len(ApiClient(upm.people["coordinator"]).get(path).json()) == 3
    assert ApiClient(upm.people["pyekha"]).get(path).json() == []
    assert ApiClient(UserFactory(email="x@example.ru")).get(path).status_code == 404


def test_upm_api_venues_and_schools_by_scope(upm):
    venues = ApiClient(upm.people["coordinator"]).get(f"/upm/festivals/{upm.festival.pk}/venues").json()
    assert [v["name"] for v in venues] == ["Колледж сервиса № 3"]
    schools = ApiClient(upm.people["operator"]).get(f"/upm/venues/{upm.venue.pk}/schools").json()
    assert [(s["travel_minutes"], s["travel_source"]) for s in schools] == [(20, "entered"), (45, "estimated")]
    assert ApiClient(upm.people["orlova"]).get(f"/upm/venues/{upm.venue.pk}/schools").status_code == 404


def test_upm_api_lesson_created_five_days_ahead_refused_at_four(upm):
    api = ApiClient(upm.people["venue"])
    body = {"competency_id": upm.design.pk, "capacity": 12, "format": "in_person"}
    late = api.post(f"/upm/venues/{upm.venue.pk}/lessons",
                    {**body, "starts_at": lesson_start(4).replace(tzinfo=None).isoformat()})
    assert late.status_code == 400 and "нужно было создать не позже" in late.json()["detail"]
    ok = api.post(f"/upm/venues/{upm.venue.pk}/lessons",
                  {**body, "starts_at": lesson_start(6).replace(tzinfo=None).isoformat()})
    assert ok.status_code == 201 and ok.json()["capacity"] == 12
    assert ApiClient(upm.people["coordinator"]).post(
        f"/upm/venues/{upm.venue.pk}/lessons", {**body, "starts_at": lesson_start(9).isoformat()}).status_code == 403


def test_upm_api_confirmation_and_its_refusals(upm):
    token = domain.confirmation_token(upm.lesson, upm.near)
    parent = ApiClient(upm.people["orlova"])
    other = parent.post("/upm/confirmations", {"token": token, "pupil_id": upm.people["shevchuk_child"].pk})
    assert other.status_code == 400 and "не связан с вашим кабинетом" in other.json()["detail"]
    ok = parent.post("/upm/confirmations", {"token": token, "pupil_id": upm.people["pyekha"].pk})
    assert ok.status_code == 201 and ok.json()["pupil_id"] == upm.people["pyekha"].pk
    again = parent.post("/upm/confirmations", {"token": token, "pupil_id": upm.people["pyekha"].pk})
    assert again.status_code == 400 and again.json()["detail"] == "Участие этого ребёнка в уроке уже подтверждено."
    no_test = ApiClient(upm.people["shevchuk"]).post(
        "/upm/confirmations", {"token": token, "pupil_id": upm.people["shevchuk_child"].pk})
    assert no_test.status_code == 400 and no_test.json()["detail"].startswith(
        "Сначала ребёнку нужно пройти онлайн-диагностику")
    assert Confirmation.objects.count() == 1 and Lesson.objects.get(pk=upm.lesson.pk).confirmed_count == 1
    # the coordinator is not a parent: refused
    assert ApiClient(upm.people["coordinator"]).post(
        "/upm/confirmations", {"token": token, "pupil_id": upm.people["pyekha"].pk}).status_code == 403
