"""Queueing background jobs from domain code (STYLE §1: tasks call the domain, never the reverse).

A domain function names the job it wants (``"documents.render_document_pdf"``) and the job is sent once the
transaction commits; the task modules are found by name through Celery's registry, so no domain module
imports a ``tasks`` module and the two never import each other in a circle.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def send(task_name: str, *args: Any, countdown: float | None = None) -> None:
    """Send the job now (or to run ``countdown`` seconds from now): to the broker, or run it in this process at
    once when Celery is eager (embedded default)."""
    from profmaster.celery import app

    if task_name not in app.tasks:
        app.loader.import_default_modules()  # imports every app's tasks module (autodiscovery)
    if countdown is None:
        app.tasks[task_name].apply_async(args)
    else:
        app.tasks[task_name].apply_async(args, countdown=countdown)


def enqueue_on_commit(task_name: str, *args: Any) -> None:
    """Send the job once the current transaction commits; a failure to send never undoes the commit."""
    transaction.on_commit(lambda: send(task_name, *args), robust=True)


def enqueue_once_on_commit(task_name: str, *args: Any) -> None:
    """Like :func:`enqueue_on_commit`, but at most once per transaction however often it is asked: a batch of
    5,000 diplomas queues 5,000 e-mails and one sending job. A job dropped with a rolled-back savepoint is no
    longer in the connection's list, so the next request registers it again."""
    key = (task_name, args)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(getattr(func, "profmaster_job", None) == key
                                          for _sids, func, _robust in connection.run_on_commit):
        return

    def job() -> None:
        job.profmaster_job = None  # type: ignore[attr-defined]  # ran: a later request needs a job of its own
        send(task_name, *args)

    job.profmaster_job = key  # type: ignore[attr-defined]
    transaction.on_commit(job, robust=True)


def enqueue_soon_on_commit(task_name: str, *, window: float = 2.0) -> None:
    """Like :func:`enqueue_once_on_commit`, but with a broker at most one job per ``window`` seconds across all
    requests and servers: the first commit of a window sends the job to run when the window ends, and it does the
    work of every commit of that window. For a job that drains a queue (the e-mails): 20,000 parents confirming in
    10 minutes queue 20,000 e-mails and about 300 sending jobs, not 20,000 — one publication to the broker per
    request was about 8 % of a confirmation's CPU. A commit that slips past its window's job (it ran a moment
    early) is drained by the next window's job or by the periodic one. Eager Celery (no broker) sends at once."""
    from django.conf import settings

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        enqueue_once_on_commit(task_name)
        return

    def job() -> None:
        from django.core.cache import cache

        if cache.add(f"profmaster:queue:soon:{task_name}", 1, timeout=max(1, round(window))):
            send(task_name, countdown=window)

    transaction.on_commit(job, robust=True)
