"""UPM-6, UPM-7, X-6: equipment deliveries with the 2-day deadline at its edges in the festival's zone, the
checklist, attendance recording the professional trial, the notices sent once, the report's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from profmaster.core.errors import DomainError, TransitionError
from profmaster.notifications.models import OutboundEmail
from profmaster.upm import day, reminders, reports, selectors
from profmaster.upm.models import Attendance, EquipmentDelivery, LessonCheck, LessonNotice, ProfessionalTrial

from .day_world import LESSON_START, ZONE, build

pytestmark = pytest.mark.django_db

#: 18.11 23:59 in Vladivostok is the last moment to record the delivery for a lesson on 20.11.
LAST_MOMENT = dt.datetime(2026, 11, 18, 23, 59, 59, tzinfo=ZONE)
FIRST_LATE = dt.datetime(2026, 11, 19, 0, 0, tzinfo=ZONE)
ON_THE_DAY = dt.datetime(2026, 11, 20, 9, 30, tzinfo=ZONE)


@pytest.fixture
def w():
    return build()


def test_upm6_deadline_is_two_calendar_days_before_in_the_festival_zone(w):
    assert selectors.lesson_date(w.lesson) == dt.date(2026, 11, 20)
    assert selectors.delivery_due_date(w.lesson) == dt.date(2026, 11, 18)
    assert selectors.delivery_deadline(w.lesson) == dt.datetime(2026, 11, 18, 23, 59, 59, 999999, tzinfo=ZONE)
    # in UTC the deadline is 18.11 13:59 — a server in Moscow would still see 18.11 until 16:59 there
    assert selectors.delivery_deadline(w.lesson).astimezone(dt.UTC).hour == 13


def test_upm6_delivery_at_the_last_minute_is_recorded(w):
    delivery = day.record_delivery(w.lesson, w.school, items="2 плиты", by=w.users["venue"], now=LAST_MOMENT)
    assert (delivery.school, delivery.items, delivery.delivered_at) == (w.school, "2 плиты", LAST_MOMENT)
    mail = OutboundEmail.objects.get(template="upm_delivery_recorded")
    assert mail.to == "coordinator@example.ru" and "СОШ № 1" in mail.body_text


def test_upm6_delivery_one_day_ahead_is_refused_with_the_date_it_was_due(w):
    with pytest.raises(DomainError) as refused:
        day.record_delivery(w.lesson, w.school, by=w.users["venue"], now=FIRST_LATE)
    assert refused.value.message == (
        "Доставку оборудования нужно было записать не позднее 18.11.2026 — за 2 дня до урока 20.11.2026 "
        "(Владивосток, UTC+10). Срок прошёл, запись не сохранена.")
    assert not EquipmentDelivery.objects.exists() and not OutboundEmail.objects.exists()


def test_upm6_delivery_only_for_a_competency_that_needs_it_and_a_school_of_the_lesson(w):
    with pytest.raises(DomainError, match="не требует доставки"):
        day.record_delivery(w.plain_lesson, w.school, by=w.users["venue"], now=LAST_MOMENT)
    from tests.factories import OrganisationFactory

    with pytest.raises(DomainError, match="не участвует в уроке"):
        day.record_delivery(w.lesson, OrganisationFactory(), by=w.users["venue"], now=LAST_MOMENT)
    day.record_delivery(w.lesson, w.school, by=w.users["venue"], now=LAST_MOMENT)
    with pytest.raises(TransitionError, match="уже записана"):
        day.record_delivery(w.lesson, w.school, by=w.users["venue"], now=LAST_MOMENT)
    assert EquipmentDelivery.objects.count() == 1


def test_upm6_receipt_confirmed_once(w):
    delivery = day.record_delivery(w.lesson, w.school, by=w.users["venue"], now=LAST_MOMENT)
    day.confirm_receipt(delivery, by=w.users["coordinator"], now=FIRST_LATE)
    delivery.refresh_from_db()
    assert (delivery.received_at, delivery.received_by) == (FIRST_LATE, w.users["coordinator"])
    with pytest.raises(TransitionError, match=r"уже подтверждено 19\.11\.2026 00:00"):
        day.confirm_receipt(delivery, by=w.users["coordinator"])


def test_upm6_flag_after_the_deadline_until_every_school_confirms(w):
    assert not selectors.delivery_overdue(w.lesson, now=LAST_MOMENT)
    assert selectors.delivery_overdue(w.lesson, now=FIRST_LATE)
    for school in (w.school, w.school2):
        delivery = day.record_delivery(w.lesson, school, by=w.users["venue"], now=LAST_MOMENT)
        day.confirm_receipt(delivery, by=w.users["admin"], now=LAST_MOMENT)
    assert not selectors.delivery_overdue(w.lesson, now=FIRST_LATE)
    assert not selectors.delivery_overdue(w.plain_lesson, now=FIRST_LATE)  # no equipment to bring


def test_upm6_overdue_flag_mailed_once_to_venue_and_operator(w):
    day.record_delivery(w.lesson, w.school, by=w.users["venue"], now=LAST_MOMENT)  # not confirmed by the school
    assert [s.kind for s in reminders.send_lesson_notices(now=LAST_MOMENT)] == []
    sent = [s for s in reminders.send_lesson_notices(now=FIRST_LATE) if s.kind == "delivery_overdue"]
    assert [(s.lesson_id, s.kind, s.recipients) for s in sent] == [(w.lesson.pk, "delivery_overdue", 2)]
    mails = OutboundEmail.objects.filter(template="upm_delivery_overdue")
    assert sorted(m.to for m in mails) == ["operator@example.ru", "venue@example.ru"]
    assert "СОШ № 1" in mails[0].body_text and "СОШ № 2" in mails[0].body_text
    assert "18.11.2026 23:59 (Владивосток, UTC+10)" in mails[0].body_text
    assert reminders.send_lesson_notices(now=FIRST_LATE + dt.timedelta(hours=1)) == []
    assert LessonNotice.objects.filter(kind="delivery_overdue").count() == 1


def test_x6_reminder_the_day_before_once_by_command(w, capsys):
    before = dt.datetime(2026, 11, 18, 23, 59, tzinfo=ZONE)
    assert all(s.kind != "reminder" for s in reminders.send_lesson_notices(now=before))
    sent = [s for s in reminders.send_lesson_notices(now=dt.datetime(2026, 11, 19, 0, 0, tzinfo=ZONE))
            if s.kind == "reminder"]
    assert sorted(s.lesson_id for s in sent) == sorted([w.lesson.pk, w.plain_lesson.pk])
    assert {s.recipients for s in sent if s.lesson_id == w.lesson.pk} == {3}  # the parent and two coordinators
    mail = OutboundEmail.objects.filter(template="upm_lesson_reminder", to="parent@example.ru").first()
    assert mail.subject == "Завтра урок профессионального мастерства: Поварское дело"
    assert "https://meet.example.ru/upm-1" in mail.body_text and "20.11.2026 10:00 (Владивосток, UTC+10)" in mail.body_text
    call_command("send_upm_notices")  # today: nothing of this festival is due
    assert capsys.readouterr().out.endswith("notices queued: 0\n")
    count = OutboundEmail.objects.filter(template="upm_lesson_reminder").count()
    reminders.send_lesson_notices(now=dt.datetime(2026, 11, 19, 12, 0, tzinfo=ZONE))
    assert OutboundEmail.objects.filter(template="upm_lesson_reminder").count() == count


def test_upm7_checklist_items_and_their_rules(w):
    tested_at = dt.datetime(2026, 11, 19, 15, 0, tzinfo=ZONE)
    check = day.record_check(w.lesson, "link_tested", school=w.school, done_at=tested_at, note="Zoom, звук есть",
                             by=w.users["venue"], now=ON_THE_DAY)
    assert (check.done_at, check.done_by, check.note) == (tested_at, w.users["venue"], "Zoom, звук есть")
    with pytest.raises(DomainError, match=r"заранее — до начала урока 20\.11\.2026 10:00"):
        day.record_check(w.lesson, "link_tested", school=w.school2, done_at=LESSON_START, by=w.users["venue"],
                         now=LESSON_START + dt.timedelta(hours=1))
    with pytest.raises(DomainError, match=r"в день урока — 20\.11\.2026"):
        day.record_check(w.lesson, "mentor_present", by=w.users["venue"], now=tested_at)
    day.record_check(w.lesson, "mentor_present", school=w.school, by=w.users["venue"], now=ON_THE_DAY)
    day.record_check(w.lesson, "school_representative", school=w.school, by=w.users["coordinator"], now=ON_THE_DAY)
    with pytest.raises(DomainError, match="Укажите школу"):
        day.record_check(w.lesson, "school_representative", by=w.users["coordinator"], now=ON_THE_DAY)
    with pytest.raises(TransitionError, match="уже отмечен"):
        day.record_check(w.lesson, "mentor_present", by=w.users["venue"], now=ON_THE_DAY)
    assert sorted((c.item, c.school_id) for c in LessonCheck.objects.all()) == [
        ("link_tested", w.school.pk), ("mentor_present", None), ("school_representative", w.school.pk)]


def test_upm7_attendance_records_the_trial_once_and_a_correction_removes_it(w):
    first, second = w.pupils["school"]
    day.take_attendance(w.lesson, {first.pk: True, second.pk: False}, by=w.users["venue"], now=ON_THE_DAY)
    trial = ProfessionalTrial.objects.get()
    assert (trial.pupil, trial.lesson, trial.taken_on) == (first, w.lesson, dt.date(2026, 11, 20))
    assert dict(Attendance.objects.values_list("confirmation__pupil_id", "present")) == {first.pk: True,
                                                                                          second.pk: False}
    day.take_attendance(w.lesson, {first.pk: True}, by=w.users["coordinator"], school_ids={w.school.pk},
                        now=ON_THE_DAY)
    assert ProfessionalTrial.objects.count() == 1
    day.take_attendance(w.lesson, {first.pk: False, second.pk: True}, by=w.users["venue"], now=ON_THE_DAY)
    assert list(ProfessionalTrial.objects.values_list("pupil_id", flat=True)) == [second.pk]


def test_upm7_an_earlier_trial_stays(w):
    pupil = w.pupils["school"][0]
    ProfessionalTrial.objects.create(pupil=pupil, taken_on=dt.date(2025, 3, 1), source="Профпроба 2025",
                                     recorded_by=w.users["admin"])
    day.take_attendance(w.lesson, {pupil.pk: True}, by=w.users["venue"], now=ON_THE_DAY)
    day.take_attendance(w.lesson, {pupil.pk: False}, by=w.users["venue"], now=ON_THE_DAY)
    assert ProfessionalTrial.objects.get().source == "Профпроба 2025"


def test_upm7_bad_attendance_changes_nothing(w):
    from tests.factories import UserFactory

    first = w.pupils["school"][0]
    stranger = UserFactory(last_name="Неподтверждённый")
    with pytest.raises(DomainError) as refused:
        day.take_attendance(w.lesson, {first.pk: True, stranger.pk: True}, by=w.users["venue"], now=ON_THE_DAY)
    assert refused.value.message == ("Отметить можно только учеников, чьё участие в этом уроке подтверждено. "
                                     "Не подтверждены: 1. Ничего не сохранено.")
    other_school_pupil = w.pupils["school2"][0]
    with pytest.raises(DomainError, match="только учеников своей школы"):
        day.take_attendance(w.lesson, {first.pk: True, other_school_pupil.pk: True}, by=w.users["coordinator"],
                            school_ids={w.school.pk}, now=ON_THE_DAY)
    with pytest.raises(DomainError, match=r"в день урока — 20\.11\.2026"):
        day.take_attendance(w.lesson, {first.pk: True}, by=w.users["venue"], now=ON_THE_DAY - dt.timedelta(days=1))
    assert not Attendance.objects.exists() and not ProfessionalTrial.objects.exists()


def test_report_counts_per_venue_school_competency_and_shares(w):
    first = w.pupils["school"][0]
    delivery = day.record_delivery(w.lesson, w.school, by=w.users["venue"], now=LAST_MOMENT)
    day.confirm_receipt(delivery, by=w.users["coordinator"], now=LAST_MOMENT)
    day.take_attendance(w.lesson, {first.pk: True}, by=w.users["venue"], now=ON_THE_DAY)
    report = reports.festival_report(w.festival, now=FIRST_LATE)
    t = report.totals
    assert (t.lessons, t.capacity, t.confirmed, t.attended, t.created_in_time) == (2, 60, 4, 1, 2)
    assert (t.needing_equipment, t.delivered_in_time, t.delivery_overdue) == (1, 0, 1)  # СОШ № 2 has not confirmed
    assert [(r.name, r.lessons, r.confirmed) for r in report.venues] == [("Колледж Орёл, корпус 1", 2, 4)]
    assert [(r.name, r.confirmed, r.attended, r.delivered_in_time) for r in report.schools] == [
        ("СОШ № 1", 2, 1, 1), ("СОШ № 2", 2, 0, 0)]
    assert [(r.name, r.confirmed) for r in report.competencies] == [("Графический дизайн", 0), ("Поварское дело", 4)]
    mine = reports.festival_report(w.festival, school_ids={w.school.pk}, now=FIRST_LATE)
    assert (mine.scope, mine.totals.confirmed, [r.name for r in mine.schools]) == ("school", 2, ["СОШ № 1"])
    other = reports.festival_report(w.festival, venue_ids={w.other_venue.pk}, now=FIRST_LATE)
    assert (other.totals.lessons, other.totals.confirmed) == (0, 0)


def test_upm7_demo_day_gives_a_lesson_a_delivery_a_checklist_and_attendance(w):
    from profmaster.upm import demo_day

    lesson = demo_day.load(w.festival, venue_person=w.users["venue"], coordinator=w.users["coordinator"])
    assert lesson == w.lesson
    delivery = EquipmentDelivery.objects.get()
    assert delivery.received_by == w.users["coordinator"]
    assert sorted(LessonCheck.objects.values_list("item", flat=True)) == ["link_tested", "mentor_present"]
    assert Attendance.objects.filter(present=True).count() == 1 and ProfessionalTrial.objects.count() == 1
    assert demo_day.load(w.festival, venue_person=w.users["venue"]) == w.lesson  # idempotent
    assert LessonCheck.objects.count() == 2
