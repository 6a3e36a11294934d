"""The demo's lesson day (UPM-6, UPM-7): on a demo festival's first lesson with confirmed pupils, the equipment
delivered to a school and its receipt confirmed, the checklist ticked and the attendance taken — through the same
domain functions, with the moments they would have happened at (so the deadlines hold).

:func:`load_for_demo` (called at the end of ``load_demo``) adds to the demo festival a «Кондитерское дело» lesson
held yesterday for «Школа № 2097»: created 12 days before, two children of another family confirmed (neither is
``parent@``'s, whose children keep their story), then :func:`load` gives it a delivery, a checklist and attendance.
``upm.venue@`` and ``coordinator@`` see it under *Кабинет → Уроки профессионального мастерства: день урока*."""

from __future__ import annotations

import datetime as dt
from typing import Any

from profmaster.championships import timezones

from . import day, domain, selectors
from .models import Confirmation, EquipmentDelivery, Festival, FestivalCompetency, FestivalVenue, Lesson, LessonCheck


def load(festival: Festival, *, venue_person: Any, coordinator: Any | None = None) -> Lesson | None:
    """Give the festival's first lesson with confirmations a delivery, a checklist and attendance to see."""
    lesson = (Lesson.objects.filter(festival=festival, cancelled_at__isnull=True, confirmations__isnull=False)
              .select_related("festival__championship", "venue", "competency").order_by("starts_at", "pk").first())
    if lesson is None or LessonCheck.objects.filter(lesson=lesson).exists():
        return lesson
    zone = selectors.zone_of_lesson(lesson)
    confirmations = list(Confirmation.objects.filter(lesson=lesson).order_by("pk"))
    school = confirmations[0].school
    before = timezones.start_of_local_day(selectors.delivery_due_date(lesson), zone) + dt.timedelta(hours=10)
    if selectors.needs_equipment(lesson) and not EquipmentDelivery.objects.filter(lesson=lesson, school=school).exists():
        delivery = day.record_delivery(lesson, school, items="Оборудование по инфраструктурному листу", by=venue_person,
                                       now=before)
        day.confirm_receipt(delivery, by=coordinator or venue_person, now=before + dt.timedelta(hours=3))
    tested = lesson.starts_at - dt.timedelta(days=1)
    day.record_check(lesson, "link_tested", school=school, done_at=tested, note="Связь проверена, звук и видео есть",
                     by=venue_person, now=tested)
    on_the_day = lesson.starts_at - dt.timedelta(minutes=20)
    if timezones.local_date(on_the_day, zone) == selectors.lesson_date(lesson):
        day.record_check(lesson, "mentor_present", by=venue_person, now=on_the_day)
        marks = {c.pupil_id: index == 0 for index, c in enumerate(confirmations)}
        day.take_attendance(lesson, marks, by=venue_person, now=lesson.starts_at)
    return lesson


def load_for_demo(championship: Any, *, by: Any) -> Lesson | None:
    """A taken lesson of the demo festival, with its day recorded (idempotent: nothing twice)."""
    from django.utils import timezone

    from profmaster.accounts.models import Role, RoleAssignment, User
    from profmaster.exams.models import Attempt

    festival = Festival.objects.filter(championship=championship).select_related("championship").first()
    if festival is None:
        return None
    people = {u.email: u for u in User.objects.filter(email__in=["upm.venue@profmaster.local",
                                                                 "coordinator@profmaster.local"])}
    venue_person, coordinator = people["upm.venue@profmaster.local"], people["coordinator@profmaster.local"]
    item = FestivalVenue.objects.filter(festival=festival, staff=venue_person).first()
    competency = FestivalCompetency.objects.filter(festival=festival, competency__name="Кондитерское дело").first()
    school_id = RoleAssignment.objects.filter(user=coordinator, role=Role.SCHOOL_COORDINATOR,
                                              championship=championship).values_list("organisation_id", flat=True).first()
    if item is None or competency is None or school_id is None:
        return None
    zone = timezones.zone_of(championship)
    yesterday = timezones.local_date(timezone.now(), championship) - dt.timedelta(days=1)
    starts = dt.datetime.combine(yesterday, dt.time(10, 0), tzinfo=zone)
    lesson = Lesson.objects.filter(festival=festival, venue=item.venue, starts_at=starts).first()
    if lesson is None:
        lesson = domain.create_lesson(item, competency=competency, starts_at=starts, capacity=15, format="online",
                                      video_link="https://meet.profmaster.local/upm-konditer-1", by=venue_person,
                                      now=starts - dt.timedelta(days=12))
        lesson = Lesson.objects.select_related("festival__championship", "venue", "competency").get(pk=lesson.pk)
        school = item.schools.get(school_id=school_id).school
        exam = festival.diagnostic_exams.first()
        parent = _person(championship, "orlova.parent@profmaster.local", "Орлова", "Ольга", "Игоревна", Role.PARENT,
                         None, by)
        for email, first in (("orlova.dasha@profmaster.local", "Дарья"), ("orlov.lev@profmaster.local", "Лев")):
            last, patronymic = ("Орлов", "Игоревич") if first == "Лев" else ("Орлова", "Игоревна")
            child = _person(championship, email, last, first, patronymic, Role.PUPIL, school, by)
            domain.create_family_link(parent, child, by=coordinator)
            if exam is not None:
                moment = starts - dt.timedelta(days=10)
                Attempt.all_objects.create(exam=exam, user=child, number=1, status=Attempt.Status.FINISHED, seed=7,
                                           started_at=moment, finished_at=moment + dt.timedelta(minutes=4),
                                           finished_by="examinee", passed=True)
            domain.confirm(lesson, school=school, pupil=child, parent=parent, now=starts - dt.timedelta(days=8))
    return load(festival, venue_person=venue_person, coordinator=coordinator)


def _person(championship: Any, email: str, last: str, first: str, patronymic: str, role: str, school: Any,
            by: Any) -> Any:
    from profmaster.accounts import domain as accounts_domain
    from profmaster.accounts.models import RoleAssignment, User

    user = User.objects.filter(email=email).first() or accounts_domain.create_user(
        email=email, last_name=last, first_name=first, patronymic=patronymic, by=by, championship=championship)
    if not RoleAssignment.objects.filter(user=user, role=role, championship=championship).exists():
        accounts_domain.assign_role(user=user, role=role, championship=championship, organisation=school, by=by)
    return user
