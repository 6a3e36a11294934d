"""Marks over the API (SC-2…SC-9): the same domain function as the entry grid, the same visibility rule."""

from __future__ import annotations

import pytest

from profmaster.accounts.models import Role
from profmaster.marking.models import Aspect, Mark

from ..factories import UserFactory, give_role
from .conftest import make_team, mark_everything
from .test_api import call

pytestmark = pytest.mark.django_db


def test_sc3_mark_saved_through_the_api(locked_scheme, panel, teams):
    chief, (e1, _) = panel
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    body = {"aspect_id": aspect.pk, "team_id": teams[0].pk, "expert_id": e1.pk, "value": 3}
    response = call(chief, "put", f"/schemes/{locked_scheme.pk}/marks", body)
    assert response.status_code == 200 and response.json()["value"] == 3
    assert Mark.objects.get().value == 3
    bad = call(chief, "put", f"/schemes/{locked_scheme.pk}/marks", {**body, "value": 4})
    assert bad.status_code == 400 and "0, 1, 2 или 3" in bad.json()["detail"]
    assert call(chief, "put", f"/schemes/{locked_scheme.pk}/marks", {**body, "value": "x"}).status_code == 422
    assert call(chief, "put", f"/schemes/{locked_scheme.pk}/marks", {**body, "expert_id": 999999}).status_code == 400
    assert call(e1, "put", f"/schemes/{locked_scheme.pk}/marks", body).status_code == 403  # in-person mode
    assert Mark.objects.get().value == 3


def test_sc9_mentor_reads_only_their_team_after_the_lock(locked_scheme, panel, competency):
    chief, _ = panel
    mentor = UserFactory()
    give_role(mentor, Role.MENTOR, competency.championship)
    mine, theirs = make_team(competency, mentor=mentor), make_team(competency)
    mark_everything(locked_scheme, [mine, theirs], chief)
    path = f"/schemes/{locked_scheme.pk}/marks"
    assert call(mentor, "get", f"{path}?team_id={mine.pk}").status_code == 403  # not locked yet
    status = call(chief, "post", f"{path}/lock")
    assert status.status_code == 200 and status.json()["status"] == "locked"
    own = call(mentor, "get", f"{path}?team_id={mine.pk}")
    assert own.status_code == 200 and {m["team_id"] for m in own.json()} == {mine.pk} and len(own.json()) == 6
    assert call(mentor, "get", f"{path}?team_id={theirs.pk}").status_code == 403
    assert call(mentor, "get", path).status_code == 403
    assert call(mentor, "get", f"/schemes/{locked_scheme.pk}/results").status_code == 403
    results = call(chief, "get", f"/schemes/{locked_scheme.pk}/results").json()
    assert [r["total"] for r in results] == ["4.00", "4.00"]
    assert results[0]["criteria"] == [{"code": "A", "points": "1.33"}, {"code": "B", "points": "1.33"},
                                      {"code": "C", "points": "1.33"}]
