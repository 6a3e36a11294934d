"""SC-2/SC-3 at a national final (issue 13 §8): the grid's autosave endpoint runs a fixed, small number of
SQL statements per save, whatever the scheme's size, and keeps every check and the ledger chain."""

from __future__ import annotations

import pytest
from django.urls import reverse

from profmaster.marking import marks
from profmaster.marking.models import Aspect, Mark, MarkEntry, SchemeMarking

from .conftest import make_team

pytestmark = pytest.mark.django_db

#: session, user, the championship's zone (middleware); scheme, the chief's roles, team, expert, the expert's
#: panel membership and conflicts; the lock row with the scheme's status, the aspect's marks (with sheet,
#: resolution and spread limit); the ledger entry, the chain head, the mark — plus the transaction's own
#: BEGIN/COMMIT or SAVEPOINT/RELEASE where the database logs them. The same value again writes nothing.
CHANGED_SAVE_MAX = 16
REPEATED_SAVE_MAX = 13


def _post(client, scheme, team, aspect, expert, value):
    return client.post(reverse("marking:save", args=[scheme.pk, team.pk]),
                       {"aspect": aspect.pk, "expert": expert.pk, "value": value})


def test_sc3_autosave_query_count_is_pinned(client, locked_scheme, panel, teams, django_assert_max_num_queries):
    """SC-3 / issue 13 §8: one autosave is at most 16 statements (it was 26), a repeat at most 13 (it was 21)."""
    chief, (e1, e2) = panel
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    client.force_login(chief)
    assert _post(client, locked_scheme, teams[0], aspect, e1, "1").json()["ok"]  # creates the marking row
    assert _post(client, locked_scheme, teams[0], aspect, e2, "1").json()["ok"]
    with django_assert_max_num_queries(CHANGED_SAVE_MAX):
        response = _post(client, locked_scheme, teams[0], aspect, e1, "3")
    assert response.json() == {"ok": True, "value": 3, "discrepancy": "open"}
    with django_assert_max_num_queries(REPEATED_SAVE_MAX):
        response = _post(client, locked_scheme, teams[0], aspect, e1, "3")
    assert response.json() == {"ok": True, "value": 3, "discrepancy": "open"}
    # the chain is whole: three entries (the repeat wrote none) and the marks replay from it
    assert MarkEntry.objects.filter(scheme=locked_scheme).count() == 3
    assert SchemeMarking.objects.get(scheme=locked_scheme).entry_count == 3
    assert marks.verify(locked_scheme) == []
    assert Mark.objects.get(expert=e1, team=teams[0]).value == 3


def test_sc8_autosave_keeps_the_conflict_check_with_the_aspects_cached(client, locked_scheme, panel, competency,
                                                                      teams):
    """SC-8: the one-query panel check refuses a mentor of the team, after other saves cached the aspects."""
    chief, (e1, e2) = panel
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    client.force_login(chief)
    assert _post(client, locked_scheme, teams[0], aspect, e1, "2").json()["ok"]
    mentored = make_team(competency, mentor=e2)
    response = _post(client, locked_scheme, mentored, aspect, e2, "2")
    assert response.status_code == 400 and "наставник" in response.json()["error"]
    assert response.json()["field"] == "expert"
    assert not Mark.objects.filter(team=mentored).exists()


def test_x2_stale_scheme_copy_after_unlock_is_refused_not_written(locked_scheme, panel, teams):
    """X-2: a save with a copy of the scheme read before an unlock and change checks the aspect again under
    the lock (the cached aspects belong to the older version)."""
    chief, (e1, _e2) = panel
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    marks.save_mark(locked_scheme, aspect, teams[0], 1, expert=e1, by=chief)
    type(locked_scheme).objects.filter(pk=locked_scheme.pk).update(version=locked_scheme.version + 1)
    Aspect.objects.filter(pk=aspect.pk).update(kind="binary")  # what an unlocked scheme's edit could do
    from profmaster.core.errors import TransitionError

    with pytest.raises(TransitionError, match="изменилась"):
        marks.save_mark(locked_scheme, aspect, teams[0], 2, expert=e1, by=chief)
    assert Mark.objects.get(expert=e1).value == 1
