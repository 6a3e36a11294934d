"""A page's button that calls one domain function: the function's refusal (:class:`DomainError`) is shown to the
person as it is and nothing else happens; its success is told in a message, and the person goes back to the page
(or on to what was just made). Every such view is then its permission check and one call of :func:`act`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DomainError

T = TypeVar("T")


def next_url(request: HttpRequest, value: str | None, default: str) -> str:
    """Where a form's ``next`` may send the person: a path of this site (``/…``), else ``default``. Another site's
    address, a bare word (``index`` — :func:`redirect` would take it for a URL name and fail) or nothing at all
    gives ``default``: bad input never makes a 500."""
    value = (value or "").strip()
    if (value.startswith("/") and not value.startswith("//")
            and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return value
    return default


def act(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    back: str,
    then: Callable[[T], str] | None = None,
    refused: Callable[[DomainError], HttpResponse] | None = None,
) -> HttpResponse:
    """Call ``action`` (one domain function) and answer with a redirect.

    ``success`` is the message of a success (or made from the action's result); the person returns to ``back``
    (a URL, or a URL name as for :func:`django.shortcuts.redirect`), after a success to ``then(result)`` when it
    is given. A refusal becomes an error message and a redirect to ``back``, or, with ``refused``, whatever
    that makes of it (e.g. the page again, with the message and the refusal's status).
    """
    try:
        result = action()
    except DomainError as exc:
        if refused is not None:
            return refused(exc)
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(then(result) if then is not None else back)


def chosen(value: T | None, message: str, *, field: str | None = None) -> T:
    """``value`` the person chose, or the refusal ``message`` when they chose nothing that is on offer (a list's
    choice looked up with ``.first()``)."""
    if value is None:
        raise DomainError(message, field=field)
    return value
