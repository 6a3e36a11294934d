"""X-6 through the API: offset-less times are read in the championship's zone; answers carry its offset."""

from __future__ import annotations

import datetime as dt

import pytest

from profmaster.championships.models import Championship, ProgrammeSlot

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def director(world, api_as):
    return api_as(world.users["directorate"])


@pytest.fixture
def platform(world, api_as):
    return api_as(world.users["platform_directorate"])


def test_x6_api_reads_offsetless_programme_times_in_the_championships_zone_and_answers_with_its_offset(
        world, director):
    world.a.time_zone = "Asia/Vladivostok"
    world.a.save()
    created = director.post(f"/championships/{world.a.pk}/programme", {
        "stage_id": world.stage.pk, "kind": "familiarisation", "title": "Ознакомление",
        "starts_at": "2023-04-02T10:00", "ends_at": "2023-04-02T10:30:00+03:00"})
    assert created.status_code == 201, created.json()
    slot = ProgrammeSlot.objects.get(kind="familiarisation")
    assert slot.starts_at == dt.datetime(2023, 4, 2, 0, 0, tzinfo=UTC)  # 10:00 in Vladivostok
    assert slot.ends_at == dt.datetime(2023, 4, 2, 7, 30, tzinfo=UTC)  # an explicit offset is kept
    assert (created.json()["starts_at"], created.json()["ends_at"]) == (
        "2023-04-02T10:00:00+10:00", "2023-04-02T17:30:00+10:00")
    # Updating the slot (its URL names no championship) still reads the time in Vladivostok.
    updated = director.put(f"/programme/{slot.pk}", {"stage_id": world.stage.pk, "title": "Ознакомление",
                                                     "starts_at": "2023-04-02T09:00", "ends_at": "2023-04-02T11:00"})
    assert updated.status_code == 200, updated.json()
    slot.refresh_from_db()
    assert slot.starts_at == dt.datetime(2023, 4, 1, 23, 0, tzinfo=UTC)
    assert updated.json()["starts_at"] == "2023-04-02T09:00:00+10:00"


def test_x6_api_same_offsetless_time_in_kaliningrad_is_a_different_moment(world, director):
    world.a.time_zone = "Europe/Kaliningrad"
    world.a.save()
    created = director.post(f"/championships/{world.a.pk}/programme", {
        "stage_id": world.stage.pk, "title": "Поток 2", "starts_at": "2023-04-02T10:00",
        "ends_at": "2023-04-02T13:00"})
    assert created.status_code == 201, created.json()
    assert ProgrammeSlot.objects.get(title="Поток 2").starts_at == dt.datetime(2023, 4, 2, 8, 0, tzinfo=UTC)
    assert created.json()["starts_at"] == "2023-04-02T10:00:00+02:00"


def test_x6_api_new_championship_reads_its_deadline_in_the_zone_sent_with_it(world, platform):
    response = platform.post("/championships", {
        "name": "Камчатка-2024", "slug": "kamchatka", "season": "2023/2024", "starts_on": "2024-02-01",
        "ends_on": "2024-04-30", "time_zone": "Asia/Kamchatka", "registration_deadline": "2024-01-15T23:59"})
    assert response.status_code == 201, response.json()
    championship = Championship.objects.get(slug="kamchatka")
    assert championship.time_zone == "Asia/Kamchatka"
    assert championship.registration_deadline == dt.datetime(2024, 1, 15, 11, 59, tzinfo=UTC)
    assert response.json()["registration_deadline"] == "2024-01-15T23:59:00+12:00"
    assert response.json()["time_zone"] == "Asia/Kamchatka"
    assert platform.get(f"/championships/{championship.pk}").json()["registration_deadline"] == \
        "2024-01-15T23:59:00+12:00"


def test_x6_api_refuses_an_unknown_zone(world, platform):
    response = platform.post("/championships", {
        "name": "X", "slug": "x", "season": "2024", "starts_on": "2024-02-01", "ends_on": "2024-04-30",
        "time_zone": "Europe/Atlantis"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "field": "time_zone",
        "message": "неизвестный часовой пояс «Europe/Atlantis»: нужен пояс IANA, например Asia/Vladivostok"}]
    assert not Championship.objects.filter(slug="x").exists()


def test_x6_openapi_documents_the_zone_of_offsetless_times(anonymous):
    schema = anonymous.get("/openapi.json").json()
    slot = schema["components"]["schemas"]["ProgrammeSlotIn"]["properties"]["starts_at"]
    assert "в часовом поясе чемпионата" in slot["description"]
    assert "без смещения время\nчитается в часовом поясе чемпионата" in schema["info"]["description"]
    zone = schema["components"]["schemas"]["ChampionshipIn"]["properties"]["time_zone"]
    assert zone["default"] == "Europe/Moscow"


def test_x6_api_venue_has_its_own_zone_or_its_championships(world, director):
    from profmaster.championships import timezones

    response = director.put(f"/venues/{world.venue.pk}", {"name": world.venue.name, "address": world.venue.address,
                                                          "time_zone": "Asia/Magadan"})
    assert response.status_code == 200, response.json()
    assert response.json()["time_zone"] == "Asia/Magadan"
    world.base_venue.refresh_from_db()
    assert timezones.zone_label(timezones.zone_of(world.base_venue)) == "Магадан, UTC+11"
    cleared = director.put(f"/venues/{world.venue.pk}", {"name": world.venue.name, "address": world.venue.address})
    assert cleared.json()["time_zone"] == ""
    world.base_venue.venue.refresh_from_db()
    assert timezones.zone_label(timezones.zone_of(world.base_venue)) == "Москва, UTC+3"
