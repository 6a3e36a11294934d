"""X-5 (issue 13 §6, «A PostgreSQL restart during exam load gave 330 HTTP 500s»): an autosave whose
connection the database dropped is run once more on a new connection; if the database is still away the
answer is 503 with Retry-After (which the exam page honours), never a 500, and nothing saved is lost.

The backend of the test's connection is killed from another connection (``pg_terminate_backend``), as a
restart does — through the Django route and through the WSGI autosave layer in front of it.
"""

from __future__ import annotations

import pytest
from django.db import connection

from profmaster.exams import domain
from profmaster.exams.models import Answer, Question
from profmaster.wsgi import application

from ..dbfaults import database_away, kill_backend_of_this_connection, killed_before
from .test_autosave_wsgi import call

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="kills a PostgreSQL backend"),
]

UNAVAILABLE = {"detail": "База данных временно недоступна. Повторите через несколько секунд — введённое не потеряно."}


@pytest.fixture(autouse=True)
def _live_connection_after():
    yield
    connection.close()


@pytest.fixture
def started(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    return attempt, token, Question.objects.get(bank=exam.bank, kind="essay")


@pytest.fixture
def layer_keeps_the_connection():
    """As Django's test client does: no per-request housekeeping closing the test's connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_x5_route_autosave_after_a_dropped_connection_is_saved(client, started):
    attempt, token, question = started
    kill_backend_of_this_connection()
    response = client.post(f"/api/v1/attempts/{attempt.pk}/answers", {
        "question_id": question.pk, "response": "Заварное тесто варят", "seq": 1, "token": token},
        content_type="application/json")
    assert (response.status_code, response.json()["seq"], response.json()["replay"]) == (200, 1, False)
    assert list(Answer.objects.values_list("response", "seq")) == [("Заварное тесто варят", 1)]


def test_x5_route_autosave_cut_off_at_its_write_is_saved_once(client, started):
    """The restart strikes at the save statement itself, after the request's reads: the save runs again."""
    attempt, token, question = started
    with killed_before('"exams_answer"') as statements:
        response = client.post(f"/api/v1/attempts/{attempt.pk}/answers", {
            "question_id": question.pk, "response": "Заварное тесто варят", "seq": 1, "token": token},
            content_type="application/json")
    assert sum('"exams_answer"' in sql for sql in statements) >= 2
    assert (response.status_code, response.json()["replay"]) == (200, False)
    assert list(Answer.objects.values_list("response", "seq")) == [("Заварное тесто варят", 1)]


def test_x5_layer_autosave_after_a_dropped_connection_is_saved(started, layer_keeps_the_connection):
    attempt, token, question = started
    url = f"/api/v1/attempts/{attempt.pk}/answers"
    assert call(application, url, {"question_id": question.pk, "response": "первый", "seq": 1,
                                   "token": token})[0] == 200  # the paper is now cached: the layer answers
    kill_backend_of_this_connection()
    status, _headers, body = call(application, url, {"question_id": question.pk, "response": "второй", "seq": 2,
                                                     "token": token})
    assert (status, body["seq"], body["replay"]) == (200, 2, False)
    assert list(Answer.objects.values_list("response", "seq")) == [("второй", 2)]


def test_x5_layer_autosave_while_the_database_is_away_is_503_with_retry_after(started,
                                                                              layer_keeps_the_connection):
    attempt, token, question = started
    url = f"/api/v1/attempts/{attempt.pk}/answers"
    payload = {"question_id": question.pk, "response": "первый", "seq": 1, "token": token}
    assert call(application, url, payload)[0] == 200
    with database_away():
        status, headers, body = call(application, url, {**payload, "response": "второй", "seq": 2})
    assert (status, headers["Retry-After"], body) == (503, "5", UNAVAILABLE)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    # the client's retry of the same save, once the database is back, is saved; the first answer was kept
    assert list(Answer.objects.values_list("response", "seq")) == [("первый", 1)]
    assert call(application, url, {**payload, "response": "второй", "seq": 2})[2]["seq"] == 2
    assert list(Answer.objects.values_list("response", "seq")) == [("второй", 2)]


def test_x5_route_autosave_while_the_database_is_away_is_503_with_retry_after(client, started):
    attempt, token, question = started
    with database_away():
        response = client.post(f"/api/v1/attempts/{attempt.pk}/answers", {
            "question_id": question.pk, "response": "ответ", "seq": 1, "token": token},
            content_type="application/json")
    assert (response.status_code, response["Retry-After"], response.json()) == (503, "5", UNAVAILABLE)
