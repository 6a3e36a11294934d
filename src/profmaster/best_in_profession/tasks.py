"""Scheduled erasure of personal data past its retention date (RM-7, X-1): contestants' scans and the registration
document-check scans of ended championships. Tasks call the domain, never the reverse."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

from .retention import erase_expired

#: Once a day: retention dates are days.
ERASE_EVERY_SECONDS = 24 * 60 * 60


@shared_task(name="best_in_profession.erase_expired_personal_data", ignore_result=True)
def erase_expired_personal_data_task() -> dict[str, int]:
    return erase_expired()


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(ERASE_EVERY_SECONDS, erase_expired_personal_data_task.s(),
                             name="personal data: erase scans past their retention date")
