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
