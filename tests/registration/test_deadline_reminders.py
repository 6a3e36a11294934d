"""X-6 (REG-1): reminders of the application deadline. A mentor whose application is still a draft or was
returned is reminded 3 days and 1 day before the deadline, computed in the championship's own zone and named
in the e-mail; each reminder is sent once per application (a unique row in the database), through the e-mail
queue, from a beat task and ``manage.py send_deadline_reminders``."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from profmaster.championships import timezones
from profmaster.notifications.models import OutboundEmail
from profmaster.registration import domain, reminders
from profmaster.registration.models import Application, DeadlineReminder

from ..russian_plurals import russian_forms

KALININGRAD, VLADIVOSTOK = "Europe/Kaliningrad", "Asia/Vladivostok"
DAY = dt.date(2023, 3, 1)
FORMS = {("До окончания приёма заявок остался %(days)s день", "До окончания приёма заявок осталось %(days)s дней"): (
    "До окончания приёма заявок остался %(days)s день", "До окончания приёма заявок осталось %(days)s дня",
    "До окончания приёма заявок осталось %(days)s дней")}


def at(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


@pytest.fixture
def zoned(reg, monkeypatch):
    """``reg``'s championship in a zone, its deadline the end of 1 March there; the teams are made on
    20 February (the clock of the domain's own checks), the reminders are run at the moments each test names."""
    def make(zone: str):
        monkeypatch.setattr(timezone, "now", lambda: at(zone, 2023, 2, 20, 12, 0))
        reg.championship.time_zone = zone
        reg.championship.registration_deadline = timezones.end_of_local_day(DAY, zone)
        reg.championship.save()
        return reg
    return make


def test_x6_reminder_moments_are_the_deadlines_wall_clock_days_earlier_in_its_zone():
    for zone in (KALININGRAD, VLADIVOSTOK):
        deadline = timezones.end_of_local_day(DAY, zone)
        tz = ZoneInfo(zone)
        assert timezones.local(reminders.reminder_moment(deadline, 3, tz), zone).replace(tzinfo=None) == \
            dt.datetime(2023, 2, 26, 23, 59, 59, 999999)
        assert reminders.due_reminder(deadline, at(zone, 2023, 2, 26, 23, 59), tz) is None
        assert reminders.due_reminder(deadline, at(zone, 2023, 2, 27, 0, 0), tz) == 3
        assert reminders.due_reminder(deadline, at(zone, 2023, 2, 28, 23, 59), tz) == 3
        assert reminders.due_reminder(deadline, at(zone, 2023, 3, 1, 0, 0), tz) == 1
        assert reminders.due_reminder(deadline, at(zone, 2023, 3, 2, 0, 0), tz) is None  # too late to remind
    # The same UTC moment is «3 days before» in Vladivostok and not yet in Kaliningrad.
    moment = dt.datetime(2023, 2, 26, 15, 0, tzinfo=dt.UTC)  # 01:00 on 27 Feb in Vladivostok, 17:00 on 26 Feb there
    assert reminders.due_reminder(timezones.end_of_local_day(DAY, VLADIVOSTOK), moment, ZoneInfo(VLADIVOSTOK)) == 3
    assert reminders.due_reminder(timezones.end_of_local_day(DAY, KALININGRAD), moment, ZoneInfo(KALININGRAD)) is None


@pytest.mark.parametrize(("zone", "shown"), [(KALININGRAD, "01.03.2023 23:59 (Калининград, UTC+2)"),
                                              (VLADIVOSTOK, "01.03.2023 23:59 (Владивосток, UTC+10)")])
def test_x6_draft_gets_the_3_day_then_the_1_day_reminder_once_each_naming_the_zone(zoned, zone, shown):
    reg = zoned(zone)
    application = reg.valid_team()
    with russian_forms(FORMS):
        assert reminders.send_deadline_reminders(now=at(zone, 2023, 2, 26, 12, 0)) == []  # too early
        [three] = reminders.send_deadline_reminders(now=at(zone, 2023, 2, 27, 9, 0))
        assert (three.application_id, three.days_before, three.to) == (application.pk, 3, ("mentor@example.ru",))
        assert reminders.send_deadline_reminders(now=at(zone, 2023, 2, 28, 9, 0)) == []  # once only
        [one] = reminders.send_deadline_reminders(now=at(zone, 2023, 3, 1, 8, 0))
        assert one.days_before == 1
        assert reminders.send_deadline_reminders(now=at(zone, 2023, 3, 1, 20, 0)) == []
    emails = list(OutboundEmail.objects.order_by("pk"))
    assert [(e.to, e.subject, e.template, e.related_id) for e in emails] == [
        ("mentor@example.ru", "До окончания приёма заявок осталось 3 дня", "application_deadline_reminder",
         str(application.pk)),
        ("mentor@example.ru", "До окончания приёма заявок остался 1 день", "application_deadline_reminder",
         str(application.pk))]
    assert emails[0].body_text.startswith(
        "Здравствуйте!\n\nЗаявка ещё не подана: она в черновике.\n"
        f"Приём заявок заканчивается {shown}. После этого срока изменить и подать заявку можно будет только с "
        "разрешения Дирекции.\n\nЗаявка: № ")
    assert f"/registration/applications/{application.pk}/" in emails[0].body_text
    assert f"<strong>{shown}</strong>" in emails[0].body_html
    assert sorted(DeadlineReminder.objects.values_list("application_id", "days_before")) == [
        (application.pk, 1), (application.pk, 3)]


def test_x6_only_drafts_and_returned_applications_are_reminded(zoned, django_capture_on_commit_callbacks):
    reg = zoned(VLADIVOSTOK)
    draft = reg.valid_team()
    returned = reg.valid_team(reg.application(competency=reg.competency2), names=("Вертлюгин", "Гусь"))
    submitted = reg.valid_team(reg.application(category=reg.cat34), grades=(3, 4), names=("Орёл", "Чайка"))
    now = at(VLADIVOSTOK, 2023, 2, 27, 9, 0)
    for application in (returned, submitted):
        domain.submit_application(application, by=reg.mentor_user)
    domain.return_application(returned, by=reg.director, remarks=[(None, "", "Уточните состав")])
    reopened = reg.valid_team(reg.application(competency=reg.competency2, category=reg.cat34), grades=(3, 4),
                              names=("Пьеха", "Дюма"))
    Application.objects.filter(pk=reopened.pk).update(reopened=True, reopen_reason="Разрешено Дирекцией")
    OutboundEmail.objects.all().delete()
    with russian_forms(FORMS):
        sent = reminders.send_deadline_reminders(now=now)
    assert sorted(s.application_id for s in sent) == sorted([draft.pk, returned.pk])
    returned_mail = OutboundEmail.objects.get(related_id=str(returned.pk))
    assert returned_mail.body_text.startswith(
        "Здравствуйте!\n\nЗаявка возвращена на доработку и ещё не подана повторно.\n")


def test_x6_reminder_follows_the_mentors_language(zoned):
    from profmaster.accounts.domain import set_language

    reg = zoned(KALININGRAD)
    set_language(reg.mentor_user, "en", by=reg.mentor_user)
    reg.valid_team()
    reminders.send_deadline_reminders(now=at(KALININGRAD, 2023, 3, 1, 8, 0))
    email = OutboundEmail.objects.get()
    # English wherever the catalogue has the text (the new sentences come with the next «make messages»)
    assert email.language == "en" and email.body_text.startswith("Hello!\n\n")
    assert "01.03.2023 23:59 (Kaliningrad, UTC+2)" in email.body_text


def test_x6_reminder_once_is_a_database_constraint(zoned):
    reg = zoned(KALININGRAD)
    application = reg.valid_team()
    deadline = reg.championship.registration_deadline
    DeadlineReminder.objects.create(application=application, days_before=3, deadline=deadline)
    with transaction.atomic(), pytest.raises(IntegrityError):
        DeadlineReminder.objects.create(application=application, days_before=3, deadline=deadline)
    # A reminder already recorded (another worker's) is not sent again.
    assert reminders.send_deadline_reminders(now=at(KALININGRAD, 2023, 2, 27, 9, 0)) == []
    assert not OutboundEmail.objects.exists()


def test_x6_an_application_created_the_day_before_gets_only_the_1_day_reminder(zoned):
    reg = zoned(VLADIVOSTOK)
    reg.valid_team()
    assert [s.days_before for s in reminders.send_deadline_reminders(now=at(VLADIVOSTOK, 2023, 3, 1, 10, 0))] == [1]
    assert reminders.send_deadline_reminders(now=at(VLADIVOSTOK, 2023, 3, 1, 11, 0)) == []
    assert OutboundEmail.objects.count() == 1


def test_x6_deadline_reminders_command_and_beat_task(zoned, monkeypatch):
    from profmaster.celery import app
    from profmaster.registration import tasks

    reg = zoned(KALININGRAD)
    application = reg.valid_team()
    monkeypatch.setattr(timezone, "now", lambda: at(KALININGRAD, 2023, 2, 28, 10, 0))
    out = StringIO()
    call_command("send_deadline_reminders", stdout=out)
    assert out.getvalue() == (f"application {application.pk}: 3 day(s) before, to mentor@example.ru\n"
                              "reminders queued: 1\n")
    assert tasks.REMINDERS_TASK in app.tasks and tasks.send_deadline_reminders_task() == 0  # sent already
    tasks._schedule(sender=app)
    entry = app.conf.beat_schedule["registration: deadline reminders"]
    assert (entry["task"], entry["schedule"]) == (tasks.REMINDERS_TASK, 3600.0)
