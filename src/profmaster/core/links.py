"""Absolute links to the site for e-mails, PDFs and QR codes, built in one place.

``SITE_URL`` (environment variable) is the public address in production, e.g. ``https://profmaster.mos.ru``.
Left empty (development, ``make run`` on any host or port), the address is taken from the request being
served — the host and port the person typed — and only outside any request (a management command, a
worker without the setting) falls back to ``http://127.0.0.1:8000``. ``manage.py check --deploy`` warns
when a production deployment has no ``SITE_URL``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core import checks
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

DEVELOPMENT_FALLBACK = "http://127.0.0.1:8000"

_current_request: ContextVar[HttpRequest | None] = ContextVar("profmaster_current_request", default=None)


def site_url(request: HttpRequest | None = None) -> str:
    """The site's base address without a trailing slash."""
    configured = str(settings.PROFMASTER.get("SITE_URL") or "").strip().rstrip("/")
    if configured:
        return configured
    request = request or _current_request.get()
    if request is not None:
        try:
            return f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:  # never build a link from a host the site does not serve
            return DEVELOPMENT_FALLBACK
    return DEVELOPMENT_FALLBACK


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """``/results/verify/AB12/`` → ``https://profmaster.mos.ru/results/verify/AB12/``."""
    if path.startswith(("http://", "https://")):
        return path
    return site_url(request) + "/" + path.lstrip("/")


class CurrentRequestMiddleware:
    """Remembers the request being served so links built deep inside a domain function (an e-mail queued
    on commit, a PDF rendered eagerly) use the address the person is actually using."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    if str(settings.PROFMASTER.get("SITE_URL") or "").strip():
        return []
    return [checks.Warning("SITE_URL is not set: links in e-mails, PDFs and QR codes would follow the request's "
                           "host or fall back to http://127.0.0.1:8000.", hint="Set SITE_URL=https://<public host>.",
                           id="profmaster.W001")]
