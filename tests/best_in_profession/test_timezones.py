"""X-6 for the regional stage (issue 16 §2): the same exam window and appeal deadline in a Vladivostok and a
Kaliningrad championship; the task's first access and the venue groups shown in the championship's zone, named."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from profmaster.best_in_profession import domain
from profmaster.championships import timezones
from profmaster.exams import domain as exams_domain
from profmaster.exams.models import TaskHandout
from profmaster.registration import domain as registration

from ..exams.factories import make_exam
from .conftest import enter, make_contest

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DAY = dt.date(2024, 4, 10)


@pytest.mark.parametrize(("zone", "label", "offset"), [
    ("Asia/Vladivostok", "Владивосток, UTC+10", 10), ("Europe/Kaliningrad", "Калининград, UTC+2", 2)])
def test_x6_same_exam_window_and_appeal_deadline_in_each_zone(client, zone, label, offset):
    c = make_contest(zone=zone, slug=zone.split("/")[1].lower())
    tz = ZoneInfo(zone)
    opens = dt.datetime.combine(DAY, dt.time(10, 0), tzinfo=tz)
    closes = dt.datetime.combine(DAY, dt.time(12, 0), tzinfo=tz)
    exam = make_exam(c.championship, c.competency, c.chief, opens_at=opens, closes_at=closes)
    # the window is 10:00–12:00 on the contestants' wall clocks: different UTC moments per zone
    assert exam.opens_at.astimezone(UTC) == dt.datetime(2024, 4, 10, 10 - offset, 0, tzinfo=UTC)
    application = enter(c)
    registration.approve_application(application, by=c.directorate)
    contestant = application.members.get().user
    client.force_login(contestant)
    page = client.get(reverse("exams:take", args=[exam.pk])).content.decode()
    assert f"10.04.2024 10:00 ({label})" in page and f"10.04.2024 12:00 ({label})" in page
    # an appeal is filed until the end of the day the question arose (003 §8.4), on the championship's calendar
    appeal_deadline = timezones.end_of_local_day(DAY, timezones.zone_of(c.championship))
    assert timezones.format_local(appeal_deadline, timezones.zone_of(c.championship)) == f"10.04.2024 23:59 ({label})"
    assert appeal_deadline.astimezone(UTC).hour == 23 - offset
    # the attempt's start inside the window: in time at 11:59 local, refused at 12:00
    with pytest.raises(Exception, match="закрыт"):
        exams_domain.start_attempt(exam, contestant, now=closes + dt.timedelta(minutes=1))
    attempt, _token = exams_domain.start_attempt(exam, contestant, now=closes - dt.timedelta(minutes=1))
    assert attempt.status == "in_progress"


@pytest.mark.parametrize(("zone", "label"), [("Asia/Vladivostok", "Владивосток, UTC+10"),
                                             ("Europe/Kaliningrad", "Калининград, UTC+2")])
def test_x6_first_access_and_group_time_are_shown_in_the_championships_zone(client, zone, label, tmp_path,
                                                                            settings):
    settings.MEDIA_ROOT = str(tmp_path)
    c = make_contest(zone=zone, slug=zone.split("/")[1].lower())
    application = enter(c)
    registration.approve_application(application, by=c.directorate)
    contestant = application.members.get().user
    handout = TaskHandout(championship=c.championship, competency=c.competency, title="Практическое задание",
                          text="Сварить стыковое соединение.", publish_at=dt.datetime(2024, 1, 1, tzinfo=UTC))
    exams_domain.save_handout(handout, recipients=[contestant], by=c.chief)
    client.force_login(contestant)
    page = client.get(reverse("exams:handout_open", args=[handout.pk])).content.decode()
    assert "Вы впервые открыли задание" in page and f"({label})" in page
    [checklist] = domain.open_checklists(c.stage, by=c.directorate)
    client.force_login(c.directorate)
    day = c.stage.starts_on.isoformat()
    response = client.post(reverse("best_in_profession:group_create", args=[checklist.pk]),
                           {"name": "Группа 1", "starts_at": f"{day}T09:00", "ends_at": f"{day}T11:00", "capacity": "2"})
    assert response.status_code == 302
    group = checklist.groups.get()
    assert timezones.local(group.starts_at, c.championship).time() == dt.time(9, 0)
    domain.assign_to_group(group, application, by=c.directorate)
    client.force_login(contestant)
    page = client.get(reverse("best_in_profession:contestant", args=[application.pk])).content.decode()
    assert f"{c.stage.starts_on:%d.%m.%Y} 09:00 ({label})" in page


