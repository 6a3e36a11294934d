"""Issue 16 §8: the demo regional stage of «Лучший по профессии», for newcomers and other helpers' demo code."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from profmaster.accounts.models import Role, User
from profmaster.best_in_profession import demo
from profmaster.exams.models import Exam, TaskHandout

pytestmark = pytest.mark.django_db


def test_demo_stage_of_best_in_profession(capsys):
    call_command("load_demo", "--quiet")
    championship = demo.lpp_championship()
    assert (championship.slug, championship.time_zone, championship.rules_profile) == (
        "lpp-demo", "Asia/Yekaterinburg", "best_in_profession")
    assert sorted(championship.profession_nominations.values_list("name", flat=True)) == ["Лучший повар",
                                                                                          "Лучший сварщик"]
    statuses = sorted(championship.applications.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "submitted"]
    roles = {role: set(championship.role_assignments.filter(role=role).values_list("user__email", flat=True))
             for role in (Role.ORG_REPRESENTATIVE, Role.REGIONAL_COMMISSION, Role.CHIEF_EXPERT, Role.EXPERT,
                          Role.PARTICIPANT)}
    assert len(roles[Role.ORG_REPRESENTATIVE]) == 2 and len(roles[Role.REGIONAL_COMMISSION]) == 3
    assert roles[Role.CHIEF_EXPERT] == {"lpp.chief@profmaster.local"} and len(roles[Role.EXPERT]) == 3
    assert roles[Role.PARTICIPANT] == {"lpp.welder1@profmaster.local", "lpp.cook1@profmaster.local"}
    exam = Exam.objects.get(championship=championship)
    assert (exam.status, exam.bank.questions.count()) == ("published", 3)
    assert TaskHandout.objects.get(championship=championship).recipients.count() == 2
    ready = sorted(championship.stages.get(name="Практический этап").venue_checklists.values_list("status",
                                                                                                    flat=True))
    assert ready == ["confirmed", "open", "open"]
    for email, password, _label in demo.credentials():
        assert User.objects.get(email=email).check_password(password)
    call_command("load_demo", "--quiet")  # idempotent
    assert championship.applications.count() == 3
