"""Input types shared by every API schema: the first line of defence before the database.

PostgreSQL refuses NUL bytes in text, SQLite and PostgreSQL refuse integers beyond 64 bits, and
Django overflows on datetimes near year 1 or 9999 when it converts them to UTC. Each of these would
surface as a server error, so every string, id, number and date that reaches a route goes through
one of the types below and is refused with a 422 instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from pydantic import AfterValidator, Field, StringConstraints

#: Largest value of a 64-bit signed integer (BigAutoField, PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1
#: PositiveSmallIntegerField's upper bound (PostgreSQL smallint).
MAX_SMALL_INT = 32767

#: Dates and times the platform accepts; far enough for any archive or plan, far from overflow.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)


def _reject_unstorable(value: str) -> str:
    """Refuse characters no database column can hold: NUL and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError("строка не может содержать нулевой символ (\\x00)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("строка содержит недопустимые символы (одиночные суррогаты UTF-16)") from None
    return value


#: Documents the NUL ban in the schema so generated clients (and Schemathesis) know about it.
_NO_NUL_PATTERN = r"^[^\u0000]*$"


def Text(max_length: int, *, min_length: int = 0) -> Any:
    """A stripped string of at most ``max_length`` characters without NUL bytes.

    ``min_length=1`` makes a required field refuse blanks (counted after stripping).
    """
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        AfterValidator(_reject_unstorable),
        Field(json_schema_extra={"pattern": _NO_NUL_PATTERN}),
    ]


#: A free-text field (TextField) still needs a bound: 20 000 characters is several pages.
LongText = Text(20_000)
#: A required name-like string, and the plain safe string used by query filters.
SafeStr = Text(1_000)


def Choice(choices: Iterable[Any]) -> Any:
    """One of the values of a Django ``TextChoices``; documented as an enum without a named component.

    (Several models have an inner ``Kind`` enum; named components would overwrite each other.)
    """
    values: list[Any] = [str(choice.value if hasattr(choice, "value") else choice) for choice in choices]

    def check(value: str) -> str:
        if value not in values:
            raise ValueError("допустимые значения: " + ", ".join(values))
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra={"enum": values})]


#: An object id: positive and within 64 bits, so the database never sees an overflowing number.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: Non-negative numbers stored as PositiveSmallIntegerField.
SmallInt = Annotated[int, Field(ge=0, le=MAX_SMALL_INT)]
PositiveSmallInt = Annotated[int, Field(ge=1, le=MAX_SMALL_INT)]


def _date_in_range(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"дата должна быть между {MIN_DATE:%d.%m.%Y} и {MAX_DATE:%d.%m.%Y}")
    return value


def _wall_clock_in_range(value: dt.datetime) -> dt.datetime:
    # Checked before the time zone is applied: converting year 1 or 9999 would overflow.
    if not MIN_DATE <= value.date() <= MAX_DATE:
        raise ValueError(f"дата должна быть между {MIN_DATE:%d.%m.%Y} и {MAX_DATE:%d.%m.%Y}")
    return value


def _datetime_in_range(value: dt.datetime) -> dt.datetime:
    value = _wall_clock_in_range(value)
    if timezone.is_naive(value):
        # Without an offset the time is the championship's wall-clock time, as the people who type it mean
        # it: routes under a championship run in its zone (championships.middleware), others in the default.
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


#: A calendar date between 1900 and 2199.
Date = Annotated[dt.date, AfterValidator(_date_in_range)]
#: A moment in time; without an offset it is read in the championship's time zone.
DateTime = Annotated[
    dt.datetime, AfterValidator(_datetime_in_range),
    Field(description="ISO 8601. Без смещения время читается в часовом поясе чемпионата (поле time_zone "
                      "чемпионата); ответы всегда содержат смещение."),
]


#: A moment whose offset-less form is kept naive, for a schema that carries its own zone (a new championship's
#: deadline is read in the zone sent with it): the schema makes it aware.
WallClockDateTime = Annotated[
    dt.datetime, AfterValidator(_wall_clock_in_range),
    Field(description="ISO 8601; без смещения — в часовом поясе, указанном в этом же запросе (time_zone)."),
]


def _known_zone(value: str) -> str:
    from profmaster.championships.timezones import known_zones

    if value not in known_zones():
        raise ValueError(f"неизвестный часовой пояс «{value[:64]}»: нужен пояс IANA, например Asia/Vladivostok")
    return value


#: An IANA time zone name.
TimeZoneName = Annotated[str, AfterValidator(_known_zone),
                         Field(max_length=64, examples=["Europe/Moscow", "Asia/Vladivostok"])]


def Amount(*, max_digits: int, decimal_places: int, gt: int | None = None, ge: int | None = None,
           le: int | None = None) -> Any:
    """A decimal that fits a ``DecimalField(max_digits, decimal_places)``; NaN and infinities refused."""
    return Annotated[
        Decimal,
        Field(max_digits=max_digits, decimal_places=decimal_places, gt=gt, ge=ge, le=le, allow_inf_nan=False),
    ]


def Slug(max_length: int, *, required: bool = True) -> Any:
    """A code of Latin letters, digits, hyphens and underscores (Django's ``SlugField``)."""
    pattern = r"^[-a-zA-Z0-9_]+$" if required else r"^[-a-zA-Z0-9_]*$"
    return Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=max_length, min_length=int(required), pattern=pattern)
    ]


#: A list of ids, bounded so one request cannot ask for an unbounded IN (...).
IdList = Annotated[list[Id], Field(max_length=1000)]
