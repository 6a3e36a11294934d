"""Decimal numbers as people read and type them (issue 13 §3).

Shown: in the active language's format — «3,5» in Russian, «3.5» in English — through Django's
localisation, the same as ``{{ value }}`` in a template; trailing zeros of a stored ``Decimal("3.50")`` are
kept only when asked (``places``). Typed: «3,5», «3.5», « 3,5 » and «1 234,5» are all 3.5 / 1234.5,
whatever the language, so a Russian keyboard's comma and a numeric keypad's dot both work.

Numbers that machines read (JSON for Chart.js, the API, xlsx cells) stay numbers; only text for people
goes through :func:`format_number`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, translation

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def format_number(value: Any, places: int | None = None, *, language: str | None = None) -> str:
    """``value`` for a person, in the active language (or ``language``, e.g. "ru" for a Russian protocol's
    text): ``Decimal("3.50")`` → «3,5» (ru) / «3.5» (en); with ``places`` exactly that many decimals. Text
    that is not a number comes back as it is."""
    if language is not None:
        with translation.override(language):
            return format_number(value, places)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if not isinstance(value, int | Decimal):
        try:
            value = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if places is None:
            value = _plain(value)
    return str(formats.number_format(value, decimal_pos=places, use_l10n=True))


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros and without an exponent: 3.50 → 3.5, 100 → 100 (not 1E+2)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def parse_decimal(text: Any) -> Decimal:
    """A typed number with a comma or a dot as its decimal separator (spaces as thousands separators).

    Raises ``InvalidOperation`` for anything else (two separators of the same kind, letters, «1,2.3»).
    """
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    value = _SPACES.sub("", str(text or ""))
    if value.count(",") + value.count(".") > 1:
        raise InvalidOperation(value)
    value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise InvalidOperation(value)
    return Decimal(value)


def normalise_decimal_input(value: Any) -> Any:
    """A form value with its decimal comma made a dot (for Django's number fields); anything that is not
    a number as typed is returned untouched so the field reports it."""
    if not isinstance(value, str) or not value.strip():
        return value
    try:
        return str(parse_decimal(value))
    except InvalidOperation:
        return value
