"""SQLite's LIKE folds case only for ASCII, so «иванов» would not find «Иванов» on the embedded database.

Django's ``icontains``/``istartswith``/… compile to ``LIKE … ESCAPE '\\'`` on SQLite; we replace SQLite's
``like()`` with a Unicode-aware one on every new connection, so searches behave as on PostgreSQL.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=512)
def _compile(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(pattern: str | None, value: Any, escape: str | None = None) -> bool | None:
    if pattern is None or value is None:
        return None
    return _compile(pattern, escape).fullmatch(str(value)) is not None


def install_unicode_like(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)
