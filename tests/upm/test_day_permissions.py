"""UPM-6, UPM-7 on the pages and the API with the УПМ roles: a venue's person works on their own venue's lessons, a
coordinator on their own school's pupils and deliveries, the operator reads everything; bad input (a pupil not
confirmed, a delivery a day ahead, another venue's lesson) gets a clear message and changes nothing."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.upm import day
from profmaster.upm.models import Attendance, EquipmentDelivery, LessonCheck, ProfessionalTrial

from .day_world import ZONE, build

pytestmark = pytest.mark.django_db

ROLES = ("operator", "venue", "venue_other", "coordinator", "coordinator_other", "parent", "nobody")
ON_THE_DAY = dt.datetime(2026, 11, 20, 9, 30, tzinfo=ZONE)
BEFORE_DEADLINE = dt.datetime(2026, 11, 18, 12, 0, tzinfo=ZONE)
FIRST_LATE = dt.datetime(2026, 11, 19, 0, 0, tzinfo=ZONE)


@pytest.fixture
def w():
    world = build()
    world.objects["delivery"] = day.record_delivery(world.lesson, world.school, by=world.users["venue"],
                                                    now=BEFORE_DEADLINE)
    return world


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def _status(response):
    return "ok" if response.status_code in (200, 302) else response.status_code


PAGES = {
    # (url, who may open it)
    "lessons": (lambda w: reverse("upm_day:lessons", args=[w.festival.pk]),
                {"operator", "venue", "venue_other", "coordinator", "coordinator_other"}),
    "report": (lambda w: reverse("upm_day:report", args=[w.festival.pk]),
               {"operator", "venue", "venue_other", "coordinator", "coordinator_other"}),
    "lesson": (lambda w: reverse("upm_day:lesson", args=[w.lesson.pk]), {"operator", "venue", "coordinator",
                                                                          "coordinator_other"}),
    "attendance": (lambda w: reverse("upm_day:attendance", args=[w.lesson.pk]),
                   {"operator", "venue", "coordinator", "coordinator_other"}),
}


def test_upm7_day_pages_by_role(w):
    for url, allowed in PAGES.values():
        outcome = {role: _status(client_of(w.users[role]).get(url(w))) == "ok" for role in ROLES}
        assert outcome == {role: role in allowed for role in ROLES}, url(w)
    assert Client().get(PAGES["lesson"][0](w)).status_code == 302  # anonymous: to the login page


def test_upm7_coordinator_sees_only_their_school_pupils(w):
    body = client_of(w.users["coordinator"]).get(reverse("upm_day:attendance", args=[w.lesson.pk])).content.decode()
    mine = [p.full_name for p in w.pupils["school"]]
    theirs = [p.full_name for p in w.pupils["school2"]]
    assert all(name in body for name in mine) and not any(name in body for name in theirs)
    api = client_of(w.users["coordinator"]).get(f"/api/v1/upm/lessons/{w.lesson.pk}/day").json()
    assert sorted(a["pupil_id"] for a in api["attendance"]) == sorted(p.pk for p in w.pupils["school"])
    assert [d["school_id"] for d in api["deliveries"]] == [w.school.pk]
    share = client_of(w.users["coordinator"]).get(f"/api/v1/upm/festivals/{w.festival.pk}/report").json()
    assert (share["scope"], share["totals"]["confirmed"], [s["name"] for s in share["schools"]]) == (
        "school", 2, ["СОШ № 1"])


def test_upm6_receipt_only_by_the_school_coordinator(w):
    url = reverse("upm_day:receipt", args=[w.delivery.pk])
    assert client_of(w.users["coordinator_other"]).post(url).status_code == 403
    assert client_of(w.users["venue"]).post(url).status_code == 403
    w.delivery.refresh_from_db()
    assert w.delivery.received_at is None


def test_upm6_delivery_a_day_ahead_refused_on_the_page_nothing_saved(w):
    before = EquipmentDelivery.objects.count()
    with mock.patch("django.utils.timezone.now", return_value=FIRST_LATE):
        response = client_of(w.users["venue"]).post(reverse("upm_day:delivery", args=[w.lesson.pk]),
                                                    {"school": w.school2.pk, "items": "плиты"})
    assert response.status_code == 400
    assert "не позднее 18.11.2026" in response.content.decode()
    assert EquipmentDelivery.objects.count() == before


def test_upm6_other_venue_lesson_is_not_found_and_unchanged(w):
    other = client_of(w.users["venue_other"])
    assert other.post(reverse("upm_day:delivery", args=[w.lesson.pk]), {"school": w.school2.pk}).status_code == 404
    assert other.post(reverse("upm_day:check", args=[w.lesson.pk]), {"item": "mentor_present"}).status_code == 404
    response = other.post(f"/api/v1/upm/lessons/{w.lesson.pk}/attendance",
                          {"marks": [{"pupil_id": w.pupils["school"][0].pk, "present": True}]},
                          content_type="application/json")
    assert (response.status_code, response.json()) == (404, {"detail": "Урок не найден."})
    assert not Attendance.objects.exists() and not LessonCheck.objects.exists()


def test_upm7_attendance_of_a_pupil_not_confirmed_refused_by_api_nothing_saved(w):
    from tests.factories import UserFactory

    stranger = UserFactory(last_name="Посторонний")
    venue = client_of(w.users["venue"])
    with mock.patch("django.utils.timezone.now", return_value=ON_THE_DAY):
        response = venue.post(f"/api/v1/upm/lessons/{w.lesson.pk}/attendance",
                              {"marks": [{"pupil_id": w.pupils["school"][0].pk, "present": True},
                                         {"pupil_id": stranger.pk, "present": True}]},
                              content_type="application/json")
        assert response.status_code == 400
        assert "Не подтверждены: 1. Ничего не сохранено." in response.json()["detail"]
        page = venue.post(reverse("upm_day:attendance", args=[w.lesson.pk]), {f"pupil-{stranger.pk}": "present"})
        assert page.status_code == 400 and "Ничего не сохранено" in page.content.decode()
    assert not Attendance.objects.exists() and not ProfessionalTrial.objects.exists()


def test_upm7_api_attendance_and_checks_by_the_venue(w):
    pupil = w.pupils["school2"][0]
    venue = client_of(w.users["venue"])
    with mock.patch("django.utils.timezone.now", return_value=ON_THE_DAY):
        response = venue.post(f"/api/v1/upm/lessons/{w.lesson.pk}/attendance",
                              {"marks": [{"pupil_id": pupil.pk, "present": True}]}, content_type="application/json")
        assert response.json() == [{"pupil_id": pupil.pk, "school_id": w.school2.pk, "present": True}]
        check = venue.post(f"/api/v1/upm/lessons/{w.lesson.pk}/checks", {"item": "mentor_present"},
                           content_type="application/json")
        assert check.status_code == 201 and check.json()["item"] == "mentor_present"
        refused = venue.post(f"/api/v1/upm/lessons/{w.lesson.pk}/checks",
                             {"item": "school_representative", "school_id": w.school.pk},
                             content_type="application/json")
        assert refused.status_code == 403  # the school's representative is the coordinator's to tick
    assert ProfessionalTrial.objects.filter(pupil=pupil, lesson=w.lesson).exists()


def test_report_exports_escape_formulas(w):
    from profmaster.organisations.models import Organisation

    Organisation.objects.filter(pk=w.school.pk).update(short_name="=HYPERLINK(\"http://x\")")
    operator = client_of(w.users["operator"])
    csv = operator.get(reverse("upm_day:report_export", args=[w.festival.pk, "csv"]))
    assert csv["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in csv.content.decode("utf-8-sig")
    xlsx = operator.get(reverse("upm_day:report_export", args=[w.festival.pk, "xlsx"]))
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content))["Школы"]
    assert [c.value for c in sheet["A"]][1:] == ["'=HYPERLINK(\"http://x\")", "СОШ № 2"]
    assert operator.get(reverse("upm_day:report_export", args=[w.festival.pk, "pdf"])).status_code == 404
    page = operator.get(reverse("upm_day:report", args=[w.festival.pk])).content.decode()
    assert 'id="chart-data"' in page and "upm/report.js" in page and "<script>" not in page
