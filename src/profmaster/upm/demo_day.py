"""The demo's lesson day (UPM-6, UPM-7): on a demo festival's first lesson with confirmed pupils, the equipment
delivered to a school and its receipt confirmed, the checklist ticked and the attendance taken — through the same
domain functions, with the moments they would have happened at (so the deadlines hold). Call :func:`load` at the
end of the festival's demo; it is idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from profmaster.championships import timezones

from . import day, selectors
from .models import Confirmation, EquipmentDelivery, Festival, Lesson, LessonCheck


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
