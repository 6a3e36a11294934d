"""The job's page: a progress bar refreshed by htmx polling (no inline script), then the final report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.views.decorators.http import require_POST

from profmaster.core.errors import DomainError
from profmaster.permissions import has_perm

from . import domain
from .models import Job

#: How often the page asks for the job's state while it runs.
POLL_SECONDS = 1


def _job(request: HttpRequest, job_pk: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("championship", "created_by"), pk=job_pk)
    if not has_perm(request.user, "jobs.view_job", job):
        raise Http404  # a job that is not yours does not exist for you
    return job


def _context(request: HttpRequest, job: Job) -> dict[str, object]:
    report = select_template([f"jobs/reports/{job.kind}.html", "jobs/reports/default.html"]) if job.is_over else None
    return {"job": job, "report_template": report.template.name if report else None,  # type: ignore[attr-defined]
            "poll_seconds": POLL_SECONDS, "can_retry": job.status == Job.Status.FAILED and job.upload
            and job.created_by_id == request.user.pk}


@login_required
def detail(request: HttpRequest, job_pk: int) -> HttpResponse:
    job = _job(request, job_pk)
    return render(request, "jobs/job.html", _context(request, job))


@login_required
def status(request: HttpRequest, job_pk: int) -> HttpResponse:
    """The job's state as an HTML fragment (htmx replaces the block with it)."""
    job = _job(request, job_pk)
    return render(request, "jobs/_status.html", _context(request, job))


@login_required
@require_POST
def retry(request: HttpRequest, job_pk: int) -> HttpResponse:
    job = _job(request, job_pk)
    if job.created_by_id != request.user.pk:
        raise Http404
    try:
        domain.retry_job(job, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("jobs:detail", job_pk=job.pk)
