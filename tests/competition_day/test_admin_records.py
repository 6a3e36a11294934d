"""OP-1…OP-7: the day's records (draws, accreditations, check-ins, incidents, timers) are readable in the admin
and nobody changes them there; a prepared draw's secret never shows before the draw."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import User
from profmaster.competition_day import domain
from profmaster.competition_day.models import Draw

pytestmark = pytest.mark.django_db

DAY_APPS = {"competition_day", "checkin", "incidents", "timekeeping"}
DAY_MODELS = sorted((m._meta.app_label, m._meta.model_name) for m in site._registry if m._meta.app_label in DAY_APPS)


@pytest.fixture
def admin_client() -> Client:
    admin = User.objects.create_superuser("root@profmaster.local", "Masteryata-2023", last_name="Орёл",
                                          first_name="Пётр")
    client = Client()
    client.force_login(admin)
    return client


def test_op_every_day_model_has_an_admin_list():
    assert {label for label, _ in DAY_MODELS} == DAY_APPS
    assert len(DAY_MODELS) >= 11


@pytest.mark.parametrize(("app", "model"), DAY_MODELS)
def test_op_day_records_listed_and_never_added_in_admin(admin_client, app, model):
    assert admin_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_op1_admin_shows_the_commitment_not_the_secret_of_a_prepared_draw(admin_client, day):
    draw = domain.prepare_draw(day.competency, kind=Draw.Kind.FLOWS, by=day.chief)
    page = admin_client.get(reverse("admin:competition_day_draw_change", args=[draw.pk])).content.decode()
    assert draw.commitment in page
    assert draw.secret not in page
    response = admin_client.post(reverse("admin:competition_day_draw_change", args=[draw.pk]), {"state": "performed"})
    assert response.status_code == 403
    draw.refresh_from_db()
    assert draw.state == Draw.State.PREPARED
