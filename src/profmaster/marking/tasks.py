"""Background jobs of marking: the PDF with every team's score sheets after the marks lock (SC-5), and the
hourly anchor of the ledgers' chain heads in the audit log (X-2). Tasks call the domain, never the reverse."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

from .anchors import ANCHOR_EVERY_SECONDS, anchor_heads
from .marks import render_locked_sheets


@shared_task(name="marking.render_scheme_sheets", ignore_result=True)
def render_scheme_sheets_task(scheme_id: int) -> None:
    render_locked_sheets(scheme_id)


@shared_task(name="marking.anchor_ledger_heads", ignore_result=True)
def anchor_ledger_heads_task() -> int:
    return len(anchor_heads().after["heads"])


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(ANCHOR_EVERY_SECONDS, anchor_ledger_heads_task.s(), name="marking: anchor ledger heads")
