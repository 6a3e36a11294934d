"""X-5 (issue 13 §6): a PostgreSQL restart under load is answered 503 with Retry-After, never 500.

The backend serving the test's connection is killed from another connection (``pg_terminate_backend``),
as a database restart does; the next request on it gets a 503 that tells the client when to retry, and
the request after that reconnects and succeeds.
"""

from __future__ import annotations

import pytest
from django.db import connection

from profmaster.accounts.domain import create_api_token

from ..dbfaults import database_away, kill_backend_of_this_connection
from ..factories import ChampionshipFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="kills a PostgreSQL backend"),
]


@pytest.fixture(autouse=True)
def _fresh_connection_after():
    """Whatever the test does, the worker's next test gets a live connection (not the killed one)."""
    yield
    connection.close()


def test_x5_dropped_connection_on_an_api_request_is_503_then_recovers(client):
    user = UserFactory(email="examinee@example.ru")
    _, secret = create_api_token(user, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    kill_backend_of_this_connection()
    response = client.get("/api/v1/me", headers=headers)
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.json() == {"detail": "База данных временно недоступна. Повторите через несколько секунд — "
                                         "введённое не потеряно."}
    again = client.get("/api/v1/me", headers=headers)
    assert (again.status_code, again.json()["email"]) == (200, "examinee@example.ru")


def test_x5_page_while_the_database_is_away_is_503_then_recovers(client):
    championship = ChampionshipFactory(name="Мастерята")
    with database_away():
        response = client.get(f"/results/championships/{championship.pk}/")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert "Сервис временно недоступен" in response.content.decode()
    assert client.get(f"/results/championships/{championship.pk}/").status_code == 200


def test_x5_page_after_a_dropped_connection_reconnects_at_once(client):
    """The zone lookup, the page's first read, replaces a connection the database dropped (one retry)."""
    championship = ChampionshipFactory(name="Мастерята")
    kill_backend_of_this_connection()
    response = client.get(f"/results/championships/{championship.pk}/")
    assert response.status_code == 200 and "Мастерята" in response.content.decode()
