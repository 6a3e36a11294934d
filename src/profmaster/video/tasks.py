"""Celery tasks of video sessions: poll BBB attendance every minute while sessions run, and erase recordings
past their retention date once a day (the work is in :mod:`profmaster.video.domain`)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

POLL_TASK = "video.poll_attendance"
ERASE_TASK = "video.erase_expired_recordings"
POLL_EVERY_SECONDS = 60.0
ERASE_EVERY_SECONDS = 24 * 3600.0


@shared_task(name=POLL_TASK, ignore_result=True)
def poll_attendance_task() -> int:
    from .domain import poll_all

    return poll_all()


@shared_task(name=ERASE_TASK, ignore_result=True)
def erase_expired_recordings_task() -> int:
    from .domain import erase_expired_recordings

    return len(erase_expired_recordings())


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(POLL_EVERY_SECONDS, poll_attendance_task.s(), name="video: attendance from BBB")
    sender.add_periodic_task(ERASE_EVERY_SECONDS, erase_expired_recordings_task.s(),
                             name="video: erase recordings past retention")
