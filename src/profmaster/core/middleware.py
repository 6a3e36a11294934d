"""Request hygiene before Django's own middleware sees the request.

Russian by default (X-3): the interface language is the person's explicit choice or Russian.

The browser's Accept-Language is ignored on purpose: organisers, experts and parents share
computers at venues whose browsers are often set to English, and the championship's documents are
Russian. The language switch in the navigation bar sets the cookie that LocaleMiddleware reads.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

_SESSION_KEY = re.compile(r"^[a-z0-9]{1,64}$")


class RussianByDefaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DropMalformedSessionCookieMiddleware:
    """A forged session cookie (e.g. with a NUL byte, which PostgreSQL refuses) is simply no session.

    Django's session keys are lowercase letters and digits; anything else cannot match a session,
    so dropping it changes nothing for real visitors and turns a database error into "logged out".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is not None and not _SESSION_KEY.match(key):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a wrong HTTP method with plain text; the API always answers JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code == 405 and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            allowed = response.get("Allow", "")
            replacement = JsonResponse({"detail": _("Метод %(method)s здесь не поддерживается; допустимо: %(allowed)s.")
                                        % {"method": request.method, "allowed": allowed}},
                                       status=405, json_dumps_params={"ensure_ascii": False})
            replacement["Allow"] = allowed
            return replacement
        return response


#: Seconds a client waits before retrying while the database is unreachable (a restart takes a few).
DATABASE_RETRY_AFTER = 5


def database_unavailable(exc: BaseException) -> bool:
    """X-5: the database dropped the connection or cannot be reached — the request may be retried."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError)


def forget_broken_connections() -> None:
    """Close connections the database dropped, so the next request of this worker connects afresh."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block and not conn.is_usable():
            conn.close()


def database_unavailable_message() -> str:
    return _("База данных временно недоступна. Повторите через несколько секунд — введённое не потеряно.")


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    message = database_unavailable_message()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503,
                                              json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(f"<!doctype html><html lang=\"ru\"><meta charset=\"utf-8\"><title>503</title>"
                                f"<h1>{_('Сервис временно недоступен')}</h1><p>{message}</p></html>",
                                status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


class DatabaseUnavailableMiddleware:
    """X-5: a dropped or unreachable database is 503 with Retry-After (the client retries), not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not database_unavailable(exc):
            return None
        import logging

        logging.getLogger("django.request").warning("Database unavailable: %s (%s: %s)", request.path,
                                                    type(exc).__name__, exc)
        forget_broken_connections()
        return database_unavailable_response(request)
