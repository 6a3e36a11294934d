"""Anchors of the marks ledger's chain heads (X-2, SC-5).

A scheme's ledger chain ends in the head hash kept on its :class:`SchemeMarking` row. Whoever can rewrite
that row with SQL can also rewrite the ledger behind it (with the trigger dropped), recompute every hash,
and adjust the locked totals and subtotals: the chain alone then verifies. So each head is also written
where the row cannot reach it, and ``verify_marks`` checks the ledger against every such anchor:

- the marks-lock protocol: its data carries the number of entries and the head hash at the lock, its
  content hash covers them, and every signer signed that content hash;
- the audit log (itself a hash chain, ``verify_audit``): the lock transition's snapshot of the marking row,
  and a periodic entry anchoring the heads of all schemes (:func:`anchor_heads`, a Celery beat task and
  ``manage.py anchor_marks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from profmaster.audit.models import AuditEntry
from profmaster.documents import hashing
from profmaster.documents.models import Document

from .models import MarkEntry, MarkingScheme, SchemeMarking

#: The block of the marks-lock protocol that anchors the chain head (a key–value table in the PDF).
LOCK_KEY = "Журнал оценок"
LOCK_ENTRIES = "Записей"
LOCK_HEAD = "Хеш последней записи"
#: Protocols written before the block existed say it in their text.
_LOCK_TEXT = re.compile(r"Записей в журнале оценок: (\d+), контрольный хеш ([0-9a-f]{64})")

#: The audit entries of periodic anchors.
HEADS_TYPE = "marking.LedgerHeads"
ANCHOR_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class Anchor:
    entries: int
    head: str
    where: str


def lock_block(marking: SchemeMarking) -> dict[str, Any]:
    """The marks-lock protocol's block anchoring ``marking``'s chain head."""
    return {LOCK_ENTRIES: marking.entry_count, LOCK_HEAD: marking.head_hash}


def _document_anchor(document: Document) -> Anchor | None:
    data = document.data if isinstance(document.data, dict) else {}
    block = data.get(LOCK_KEY)
    where = f"marks-lock protocol № {document.number or document.pk}"
    if isinstance(block, dict) and isinstance(block.get(LOCK_ENTRIES), int) and isinstance(block.get(LOCK_HEAD), str):
        return Anchor(block[LOCK_ENTRIES], block[LOCK_HEAD], where)
    found = _LOCK_TEXT.search(str(data.get("text", "")))
    return Anchor(int(found.group(1)), found.group(2), where) if found else None


def _document_problems(document: Document) -> list[str]:
    """A lock protocol whose content no longer hashes to what it says, or to what its signers signed."""
    where = f"marks-lock protocol № {document.number or document.pk}"
    problems = []
    if hashing.content_hash(document.title, document.doc_type, document.data) != document.content_hash:
        problems.append(f"the {where} was altered: its content does not give its content hash")
    signed = set(document.signatures.filter(voided_at__isnull=True).values_list("content_hash", flat=True))
    if signed - {document.content_hash}:
        problems.append(f"the {where} is not the content its signers signed")
    return problems


def anchors_of(scheme: MarkingScheme, marking: SchemeMarking) -> list[Anchor]:
    """Every recorded head of ``scheme``'s chain outside its marking row."""
    anchors: list[Anchor] = []
    if marking.lock_document is not None:
        anchor = _document_anchor(marking.lock_document)
        if anchor is not None:
            anchors.append(anchor)
    for entry in AuditEntry.objects.filter(object_type=SchemeMarking._meta.label, object_id=str(marking.pk),
                                           action=AuditEntry.Action.TRANSITION).only("seq", "at", "after"):
        after = entry.after if isinstance(entry.after, dict) else {}
        if isinstance(after.get("entry_count"), int) and isinstance(after.get("head_hash"), str):
            anchors.append(Anchor(after["entry_count"], after["head_hash"], f"audit entry #{entry.seq}"))
    key = str(scheme.pk)
    for entry in AuditEntry.objects.filter(object_type=HEADS_TYPE, action=AuditEntry.Action.ANCHOR).only(
            "seq", "after"):
        heads = (entry.after or {}).get("heads", {}) if isinstance(entry.after, dict) else {}
        head = heads.get(key)
        if isinstance(head, dict) and isinstance(head.get("entries"), int) and isinstance(head.get("head"), str):
            anchors.append(Anchor(head["entries"], head["head"], f"audit anchor #{entry.seq}"))
    return anchors


def anchor_problems(scheme: MarkingScheme) -> list[str]:
    """X-2: the ledger entries that are not the ones anchored, and lock protocols altered since signing."""
    marking = SchemeMarking.objects.select_related("lock_document").filter(scheme=scheme).first()
    if marking is None:
        return []
    problems = _document_problems(marking.lock_document) if marking.lock_document is not None else []
    anchors = [a for a in anchors_of(scheme, marking) if a.entries > 0]
    hashes = dict(MarkEntry.objects.filter(scheme=scheme, seq__in={a.entries for a in anchors})
                  .values_list("seq", "hash"))
    for anchor in anchors:
        stored = hashes.get(anchor.entries)
        if stored is None:
            problems.append(f"entry #{anchor.entries} anchored in the {anchor.where} is missing from the ledger")
        elif stored != anchor.head:
            problems.append(f"entry #{anchor.entries} differs from the one anchored in the {anchor.where} "
                            f"(the ledger was rewritten)")
    return problems


def anchor_heads() -> AuditEntry:
    """Anchor the chain head of every scheme's ledger in the audit log (one entry). Run periodically."""
    with transaction.atomic():
        heads = {str(scheme_id): {"entries": count, "head": head} for scheme_id, count, head in
                 SchemeMarking.objects.filter(entry_count__gt=0).order_by("scheme_id")
                 .values_list("scheme_id", "entry_count", "head_hash")}
        return AuditEntry.objects.create(action=AuditEntry.Action.ANCHOR, object_type=HEADS_TYPE, object_id="all",
                                         object_repr="Контрольные хеши журналов оценок", after={"heads": heads})
