"""UPM-1…UPM-5 (seed 001): the festival's structure, the 30-minute rule, lessons 5 days ahead in the festival's zone,
the confirmation link, families and the parent's confirmation with each of its conditions."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.core.errors import DomainError, TransitionError
from profmaster.notifications.models import OutboundEmail
from profmaster.upm import domain, stages
from profmaster.upm.models import Agreement, Confirmation, FamilyLink, Lesson

from ..factories import CompetencyFactory, UserFactory, give_role
from .world import ZONE, lesson_start, pass_diagnostic

VLADIVOSTOK = ZoneInfo(ZONE)


def local(day: dt.date, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=VLADIVOSTOK)


# --- pure deadlines -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "ok"), [(dt.date(2025, 11, 14), True), (dt.date(2025, 11, 15), True),
                                           (dt.date(2025, 11, 16), False), (dt.date(2025, 11, 20), False)])
def test_upm4_five_days_before_counts_calendar_days(today, ok):
    assert stages.last_day(dt.date(2025, 11, 20), stages.LESSON_LEAD_DAYS) == dt.date(2025, 11, 15)
    assert stages.in_time(today, dt.date(2025, 11, 20), stages.LESSON_LEAD_DAYS) is ok


def test_upm1_stages_i_to_vii_deadlines():
    table = stages.algorithm_deadlines(dt.date(2025, 10, 31))
    assert [(s.number, s.last_day, s.lead_days) for s in table] == [
        ("I", dt.date(2025, 10, 31), None), ("II", dt.date(2025, 10, 31), None), ("III", dt.date(2025, 10, 31), None),
        ("IV", None, 5), ("V", None, 5), ("VI", None, 2), ("VII", None, 0)]


# --- stages I–III ------------------------------------------------------------------------------------------------


def test_upm1_delivery_follows_the_infrastructure_list(upm):
    assert (upm.konditer.needs_delivery, upm.konditer.delivery_source) == (True, "infrastructure")
    assert (upm.design.needs_delivery, upm.design.delivery_source) == (False, "infrastructure")
    domain.set_delivery(upm.design, needs_delivery=True, by=upm.people["operator"])
    upm.design.refresh_from_db()
    assert (upm.design.needs_delivery, upm.design.delivery_source) == (True, "operator")
    assert upm.festival.stages_deadline.month == 10 and upm.festival.stages_deadline.day == 31


def test_upm2_school_beyond_30_minutes_refused_for_a_delivered_competency(upm):
    with pytest.raises(DomainError) as refused:
        domain.propose_competency(upm.far_link, upm.konditer, side="venue", by=upm.people["venue"])
    assert refused.value.message == (
        "Школа «Школа № 80» — в 45 мин. от площадки (оценка по карте). Для компетенции «Кондитерское дело» "
        "оборудование или расходные материалы из инфраструктурного листа доставляют в школу, поэтому она должна "
        "быть не дальше 30 минут езды.")
    assert not Agreement.objects.filter(venue_school=upm.far_link, competency=upm.konditer).exists()
    # the near school (20 minutes) has it; the far one has the competency without delivery
    assert Agreement.objects.get(venue_school=upm.near_link, competency=upm.konditer).status == "accepted"
    assert Agreement.objects.get(venue_school=upm.far_link, competency=upm.design).status == "accepted"


def test_upm2_thirty_minutes_exactly_is_within_reach(upm):
    upm.far_link.travel_minutes = 30
    upm.far_link.save()
    agreement = domain.propose_competency(upm.far_link, upm.konditer, side="school",
                                          by=upm.people["coordinator_far"])
    assert agreement.status == "proposed"


def test_upm3_the_proposer_cannot_accept_its_own_proposal(upm):
    upm.far_link.travel_minutes = 25
    upm.far_link.save()
    agreement = domain.propose_competency(upm.far_link, upm.konditer, side="venue", by=upm.people["venue"])
    with pytest.raises(DomainError, match="принимает другая сторона"):
        domain.decide_agreement(agreement, accept=True, side="venue", by=upm.people["venue"])
    domain.decide_agreement(agreement, accept=False, side="school", by=upm.people["coordinator_far"])
    with pytest.raises(TransitionError):
        domain.decide_agreement(agreement, accept=True, side="school", by=upm.people["coordinator_far"])


def test_upm3_channel_message_is_emailed_to_the_others(upm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        message = domain.post_message(upm.venue, text="Коллеги, уроки — по вторникам.", by=upm.people["venue"])
    assert message.text == "Коллеги, уроки — по вторникам."
    assert sorted(OutboundEmail.objects.filter(template="upm_channel_message").values_list("to", flat=True)) == [
        "coordinator80@example.ru", "coordinator@example.ru"]
    with pytest.raises(DomainError, match="Напишите сообщение"):
        domain.post_message(upm.venue, text="   ", by=upm.people["venue"])
    with pytest.raises(DomainError, match="Напишите сообщение"):
        domain.post_message(upm.venue, text="\x00 ", by=upm.people["venue"])
    # a NUL (PostgreSQL cannot store it) is dropped, the rest of the message saved
    assert domain.post_message(upm.venue, text="Уроки\x00 — по средам", by=upm.people["venue"]).text == (
        "Уроки — по средам")


# --- stage IV: lessons ----------------------------------------------------------------------------------------------


def test_upm4_lesson_five_days_ahead_at_the_edges_of_the_festival_zone(upm):
    starts = local(dt.date(2030, 11, 20), 10)
    last_moment = local(dt.date(2030, 11, 15), 23, 59, 59)  # 13:59 UTC on 15.11
    lesson = domain.create_lesson(upm.venue, competency=upm.design, starts_at=starts, capacity=25, format="online",
                                  video_link="https://meet.example.ru/upm", by=upm.people["venue"], now=last_moment)
    assert lesson.starts_at == starts
    count = Lesson.objects.count()
    with pytest.raises(DomainError) as refused:
        domain.create_lesson(upm.venue, competency=upm.design, starts_at=starts, capacity=25, format="in_person",
                             by=upm.people["venue"], now=local(dt.date(2030, 11, 16), 0, 0))  # 14:00 UTC on 15.11
    assert refused.value.message == (
        "Урок 20.11.2030 нужно было создать не позже 15.11.2030 — не менее чем за 5 дней до урока (время — "
        "Владивосток, UTC+10). Выберите более позднюю дату.")
    assert Lesson.objects.count() == count


def test_upm4_lesson_four_days_ahead_refused_nothing_saved(upm):
    count = Lesson.objects.count()
    with pytest.raises(DomainError, match="нужно было создать не позже"):
        domain.create_lesson(upm.venue, competency=upm.design, starts_at=lesson_start(4), capacity=10,
                             format="in_person", by=upm.people["venue"])
    assert Lesson.objects.count() == count


def test_upm4_lesson_needs_an_agreed_competency_and_an_online_link(upm):
    other = domain.add_competency(upm.festival, CompetencyFactory(championship=upm.championship, name="Флористика"),
                                  by=upm.people["operator"])
    with pytest.raises(DomainError, match="ещё не согласована"):
        domain.create_lesson(upm.venue, competency=other, starts_at=lesson_start(10), capacity=10,
                             format="in_person", by=upm.people["venue"])
    with pytest.raises(DomainError, match="ссылку на видеосвязь"):
        domain.create_lesson(upm.venue, competency=upm.design, starts_at=lesson_start(10), capacity=10,
                             format="online", by=upm.people["venue"])
    with pytest.raises(DomainError, match="Число мест"):
        domain.create_lesson(upm.venue, competency=upm.design, starts_at=lesson_start(10), capacity=0,
                             format="in_person", by=upm.people["venue"])


def test_upm4_lesson_is_for_the_schools_that_agreed_its_competency(upm):
    assert [s.school for s in domain.lesson_schools(upm.lesson)] == [upm.near]


def test_upm4_confirmation_link_signed_forged_expired(upm):
    token = domain.confirmation_token(upm.lesson, upm.near)
    assert domain.read_confirmation_link(token) == (upm.lesson, upm.near)
    with pytest.raises(domain.BadLink) as forged:
        domain.read_confirmation_link(token[:-3] + "abc")
    assert forged.value.code == "forged" and "повреждена" in forged.value.message
    expired = domain.confirmation_token(upm.lesson, upm.near, expires_at=lesson_start(-1))
    with pytest.raises(domain.BadLink) as late:
        domain.read_confirmation_link(expired)
    assert late.value.code == "expired" and "Срок действия ссылки истёк" in late.value.message
    assert domain.confirmation_link(upm.lesson, upm.near).startswith("http")


# --- stage V: the confirmation and each condition ------------------------------------------------------------------


def _confirm(upm, child_key, parent_key, **kwargs):
    lesson = domain.lesson_for_confirmation(upm.lesson.pk)
    return domain.confirm(lesson, school=upm.near, pupil=upm.people[child_key], parent=upm.people[parent_key],
                          **kwargs)


def _refusal(upm, child_key, parent_key, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _confirm(upm, child_key, parent_key, **kwargs)
    upm.lesson.refresh_from_db()
    assert not Confirmation.objects.filter(pupil=upm.people[child_key]).exists()
    return refused.value


def test_upm5_eligible_child_confirmed_and_counted(upm):
    confirmation = _confirm(upm, "pyekha", "orlova")
    upm.lesson.refresh_from_db()
    assert (confirmation.pupil, confirmation.parent, confirmation.school) == (
        upm.people["pyekha"], upm.people["orlova"], upm.near)
    assert upm.lesson.confirmed_count == 1


def test_upm5_second_confirmation_of_the_same_child_refused(upm):
    _confirm(upm, "pyekha", "orlova")
    with pytest.raises(DomainError) as refused:
        _confirm(upm, "pyekha", "orlova")
    assert refused.value.message == "Участие этого ребёнка в уроке уже подтверждено."
    upm.lesson.refresh_from_db()
    assert upm.lesson.confirmed_count == 1 and Confirmation.objects.count() == 1


def test_upm5_no_diagnostic_test_told_as_the_next_step(upm):
    refused = _refusal(upm, "shevchuk_child", "shevchuk")
    assert isinstance(refused, domain.NotEligible)
    assert [(s.code, s.url) for s in refused.steps] == [("no_diagnostic",
                                                         reverse("exams:take", args=[upm.exam.pk]))]
    assert refused.steps[0].message.startswith("Сначала ребёнку нужно пройти онлайн-диагностику — вот ссылка.")
    assert upm.lesson.confirmed_count == 0


def test_upm5_a_failed_diagnostic_does_not_count(upm):
    pass_diagnostic(upm, upm.people["shevchuk_child"], passed=False)
    assert [s.code for s in _refusal(upm, "shevchuk_child", "shevchuk").steps] == ["no_diagnostic"]
    pass_diagnostic(upm, upm.people["shevchuk_child"])
    assert _confirm(upm, "shevchuk_child", "shevchuk").pk


def test_upm5_earlier_professional_trial_refused(upm):
    refused = _refusal(upm, "yolkin_child", "yolkin")
    assert [s.code for s in refused.steps] == ["had_trial"]
    assert refused.steps[0].message == (
        "Фёдор уже проходил(а) профессиональную пробу в проекте. По правилам фестиваля урок засчитывается ребёнку "
        "один раз — выберите для него другие мероприятия фестиваля.")


def test_upm5_another_familys_child_refused_nothing_changes(upm):
    refused = _refusal(upm, "pyekha", "shevchuk")
    assert [s.code for s in refused.steps] == ["not_linked"]
    assert "не связан с вашим кабинетом" in refused.message
    assert upm.lesson.confirmed_count == 0


def test_upm5_a_requested_link_is_not_yet_a_link(upm):
    FamilyLink.objects.filter(parent=upm.people["orlova"]).update(status="requested", decided_by=None,
                                                                  decided_at=None)
    refused = _refusal(upm, "pyekha", "orlova")
    assert [s.code for s in refused.steps] == ["link_pending"]
    assert "ждёт подтверждения" in refused.steps[0].message


def test_upm5_child_and_parent_must_be_registered(upm):
    RoleAssignment.objects.filter(user=upm.people["pyekha"], role=Role.PUPIL).delete()
    RoleAssignment.objects.filter(user=upm.people["orlova"], role=Role.PARENT).delete()
    refused = _refusal(upm, "pyekha", "orlova")
    assert [s.code for s in refused.steps] == ["parent_not_registered", "child_not_registered"]
    assert "Попросите координатора школы зарегистрировать ребёнка" in refused.steps[1].message


def test_upm5_child_of_another_school_is_sent_to_their_coordinator(upm):
    RoleAssignment.objects.filter(user=upm.people["pyekha"], role=Role.PUPIL).update(organisation=upm.far)
    refused = _refusal(upm, "pyekha", "orlova")
    assert [s.code for s in refused.steps] == ["other_school"]


def test_upm5_confirmation_deadline_at_its_edges_in_the_festival_zone(upm):
    day = upm.lesson.starts_at.astimezone(VLADIVOSTOK).date()
    refused = _refusal(upm, "pyekha", "orlova", now=local(day - dt.timedelta(days=4), 0, 0))
    assert refused.code == "too_late"
    assert refused.message == (
        f"Подтвердить участие в этом уроке можно было до {(day - dt.timedelta(days=5)):%d.%m.%Y} включительно — "
        "не менее чем за 5 дней до урока (время — Владивосток, UTC+10).")
    assert _confirm(upm, "pyekha", "orlova", now=local(day - dt.timedelta(days=5), 23, 59, 59)).pk


def test_upm5_full_lesson_refused_by_the_database(upm):
    Lesson.objects.filter(pk=upm.lesson.pk).update(capacity=1)
    _confirm(upm, "pyekha", "orlova")
    pass_diagnostic(upm, upm.people["shevchuk_child"])
    with pytest.raises(DomainError) as refused:
        _confirm(upm, "shevchuk_child", "shevchuk")
    assert refused.value.message == "Все места заняты."
    upm.lesson.refresh_from_db()
    assert upm.lesson.confirmed_count == 1 and Confirmation.objects.count() == 1


def test_upm5_cancelled_lesson_refused(upm):
    from django.utils import timezone

    Lesson.objects.filter(pk=upm.lesson.pk).update(cancelled_at=timezone.now())
    assert _refusal(upm, "pyekha", "orlova").code == "cancelled"


def test_upm5_confirm_query_count_is_pinned(upm):
    """The benchmark's path: one read of every condition, the insert, the counter, the parent's e-mail «участие
    подтверждено» (X-6) queued in the same transaction, and last the audit entry — the audit chain's lock is held
    from its first statement to the commit, so nothing else runs inside it (X-2)."""
    lesson = domain.lesson_for_confirmation(upm.lesson.pk)
    with CaptureQueriesContext(connection) as queries:
        domain.confirm(lesson, school=upm.near, pupil=upm.people["pyekha"].pk, parent=upm.people["orlova"])
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    # the audit chain reads its last entry (and on PostgreSQL first takes its transaction lock: X-2)
    chain = ["SELECT", "SELECT", "INSERT"] if connection.vendor == "postgresql" else ["SELECT", "INSERT"]
    assert [q.split()[0] for q in writes] == ["SELECT", "INSERT", "UPDATE", "INSERT", *chain], writes
    assert writes[3].startswith('INSERT INTO "notifications_outboundemail"')
    assert writes[-1].startswith('INSERT INTO "audit_auditentry"')


def test_upm5_one_childs_conditions_agree_with_the_annotated_list(upm):
    """UPM-5: the confirmation's one-statement read of a child's conditions says what the parents' page list
    (:func:`children_with_conditions`) says — for every parent and child of the world, linked or not, with a
    diagnostic test or without, with a trial, confirmed already or not, requested links included."""
    lesson = domain.lesson_for_confirmation(upm.lesson.pk)
    FamilyLink.objects.create(parent=upm.people["orlova"], child=upm.people["shevchuk_child"],
                              requested_by=upm.people["orlova"])
    domain.confirm(lesson, school=upm.near, pupil=upm.people["pyekha"].pk, parent=upm.people["orlova"])
    festival = lesson.festival
    fields = ["link_status", "pupil_school", "is_pupil", "diagnostic_passed", "had_trial", "already"]
    people = list(upm.people.values())
    compared = 0
    for parent in people:
        registered = domain.parent_registered(festival, parent)
        for child in people:
            listed: Any = domain.children_with_conditions(festival, parent, lesson=lesson,
                                                          pupil_ids=[child.pk]).first()
            one = domain.child_conditions(festival, parent, lesson, child.pk)
            assert one is not None and listed is not None
            assert {f: getattr(one, f) for f in fields} == {f: getattr(listed, f) for f in fields}, (parent, child)
            assert (one.full_name, one.parent_ok) == (listed.full_name, registered)
            compared += 1
    assert compared == len(people) ** 2 and compared > 4
    assert domain.child_conditions(festival, upm.people["orlova"], lesson, 10**9) is None
    # the confirmation's pupil is the user read with these fields only: a save could not overwrite the others
    pupil = domain.child_conditions(festival, upm.people["orlova"], lesson, upm.people["pyekha"].pk).as_user()
    assert (pupil.pk, pupil.first_name, pupil.email) == (upm.people["pyekha"].pk, "Лев", "pyekha@example.ru")
    assert "password" in pupil.get_deferred_fields()


def test_upm5_eligibility_lists_each_child_with_its_steps(upm):
    lesson = domain.lesson_for_confirmation(upm.lesson.pk)
    FamilyLink.objects.create(parent=upm.people["orlova"], child=upm.people["shevchuk_child"],
                              requested_by=upm.people["orlova"])
    rows = domain.eligibility(lesson, upm.near, upm.people["orlova"])
    assert [(r.pupil.first_name, [s.code for s in r.steps]) for r in rows] == [
        ("Лев", []), ("Мила", ["link_pending", "no_diagnostic"])]


# --- families ----------------------------------------------------------------------------------------------------


def test_upm5_family_link_requested_by_parent_confirmed_by_child(upm):
    parent = UserFactory(email="ptitsyna@example.ru", last_name="Птицына")
    link = domain.request_family_link(parent, child_email="PYEKHA@example.ru", by=parent)
    assert link.status == "requested" and link.child == upm.people["pyekha"]
    with pytest.raises(DomainError, match="уже отправлен"):
        domain.request_family_link(parent, child_email="pyekha@example.ru", by=parent)
    domain.decide_family_link(link, accept=True, by=upm.people["pyekha"])
    assert FamilyLink.objects.get(pk=link.pk).status == "confirmed"
    with pytest.raises(DomainError, match="не найден"):
        domain.request_family_link(parent, child_email="nobody@example.ru", by=parent)


def test_upm5_never_silent_only_the_child_or_coordinator_decides(upm):
    from profmaster.permissions import has_perm

    parent = UserFactory(email="ptitsyna@example.ru")
    link = domain.request_family_link(parent, child_email="pyekha@example.ru", by=parent)
    assert not has_perm(parent, "upm.decide_family_link", link)
    assert not has_perm(upm.people["coordinator_far"], "upm.decide_family_link", link)
    assert has_perm(upm.people["coordinator"], "upm.decide_family_link", link)
    assert has_perm(upm.people["pyekha"], "upm.decide_family_link", link)


def test_upm5_coordinator_registers_a_family(upm):
    link = domain.register_family(upm.festival, upm.near, by=upm.people["coordinator"],
                                  parent=domain.Person("pugacheva@example.ru", "Пугачёва", "Алла"),
                                  child=domain.Person("kristina@example.ru", "Орбакайте", "Кристина"))
    assert link.status == "confirmed" and link.decided_by == upm.people["coordinator"]
    assert RoleAssignment.objects.filter(user=link.child, role=Role.PUPIL, organisation=upm.near).exists()
    assert RoleAssignment.objects.filter(user=link.parent, role=Role.PARENT).exists()
    assert not link.parent.has_usable_password()
    # the same family again: the existing link, no second account
    again = domain.register_family(upm.festival, upm.near, by=upm.people["coordinator"],
                                   parent=domain.Person("pugacheva@example.ru", "", ""),
                                   child=domain.Person("kristina@example.ru", "", ""))
    assert again.pk == link.pk


def test_upm5_pupils_visible_to_coordinator_and_parent(upm):
    from profmaster.permissions import upm_pupils_visible_to

    other_school_pupil = UserFactory(email="far.pupil@example.ru")
    give_role(other_school_pupil, Role.PUPIL, upm.championship, organisation=upm.far)
    assert set(upm_pupils_visible_to(upm.people["coordinator_far"], upm.festival)) == {other_school_pupil}
    assert set(upm_pupils_visible_to(upm.people["orlova"], upm.festival)) == {upm.people["pyekha"]}
    assert upm_pupils_visible_to(upm.people["operator"], upm.festival).count() == 4
    assert list(upm_pupils_visible_to(upm.people["pyekha"], upm.festival)) == []


def test_upm4_venue_sends_the_schools_link_to_its_coordinator(upm):
    """UPM-4, X-6: the venue sends the school's confirmation link to the school's coordinator by e-mail; a school
    that did not agree the competency and a cancelled lesson are refused, nothing is sent."""
    sent = domain.send_confirmation_link(upm.lesson, upm.near, by=upm.people["venue"])
    assert sent == 1
    mail = OutboundEmail.objects.get(template="upm_link_sent")
    assert mail.to == "coordinator@example.ru"
    payload = domain.confirmation_token(upm.lesson, upm.near).split(":")[0]  # the signature's time differs
    assert f"/upm/c/{payload}:" in mail.body_text
    with pytest.raises(DomainError, match="не согласовала"):
        domain.send_confirmation_link(upm.lesson, upm.far, by=upm.people["venue"])
    domain.cancel_lesson(upm.lesson, reason="Площадка закрыта на ремонт", by=upm.people["venue"])
    with pytest.raises(TransitionError, match="отменён"):
        domain.send_confirmation_link(upm.lesson, upm.near, by=upm.people["venue"])
    assert OutboundEmail.objects.filter(template="upm_link_sent").count() == 1


def test_upm4_cancelled_lesson_tells_parents_and_takes_no_more_confirmations(upm):
    """UPM-4, X-6: a cancellation needs its reason, tells the confirmed child's parent and the coordinator, and
    the lesson's link stops counting confirmations; a second cancellation is refused."""
    _confirm(upm, "pyekha", "orlova")
    pass_diagnostic(upm, upm.people["shevchuk_child"])
    with pytest.raises(DomainError, match="причину"):
        domain.cancel_lesson(upm.lesson, reason="  ", by=upm.people["venue"])
    assert Lesson.objects.get(pk=upm.lesson.pk).cancelled_at is None
    domain.cancel_lesson(upm.lesson, reason="Площадка закрыта на ремонт", by=upm.people["venue"])
    told = set(OutboundEmail.objects.filter(template="upm_lesson_cancelled").values_list("to", flat=True))
    assert upm.people["orlova"].email in told and "coordinator@example.ru" in told
    assert "Площадка закрыта на ремонт" in OutboundEmail.objects.filter(template="upm_lesson_cancelled").first().body_text
    with pytest.raises(TransitionError, match="уже отменён"):
        domain.cancel_lesson(upm.lesson, reason="Ещё раз", by=upm.people["venue"])
    with pytest.raises(DomainError, match="отменён"):
        _confirm(upm, "shevchuk_child", "shevchuk")
    assert Confirmation.objects.filter(lesson=upm.lesson).count() == 1
