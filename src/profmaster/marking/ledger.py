"""The hash chain of the marks ledger (X-2). Pure: no Django import.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields in a fixed,
canonical form, so changing, removing or reordering any entry breaks every later hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class Problem:
    seq: int | None
    message: str


def verify_chain(entries: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> list[Problem]:
    """Check (seq, prev_hash, hash, fields) tuples in seq order; report every break."""
    problems: list[Problem] = []
    expected_prev = GENESIS
    expected_seq = 1
    for seq, prev_hash, stored_hash, fields in entries:
        if seq != expected_seq:
            problems.append(Problem(seq, f"entry #{seq} where #{expected_seq} was expected (entry missing)"))
        if prev_hash != expected_prev:
            problems.append(Problem(seq, f"entry #{seq} does not follow the previous entry"))
        if entry_hash(prev_hash, fields) != stored_hash:
            problems.append(Problem(seq, f"entry #{seq} was altered after it was written"))
        expected_prev = stored_hash
        expected_seq = seq + 1
    return problems
