"""X-5: background jobs — queued on commit, progress written as they go, a report at the end, failures
captured in the job in Russian (never a 500, the upload kept for a retry), visible to its creator and to the
holders of the job's permission in its championship only (default deny)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from profmaster.jobs import domain
from profmaster.jobs.models import Job

from ..api.conftest import ApiClient
from ..factories import UserFactory
from . import runners

pytestmark = pytest.mark.django_db


def _start(runner, by, competency=None, **kwargs):
    return domain.start_job(runner, kind="tests.lines", title="Подсчёт строк", by=by,
                            championship=competency.championship if competency else None, competency=competency,
                            upload=("строки.txt", "а\nб\nв\nг\n".encode()), **kwargs)


def test_x5_job_is_queued_on_commit_runs_and_keeps_its_report(chief_expert, competency,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _start(runners.count_lines, chief_expert, competency)
    assert (job.status, job.done, job.total, len(callbacks)) == ("queued", 0, 0, 1)
    callbacks[0]()  # the transaction committed: the job is sent (eager Celery runs it here)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent, job.message) == ("done", 4, 4, 100, "Посчитано")
    assert job.report == {"summary": "Строк: 4", "lines": ["а", "б", "в"]}
    assert job.started_at is not None and job.finished_at is not None and job.upload_name == "строки.txt"
    assert domain.run_job(job.pk).status == "done"  # delivered twice: runs once, stays done
    assert job.report == Job.objects.get(pk=job.pk).report


def test_x5_progress_is_throttled_and_the_last_item_always_written(chief_expert, competency, monkeypatch):
    job = Job.objects.create(kind="tests.lines", title="t", runner="tests.jobs.runners.count_lines",
                             created_by=chief_expert, status=Job.Status.RUNNING, started_at="2026-01-01T00:00Z")
    monkeypatch.setattr(domain, "PROGRESS_EVERY_SECONDS", 3600)
    progress = domain._Progress(job)
    progress(1, 100, "первый")
    progress(50, 100, "пятидесятый")  # within the interval: not written
    assert Job.objects.values_list("done", "total", "message").get(pk=job.pk) == (1, 100, "первый")
    progress(100, 100, "последний")
    assert Job.objects.values_list("done", "total", "message").get(pk=job.pk) == (100, 100, "последний")
    progress(500, 100)  # past the total: clamped, the done <= total invariant holds
    assert Job.objects.get(pk=job.pk).done == 100


def test_x5_a_crashing_job_fails_in_russian_keeps_its_upload_and_can_be_retried(
        chief_expert, competency, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(runners.crash, chief_expert, competency)
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.message.startswith("Задание прервано из-за внутренней ошибки (RuntimeError).")
    assert job.upload.read() == "а\nб\nв\nг\n".encode()
    client = Client()
    client.force_login(chief_expert)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and 'data-status="failed"' in page.content.decode()
    assert "Повторить" in page.content.decode()
    Job.objects.filter(pk=job.pk).update(runner="tests.jobs.runners.count_lines")  # the bug is fixed
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/jobs/{job.pk}/retry/")
    assert retried.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.report["summary"]) == ("done", 2, "Строк: 4")
    with pytest.raises(domain.TransitionError):
        domain.retry_job(job, by=chief_expert)  # only a failed job is retried


def test_x5_a_refused_job_shows_the_runners_message(chief_expert, competency, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(runners.refuse, chief_expert, competency)
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "В файле нет ни одной строки.")


def test_x5_job_constraints_are_in_the_database(chief_expert):
    base = {"kind": "k", "title": "t", "runner": "tests.jobs.runners.count_lines", "created_by": chief_expert}
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(**base, done=5, total=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(**base, status=Job.Status.DONE)  # over without a finishing time
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(**base, status="lost")


def test_x5_runner_must_be_a_module_level_function(chief_expert):
    def local(job, progress):
        return {}

    with pytest.raises(ValueError, match="module-level"):
        domain.start_job(local, kind="k", title="t", by=chief_expert)


def test_x5_job_page_and_api_only_for_its_creator_and_holders_of_its_permission(
        chief_expert, expert, competency, directorate_user, django_capture_on_commit_callbacks):
    """Default deny: the creator and holders of the job's permission on its scope see it; a stranger, a
    participant and the panel of another competency get 404 on the page, the htmx fragment and the API."""
    from profmaster.accounts.models import Role

    from ..factories import CompetencyFactory, give_role

    with django_capture_on_commit_callbacks(execute=True):
        job = _start(runners.count_lines, expert, competency, view_permission="exams.manage_bank")
        private = _start(runners.count_lines, expert, competency)  # names no permission: the creator's only
    other_panel = UserFactory()
    give_role(other_panel, Role.EXPERT, competency.championship, CompetencyFactory(championship=competency.championship))
    participant = UserFactory()
    give_role(participant, Role.PARTICIPANT, competency.championship)
    expected = {expert: 200, chief_expert: 200, directorate_user: 200, UserFactory(): 404, participant: 404,
                other_panel: 404}
    for user, status in expected.items():
        client = Client()
        client.force_login(user)
        assert client.get(f"/jobs/{job.pk}/").status_code == status
        assert client.get(f"/jobs/{job.pk}/status/").status_code == status
        assert ApiClient(user).get(f"/jobs/{job.pk}").status_code == status
        assert client.get(f"/jobs/{private.pk}/").status_code == (200 if user == expert else 404)
    assert Client().get(f"/jobs/{job.pk}/").status_code == 302  # anonymous: to the login page
    body = ApiClient(chief_expert).get(f"/jobs/{job.pk}").json()
    assert (body["status"], body["percent"], body["report"]["summary"]) == ("done", 100, "Строк: 4")


def test_x5_job_page_polls_while_running_and_stops_when_done(chief_expert, competency,
                                                              django_capture_on_commit_callbacks):
    """The progress bar is refreshed by htmx polling of the fragment (no inline script) until the job is over."""
    with django_capture_on_commit_callbacks(execute=False):
        job = _start(runners.count_lines, chief_expert, competency)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at="2026-01-01T00:00Z", done=1, total=4)
    client = Client()
    client.force_login(chief_expert)
    running = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'hx-get="/jobs/{job.pk}/status/"' in running and 'hx-trigger="every 1s"' in running
    assert 'aria-valuenow="25"' in running and "1 из 4" in running and "<script>" not in running
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, started_at=None, done=0, total=0)
    domain.run_job(job.pk)
    done = client.get(f"/jobs/{job.pk}/status/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and 'aria-valuenow="100"' in done and "Строк: 4" in done
