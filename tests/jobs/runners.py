"""Runners the job tests start (module-level functions, as :func:`profmaster.jobs.domain.start_job` requires)."""

from __future__ import annotations

from typing import Any

from profmaster.jobs.domain import JobFailed, read_upload


def count_lines(job: Any, progress: Any) -> dict[str, Any]:
    lines = read_upload(job).decode().splitlines()
    for done, _line in enumerate(lines, start=1):
        progress(done, len(lines), f"строка {done}")
    return {"summary": f"Строк: {len(lines)}", "lines": lines[:3], "message": "Посчитано"}


def crash(job: Any, progress: Any) -> dict[str, Any]:
    progress(1, 4, "первая")
    raise RuntimeError("boom")


def refuse(job: Any, progress: Any) -> dict[str, Any]:
    raise JobFailed("В файле нет ни одной строки.")


def outlived_by_the_reaper(job: Any, progress: Any) -> dict[str, Any]:
    """A worker so slow that the reaper failed its job while it still ran: its late result must be dropped."""
    import datetime as dt

    from django.utils import timezone

    from profmaster.jobs.domain import reap_stale_jobs
    from profmaster.jobs.models import Job

    progress(1, 4, "первая")
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    reap_stale_jobs()
    progress(2, 4, "вторая")  # written nowhere: the job is no longer running
    return {"summary": "Строк: 4", "message": "Посчитано"}
