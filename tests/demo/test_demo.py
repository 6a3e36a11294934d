"""The demo championship: a realistic «Мастерята» season, loaded idempotently."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.championships.models import Championship
from profmaster.demo import data

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_every_role_and_real_structure(capsys):
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Демо уже загружено" in out and "directorate@profmaster.local" in out
    championship = Championship.objects.get(slug=data.DEMO_SLUG)
    assert Championship.objects.count() == 1
    assert {s.kind for s in championship.stages.all()} == {"remote", "final"}
    experts = dict(championship.competencies.values_list("name", "expert_count"))
    assert len(experts) >= 6
    assert experts["Мобильная робототехника"] == 15
    assert experts["Кондитерское дело"] == 4
    assert experts["Поварское дело"] == 6
    assert championship.age_categories.count() == 3
    assert championship.base_venues.count() == 2
    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    application = championship.applications.get()
    assert (application.status, application.members.count()) == ("submitted", 3)
    assert championship.competencies.get(name="Кондитерское дело").marking_schemes.get().status == "draft"
    for email, password, _label in data.credentials():
        assert User.objects.get(email=email).check_password(password)
