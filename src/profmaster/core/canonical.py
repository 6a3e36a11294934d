"""The one canonical JSON text of a value (X-2, DOC-2), free of Django.

Hashes that must be recomputed later — a document's content hash that signers agree to, the marks
ledger's and the audit log's hash chains — are taken over this text: keys sorted, no insignificant
whitespace, non-ASCII kept as UTF-8, NaN and infinities refused (they have no JSON form). The same
logical value always gives the same bytes, whichever client produced it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def canonical_json(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """The one JSON text of ``value``: sorted keys, compact separators, Unicode as is.

    ``default`` converts values JSON has no type for (as :func:`json.dumps`'s); without it they are refused.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=default)


# --- Hash chains (the marks ledger, the audit log) --------------------------------------------------

GENESIS = "0" * 64


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous entry's hash and the entry's own fields in canonical form, so changing,
    removing or reordering any entry breaks every later hash."""
    payload = canonical_json(fields, default=str)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str


def verify_chain(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> list[Problem]:
    """Check (seq, prev_hash, hash, fields) tuples in seq order (numbered from 1); report every break."""
    problems: list[Problem] = []
    expected_prev = GENESIS
    expected_seq = 1
    for seq, prev_hash, stored_hash, fields in entries:
        if seq != expected_seq:
            problems.append(Problem(seq, f"entry #{seq} where #{expected_seq} was expected (entry missing)"))
        if prev_hash != expected_prev:
            problems.append(Problem(seq, f"entry #{seq} does not follow the previous entry"))
        if chain_hash(prev_hash, fields) != stored_hash:
            problems.append(Problem(seq, f"entry #{seq} was altered after it was written"))
        expected_prev = stored_hash
        expected_seq = seq + 1
    return problems
