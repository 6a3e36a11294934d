"""Fail the background jobs left «running» by a worker that died (the same work as the Celery beat task)."""

from typing import Any

from django.core.management.base import BaseCommand

from profmaster.jobs.domain import reap_stale_jobs, stale_after


class Command(BaseCommand):
    help = "Fail running background jobs that reported no progress for PROFMASTER['JOB_STALE_AFTER_MINUTES']."

    def handle(self, *args: Any, **options: Any) -> None:
        reaped = reap_stale_jobs()
        minutes = int(stale_after().total_seconds() // 60)
        for job in reaped:
            self.stdout.write(f"failed as stale: job {job.pk} ({job.kind}) {job.title}")
        self.stdout.write(f"stale jobs failed: {len(reaped)} (no progress for {minutes} min)")
