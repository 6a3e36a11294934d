"""Background jobs with a progress bar and a final report (X-5), for every domain that needs one.

A domain module starts a job with :func:`start_job`, naming the function that does the work::

    def run_import(job: Job, progress: Progress) -> dict:      # the runner, in the domain module
        data = read_upload(job)
        for done, item in enumerate(items, start=1):
            ...
            progress(done, len(items), item.name)
        return {"created": 12, ...}                              # the job's report (JSON)

    job = start_job(run_import, kind="exams.import_questions", title=..., by=user,
                    championship=..., competency=..., view_permission="exams.manage_bank",
                    payload={"bank": bank.pk}, upload=("bank.xml", data), result_url=..., result_label="К банку")
    return redirect(job_url(job))                                # the job's page: /jobs/<id>/

The job is queued once the transaction commits (Celery task ``jobs.run_job`` by name; in the embedded default
Celery is eager and the job runs right after the commit in the same process). The runner is called with the
job and a throttled ``progress(done, total, message)``; what it returns is stored as the report. A
:class:`~profmaster.core.errors.DomainError` (or :class:`JobFailed`) fails the job with its message; anything
else fails it with a Russian message naming the error, logged with its traceback — never a 500, and the
uploaded file stays with the job so :func:`retry_job` can run it again. The report is shown by the template
``jobs/reports/<kind>.html`` (fallback ``jobs/reports/default.html``: ``report.summary`` and ``report.lines``).

A worker that dies (killed, out of memory, the machine restarted) leaves its job «running» for ever:
:func:`reap_stale_jobs` (a Celery beat task every few minutes and ``manage.py reap_stale_jobs``) fails every
running job that wrote no progress for ``PROFMASTER["JOB_STALE_AFTER_MINUTES"]`` minutes, with a message
saying so; it can then be retried. Should the worker turn out to be alive after all, its late result is
dropped (the job is no longer its to finish) rather than overwrite the failure or a retry's run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from profmaster.audit.domain import record
from profmaster.championships import timezones
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.queue import enqueue_on_commit

from .models import Job

logger = logging.getLogger(__name__)

TASK_NAME = "jobs.run_job"
#: Progress is written at most this often (a runner may call ``progress`` for every item).
PROGRESS_EVERY_SECONDS = 0.5
MAX_ATTEMPTS = 5

Progress = Callable[[int, int, str], None]
Runner = Callable[[Job, Progress], dict[str, Any] | None]


class JobFailed(DomainError):
    """Raised by a runner: the job cannot be done; the message is shown to the person as it is."""


def _runner_path(runner: Runner | str) -> str:
    path = runner if isinstance(runner, str) else f"{runner.__module__}.{runner.__qualname__}"
    if "<" in path or "." not in path:
        raise ValueError(f"a job runner must be a module-level function: {path}")
    return path


def start_job(runner: Runner | str, *, kind: str, title: str, by: Any, championship: Any = None,
              competency: Any = None, view_permission: str = "", payload: dict[str, Any] | None = None,
              upload: tuple[str, bytes] | None = None, result_url: str = "", result_label: str = "",
              total: int = 0) -> Job:
    """Create the job, store its upload, audit it and queue it once the transaction commits."""
    with transaction.atomic():
        creator = by if getattr(by, "pk", None) else None
        job = Job(kind=kind, title=title[:300], runner=_runner_path(runner), championship=championship,
                  competency=competency, view_permission=view_permission, created_by=creator, payload=payload or {},
                  result_url=result_url, result_label=result_label, total=total, message=_("В очереди"))
        if upload is not None:
            name, content = upload
            job.upload_name = name[:255]
            job.upload.save(name.rsplit("/", 1)[-1][:100] or "upload", ContentFile(content), save=False)
        job.save()
        record(actor=job.created_by, action="job.start", instance=job, championship=championship,
               after={"kind": kind, "title": job.title, "file": job.upload_name, "payload": job.payload})
        enqueue_on_commit(TASK_NAME, job.pk)
    return job


def retry_job(job: Job, *, by: Any) -> Job:
    """Queue a failed job again (its upload and payload are kept)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != Job.Status.FAILED:
            raise TransitionError(_("Повторить можно только невыполненное задание."))
        before = {"status": job.status, "message": job.message}
        job.status, job.done, job.message = Job.Status.QUEUED, 0, _("В очереди")
        job.started_at = job.finished_at = None
        job.report = {}
        job.save()
        record(actor=by, action="job.retry", instance=job, before=before, after={"status": job.status})
        enqueue_on_commit(TASK_NAME, job.pk)
    return job


def read_upload(job: Job) -> bytes:
    """The job's uploaded file."""
    if not job.upload:
        raise JobFailed(_("К заданию не приложен файл."))
    try:
        with job.upload.open("rb") as handle:
            return handle.read()  # type: ignore[no-any-return]
    except FileNotFoundError:
        raise JobFailed(_("Загруженный файл не найден в хранилище.")) from None


def job_url(job: Job) -> str:
    return reverse("jobs:detail", args=[job.pk])


