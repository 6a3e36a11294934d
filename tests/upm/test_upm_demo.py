"""UPM demo (§9): the festival in load_demo gives every УПМ demo user real work and shows every rule of seed 001."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profmaster.accounts.models import User
from profmaster.demo import data
from profmaster.upm import domain
from profmaster.upm.models import Festival, Lesson

pytestmark = pytest.mark.django_db


def test_upm_demo_parent_sees_one_eligible_one_without_diagnostic_one_with_a_trial():
    data.load_demo()
    festival = Festival.objects.get()
    # the first upcoming lesson (the demo's day has a lesson taken yesterday too: upm/demo_day.py)
    upcoming = Lesson.objects.filter(festival=festival, starts_at__gt=timezone.now()).first()
    lesson = domain.lesson_for_confirmation(upcoming.pk)
    parent = User.objects.get(email="parent@profmaster.local")
    school = domain.lesson_schools(lesson).get().school
    rows = {r.pupil.first_name: [s.code for s in r.steps] for r in domain.eligibility(lesson, school, parent)}
    assert rows == {"Семён": [], "Алиса": ["no_diagnostic"], "Фёдор": ["had_trial"]}
    client = Client()
    client.force_login(parent)
    page = client.get(reverse("upm:confirm", args=[domain.confirmation_token(lesson, school)])).content.decode()
    assert "Сначала ребёнку нужно пройти онлайн-диагностику" in page and "уже проходил(а) профессиональную пробу" in page
    for email, url in (("upm.operator@profmaster.local", reverse("upm:festival", args=[festival.pk])),
                       ("coordinator@profmaster.local", reverse("upm:index")),
                       ("upm.venue@profmaster.local", reverse("upm:index"))):
        client.force_login(User.objects.get(email=email))
        assert client.get(url).status_code == 200
    client.force_login(User.objects.get(email="upm.venue@profmaster.local"))
    venue_page = client.get(reverse("upm:venue", args=[festival.venues.first().pk])).content.decode()
    assert "не дальше 30 минут езды" in venue_page
