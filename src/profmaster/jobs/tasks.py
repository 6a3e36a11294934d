"""The Celery tasks of background jobs: run one job, and every few minutes fail the jobs whose worker died
(the work itself is in :mod:`profmaster.jobs.domain`; tasks call the domain, never the reverse)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from profmaster.celery import app

REAP_TASK = "jobs.reap_stale_jobs"
REAP_EVERY_SECONDS = 300.0


@shared_task(name="jobs.run_job", ignore_result=True)
def run_job_task(job_id: int) -> None:
    from .domain import run_job

    run_job(job_id)


@shared_task(name=REAP_TASK, ignore_result=True)
def reap_stale_jobs_task() -> int:
    from .domain import reap_stale_jobs

    return len(reap_stale_jobs())


@app.on_after_finalize.connect
def _schedule(sender: Any, **kwargs: Any) -> None:
    sender.add_periodic_task(REAP_EVERY_SECONDS, reap_stale_jobs_task.s(), name="jobs: fail stale jobs")
