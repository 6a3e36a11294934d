"""Issue 13 §3: the cabinet shows what a person has to do — a mentor's returned application with its remarks
and the button to fix it first (REG-1); the chief expert's links to the marking scheme and the marks (SC-1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.demo import data
from profmaster.registration import domain
from profmaster.registration.models import Application

pytestmark = pytest.mark.django_db


def _client(email: str) -> Client:
    from profmaster.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


@pytest.fixture
def demo():
    return data.load_demo()


def test_reg1_returned_application_shows_remarks_and_fix_button_first_in_cabinet(demo):
    from profmaster.accounts.models import User

    application = Application.objects.get(championship=demo, competency__name="Кондитерское дело")
    pupil = application.members.get(last_name="Конфеткина")
    director = User.objects.get(email="directorate@profmaster.local")
    before = _client("mentor@profmaster.local").get(reverse("cabinet")).content.decode()
    assert "Заявка возвращена на доработку" not in before
    domain.return_application(application, by=director, remarks=[
        (pupil, "grade", "Приложите справку школы о классе"), (None, "", "Уточните телефон наставника")])
    html = _client("mentor@profmaster.local").get(reverse("cabinet")).content.decode()
    card = html.index(f'id="returned-{application.pk}"')
    assert card < html.index('id="registration"') and card < html.index('id="todo"')
    assert "<strong>Конфеткина Алиса Игоревна</strong>: Приложите справку школы о классе" in html
    assert "Уточните телефон наставника" in html
    assert f'href="{reverse("registration:detail", args=[application.pk])}#team">Исправить заявку' in html
    assert "Сейчас ничего не ждёт вашего действия." not in html
    other = _client("participant@profmaster.local").get(reverse("cabinet")).content.decode()
    assert "Заявка возвращена на доработку" not in other  # a participant does not edit the application


def test_sc1_chief_expert_cabinet_links_the_marking_scheme_and_the_marks(demo):
    konditer = demo.competencies.get(name="Кондитерское дело")
    floristika = demo.competencies.get(name="Флористика")
    html = _client("chief.konditer@profmaster.local").get(reverse("cabinet")).content.decode()
    assert reverse("marking:list", args=[demo.pk, konditer.pk]) in html
    assert "Схемы оценки (правка и блокировка)" in html
    assert reverse("marking:panel", args=[demo.pk, konditer.pk]) in html
    scheme = konditer.marking_schemes.get()
    assert reverse("marking:detail", args=[scheme.pk]) in html
    assert reverse("marking:board", args=[scheme.pk]) in html
    assert reverse("marking:list", args=[demo.pk, floristika.pk]) not in html  # only the own competency
    chief_f = _client("chief.floristika@profmaster.local").get(reverse("cabinet")).content.decode()
    assert reverse("marking:board", args=[floristika.marking_schemes.get().pk]) in chief_f
    expert = _client("expert1.konditer@profmaster.local").get(reverse("cabinet")).content.decode()
    assert reverse("marking:list", args=[demo.pk, konditer.pk]) in expert
    assert "Схемы оценки (правка и блокировка)" not in expert
    assert reverse("marking:panel", args=[demo.pk, konditer.pk]) not in expert
    mentor = _client("mentor@profmaster.local").get(reverse("cabinet")).content.decode()
    assert "marking-cabinet" not in mentor
