"""The exam's autosave answered in the WSGI layer (RM-1 performance: thousands of examinees saving at once).

``POST /api/v1/attempts/{id}/answers`` is the busiest request of the platform. Its common case — a valid
save, with the attempt's token, of a newer answer into an open attempt — needs no session, page, locale
or permission lookup: the token is the authority (:func:`profmaster.exams.domain.save_answer`). This layer
answers exactly that case through the domain's own shortcut, :func:`domain.try_save_answer`, and hands
every other request — anything unusual, any refusal, any error, any other URL — to Django unchanged, so
the API route (``exams.api.attempt_save``) and its documentation stay the one definition of the
behaviour. The answer is the route's ``SaveOut`` JSON (its fields in order, its time format) with the
headers Django's security middleware would add.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.request import split_domain_port, validate_host

from profmaster.api.types import MAX_ID
from profmaster.core.middleware import DATABASE_RETRY_AFTER, database_unavailable, database_unavailable_message

from . import domain
from .schemas import SaveIn

#: How the API writes a datetime (ninja's encoder is Django's for datetimes).
_TIME = DjangoJSONEncoder().default

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PATH = re.compile(r"/api/v1/attempts/(\d{1,18})/answers")


class _DatabaseUnavailable(Exception):
    pass


class AutosaveApp:
    """WSGI middleware in front of Django's application (``profmaster.wsgi``)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            match = PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                try:
                    answer = self._answer(int(match.group(1)), environ)
                except _DatabaseUnavailable:
                    body = json.dumps({"detail": database_unavailable_message()}, ensure_ascii=False).encode()
                    start_response("503 Service Unavailable",
                                   [*self._headers(environ, len(body)), ("Retry-After", str(DATABASE_RETRY_AFTER))])
                    return [body]
                if answer is not None:
                    start_response("200 OK", self._headers(environ, len(answer)))
                    return [answer]
        return self.app(environ, start_response)

    def _answer(self, attempt_id: int, environ: dict[str, Any]) -> bytes | None:
        """The JSON acknowledgement of a common save, or None for Django to answer (the body is kept for it)."""
        if not self._plain(environ):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        limit = domain.MAX_RESPONSE_CHARS * 4  # larger bodies are refused by the route, in its words
        if settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if not 0 < length <= limit:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        payload = _common_save(body)
        if payload is None:
            return None
        # No request signals: Django's per-request housekeeping (connection age, health check) runs on every
        # request Django answers. A connection the database dropped is replaced and the save run once more
        # (``retry_on_disconnect`` on the domain's shortcut); if the database is still away the answer is 503
        # with Retry-After, which the exam page honours, rather than a second try through Django.
        try:
            ack = domain.try_save_answer(attempt_id, question_id=payload["question_id"],
                                         response=payload.get("response"), seq=payload["seq"], token=payload["token"])
        except domain.DomainError:
            return None  # the route words the refusal
        except Exception as exc:
            if database_unavailable(exc):
                logger.warning("autosave: database unavailable after one retry (%s: %s)", type(exc).__name__, exc)
                raise _DatabaseUnavailable from exc
            logger.exception("autosave shortcut failed; Django answers the request")
            return None
        if ack is None:
            return None
        # SaveOut's fields in its order, the time as the route's encoder writes it; plain values only, so the
        # C encoder serialises them.
        out = {"question_id": ack.question, "seq": ack.seq, "saved_at": _TIME(ack.saved_at), "replay": ack.replay}
        return json.dumps(out, ensure_ascii=False).encode()

    @staticmethod
    def _secure(environ: dict[str, Any]) -> bool:
        """As ``HttpRequest.is_secure``: the proxy's header when configured and sent, else the WSGI scheme."""
        header, value = settings.SECURE_PROXY_SSL_HEADER or (None, None)
        if header is not None and header in environ:
            return bool(environ[header].split(",")[0].strip() == value)
        return bool(environ.get("wsgi.url_scheme") == "https")

    def _plain(self, environ: dict[str, Any]) -> bool:
        """A request Django would not redirect or refuse before the route: an allowed host, HTTPS if required."""
        if not _allowed_host(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")):
            return False
        return not (settings.SECURE_SSL_REDIRECT and not self._secure(environ))

    def _headers(self, environ: dict[str, Any], length: int) -> list[tuple[str, str]]:
        """What the route's answer carries through Django's middleware (security, clickjacking)."""
        return [("Content-Length", str(length)), *_fixed_headers(self._secure(environ))]


#: The fields of ``SaveIn``; ``response`` may be left out (None).
_SAVE_FIELDS = frozenset(SaveIn.model_fields)
_REQUIRED = frozenset(name for name, field in SaveIn.model_fields.items() if field.is_required())
#: ``SaveIn.token``'s bound (its ``Text(…)``).
_TOKEN_CHARS = next(m.max_length for m in SaveIn.model_fields["token"].metadata if getattr(m, "max_length", None))


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON; the route refuses them in its words


def _common_save(body: bytes) -> dict[str, Any] | None:
    """The body as a dict when it is plainly a valid ``SaveIn`` as the route would read it: UTF-8 JSON, an object
    of its fields only, integers in range, a token that its stripping would leave as it is. None for anything
    else — the route, with its schema, is the one that words a refusal — so the check may be stricter than the
    schema but never laxer. It is ``SaveIn``'s validation without pydantic's and ninja's machinery, which took
    about a seventh of the layer's CPU per save (RM-1 performance)."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except ValueError:  # not UTF-8, not JSON
        return None
    if type(payload) is not dict or not _REQUIRED <= payload.keys() <= _SAVE_FIELDS:
        return None
    question, seq, token = payload["question_id"], payload["seq"], payload["token"]
    if type(question) is not int or type(seq) is not int or type(token) is not str:
        return None  # bool is not int here; "1" and 1.0, which the schema coerces, are the route's
    if not (1 <= question <= MAX_ID and 1 <= seq <= 2**31 - 1 and 0 < len(token) <= _TOKEN_CHARS):
        return None
    if token != token.strip() or "\x00" in token:
        return None
    return payload


# Both depend on settings alone; they are worked out once and again whenever a test changes a setting.


@functools.lru_cache(maxsize=64)
def _allowed_host(host: str) -> bool:
    domain_name, _port = split_domain_port(host)
    return bool(domain_name) and validate_host(domain_name, settings.ALLOWED_HOSTS)


@functools.cache
def _fixed_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    headers = [("Content-Type", "application/json; charset=utf-8"), ("X-Frame-Options", settings.X_FRAME_OPTIONS)]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", str(settings.SECURE_REFERRER_POLICY)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if settings.SECURE_HSTS_SECONDS and secure:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return tuple(headers)


@receiver(setting_changed)
def _forget_settings(**kwargs: Any) -> None:
    _allowed_host.cache_clear()
    _fixed_headers.cache_clear()
