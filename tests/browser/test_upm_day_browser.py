"""UPM-7 in the browser at phone width (390 px): the venue's person goes from the cabinet to the lesson, takes
attendance of the confirmed pupils and the present one's lesson counts as their professional trial."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from profmaster.upm.models import Attendance, Lesson, ProfessionalTrial
from tests.factories import PASSWORD
from tests.upm.day_world import build

from .conftest import login


def test_upm7_venue_takes_attendance_on_a_phone(page):
    w = build(pupils_per_school=1)
    Lesson.objects.filter(pk=w.lesson.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))  # on today
    present, absent = w.pupils["school"][0], w.pupils["school2"][0]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "venue@example.ru", PASSWORD)
    page.goto("/cabinet/")
    page.locator("#upm-day-cabinet").get_by_role("link", name="Уроки, оборудование, посещаемость").click()
    page.locator(f"#lesson-{w.lesson.pk} a").click()
    page.locator("#attendance-link").click()
    assert page.locator(".attendance-row").count() == 2
    page.locator(f"label[for=present-{present.pk}]").click()
    page.locator(f"label[for=absent-{absent.pk}]").click()
    page.locator("#attendance-save").click()
    page.get_by_text("Посещаемость сохранена: присутствовали 1 из 2.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert dict(Attendance.objects.values_list("confirmation__pupil_id", "present")) == {present.pk: True,
                                                                                          absent.pk: False}
    assert list(ProfessionalTrial.objects.values_list("pupil_id", "lesson_id")) == [(present.pk, w.lesson.pk)]
    assert page.locator(f"#present-{present.pk}").is_checked()
