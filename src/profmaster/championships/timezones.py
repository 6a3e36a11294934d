"""Per-championship time zones (issue 13 §4, X-6): one place that knows which zone a time is in.

Times are stored in UTC. A championship has an IANA zone (Russia's eleven zones first in every
choice list); a venue may have its own, else it is in its championship's zone. Every deadline,
window and protocol time is computed and printed in that zone, with the zone named:
«21.04.2023 23:59 (Владивосток, UTC+10)».

Pages scoped to a championship get its zone activated by
:class:`profmaster.championships.middleware.ChampionshipTimeZoneMiddleware`; documents, e-mails and
jobs wrap their work in ``timezone.override(zone_of(championship))`` (or :func:`activated`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Russia's eleven zones, west to east, with the city a Russian reader names the zone after.
RUSSIAN_ZONES: dict[str, Any] = {
    "Europe/Kaliningrad": _("Калининград"),
    "Europe/Moscow": _("Москва"),
    "Europe/Samara": _("Самара"),
    "Asia/Yekaterinburg": _("Екатеринбург"),
    "Asia/Omsk": _("Омск"),
    "Asia/Krasnoyarsk": _("Красноярск"),
    "Asia/Irkutsk": _("Иркутск"),
    "Asia/Yakutsk": _("Якутск"),
    "Asia/Vladivostok": _("Владивосток"),
    "Asia/Magadan": _("Магадан"),
    "Asia/Kamchatka": _("Камчатка"),
}
DEFAULT_ZONE = "Europe/Moscow"


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """Every IANA zone this machine's tz database knows (scanning it is slow: once per process)."""
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    """A model/form validator: the value must be an IANA zone name such as «Asia/Vladivostok»."""
    if value not in known_zones():
        raise ValidationError(_("Неизвестный часовой пояс «%(zone)s»: укажите пояс IANA, например Asia/Vladivostok."),
                              code="invalid_time_zone", params={"zone": value})


def zone(name: str | None) -> ZoneInfo:
    """The zone of a name; an empty or unknown name is the platform's default zone."""
    if name and name in known_zones():
        return ZoneInfo(name)
    return ZoneInfo(getattr(settings, "TIME_ZONE", DEFAULT_ZONE) or DEFAULT_ZONE)


def zone_of(obj: Any) -> ZoneInfo:
    """The zone of a championship, a base venue, a venue or anything scoped to a championship.

    A venue without a zone of its own is in its championship's zone; an item held at a base venue
    (a programme slot, a workplace) is in that venue's zone.
    """
    if obj is None or isinstance(obj, str):
        return zone(obj)
    if isinstance(obj, ZoneInfo):
        return obj
    model = getattr(getattr(obj, "_meta", None), "model_name", "")
    if model in {"championship", "venue"}:
        return zone(obj.time_zone)
    if model == "basevenue":
        return zone(obj.venue.time_zone) if obj.venue.time_zone else zone_of(obj.championship)
    base_venue = getattr(obj, "base_venue", None)
    if base_venue is not None:
        return zone_of(base_venue)
    return zone_of(getattr(obj, "championship", None))


def activated(obj: Any) -> AbstractContextManager[None]:
    """``with activated(championship):`` — Django's current zone is the championship's inside."""
    return timezone.override(zone_of(obj))


def local(value: dt.datetime, obj: Any = None) -> dt.datetime:
    """A stored (UTC) moment as the wall-clock time of ``obj``'s zone (the current zone when None)."""
    return timezone.localtime(value, zone_of(obj) if obj is not None else None)


def end_of_local_day(day: dt.date, tz: ZoneInfo | str) -> dt.datetime:
    """The last moment of ``day`` on the wall clocks of ``tz``: a deadline «until the end of the day».

    It is 23:59:59.999999 local time, so «до 21.04 включительно» accepts 23:59 and refuses 00:00 of the
    next day there, whatever the server's zone.
    """
    tz = zone(tz) if isinstance(tz, str) else tz
    return dt.datetime.combine(day, dt.time.max, tzinfo=tz)


def start_of_local_day(day: dt.date, tz: ZoneInfo | str) -> dt.datetime:
    """The first moment of ``day`` on the wall clocks of ``tz``."""
    tz = zone(tz) if isinstance(tz, str) else tz
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def local_date(value: dt.datetime, obj: Any = None) -> dt.date:
    """The calendar date ``value`` falls on in ``obj``'s zone."""
    return local(value, obj).date()


def offset_label(offset: dt.timedelta | None) -> str:
    """«UTC+10», «UTC−1», «UTC+5:30», «UTC»."""
    if offset is None or not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def city(tz: ZoneInfo | str) -> str:
    """The place a zone is named after: «Владивосток» for Russia's zones, else the IANA city («New York»)."""
    key = tz if isinstance(tz, str) else tz.key
    if key in RUSSIAN_ZONES:
        return str(RUSSIAN_ZONES[key])
    return key.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(tz: ZoneInfo | str | None = None, at: dt.datetime | None = None) -> str:
    """«Владивосток, UTC+10»: the zone as printed next to a time (its offset at ``at``, default now)."""
    tz = zone(tz) if isinstance(tz, str) or tz is None else tz
    moment = at if at is not None else timezone.now()
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=tz)
    return f"{city(tz)}, {offset_label(moment.astimezone(tz).utcoffset())}"


def format_local(value: dt.datetime | None, tz: ZoneInfo | str | None = None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """«21.04.2023 23:59 (Владивосток, UTC+10)»; an empty string for no time. Default zone: the current one."""
    if value is None:
        return ""
    tz = timezone.get_current_timezone() if tz is None else (zone(tz) if isinstance(tz, str) else tz)
    assert isinstance(tz, ZoneInfo)
    moment = timezone.localtime(value, tz) if timezone.is_aware(value) else value.replace(tzinfo=tz)
    return f"{moment.strftime(fmt)} ({zone_label(tz, moment)})"


def zone_choices() -> list[tuple[Any, list[tuple[str, str]]]]:
    """Choices for a zone field: Russia's eleven zones first (west to east), then every other zone."""
    russian = [(key, f"{name} ({offset_label(dt.datetime.now(ZoneInfo(key)).utcoffset())}) — {key}")
               for key, name in RUSSIAN_ZONES.items()]
    others = [(key, key) for key in sorted(known_zones() - RUSSIAN_ZONES.keys())]
    return [(_("Россия"), russian), (_("Другие"), others)]
