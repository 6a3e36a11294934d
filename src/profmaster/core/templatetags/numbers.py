"""``{{ value|number }}``: a number carried as text (results data, chart data: "87.17") shown in the active
language's format — «87,17» in Russian (issue 13 §3). ``{{ value|number:2 }}`` keeps two decimals."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.core.numbers import format_number

register = template.Library()


@register.filter
def number(value: Any, places: Any = None) -> str:
    return format_number(value, int(places) if places not in (None, "") else None)
