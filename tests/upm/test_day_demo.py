"""UPM-6, UPM-7 in the demo: yesterday's «Кондитерское дело» lesson has its delivery confirmed, its checklist and
attendance, and the venue's person and the coordinator find it from the cabinet."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.demo.data import load_demo
from profmaster.upm.models import Attendance, EquipmentDelivery, LessonCheck, ProfessionalTrial

pytestmark = pytest.mark.django_db


def test_upm7_demo_has_a_taken_lesson_with_its_day():
    load_demo()
    delivery = EquipmentDelivery.objects.select_related("lesson").get()
    lesson = delivery.lesson
    assert delivery.received_at is not None and str(delivery.school) == "Школа № 2097"
    assert sorted(LessonCheck.objects.filter(lesson=lesson).values_list("item", flat=True)) == [
        "link_tested", "mentor_present"]
    assert sorted(Attendance.objects.values_list("confirmation__pupil__first_name", "present")) == [
        ("Дарья", True), ("Лев", False)]
    assert ProfessionalTrial.objects.filter(lesson=lesson).count() == 1
    from profmaster.accounts.models import User

    for email in ("upm.venue@profmaster.local", "coordinator@profmaster.local"):
        client = Client()
        client.force_login(User.objects.get(email=email))
        cabinet = client.get("/cabinet/").content.decode()
        assert reverse("upm_day:lessons", args=[lesson.festival_id]) in cabinet
        page = client.get(reverse("upm_day:attendance", args=[lesson.pk])).content.decode()
        assert "Орлова Дарья" in page
