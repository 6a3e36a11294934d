"""Background jobs of the УПМ: the lesson notices (the reminder the day before, the overdue-delivery flag), every
15 minutes under Celery beat. Tasks call the domain, never the reverse."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

NOTICES_TASK = "upm.send_lesson_notices"
NOTICES_EVERY_SECONDS = 900.0


@shared_task(name=NOTICES_TASK, ignore_result=True)
def send_lesson_notices_task() -> int:
    from .reminders import send_lesson_notices

    return len(send_lesson_notices())


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(NOTICES_EVERY_SECONDS, send_lesson_notices_task.s(), name="upm: lesson notices")
