"""The Celery task that runs every background job (the work itself is in :mod:`profmaster.jobs.domain`)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="jobs.run_job", ignore_result=True)
def run_job_task(job_id: int) -> None:
    from .domain import run_job

    run_job(job_id)
