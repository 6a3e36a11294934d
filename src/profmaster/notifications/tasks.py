"""Background job of notifications: send the e-mails that are due (queued after a commit, and every minute
under Celery beat so failed ones are retried with their backoff). Tasks call the domain, never the reverse."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

from .domain import SEND_TASK, send_due

SEND_EVERY_SECONDS = 60.0


@shared_task(name=SEND_TASK, ignore_result=True)
def send_queued_emails_task() -> int:
    return send_due().sent


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(SEND_EVERY_SECONDS, send_queued_emails_task.s(), name="notifications: send e-mails")
