"""X-6: with a broker, e-mails queued by many requests are drained by one sending job per short window (not one
publication per request); without one (the embedded default) the job runs at once, as before."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction

from profmaster.core import queue

pytestmark = pytest.mark.django_db

TASK = "notifications.send_queued_emails"


@pytest.fixture
def sent(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.delete(f"profmaster:queue:soon:{TASK}")
    with mock.patch.object(queue, "send") as send:
        yield send
    cache.delete(f"profmaster:queue:soon:{TASK}")


def test_x6_one_sending_job_per_window_whatever_the_number_of_commits(sent, django_capture_on_commit_callbacks):
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            queue.enqueue_soon_on_commit(TASK, window=2.0)
    assert sent.call_args_list == [mock.call(TASK, countdown=2.0)]


def test_x6_the_next_window_sends_its_own_job(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_soon_on_commit(TASK)
    cache.delete(f"profmaster:queue:soon:{TASK}")  # the window has ended
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_soon_on_commit(TASK)
    assert sent.call_count == 2


def test_x6_a_rolled_back_transaction_sends_nothing(sent, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        queue.enqueue_soon_on_commit(TASK)
        raise RuntimeError
    assert callbacks == [] and sent.call_count == 0


def test_x6_embedded_default_sends_at_once(settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with mock.patch.object(queue, "send") as send:
        with django_capture_on_commit_callbacks(execute=True):
            queue.enqueue_soon_on_commit(TASK)
            queue.enqueue_soon_on_commit(TASK)
        assert send.call_args_list == [mock.call(TASK)]
