"""RM-1 at scale: the synchronised start answered in the WSGI layer (``profmaster.wsgi`` →
:mod:`profmaster.exams.startshortcut`).

Requests go through the production WSGI application with a real session and CSRF token, as a browser sends
them. The start of a paper drawn in advance is answered by the layer on PostgreSQL; everything else — a
second start, bad input, a missing CSRF token, a stranger, an unpublished exam, SQLite — is answered by
Django's route exactly as before, and the two answers look the same.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.utils.module_loading import import_string

from profmaster.audit.models import AuditEntry
from profmaster.exams import domain
from profmaster.exams.models import Attempt, AttemptEvent, Exam
from profmaster.wsgi import application, django_application

from ..factories import UserFactory, give_role

ON_POSTGRESQL = connection.vendor == "postgresql"
CSRF = "a" * 32


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: the per-request connection housekeeping would close the connection that
    holds the test's transaction."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def session_of(user: Any) -> str:
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
                  HASH_SESSION_KEY: user.get_session_auth_hash()})
    store.create()
    return store.session_key


def start(app: Any, exam: Exam, session: str | None, *, body: Any = None, raw: bytes | None = None,
          csrf: str | None = CSRF, extra: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    data = raw if raw is not None else json.dumps({} if body is None else body).encode()
    cookies = "; ".join(c for c in (f"sessionid={session}" if session else "", f"csrftoken={CSRF}") if c)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": f"/api/v1/exams/{exam.pk}/attempts", "QUERY_STRING": "",
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(data), "CONTENT_LENGTH": str(len(data)), "CONTENT_TYPE": "application/json",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver", "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_COOKIE": cookies, "wsgi.errors": io.StringIO(), "wsgi.multithread": False,
               "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0), **(extra or {})}
    if csrf:
        environ["HTTP_X_CSRFTOKEN"] = csrf
    answer: list[Any] = []
    content = b"".join(app(environ, lambda status, headers, exc=None: answer.append((status, headers))))
    status, headers = answer[0]
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return int(status[:3]), merged, (json.loads(content) if content else None)


@pytest.fixture
def examinees(championship, exam, chief_expert):
    """Two examinees with a paper each drawn in advance (the organiser's «Подготовить билеты»)."""
    people = []
    for n, last in enumerate(["Орёл", "Пьеха"]):
        user = UserFactory(last_name=last, first_name="Алёна", email=f"start{n}@example.ru")
        give_role(user, "participant", championship)
        people.append(user)
    domain.precreate_attempts(exam, by=chief_expert)
    return people


VARYING = {"id", "user_id", "started_at", "deadline", "accept_until", "server_time", "token", "paper"}


def shown(paper: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """A paper as the examinee is shown it, whatever the order each one's seed shuffled it into."""
    return sorted((item["question_id"], item["kind"], item["text"], item["points"],
                   sorted((o["id"], o["text"]) for o in item["options"]), sorted(item["choices"])) for item in paper)


def test_rm1_layer_starts_a_prepared_paper_like_the_route(exam, examinees):
    """The layer's 201 has the route's JSON (fields in order, times in the championship's zone, the paper with
    its texts) and headers; the attempt, its start event and its audit entry are written once — on PostgreSQL by
    the layer, elsewhere by the route."""
    first, second = examinees
    fast = start(application, exam, session_of(first))
    routed = start(django_application, exam, session_of(second))
    assert (fast[0], routed[0]) == (201, 201), (fast, routed)
    assert list(fast[2]) == list(routed[2])
    assert {k: v for k, v in fast[2].items() if k not in VARYING} == {
        k: v for k, v in routed[2].items() if k not in VARYING}
    offset = dt.datetime.fromisoformat(routed[2]["deadline"]).utcoffset()
    assert dt.datetime.fromisoformat(fast[2]["deadline"]).utcoffset() == offset
    assert list(fast[2]["paper"][0]) == list(routed[2]["paper"][0]) == [
        "question_id", "kind", "text", "points", "options", "choices"]
    assert shown(fast[2]["paper"]) == shown(routed[2]["paper"]) and len(fast[2]["paper"]) > 0 and fast[2]["token"]
    assert {h: v for h, v in fast[1].items() if h != "Content-Length"} == {
        h: v for h, v in routed[1].items() if h != "Content-Length"}
    for who, answer in ((first, fast), (second, routed)):
        attempt = Attempt.objects.get(user=who, exam=exam)
        assert (attempt.pk, attempt.status, attempt.lock_token) == (answer[2]["id"], "in_progress", answer[2]["token"])
        assert list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", "data__prepared")) == [
            ("start", True)]
        assert AuditEntry.objects.filter(object_type="exams.Attempt", object_id=str(attempt.pk),
                                         action="transition").count() == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the shortcut is PostgreSQL's")
def test_rm1_layer_starts_with_few_statements(exam, examinees, django_assert_max_num_queries):
    """No zone, page or second pool read: the session (the database's, in the tests), its user, the exam, the
    roles, the person's attempts, the pool's version (two), the start with its event and the audit entry (lock,
    chain head, insert), in one transaction (a savepoint inside the test's)."""
    session = session_of(examinees[0])
    domain.exam_pool(Exam.objects.get(pk=exam.pk))  # warm, as every start after the first finds it
    with django_assert_max_num_queries(13):
        status, _headers, body = start(application, exam, session)
    assert status == 201 and body["status"] == "in_progress"


def test_rm1_everything_unusual_is_answered_by_the_route(exam, examinees, championship):
    """A second start resumes (the route), a missing CSRF token or session, bad JSON, a wrong access code, a
    stranger and a closed exam reach Django's route, which answers as it always has."""
    first, _second = examinees
    session = session_of(first)
    assert start(application, exam, session, csrf=None)[0] == 403
    assert start(application, exam, None)[0] == 401
    assert start(application, exam, session, raw=b"{not json")[0] in (400, 422)
    assert start(application, exam, session, body={"access_code": "x" * 65})[0] == 422
    stranger = UserFactory(email="stranger@example.ru")
    assert start(application, exam, session_of(stranger))[0] in (403, 404)
    assert not Attempt.objects.filter(user=first, status="in_progress").exists()
    began = start(application, exam, session)
    assert began[0] == 201
    again = start(application, exam, session)  # the same browser without its token: the attempt is taken
    assert again[0] == 403 and again[2]["code"] == "locked"
    assert Attempt.objects.filter(user=first, exam=exam).count() == 1


def test_rm1_access_code_is_checked_by_the_route(exam, examinees):
    Exam.objects.filter(pk=exam.pk).update(access_code="КОД-42")
    session = session_of(examinees[0])
    refused = start(application, exam, session, body={"access_code": "не тот"})
    assert refused[0] == 400 and refused[2]["field"] == "access_code"
    assert start(application, exam, session, body={"access_code": " КОД-42 "})[0] == 201
