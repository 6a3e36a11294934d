"""Background jobs of the competition day: the reminder before a video recording's retention date (OP-7).
Tasks call the domain, never the reverse."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

from .domain import send_retention_reminders

#: Once a day is enough: the reminder goes out two weeks ahead.
REMINDER_EVERY_SECONDS = 24 * 60 * 60


@shared_task(name="timekeeping.retention_reminders", ignore_result=True)
def retention_reminders_task() -> int:
    return send_retention_reminders()


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(REMINDER_EVERY_SECONDS, retention_reminders_task.s(),
                             name="timekeeping: video retention reminders")
