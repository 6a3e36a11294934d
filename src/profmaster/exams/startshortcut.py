"""The exam's synchronised start answered in the WSGI layer (RM-1 at scale: 10 000 examinees within a minute).

``POST /api/v1/exams/{id}/attempts`` comes all at once when an exam opens. Its common case — a signed-in
examinee, with the session's CSRF token, starting the paper drawn for them in advance — needs only the
session, the user, the exam, the permission and the domain's shortcut :func:`domain.try_start_prepared`; it
needs none of the rest of Django's request path (the other middleware, URL resolution, ninja's parsing and
its validation of the answer, which together cost as much as the start itself). This layer answers exactly
that case with Django's own pieces — the session engine, ``auth.get_user``, ninja's CSRF check, the
permission predicates, the route's serialiser — and hands every other request (anything unusual, any
refusal, any resume, any error, any other URL) to Django unchanged, so the API route
(``exams.api.attempt_start``) stays the one definition of the behaviour. The answer is the route's
``AttemptOut`` JSON in the championship's zone, with the headers Django's middleware would add.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from ninja.utils import check_csrf
from pydantic import ValidationError

from profmaster.accounts.models import User
from profmaster.api.api import JSONRenderer
from profmaster.championships import timezones
from profmaster.core.middleware import DATABASE_RETRY_AFTER, database_unavailable, database_unavailable_message
from profmaster.core.postgres import fetch_by_pk
from profmaster.permissions import has_perm

from .autosave import AutosaveApp
from .models import Exam
from .schemas import AttemptOut, StartIn

logger = logging.getLogger(__name__)

PATH = re.compile(r"/api/v1/exams/(\d{1,18})/attempts")
#: A start's body is ``{"access_code": "…"}`` at most; anything longer is the route's to refuse.
MAX_BODY = 1024
_RENDERER = JSONRenderer()
#: The headers and the content of a start's 201.
_Answer = tuple[list[tuple[str, str]], bytes]


class _DatabaseUnavailable(Exception):
    pass


def _no_response(request: Any) -> HttpResponse:  # the response middleware below only post-process
    raise AssertionError("not called")


#: What Django's middleware does to the route's answer on its way out, in the order it does it: the policy
#: header, the language (``Content-Language``, ``Vary: Accept-Language``), the CSRF cookie renewed if it needs to
#: be, ``Vary: Cookie`` for the session; the fixed security headers are the autosave's.
_CSP = CSPMiddleware(_no_response)
_LOCALE = LocaleMiddleware(_no_response)
_CSRF = CsrfViewMiddleware(_no_response)
_SESSION = SessionMiddleware(_no_response)


class StartApp(AutosaveApp):
    """WSGI middleware in front of the autosave shortcut and Django (``profmaster.wsgi``)."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            match = PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                try:
                    answer = self._started(int(match.group(1)), environ)
                except _DatabaseUnavailable:
                    body = json.dumps({"detail": database_unavailable_message()}, ensure_ascii=False).encode()
                    start_response("503 Service Unavailable",
                                   [*self._headers(environ, len(body)), ("Retry-After", str(DATABASE_RETRY_AFTER))])
                    return [body]
                if answer is not None:
                    headers, content = answer
                    start_response("201 Created", headers)
                    return [content]
        return self.app(environ, start_response)

    def _started(self, exam_id: int, environ: dict[str, Any]) -> _Answer | None:
        """The headers (and content) of a common start's 201, or None for Django to answer (the body is kept)."""
        if not self._plain(environ) or "HTTP_AUTHORIZATION" in environ:
            return None  # a token's request is the route's: it is not CSRF-checked
        if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != "application/json":
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            payload = StartIn.model_validate_json(body)
        except ValidationError:
            return None
        request = WSGIRequest({**environ, "wsgi.input": io.BytesIO(body)})
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key or not key.isascii() or not key.isprintable():
            return None
        try:
            return self._start(exam_id, request, key, payload)
        except Exception as exc:
            if database_unavailable(exc):
                logger.warning("start: database unavailable after one retry (%s: %s)", type(exc).__name__, exc)
                raise _DatabaseUnavailable from exc
            logger.exception("start shortcut failed; Django answers the request")
            return None

    def _start(self, exam_id: int, request: WSGIRequest, key: str, payload: StartIn) -> _Answer | None:
        if connection.vendor != "postgresql":
            return None  # the domain's shortcut is PostgreSQL's
        if check_csrf(request) is not None:  # the session auth's own check (ninja's): refused → the route says so
            return None
        request.session = _session_store()(key)
        user = _session_user(request.session)
        if user is None:
            return None  # signed out, expired, or a session Django would rewrite: all the route's
        exam = fetch_by_pk(Exam, exam_id, related=("championship",))
        if exam is None or exam.status != Exam.Status.PUBLISHED or not has_perm(user, "exams.take_exam", exam):
            return None
        from . import domain
        from .api import _attempt_out

        started = domain.try_start_prepared(exam, user, access_code=payload.access_code,
                                            ip=request.META.get("REMOTE_ADDR"))
        if started is None:
            return None
        attempt, token = started
        with timezone.override(timezones.zone(exam.championship.time_zone)):  # the route's zone
            data = _attempt_out(attempt, token=token, with_paper=True)
            ordered = {name: data[name] for name in AttemptOut.model_fields}  # the schema's order
            content = _RENDERER.render(request, ordered, response_status=201)
        response = HttpResponse(content, status=201, content_type="application/json; charset=utf-8")
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)  # Russian by default, as RussianByDefaultMiddleware
        _LOCALE.process_request(request)
        try:
            _CSP.process_request(request)
            response = _CSP.process_response(request, response)
            response = _LOCALE.process_response(request, response)
        finally:
            translation.deactivate()
        response = _SESSION.process_response(request, _CSRF.process_response(request, response))
        headers = [(name, value) for name, value in response.items() if name != "Content-Type"]
        return [*self._headers(request.META, len(content)), *(h for h in headers if h[0] != "Content-Length"),
                *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())], content


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def _session_user(session: Any) -> Any | None:
    """The session's user as ``auth.get_user`` finds it — signed in through the model backend, active, the session's
    hash matching the password's — read by one prepared statement; None for anything else (another backend, a
    hash that only a fallback key verifies, which Django rewrites), for Django to decide."""
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, DjangoValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = auth.load_backend(backend_path)
    if not isinstance(backend, ModelBackend):
        return None
    user = fetch_by_pk(User, user_id)
    if user is None or not backend.user_can_authenticate(user):
        return None
    stored = session.get(HASH_SESSION_KEY)
    if not stored or not constant_time_compare(stored, user.get_session_auth_hash()):
        return None
    return user
