"""Paging of long lists: ``?limit=&offset=`` with both bounds checked (a huge offset is a 422, not a 500)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 10**9


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Сколько записей вернуть.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Сколько записей пропустить.")


class LimitOffset(PaginationBase):
    """``{"count": total, "items": [...]}``; items in the order the route gives them."""

    Input = PageParams

    class Output(Schema):
        count: int
        items: list[Any]

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest,
                          **params: Any) -> Any:
        offset, limit = pagination.offset, pagination.limit
        return {"count": self._items_count(queryset), "items": queryset[offset:offset + limit]}
