"""Background jobs of exams: finishing attempts whose time ran out.

The job runs every 15 seconds under Celery beat; attempts are also finished lazily on their next
access (page, save, results), so a dead worker never leaves an attempt open with its time gone.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

FINISH_EVERY_SECONDS = 15.0


@shared_task(name="exams.finish_overdue_attempts", ignore_result=True)
def finish_overdue_attempts_task() -> int:
    from .domain import finish_overdue_attempts

    return finish_overdue_attempts()


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(FINISH_EVERY_SECONDS, finish_overdue_attempts_task.s(), name="exams: finish overdue")
