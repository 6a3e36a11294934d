"""Limits against a flood of support requests (RM-6): per address, per e-mail and per person, counted in the
cache every worker shares (Redis in production; files of this machine without it), like the signing-password
attempt limit of the documents. A request over a limit is refused before anything is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches

#: (requests, seconds) per kind of key; ``PROFMASTER["SUPPORT_LIMITS"]`` overrides any of them.
DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "ip": (5, 60 * 60),  # one office behind one address: five public requests an hour
    "email": (3, 60 * 60),
    "user": (10, 60 * 60),
}


@dataclass(frozen=True)
class Exceeded:
    kind: str
    limit: int
    window: int


def limits() -> dict[str, tuple[int, int]]:
    configured: Any = settings.PROFMASTER.get("SUPPORT_LIMITS") or {}
    return {kind: (int(configured.get(kind, value)[0]), int(configured.get(kind, value)[1]))
            for kind, value in DEFAULT_LIMITS.items()}


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "backslashreplace")).hexdigest()[:32]
    return f"support:flood:{kind}:{digest}"


def check_and_count(keys: dict[str, str]) -> Exceeded | None:
    """Count one request against each non-empty key; the first limit already reached is returned (and
    nothing is counted), else None. ``keys`` maps a kind (``ip``, ``email``, ``user``) to its value."""
    cache = caches["shared"]
    table = limits()
    wanted = [(kind, _key(kind, value)) for kind, value in keys.items() if value and kind in table]
    for kind, key in wanted:
        limit, window = table[kind]
        if int(cache.get(key, 0) or 0) >= limit:
            return Exceeded(kind, limit, window)
    for kind, key in wanted:
        window = table[kind][1]
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window)
    return None
