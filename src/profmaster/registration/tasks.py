"""Background job of registration: the deadline reminders (X-6), hourly under Celery beat. Tasks call the
domain, never the reverse."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

REMINDERS_TASK = "registration.send_deadline_reminders"
REMINDERS_EVERY_SECONDS = 3600.0


@shared_task(name=REMINDERS_TASK, ignore_result=True)
def send_deadline_reminders_task() -> int:
    from .reminders import send_deadline_reminders

    return len(send_deadline_reminders())


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(REMINDERS_EVERY_SECONDS, send_deadline_reminders_task.s(),
                             name="registration: deadline reminders")
