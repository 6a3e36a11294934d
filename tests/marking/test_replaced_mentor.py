"""Issue 13 §3 (SC-9, REG-13): a mentor replaced on a team no longer sees that team's marks and documents.

The permission predicates use the team's *current* mentor: the one whose membership is active. The old
mentor had filed the application themselves, which used to keep them in.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.marking import marks
from profmaster.permissions import has_perm, may_view_team_marks, own_teams_with_locked_marks
from profmaster.registration.domain import applications_visible_to
from profmaster.registration.models import TeamMember

from ..factories import UserFactory, give_role
from .conftest import make_team, mark_everything

pytestmark = pytest.mark.django_db


def _replace_mentor(team, old, new):
    """What an approved substitution does (registration.domain.decide_substitution): the outgoing member
    is «replaced», the incoming one joins."""
    TeamMember.objects.filter(application=team, user=old, kind=TeamMember.Kind.MENTOR).update(
        state=TeamMember.State.REPLACED)
    TeamMember.objects.create(application=team, kind=TeamMember.Kind.MENTOR, last_name=new.last_name,
                              first_name=new.first_name, email=new.email, user=new)


def test_reg13_sc9_replaced_mentor_loses_the_teams_marks_and_documents(locked_scheme, panel):
    chief, _experts = panel
    competency = locked_scheme.competency
    old, new = UserFactory(last_name="Прежний"), UserFactory(last_name="Новый")
    for user in (old, new):
        give_role(user, Role.MENTOR, competency.championship)
    team = make_team(competency, by=old, mentor=old)  # the old mentor filed the application
    other = make_team(competency)
    mark_everything(locked_scheme, [team, other], chief)
    marks.lock_marks(locked_scheme, by=chief)
    assert may_view_team_marks(old, locked_scheme, team) is True
    assert has_perm(old, "registration.view_application", team) is True

    _replace_mentor(team, old, new)
    for user in (old, new):
        user._profmaster_assignments = None
    assert may_view_team_marks(old, locked_scheme, team) is False
    assert own_teams_with_locked_marks(old, locked_scheme) == set()
    assert has_perm(old, "registration.view_application", team) is False
    assert has_perm(old, "registration.change_application", team) is False
    assert list(applications_visible_to(old, competency.championship)) == []
    # the current mentor sees the team instead
    assert may_view_team_marks(new, locked_scheme, team) is True
    assert has_perm(new, "registration.view_application", team) is True
    assert list(applications_visible_to(new, competency.championship)) == [team]
    assert may_view_team_marks(new, locked_scheme, other) is False

    client = Client()
    client.force_login(old)
    assert client.get(reverse("registration:detail", args=[team.pk])).status_code == 403
    assert client.get(reverse("marking:team_marks", args=[locked_scheme.pk, team.pk])).status_code in (403, 404)
