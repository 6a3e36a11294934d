"""HTTP API of background jobs: the state, progress and report of one job (X-5)."""

# No `from __future__ import annotations`: ninja builds its models from these annotations at runtime.

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from profmaster.api.schemas import READ_ERRORS
from profmaster.api.shortcuts import NotFound, current_user
from profmaster.api.types import Id
from profmaster.permissions import has_perm

from .domain import job_url
from .models import Job

router = Router(tags=["Фоновые задания"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    report: dict[str, Any]
    page_url: str
    result_url: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def job_out(job: Job) -> dict[str, Any]:
    """The job as the API shows it (also answered by the routes that start a job)."""
    return {"id": job.pk, "kind": job.kind, "title": job.title, "status": job.status, "done": job.done,
            "total": job.total, "percent": job.percent, "message": job.message, "report": job.report or {},
            "page_url": job_url(job), "result_url": job.result_url, "created_at": job.created_at,
            "finished_at": job.finished_at}


@router.get("/jobs/{job_id}", response={200: JobOut, **READ_ERRORS}, url_name="job_detail",
            summary="Фоновое задание: состояние, ход и итог")
def job_detail(request: HttpRequest, job_id: Id) -> Any:
    """Запустившему и тем, кому задание видно по его правам в чемпионате; опрашивайте, пока `status` — `queued` или `running`."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not has_perm(current_user(request), "jobs.view_job", job):
        raise NotFound(_("Задание не найдено."))
    return job_out(job)
