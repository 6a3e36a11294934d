"""Helpers every router uses: the current user, 404s in Russian, scoped permission checks, references.

Permission *decisions* live in :mod:`profmaster.permissions`; this module only applies them the same
way on every route: an object the person may not see is reported as missing (404, so ids of other
championships leak nothing), an object they see but may not change is a 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from profmaster.accounts.domain import authenticate_token
from profmaster.permissions import has_perm, require

M = TypeVar("M", bound=models.Model)

VIEW_CHAMPIONSHIP = "championships.view_championship"
MANAGE_CHAMPIONSHIP = "championships.manage_championship"


class NotFound(HttpError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(404, message or _("Не найдено."))


def current_user(request: HttpRequest) -> Any:
    """The person the request authenticated as (token or session)."""
    return getattr(request, "auth", None) or request.user


def asking_user(request: HttpRequest) -> Any:
    """On a route authorised by something else than the person (``auth=None``, e.g. an attempt's token):
    who is asking, read only when needed — a personal token if one is sent, else the session."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return authenticate_token(header[7:].strip()) or AnonymousUser()
    return request.user


def get_or_404(source: type[M] | models.QuerySet[M], pk: int, message: str | None = None) -> M:
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(message)
    return obj


def authorize_championship(request: HttpRequest, championship: Any, *, manage: bool = False,
                           message: str | None = None) -> None:
    """Read access to the championship or a 404; with ``manage`` also write access or a 403."""
    user = current_user(request)
    if not has_perm(user, VIEW_CHAMPIONSHIP, championship):
        raise NotFound(message)
    if manage:
        require(user, MANAGE_CHAMPIONSHIP, championship)


def reference(source: type[M] | models.QuerySet[M], pk: int | None, *, field: str, message: str) -> M | None:
    """The object a body field points to, or a 422 on that field when it does not exist (in scope)."""
    if pk is None:
        return None
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: message})
    return obj


def references(queryset: models.QuerySet[M], pks: Iterable[int], *, field: str, message: str) -> list[M]:
    """All objects a list field points to; a 422 naming the missing ids otherwise."""
    wanted = list(dict.fromkeys(pks))
    found = queryset.in_bulk(wanted)
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ValidationError({field: f"{message}: {', '.join(map(str, missing))}"})
    return [found[pk] for pk in wanted]


def assign(instance: M, data: dict[str, Any]) -> M:
    """Copy validated input onto a model instance (the domain function validates and saves it)."""
    for name, value in data.items():
        setattr(instance, name, value)
    return instance


def fresh(instance: M) -> M:
    """The object as stored, for the answer to a write: it then reads exactly as a later GET will
    (times in UTC, decimals with the column's places), not as the input was typed."""
    instance.refresh_from_db()
    return instance
