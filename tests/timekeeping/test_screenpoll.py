"""OP-3: the countdown screen's idle poll answered in the WSGI layer (``profmaster.wsgi`` →
:mod:`profmaster.timekeeping.screenpoll`): the same answer as the view, everything else reaches Django."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.cache import caches

from profmaster.timekeeping import domain
from profmaster.timekeeping.models import Timer
from profmaster.timekeeping.selectors import screen_token
from profmaster.wsgi import application

pytestmark = pytest.mark.django_db


def get(path: str, query: str = "", host: str = "testserver") -> tuple[int, dict[str, str], Any]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "REMOTE_ADDR": "127.0.0.1",
               "HTTP_HOST": host, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": io.StringIO(),
               "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}
    answer: list[Any] = []
    content = b"".join(application(environ, lambda status, headers, exc=None: answer.append((status, headers))))
    status, headers = answer[0]
    return int(status[:3]), dict(headers), json.loads(content) if content.startswith(b"{") else content


@pytest.fixture(autouse=True)
def _no_version_memo(monkeypatch):
    """Within a test a change is looked at at once; in production a worker reuses a version for 50 ms."""
    from profmaster.timekeeping import screenpoll

    monkeypatch.setattr(screenpoll, "VERSION_MEMO_SECONDS", 0)
    screenpoll._memo.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_op3_idle_poll_answered_without_django_and_a_change_goes_to_the_view(day, django_assert_num_queries,
                                                                              django_capture_on_commit_callbacks):
    caches["shared"].clear()
    timer = domain.create_timer(day.flow, kind=Timer.Kind.TASK_FAMILIARISATION, duration_minutes=15, by=day.chief)
    path = f"/timekeeping/screen/{screen_token(day.flow)}/state/"
    status, _headers, full = get(path)
    assert status == 200 and full["timers"][0]["title"] == "Знакомство с конкурсным заданием"
    with django_assert_num_queries(0):
        status, headers, idle = get(path, f"v={full['v']}")
    assert status == 200 and set(idle) == {"v", "t"} and idle["v"] == full["v"]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff" and "no-store" in headers["Cache-Control"]
    assert "Vary" not in headers  # Django's session middleware was not reached
    with django_capture_on_commit_callbacks(execute=True):
        domain.start_timer(timer, by=day.chief)
    status, _headers, changed = get(path, f"v={full['v']}")
    assert changed["timers"][0]["state"] == "running" and changed["v"] != full["v"]
    # the next screen still holding the old version gets the stored state: no query, the same content
    with django_assert_num_queries(0):
        status, _headers, again = get(path, f"v={full['v']}")
    assert {k: v for k, v in again.items() if k != "t"} == {k: v for k, v in changed.items() if k != "t"}
    assert again["t"] >= again["at"] == changed["at"]


def test_op3_bad_link_and_foreign_host_reach_django(day):
    assert get("/timekeeping/screen/1:forged/state/", "v=0-0")[0] == 404
    path = f"/timekeeping/screen/{screen_token(day.flow)}/state/"
    assert get(path, "v=0-0", host="evil.example.com")[0] == 400


def test_op3_worker_reuses_the_version_briefly(day, monkeypatch, django_capture_on_commit_callbacks):
    from profmaster.timekeeping import screenpoll

    monkeypatch.setattr(screenpoll, "VERSION_MEMO_SECONDS", 60)
    caches["shared"].clear()
    timer = domain.create_timer(day.flow, kind=Timer.Kind.TASK_FAMILIARISATION, duration_minutes=15, by=day.chief)
    path = f"/timekeeping/screen/{screen_token(day.flow)}/state/"
    full = get(path)[2]
    assert set(get(path, f"v={full['v']}")[2]) == {"v", "t"}
    with django_capture_on_commit_callbacks(execute=True):
        domain.start_timer(timer, by=day.chief)
    assert set(get(path, f"v={full['v']}")[2]) == {"v", "t"}  # the memo still holds the old version
    screenpoll._memo.clear()
    assert get(path, f"v={full['v']}")[2]["timers"][0]["state"] == "running"
