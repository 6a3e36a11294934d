"""X-5: a job left «running» by a worker that died is failed by the stale-job reaper (no progress for
``PROFMASTER["JOB_STALE_AFTER_MINUTES"]`` minutes), with a message that says so, audited, and can be retried;
the reaper runs from Celery beat and as ``manage.py reap_stale_jobs``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from profmaster.audit.models import AuditEntry
from profmaster.jobs import domain
from profmaster.jobs.models import Job

from . import runners

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2023, 3, 1, 12, 0, tzinfo=dt.UTC)


def _job(by, competency, status: str, *, minutes_ago: int, done: int = 3, total: int = 10) -> Job:
    """A job as a worker left it: ``status`` and last heard of ``minutes_ago`` before NOW."""
    job = domain.start_job(runners.count_lines, kind="tests.lines", title="Подсчёт строк", by=by,
                           championship=competency.championship, competency=competency,
                           upload=("строки.txt", "а\nб\nв\nг\n".encode()))
    seen = NOW - dt.timedelta(minutes=minutes_ago)
    over = status in ("done", "failed")
    Job.objects.filter(pk=job.pk).update(
        status=status, done=done, total=total, attempts=1, message="Выполняется",
        started_at=None if status == "queued" else seen, finished_at=seen if over else None, updated_at=seen)
    return Job.objects.get(pk=job.pk)


def test_x5_reaper_fails_only_running_jobs_silent_longer_than_the_setting(chief_expert, competency):
    competency.championship.time_zone = "Asia/Vladivostok"
    competency.championship.save()
    assert settings.PROFMASTER["JOB_STALE_AFTER_MINUTES"] == 30
    dead = _job(chief_expert, competency, "running", minutes_ago=31)
    alive = _job(chief_expert, competency, "running", minutes_ago=29)
    queued = _job(chief_expert, competency, "queued", minutes_ago=600)
    finished = _job(chief_expert, competency, "done", minutes_ago=600, done=10)

    reaped = domain.reap_stale_jobs(now=NOW)

    assert [job.pk for job in reaped] == [dead.pk]
    dead.refresh_from_db()
    assert (dead.status, dead.finished_at, dead.done, dead.total) == ("failed", NOW, 3, 10)
    assert dead.message == (
        "Задание прервано: обработчик не сообщал о ходе работы 30 мин (последний раз — 01.03.2023 21:29 "
        "(Владивосток, UTC+10)) и, по-видимому, остановился. Сделано 3 из 10. Загруженные данные сохранены: "
        "повторите задание.")
    assert dead.upload.read() == "а\nб\nв\nг\n".encode()  # nothing is lost
    assert [Job.objects.get(pk=j.pk).status for j in (alive, queued, finished)] == ["running", "queued", "done"]
    entry = AuditEntry.objects.get(action="job.reaped")
    assert (entry.object_id, entry.actor, entry.before["status"], entry.after["status"]) == (
        str(dead.pk), None, "running", "failed")
    assert domain.reap_stale_jobs(now=NOW) == []  # once only


@override_settings(PROFMASTER={**settings.PROFMASTER, "JOB_STALE_AFTER_MINUTES": 5})
def test_x5_reaper_threshold_is_a_setting(chief_expert, competency):
    job = _job(chief_expert, competency, "running", minutes_ago=6)
    assert domain.stale_after() == dt.timedelta(minutes=5)
    assert [j.pk for j in domain.reap_stale_jobs(now=NOW)] == [job.pk]
    assert "5 мин" in Job.objects.get(pk=job.pk).message


def test_x5_a_reaped_job_can_be_retried_from_its_page(chief_expert, competency, django_capture_on_commit_callbacks):
    job = _job(chief_expert, competency, "running", minutes_ago=45)
    domain.reap_stale_jobs(now=NOW)
    client = Client()
    client.force_login(chief_expert)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-status="failed"' in page and "по-видимому, остановился" in page and "Повторить" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.report["summary"]) == ("done", 2, "Строк: 4")


def test_x5_a_worker_that_outlives_the_reaper_does_not_overwrite_the_failure(
        chief_expert, competency, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = domain.start_job(runners.outlived_by_the_reaper, kind="tests.lines", title="Подсчёт строк",
                               by=chief_expert, championship=competency.championship, competency=competency,
                               upload=("строки.txt", b"x\n"))
    job.refresh_from_db()
    assert (job.status, job.done, job.report) == ("failed", 1, {})
    assert "по-видимому, остановился" in job.message
    assert not AuditEntry.objects.filter(action="job.done").exists()


def test_x5_reap_stale_jobs_command_and_beat_task(chief_expert, competency):
    from profmaster.celery import app
    from profmaster.jobs import tasks

    job = _job(chief_expert, competency, "running", minutes_ago=24 * 60)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=24))
    out = StringIO()
    call_command("reap_stale_jobs", stdout=out)
    assert out.getvalue() == (f"failed as stale: job {job.pk} (tests.lines) Подсчёт строк\n"
                              "stale jobs failed: 1 (no progress for 30 min)\n")
    assert Job.objects.get(pk=job.pk).status == "failed"
    assert tasks.REAP_TASK in app.tasks and tasks.reap_stale_jobs_task() == 0
    tasks._schedule(sender=app)  # what Celery runs when it finalizes the app in the beat process
    entry = app.conf.beat_schedule["jobs: fail stale jobs"]
    assert (entry["task"], entry["schedule"]) == (tasks.REAP_TASK, 300.0)
