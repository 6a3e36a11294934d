"""Russian by default (X-3): the interface language is the person's explicit choice or Russian.

The browser's Accept-Language is ignored on purpose: organisers, experts and parents share
computers at venues whose browsers are often set to English, and the championship's documents are
Russian. The language switch in the navigation bar sets the cookie that LocaleMiddleware reads.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RussianByDefaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
