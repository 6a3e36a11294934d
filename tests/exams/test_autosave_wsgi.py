"""RM-1: the autosave answered in the WSGI layer (``profmaster.wsgi`` → :mod:`profmaster.exams.autosave`).

Requests go through the production WSGI application, as gunicorn sends them. The common save is answered by
the layer on PostgreSQL; everything else — bad input, refusals, replays, other URLs, SQLite — is answered by
Django's route exactly as before, and the two answers look the same.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.db import connection

from profmaster.exams import domain
from profmaster.exams.models import Answer, AttemptEvent, Question
from profmaster.wsgi import application, django_application

ON_POSTGRESQL = connection.vendor == "postgresql"


def call(app: Any, path: str, body: Any, *, raw: bytes | None = None, method: str = "POST",
         host: str = "testserver", extra: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data),
               "CONTENT_LENGTH": str(len(data)), "CONTENT_TYPE": "application/json", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_HOST": host, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": io.StringIO(),
               "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
               "wsgi.version": (1, 0), **(extra or {})}
    answer: list[Any] = []
    content = b"".join(app(environ, lambda status, headers, exc=None: answer.append((status, headers))))
    status, headers = answer[0]
    return int(status[:3]), dict(headers), (json.loads(content) if content else None)


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


@pytest.fixture
def started(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="essay")
    return attempt, token, question


SECURITY = ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy")


def test_rm1_layer_answers_the_common_save_like_the_route(started):
    """The layer's acknowledgement has the route's JSON and security headers; the answer and its log entry are
    written once (on PostgreSQL by the layer, elsewhere by the route)."""
    attempt, token, question = started
    url = f"/api/v1/attempts/{attempt.pk}/answers"
    fast = call(application, url, {"question_id": question.pk, "response": "первый", "seq": 1, "token": token})
    routed = call(django_application, url, {"question_id": question.pk, "response": "второй", "seq": 2,
                                            "token": token})
    assert (fast[0], routed[0]) == (200, 200)
    assert list(fast[2]) == list(routed[2]) == ["question_id", "seq", "saved_at", "replay"]
    assert (fast[2]["seq"], fast[2]["replay"], routed[2]["seq"]) == (1, False, 2)
    # The layer answers in UTC, the route in the championship's zone: both are ISO 8601 with an offset.
    saved = [dt.datetime.fromisoformat(r[2]["saved_at"].replace("Z", "+00:00")) for r in (fast, routed)]
    assert all(s.tzinfo is not None for s in saved) and abs((saved[1] - saved[0]).total_seconds()) < 60
    assert fast[1]["Content-Type"] == routed[1]["Content-Type"]
    assert {h: fast[1].get(h) for h in SECURITY} == {h: routed[1].get(h) for h in SECURITY}
    assert list(Answer.objects.values_list("response", "seq")) == [("второй", 2)]
    assert list(AttemptEvent.objects.filter(attempt=attempt, kind="save").values_list("data__seq", flat=True)) == [1, 2]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the shortcut is PostgreSQL's one-statement save")
def test_rm1_layer_saves_with_one_statement_and_no_session(started, django_assert_num_queries):
    """No session, user or CSRF is read: the first save of an attempt reads its paper, every later one is the
    one prepared statement."""
    attempt, token, question = started
    url = f"/api/v1/attempts/{attempt.pk}/answers"
    with django_assert_num_queries(2):
        status, _headers, body = call(application, url,
                                      {"question_id": question.pk, "response": "а", "seq": 1, "token": token})
    assert (status, body["seq"]) == (200, 1)
    with django_assert_num_queries(1):
        status, _headers, body = call(application, url,
                                      {"question_id": question.pk, "response": "б", "seq": 2, "token": token})
    assert (status, body["seq"]) == (200, 2)


def test_rm1_everything_unusual_is_answered_by_the_route(started):
    """Bad JSON, extra fields, a foreign question, a wrong token, a replay, a disallowed host and other
    methods reach Django's route, which answers as it always has — and nothing is written by them."""
    attempt, token, question = started
    url = f"/api/v1/attempts/{attempt.pk}/answers"
    good = {"question_id": question.pk, "response": "сохранено", "seq": 3, "token": token}
    assert call(application, url, good)[0] == 200
    cases = [
        (dict(raw=b"{not json"), None, (400, 422)),
        ({**good, "extra": 1}, None, (422,)),
        ({**good, "question_id": 987654, "seq": 4}, "Этого вопроса нет в вашем билете.", (400,)),
        ({**good, "question_id": 2**40, "seq": 4}, "Этого вопроса нет в вашем билете.", (400,)),  # past int4
        ({**good, "token": "чужой", "seq": 4}, None, (404,)),
        ({**good, "response": "повтор"}, None, (200,)),  # replay: acknowledged with the stored seq
        ({**good, "seq": 0}, None, (422,)),
    ]
    for body, detail, statuses in cases:
        kwargs = body if "raw" in body else {"body": body}
        status, _headers, answer = call(application, url, kwargs.get("body"), raw=kwargs.get("raw"))
        assert status in statuses, (body, status, answer)
        if detail:
            assert answer["detail"] == detail
    replay = call(application, url, {**good, "response": "повтор"})[2]
    assert (replay["seq"], replay["replay"]) == (3, True)
    assert call(application, url, {**good, "seq": 9}, host="evil.example")[0] == 400
    assert call(application, url, good, method="GET")[0] == 405
    assert list(Answer.objects.values_list("response", "seq")) == [("сохранено", 3)]


