"""The hash chain of the marks ledger (X-2). Pure: no Django import.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields in the one
canonical JSON form (:mod:`profmaster.core.canonical`, shared with documents and the audit log), so
changing, removing or reordering any entry breaks every later hash.
"""

from __future__ import annotations

from profmaster.core.canonical import GENESIS, Problem, verify_chain
from profmaster.core.canonical import chain_hash as entry_hash

__all__ = ["GENESIS", "Problem", "entry_hash", "verify_chain"]
