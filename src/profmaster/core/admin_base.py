"""Base classes for the admin site: records of what happened are read there, never changed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext as _


class _Labelled:
    """An object under another name: every attribute is the object's, its text is ``label``."""

    def __init__(self, obj: Any, label: str) -> None:
        self._obj = obj
        self._label = label

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)

    def __str__(self) -> str:
        return self._label


class NoWrites:
    """Nothing may be added, changed or deleted (the admin's pages and the inlines of a parent's page)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, admin.ModelAdmin):
    """A record of the day (draws, check-ins, incidents, timers): commands go through the pages, i.e. the domain
    functions, which validate, audit and notify; the admin only shows what was recorded.

    ``named_by_number``: the record's own name (``__str__``) carries what the admin must not show — a person's
    name, an id that opens a file — so its page and history are titled «<verbose name> № <pk>» instead."""

    named_by_number = False

    def label(self, obj: Any) -> str:
        return f"{capfirst(self.opts.verbose_name)} № {obj.pk}"

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) if self.named_by_number else None
        if isinstance(response, TemplateResponse) and context and context.get("original") is not None:
            label = self.label(context["original"])
            context.update(subtitle=label, original=_Labelled(context["original"], label))
        return response

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None) if self.named_by_number else None
        if isinstance(response, TemplateResponse) and context and context.get("object") is not None:
            label = self.label(context["object"])
            context.update(title=_("Change history: %s") % label, object=_Labelled(context["object"], label))
        return response


class ReadOnlyInline(NoWrites, admin.TabularInline):
    """The rows of a record shown on its parent's page: read there, never added, changed or deleted."""

    extra = 0
    can_delete = False