def test_rm1_layer_passes_other_requests_to_django(started):
    attempt, token, question = started
    status, _headers, body = call(application, f"/api/v1/attempts/{attempt.pk}/answers/extra",
                                  {"question_id": question.pk, "response": "x", "seq": 1, "token": token})
    assert status == 404 and "detail" in body
    assert not Answer.objects.exists()


def test_rm1_layer_keeps_https_rules(started, settings):
    """With HTTPS required, a plain-HTTP save is redirected by Django as before; over HTTPS (the proxy's header)
    the answer carries the same HSTS header as Django's."""
    from django.core.wsgi import get_wsgi_application

    from profmaster.exams.autosave import AutosaveApp

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    django_app = get_wsgi_application()  # Django's middleware reads these settings when it is built
    application = AutosaveApp(django_app)
    attempt, token, question = started
    url = f"/api/v1/attempts/{attempt.pk}/answers"
    body = {"question_id": question.pk, "response": "а", "seq": 1, "token": token}
    assert call(application, url, body)[0] == 301
    assert not Answer.objects.exists()
    https = {"HTTP_X_FORWARDED_PROTO": "https"}
    fast = call(application, url, body, extra=https)
    routed = call(django_app, url, {**body, "seq": 2}, extra=https)
    assert (fast[0], routed[0]) == (200, 200)
    assert fast[1]["Strict-Transport-Security"] == routed[1]["Strict-Transport-Security"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the layer answers only on PostgreSQL")
def test_rm1_layer_hands_what_the_schema_would_coerce_or_refuse_to_the_route(started, django_assert_num_queries):
    """RM-1 performance: the layer reads the body without pydantic (``exams.autosave._common_save``) and so
    takes only a body that is plainly a valid ``SaveIn``: whatever the schema would coerce ("5", 5.0, true) or
    refuse (NaN, a blank or padded token, a NUL, a token too long, a list), and UTF-16, is the route's, which saves or
    refuses it in its words exactly as before — the layer answers nothing of it."""
    from profmaster.exams.autosave import _common_save

    attempt, token, question = started
    url = f"/api/v1/attempts/{attempt.pk}/answers"
    good = {"question_id": question.pk, "response": "ответ", "seq": 5, "token": token}
    assert _common_save(json.dumps(good).encode()) == good
    assert _common_save(json.dumps({k: v for k, v in good.items() if k != "response"}).encode()) is not None
    unusual = [json.dumps({**good, "seq": "5"}), json.dumps({**good, "seq": 5.0}), json.dumps({**good, "seq": True}),
               json.dumps({**good, "question_id": str(question.pk)}), json.dumps({**good, "token": f" {token}"}),
               json.dumps({**good, "token": ""}), json.dumps({**good, "token": "я" * 65}),
               json.dumps({**good, "token": token + "\x00"}), json.dumps({**good, "response": float("nan")}),
               json.dumps({**good, "seq": 2**31}), json.dumps({**good, "question_id": 0}),
               json.dumps({k: v for k, v in good.items() if k != "token"}), json.dumps([good]), json.dumps(None)]
    for raw in unusual:
        assert _common_save(raw.encode()) is None, raw
    assert _common_save(json.dumps(good).encode("utf-16")) is None
    assert _common_save(b"\xff{}") is None
    # Through the application: the route reads each of them (the session lookup etc. is more than one statement).
    for raw, status in [(json.dumps({**good, "seq": "6"}), 200), (json.dumps({**good, "token": "", "seq": 7}), 422),
                        (json.dumps({**good, "seq": 8}).encode("utf-16"), 200)]:
        data = raw.encode() if isinstance(raw, str) else raw
        assert call(application, url, None, raw=data)[0] == status, raw
    assert list(Answer.objects.values_list("response", "seq")) == [("ответ", 8)]  # the route read "6" and UTF-16


def test_rm1_gunicorn_parses_requests_with_its_c_parser():
    """RM-1 performance: the pinned gunicorn-h1c is one gunicorn accepts (its «auto» parser setting takes it), so
    the requests' headers are not parsed in Python."""
    from gunicorn.config import Config
    from gunicorn.http.message import _check_fast_parser

    assert _check_fast_parser(Config()) is True
