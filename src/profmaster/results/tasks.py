"""Background jobs of results: diploma batches (eager in the embedded default, Celery workers in production)."""

from __future__ import annotations

from celery import shared_task

from .diplomas import run_batch


@shared_task(name="results.generate_diplomas", ignore_result=True)
def generate_diplomas_task(batch_id: int) -> None:
    run_batch(batch_id)
