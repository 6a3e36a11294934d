"""X-6 (issue 13 §4): every deadline, window and protocol time in the championship's own time zone, named.

The same wall-clock deadline «1 March, end of the day» is a different moment in Kaliningrad (UTC+2)
and in Vladivostok (UTC+10); 23:59 there is still in time and 00:00 of the next day is not.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from profmaster.championships import timezones
from profmaster.championships.middleware import championship_zone_name
from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.registration import domain as reg_domain

from ..factories import BaseVenueFactory, ChampionshipFactory, UserFactory, VenueFactory, give_role

UTC = dt.UTC
KALININGRAD, VLADIVOSTOK = "Europe/Kaliningrad", "Asia/Vladivostok"


# --- The helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "label"), [
    ("Europe/Kaliningrad", "Калининград, UTC+2"), ("Europe/Moscow", "Москва, UTC+3"),
    ("Europe/Samara", "Самара, UTC+4"), ("Asia/Yekaterinburg", "Екатеринбург, UTC+5"),
    ("Asia/Omsk", "Омск, UTC+6"), ("Asia/Krasnoyarsk", "Красноярск, UTC+7"), ("Asia/Irkutsk", "Иркутск, UTC+8"),
    ("Asia/Yakutsk", "Якутск, UTC+9"), ("Asia/Vladivostok", "Владивосток, UTC+10"),
    ("Asia/Magadan", "Магадан, UTC+11"), ("Asia/Kamchatka", "Камчатка, UTC+12"),
    ("Asia/Kolkata", "Kolkata, UTC+5:30"), ("America/New_York", "New York, UTC−5"), ("UTC", "UTC, UTC"),
])
def test_x6_zone_label_names_the_city_and_offset(zone, label):
    assert timezones.zone_label(zone, dt.datetime(2023, 3, 1, 12, tzinfo=UTC)) == label


def test_x6_zone_choices_list_russias_eleven_zones_first_then_the_others():
    russia, others = timezones.zone_choices()
    assert [key for key, _label in russia[1]] == list(timezones.RUSSIAN_ZONES) == [
        "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
        "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka"]
    assert russia[1][8] == ("Asia/Vladivostok", "Владивосток (UTC+10) — Asia/Vladivostok")
    other_keys = [key for key, _label in others[1]]
    assert "Asia/Almaty" in other_keys and "Europe/Moscow" not in other_keys
    assert other_keys == sorted(other_keys)


def test_x6_end_of_local_day_is_2359_there_in_kaliningrad_and_vladivostok():
    day = dt.date(2023, 3, 1)
    kaliningrad = timezones.end_of_local_day(day, KALININGRAD)
    vladivostok = timezones.end_of_local_day(day, VLADIVOSTOK)
    assert kaliningrad.astimezone(UTC) == dt.datetime(2023, 3, 1, 21, 59, 59, 999999, tzinfo=UTC)
    assert vladivostok.astimezone(UTC) == dt.datetime(2023, 3, 1, 13, 59, 59, 999999, tzinfo=UTC)
    assert kaliningrad - vladivostok == dt.timedelta(hours=8)
    assert timezones.format_local(vladivostok, VLADIVOSTOK) == "01.03.2023 23:59 (Владивосток, UTC+10)"
    assert timezones.format_local(kaliningrad, KALININGRAD) == "01.03.2023 23:59 (Калининград, UTC+2)"
    assert timezones.start_of_local_day(day, VLADIVOSTOK).astimezone(UTC) == dt.datetime(2023, 2, 28, 14, tzinfo=UTC)


def test_x6_an_unknown_zone_is_refused_with_a_russian_message(db):
    championship = ChampionshipFactory.build(time_zone="Asia/Atlantis")
    with pytest.raises(ValidationError) as exc:
        championship.full_clean()
    assert exc.value.message_dict["time_zone"] == [
        "Неизвестный часовой пояс «Asia/Atlantis»: укажите пояс IANA, например Asia/Vladivostok."]
    ChampionshipFactory.build(time_zone=VLADIVOSTOK, slug="fine").full_clean()


def test_x6_zone_of_a_venue_defaults_to_its_championships(db):
    championship = ChampionshipFactory(time_zone=VLADIVOSTOK)
    inherits = BaseVenueFactory(championship=championship, venue=VenueFactory(time_zone=""))
    own = BaseVenueFactory(championship=championship, venue=VenueFactory(time_zone="Asia/Magadan"))
    assert timezones.zone_of(championship) == ZoneInfo(VLADIVOSTOK)
    assert timezones.zone_of(inherits) == ZoneInfo(VLADIVOSTOK)
    assert timezones.zone_of(own) == ZoneInfo("Asia/Magadan")
    assert timezones.zone_of(None) == ZoneInfo("Europe/Moscow")  # the platform's default
    assert Championship._meta.get_field("time_zone").default == "Europe/Moscow"


# --- Registration deadline in Kaliningrad and in Vladivostok ------------------------------------------


@pytest.fixture
def two_championships(db):
    """The same deadline, «until the end of 1 March», in Kaliningrad and in Vladivostok."""
    made = {}
    for zone in (KALININGRAD, VLADIVOSTOK):
        made[zone] = ChampionshipFactory(
            slug=zone.lower().replace("/", "-"), time_zone=zone,
            registration_deadline=timezones.end_of_local_day(dt.date(2023, 3, 1), zone))
    return made


def test_x6_same_deadline_in_kaliningrad_and_vladivostok(two_championships):
    kaliningrad, vladivostok = two_championships[KALININGRAD], two_championships[VLADIVOSTOK]
    # 14:00 UTC on 1 March: midnight in Vladivostok, 16:00 in Kaliningrad.
    moment = dt.datetime(2023, 3, 1, 14, 0, tzinfo=UTC)
    assert reg_domain.deadline_passed(vladivostok, now=moment) is True
    assert reg_domain.deadline_passed(kaliningrad, now=moment) is False
    # 22:00 UTC: midnight in Kaliningrad too.
    assert reg_domain.deadline_passed(kaliningrad, now=dt.datetime(2023, 3, 1, 22, 0, tzinfo=UTC)) is True


@pytest.mark.parametrize(("zone", "local_time", "passed"), [
    (KALININGRAD, dt.datetime(2023, 3, 1, 23, 59), False),
    (KALININGRAD, dt.datetime(2023, 3, 1, 23, 59, 59), False),
    (KALININGRAD, dt.datetime(2023, 3, 2, 0, 0), True),
    (VLADIVOSTOK, dt.datetime(2023, 3, 1, 23, 59), False),
    (VLADIVOSTOK, dt.datetime(2023, 3, 2, 0, 0), True),
    (VLADIVOSTOK, dt.datetime(2023, 3, 1, 0, 0), False),
])
def test_x6_deadline_at_2359_is_in_time_and_at_0000_is_late(two_championships, zone, local_time, passed):
    now = local_time.replace(tzinfo=ZoneInfo(zone))
    assert reg_domain.deadline_passed(two_championships[zone], now=now) is passed


def test_x6_late_application_is_refused_naming_the_deadline_in_the_championships_zone(two_championships):
    from ..factories import AgeCategoryFactory, CompetencyFactory, OrganisationFactory

    championship = two_championships[VLADIVOSTOK]
    championship.registration_deadline = dt.datetime(2020, 3, 1, 23, 59, tzinfo=ZoneInfo(VLADIVOSTOK))
    championship.save()
    competency = CompetencyFactory(championship=championship)
    category = AgeCategoryFactory(championship=championship)
    # Whatever zone the server runs in.
    with timezone.override(ZoneInfo("Europe/Kaliningrad")), pytest.raises(DomainError) as exc:
        reg_domain.create_application(championship=championship, competency=competency, age_category=category,
                                      organisation=OrganisationFactory(), by=UserFactory())
    assert exc.value.message == "Приём заявок закончился 01.03.2020 23:59 (Владивосток, UTC+10)."


# --- The zone of a request -----------------------------------------------------------------------------


def test_x6_urls_of_a_championship_resolve_to_its_zone(two_championships):
    vladivostok = two_championships[VLADIVOSTOK]
    assert championship_zone_name("championships/<int:pk>/", {"pk": vladivostok.pk}) == VLADIVOSTOK
    assert championship_zone_name("api/v1/championships/<int:championship_id>/programme",
                                  {"championship_id": vladivostok.pk}) == VLADIVOSTOK
    assert championship_zone_name("organisations/<int:pk>/", {"pk": vladivostok.pk}) is None
    assert championship_zone_name("championships/<int:pk>/", {"pk": 10**9}) is None


def test_x6_championship_page_names_its_deadline_in_its_zone_and_the_next_page_is_back_to_default(
        client, two_championships):
    vladivostok = two_championships[VLADIVOSTOK]
    user = UserFactory()
    give_role(user, "directorate", None)
    client.force_login(user)
    page = client.get(reverse("championships:detail", args=[vladivostok.pk])).content.decode()
    assert "Приём заявок до: <strong>01.03.2023 23:59 (Владивосток, UTC+10)</strong>" in page
    assert "Часовой пояс: Владивосток, UTC+10 · Asia/Vladivostok" in page
    kaliningrad = client.get(reverse("championships:detail", args=[two_championships[KALININGRAD].pk]))
    assert "Приём заявок до: <strong>01.03.2023 23:59 (Калининград, UTC+2)</strong>" in kaliningrad.content.decode()
    # The zone does not leak into the next request of the same thread.
    client.get(reverse("cabinet"))
    assert timezone.get_current_timezone() == ZoneInfo("Europe/Moscow")


def test_x6_edit_form_reads_the_typed_deadline_in_the_chosen_zone(client, two_championships):
    championship = two_championships[KALININGRAD]
    user = UserFactory()
    give_role(user, "directorate", None)
    client.force_login(user)
    response = client.post(reverse("championships:edit", args=[championship.pk]), {
        "name": championship.name, "slug": championship.slug, "season": championship.season,
        "rules_profile": championship.rules_profile, "starts_on": "2023-02-01", "ends_on": "2023-04-30",
        "time_zone": VLADIVOSTOK, "registration_deadline": "2023-03-01T23:59",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    championship.refresh_from_db()
    assert championship.time_zone == VLADIVOSTOK
    assert championship.registration_deadline == dt.datetime(2023, 3, 1, 13, 59, tzinfo=UTC)
    form = client.get(reverse("championships:edit", args=[championship.pk])).content.decode()
    assert 'value="2023-03-01T23:59"' in form


def test_x6_template_filters_print_the_zone():
    moment = dt.datetime(2023, 3, 1, 13, 59, tzinfo=UTC)
    template = Template('{% load zones %}{{ t|zoned }}|{{ t|zoned:"H:i" }}|{{ none|zoned|default:"—" }}|'
                        '{% current_zone %}|{{ d|end_of_day }}')
    with timezone.override(ZoneInfo(VLADIVOSTOK)):
        text = template.render(Context({"t": moment, "none": None, "d": dt.date(2023, 4, 30)}))
    assert text == ("01.03.2023 23:59 (Владивосток, UTC+10)|23:59 (Владивосток, UTC+10)|—|Владивосток, UTC+10|"
                    "30.04.2023 23:59 (Владивосток, UTC+10)")
