"""Times with their zone named (X-6): ``{{ deadline|zoned }}`` → «21.04.2023 23:59 (Владивосток, UTC+10)».

``zoned`` prints in the current zone (the championship's on its pages, see championships.middleware);
``zoned_for`` in the zone of the object given (a page that lists several championships, e.g. the cabinet);
``{% current_zone %}`` names the current zone; ``{{ date|end_of_day }}`` prints a date-only deadline as its
last minute there: «23.04.2023 23:59 (Москва, UTC+3)».
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import dateformat, timezone

from profmaster.championships import timezones

register = template.Library()

DEFAULT_FORMAT = "d.m.Y H:i"


def _format(value: Any, tz: Any, fmt: str) -> str:
    if not isinstance(value, dt.datetime):
        return ""
    moment = timezone.localtime(value, tz) if timezone.is_aware(value) else value.replace(tzinfo=tz)
    return f"{dateformat.format(moment, fmt)} ({timezones.zone_label(tz, moment)})"


@register.filter
def zoned(value: Any, fmt: str = DEFAULT_FORMAT) -> str:
    """The time in the current zone, with the zone named; empty for no time (so ``|default:"—"`` works)."""
    return _format(value, timezone.get_current_timezone(), fmt or DEFAULT_FORMAT)


@register.filter
def zoned_for(value: Any, obj: Any) -> str:
    """The time in the zone of ``obj`` (a championship or anything of one), with the zone named."""
    return _format(value, timezones.zone_of(obj), DEFAULT_FORMAT)


@register.filter
def end_of_day(value: Any) -> str:
    """A date-only deadline («until the end of the day») as its last minute in the current zone."""
    if not isinstance(value, dt.date):
        return ""
    return _format(timezones.end_of_local_day(value, timezone.get_current_timezone()),  # type: ignore[arg-type]
                   timezone.get_current_timezone(), DEFAULT_FORMAT)


@register.simple_tag
def current_zone() -> str:
    """«Владивосток, UTC+10»: the zone this page's times are in."""
    return timezones.zone_label(timezone.get_current_timezone())


@register.filter
def local_to(value: Any, obj: Any) -> Any:
    """The moment on the wall clock of ``obj``'s zone, for ``|date`` (name the zone with ``zone_name``)."""
    if not isinstance(value, dt.datetime):
        return value
    return timezone.localtime(value, timezones.zone_of(obj))


@register.filter
def zone_name(obj: Any) -> str:
    """«Владивосток, UTC+10»: the zone of a championship, a venue or anything of a championship."""
    return timezones.zone_label(timezones.zone_of(obj))