class _Progress:
    """``progress(done, total, message)``: writes the row at most every PROGRESS_EVERY_SECONDS (and on the
    last item), with its own UPDATE outside the runner's transactions so that the page sees it at once."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = float("-inf")  # the first call is always written (monotonic time may start near 0)

    def __call__(self, done: int, total: int, message: str = "") -> None:
        total = max(int(total), 0)
        done = min(max(int(done), 0), total)
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        self.job.done, self.job.total, self.job.message = done, total, str(message)[:500]
        Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
            done=done, total=total, message=self.job.message, updated_at=timezone.now())


def run_job(job_id: int) -> Job | None:
    """Run a queued job (the Celery task calls this). A job that is not queued — already run, or taken by
    another worker — is left alone, so a message delivered twice runs the job once."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return job
        job.status, job.started_at, job.message = Job.Status.RUNNING, timezone.now(), _("Выполняется")
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "message", "attempts", "updated_at"])
    try:
        runner: Runner = import_string(_runner_path(job.runner))
        report = runner(job, _Progress(job)) or {}
    except DomainError as exc:
        return _finish(job, Job.Status.FAILED, exc.message)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return _finish(job, Job.Status.FAILED, _(
            "Задание прервано из-за внутренней ошибки (%(error)s). Загруженные данные сохранены: повторите "
            "задание или сообщите администратору.") % {"error": exc.__class__.__name__})
    return _finish(job, Job.Status.DONE, str(report.pop("message", "") or _("Готово")), report)


def _finish(job: Job, status: str, message: str, report: dict[str, Any] | None = None) -> Job:
    with transaction.atomic():
        current = Job.objects.select_for_update().filter(pk=job.pk).values_list("status", "attempts").first()
        if current != (Job.Status.RUNNING, job.attempts):
            # Reaped as stale while this worker was still at it (and perhaps retried since): not ours to finish.
            logger.warning("job %s: finished after it was failed as stale; its result (%s) is dropped", job.pk, status)
            return Job.objects.get(pk=job.pk) if current is not None else job
        return _write_finish(job, status, message, report)


def _write_finish(job: Job, status: str, message: str, report: dict[str, Any] | None) -> Job:
    job.status, job.message, job.finished_at = status, message[:500], timezone.now()
    if report is not None:
        job.report = report
    if status == Job.Status.DONE:
        job.done = job.total
    fields = ["status", "message", "finished_at", "report", "done", "total", "updated_at"]
    try:
        job.save(update_fields=fields)
    except Exception:  # e.g. a report that is not JSON: keep the failure visible rather than lose the job
        logger.exception("job %s: the result could not be saved", job.pk)
        job.status, job.report = Job.Status.FAILED, {}
        job.message = _("Результат задания не сохранён (внутренняя ошибка).")
        with transaction.atomic():
            job.save(update_fields=fields)
    record(actor=job.created_by, action=f"job.{status}", instance=job, championship=job.championship,
           after={"status": status, "message": job.message})
    return job


def stale_after() -> dt.timedelta:
    """How long a running job may go without progress before it counts as abandoned (a setting)."""
    configured: Any = settings.PROFMASTER.get("JOB_STALE_AFTER_MINUTES", 30)
    minutes = int(configured or 30)
    return dt.timedelta(minutes=max(minutes, 1))


def reap_stale_jobs(*, now: dt.datetime | None = None) -> list[Job]:
    """Fail every running job whose worker wrote nothing (no progress, no heartbeat) for :func:`stale_after`:
    its worker died. Each is failed under its own row lock, with a message that says what happened and when it
    was last heard of (in its championship's zone), audited; its upload is kept so that it can be retried."""
    now = now or timezone.now()
    limit = stale_after()
    cutoff = now - limit
    minutes = int(limit.total_seconds() // 60)
    reaped: list[Job] = []
    for pk in Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk, status=Job.Status.RUNNING,
                                                         updated_at__lt=cutoff).first()
            if job is None:  # it moved on, or another reaper took it
                continue
            last_seen = job.updated_at
            before = {"status": job.status, "message": job.message, "done": job.done, "total": job.total}
            job.status, job.finished_at = Job.Status.FAILED, now
            job.message = _(
                "Задание прервано: обработчик не сообщал о ходе работы %(minutes)s мин (последний раз — "
                "%(last_seen)s) и, по-видимому, остановился. Сделано %(done)s из %(total)s. Загруженные данные "
                "сохранены: повторите задание.") % {
                    "minutes": minutes, "done": job.done, "total": job.total,
                    "last_seen": timezones.format_local(last_seen, timezones.zone_of(job.championship))}
            job.message = job.message[:500]
            job.save(update_fields=["status", "finished_at", "message", "updated_at"])
            record(actor=None, action="job.reaped", instance=job, championship=job.championship, before=before,
                   after={"status": job.status, "message": job.message})
        reaped.append(job)
        logger.warning("job %s (%s) failed as stale: no progress since %s", job.pk, job.kind, last_seen.isoformat())
    return reaped
