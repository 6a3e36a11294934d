"""Sessions of the load benchmarks, left as a login leaves them.

The benchmarks write their people's sessions to the session table in bulk. With cache-backed sessions
(``cached_db``, production with Redis) a login also writes the session to the cache, so a person who signed in
before the load begins is read from the cache, not the table; :func:`cache_as_login_does` does the same for the
rows written. Call it after ``django.setup()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

BATCH = 2000


def cache_as_login_does(rows: Sequence[Any], expire: dt.datetime) -> int:
    """Put the ``Session`` rows in the session cache as ``cached_db`` does at login; how many (0: no cache)."""
    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import SessionStore as CachedSession
    from django.core.cache import caches
    from django.utils import timezone

    if not settings.SESSION_ENGINE.endswith("cached_db"):
        return 0
    store = CachedSession()
    age = int((expire - timezone.now()).total_seconds())
    cached = caches[settings.SESSION_CACHE_ALIAS]
    for batch in range(0, len(rows), BATCH):
        cached.set_many({CachedSession(row.session_key).cache_key: store.decode(row.session_data)
                         for row in rows[batch:batch + BATCH]}, age)
    return len(rows)
