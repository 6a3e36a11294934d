"""Content hashing of documents (SPEC DOC-2), free of Django so it can be checked on its own.

A signature binds a signer to the SHA-256 of the document's canonical content. "Canonical" means
one byte sequence per logical content (:func:`profmaster.core.canonical.canonical_json`, shared with
the marks ledger and the audit log), so the same Russian text always hashes the same, whichever client sent it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from profmaster.core.canonical import canonical_json

__all__ = ["HASH_LENGTH", "canonical_json", "content_hash", "pdf_version", "short_hash"]

HASH_LENGTH = 64


def content_hash(title: str, doc_type: str, data: Any) -> str:
    """SHA-256 (hex) of what a signer agrees to: the title, the kind of document and its data."""
    payload = canonical_json({"data": data, "doc_type": doc_type, "title": title})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def pdf_version(content_hash_value: str, valid_signature_ids: Iterable[int]) -> str:
    """What a rendered PDF depends on: the content hash and which valid signatures it stamps.

    A stored PDF whose version differs from the document's current one is stale.
    """
    ids = ",".join(str(pk) for pk in sorted(set(valid_signature_ids)))
    return f"{content_hash_value}:{ids}"


def short_hash(value: str, length: int = 16) -> str:
    """The prefix shown where the whole hash does not fit (lists, messages)."""
    return value[:length]
