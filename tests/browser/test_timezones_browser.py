"""X-6 (issue 13 §4) in the browser: the same deadline in a Kaliningrad and a Vladivostok championship.

A mentor sees the application deadline in the championship's own zone, with the zone named, on the
championship page and on the application they submit from; the deadline «until the end of 1 March»
accepts a submission at 23:58 there and refuses one at 00:01 of 2 March with a message naming the
deadline. The clock is the test's: ``django.utils.timezone.now`` is replaced (the live server runs in
this process), so the page is opened at 23:58 and the button pressed at 00:01 as a late mentor would.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from profmaster.championships import timezones
from profmaster.registration.models import Application

from ..factories import PASSWORD
from ..registration.conftest import Reg
from .conftest import login

pytestmark = pytest.mark.browser

KALININGRAD, VLADIVOSTOK = "Europe/Kaliningrad", "Asia/Vladivostok"
DAY = dt.date(2023, 3, 1)
SHOWN = {KALININGRAD: "01.03.2023 23:59 (Калининград, UTC+2)", VLADIVOSTOK: "01.03.2023 23:59 (Владивосток, UTC+10)"}


class Clock:
    """The time every ``timezone.now()`` of the application sees; set in the championship's wall clock."""

    def __init__(self) -> None:
        self.moment = timezone.now()

    def set_local(self, wall_clock: dt.datetime, zone: str) -> None:
        self.moment = wall_clock.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


def draft_in(zone: str, clock: Clock) -> Application:
    """A valid draft of a team in a championship of ``zone`` whose deadline is the end of 1 March there."""
    clock.set_local(dt.datetime(2023, 2, 20, 12, 0), zone)
    reg = Reg()
    reg.championship.time_zone = zone
    reg.championship.registration_deadline = timezones.end_of_local_day(DAY, zone)
    reg.championship.save()
    return reg.valid_team()


@pytest.mark.parametrize("zone", [KALININGRAD, VLADIVOSTOK])
def test_x6_deadline_shown_in_the_championships_zone_and_2358_is_accepted(page, live_server, clock, zone):
    application = draft_in(zone, clock)
    clock.set_local(dt.datetime(2023, 3, 1, 23, 58), zone)
    login(page, "mentor@example.ru", PASSWORD)

    page.goto(f"/championships/{application.championship_id}/")
    expect(page.locator("#registration-deadline")).to_have_text(f"Приём заявок до: {SHOWN[zone]}")
    expect(page.locator("#championship-zone")).to_contain_text(timezones.zone_label(zone, clock.moment))

    page.goto(f"/registration/applications/{application.pk}/")
    expect(page.locator("#application-deadline")).to_have_text(f"Приём заявок до: {SHOWN[zone]}")
    page.locator("#submit-application").click()
    expect(page.locator("#application-status")).to_have_text("Подана")
    expect(page.locator(".alert-success").first).to_contain_text("Заявка подана.")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert timezones.local(application.submitted_at, application.championship).replace(tzinfo=None) == \
        dt.datetime(2023, 3, 1, 23, 58)
    expect(page.locator("#application-deadline")).to_have_count(0)  # submitted: no deadline left to meet


@pytest.mark.parametrize("zone", [KALININGRAD, VLADIVOSTOK])
def test_x6_submission_at_0001_local_is_refused_naming_the_deadline(page, live_server, clock, zone):
    application = draft_in(zone, clock)
    clock.set_local(dt.datetime(2023, 3, 1, 23, 58), zone)
    login(page, "mentor@example.ru", PASSWORD)
    page.goto(f"/registration/applications/{application.pk}/")
    expect(page.locator("#application-deadline")).to_have_text(f"Приём заявок до: {SHOWN[zone]}")

    # Three minutes later, past midnight there, the mentor presses the button on the page still open.
    clock.set_local(dt.datetime(2023, 3, 2, 0, 1), zone)
    page.locator("#submit-application").click()
    expect(page.locator(".alert-danger").first).to_have_text(
        f"Приём заявок закончился {SHOWN[zone]}; изменить заявку может только Дирекция или после того, как Дирекция "
        "откроет её для правки.")
    expect(page.locator("#application-status")).to_have_text("Черновик")
    application.refresh_from_db()
    assert (application.status, application.submitted_at) == (Application.Status.DRAFT, None)
