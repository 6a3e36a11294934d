"""The hash chain of the audit log (X-2).

Every entry's hash is SHA-256 over the previous entry's hash and the canonical JSON of the entry's content
(:mod:`profmaster.core.canonical`, shared with the marks ledger and documents), computed when the entry is
inserted. Appenders are serialised — on PostgreSQL by a transaction-scoped advisory lock, on SQLite by its
single writer — and ``seq`` is unique, so two concurrent transactions can never both extend the same head.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.db import connections

from profmaster.core.canonical import GENESIS, Problem, chain_hash, verify_chain

__all__ = ["GENESIS", "entry_fields", "entry_hash", "lock", "verify"]

#: The advisory lock key of the audit chain (any constant unique to this purpose).
ADVISORY_LOCK_KEY = 0x50524F46_41554454  # "PROFAUDT", a bigint

entry_hash = chain_hash


def stored_form(value: Any) -> Any:
    """``value`` as PostgreSQL's jsonb gives it back, so that what is hashed is what is read later: jsonb has no
    NaN or infinity and prints a large integral float (1e+16) as digits."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) >= 1e15:
            return int(value)
        return value
    if isinstance(value, dict):
        return {str(k): stored_form(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [stored_form(v) for v in value]
    return value


def entry_fields(entry: Any) -> dict[str, Any]:
    """What the hash of an audit entry covers: everything it says."""
    return {"seq": entry.seq, "at": entry.at.isoformat(), "actor": entry.actor_id,
            "championship": entry.championship_id, "action": entry.action, "object_type": entry.object_type,
            "object_id": entry.object_id, "object_repr": entry.object_repr, "before": entry.before,
            "after": entry.after, "reason": entry.reason}


def lock(using: str = "default") -> None:
    """Hold the audit chain's lock until the current transaction ends (PostgreSQL; SQLite has one writer)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def verify(entries: Iterable[Any]) -> list[Problem]:
    """Every break of the chain among ``entries`` (audit entries in ``seq`` order, from the first)."""
    return verify_chain((e.seq, e.prev_hash, e.hash, entry_fields(e)) for e in entries)
