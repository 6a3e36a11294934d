"""X-5 (issue 13 §6): a marks-grid save whose connection the database dropped is run once more on a new
connection (an unchanged mark writes nothing, so the retry cannot enter a mark twice); if the database is
still away the answer is 503 with Retry-After, never a 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from profmaster.marking.models import Aspect, Mark, MarkEntry

from ..dbfaults import database_away, kill_backend_of_this_connection, killed_before

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="kills a PostgreSQL backend"),
]


@pytest.fixture(autouse=True)
def _live_connection_after():
    yield
    connection.close()


def test_x5_grid_save_after_a_dropped_connection_is_saved_once(client, locked_scheme, panel, teams):
    chief, (e1, _e2) = panel
    client.force_login(chief)
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    url = reverse("marking:save", args=[locked_scheme.pk, teams[0].pk])
    kill_backend_of_this_connection()
    response = client.post(url, {"aspect": aspect.pk, "expert": e1.pk, "value": "2"})
    assert (response.status_code, response.json()) == (200, {"ok": True, "value": 2, "discrepancy": ""})
    assert Mark.objects.get(expert=e1).value == 2
    assert MarkEntry.objects.filter(expert=e1).count() == 1


def test_x5_grid_save_cut_off_in_its_transaction_is_saved_once(client, locked_scheme, panel, teams):
    """The restart strikes inside ``save_mark``'s transaction (at its lock of the scheme's marking): the
    whole save runs again on a new connection and the ledger has the mark once."""
    chief, (e1, _e2) = panel
    client.force_login(chief)
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    url = reverse("marking:save", args=[locked_scheme.pk, teams[0].pk])
    with killed_before("FOR UPDATE") as statements:
        response = client.post(url, {"aspect": aspect.pk, "expert": e1.pk, "value": "3"})
    assert sum("FOR UPDATE" in sql for sql in statements) >= 2  # struck once, run again
    assert (response.status_code, response.json()["value"]) == (200, 3)
    assert list(MarkEntry.objects.filter(expert=e1).values_list("new_value", flat=True)) == [3]


def test_x5_grid_save_while_the_database_is_away_is_503(client, locked_scheme, panel, teams):
    chief, (e1, _e2) = panel
    client.force_login(chief)
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    url = reverse("marking:save", args=[locked_scheme.pk, teams[0].pk])
    client.get(reverse("marking:entry", args=[locked_scheme.pk, teams[0].pk]))  # the session is read
    with database_away():
        response = client.post(url, {"aspect": aspect.pk, "expert": e1.pk, "value": "2"})
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert not Mark.objects.filter(expert=e1).exists()


def test_x5_grid_save_finds_a_dropped_connection_without_a_health_check(client, locked_scheme, panel, teams,
                                                                        monkeypatch):
    """X-5 / issue 13 §8: the grid's save skips CONN_HEALTH_CHECKS's own round trip (a new request of a reused
    connection) and still saves once after the database dropped the connection: its first statement finds it."""
    from django.db import close_old_connections, connections

    chief, (e1, _e2) = panel
    client.force_login(chief)
    aspect = Aspect.objects.get(sub_criterion__criterion__scheme=locked_scheme, code="A1.1")
    url = reverse("marking:save", args=[locked_scheme.pk, teams[0].pk])
    checks = []
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "health_check_enabled", True)
    monkeypatch.setattr(wrapper, "is_usable", lambda: checks.append(1) or True)
    for value, kill in (("1", False), ("2", True)):
        connection.ensure_connection()
        close_old_connections()  # what the start of a request does: the next statement would health-check
        assert not wrapper.health_check_done
        if kill:
            kill_backend_of_this_connection()
        response = client.post(url, {"aspect": aspect.pk, "expert": e1.pk, "value": value})
        assert (response.status_code, response.json()["value"]) == (200, int(value))
    assert checks == []
    assert list(MarkEntry.objects.filter(expert=e1).values_list("new_value", flat=True)) == [1, 2]
