"""RM-1: the autosave — idempotent by seq, refusals that keep saved answers, the deadline; on PostgreSQL one
prepared statement (exams.domain.autosave)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.cache import cache

from profmaster.core.errors import AccessDenied, DomainError
from profmaster.exams import domain
from profmaster.exams.domain import AttemptClosed, AttemptLocked
from profmaster.exams.models import Answer, Attempt, AttemptEvent, Question

from ...api.conftest import ApiClient
from ...factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_rm1_replayed_and_older_saves_change_nothing(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="short")
    first = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="один", seq=2, token=token)
    replay = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="один", seq=2, token=token)
    older = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="старый", seq=1, token=token)
    assert (first.replay, replay.replay, older.replay) == (False, True, True)
    assert Answer.objects.get(attempt=attempt, question=question).response == "один"
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == ["start", "save", "replay", "replay"]


BAD_INPUT = [
    ("unknown question", lambda q: {"question_id": 987654, "response": "x", "seq": 1}, "question"),
    ("wrong answer type", lambda q: {"question_id": q["single"], "response": ["a"], "seq": 1}, "response"),
    ("unknown option", lambda q: {"question_id": q["single"], "response": "999999", "seq": 1}, "response"),
    ("5 MB answer", lambda q: {"question_id": q["essay"], "response": "я" * 5_000_000, "seq": 1}, "response"),
    ("zero seq", lambda q: {"question_id": q["essay"], "response": "x", "seq": 0}, "seq"),
    ("huge seq", lambda q: {"question_id": q["essay"], "response": "x", "seq": 2**40}, "seq"),
]


@pytest.mark.parametrize(("case", "payload", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_rm1_bad_input_refused_and_attempt_intact(exam, examinee, case, payload, field):
    attempt, token = domain.start_attempt(exam, examinee)
    ids = dict(Question.objects.filter(bank=exam.bank).values_list("kind", "pk"))
    domain.save_answer(attempt.pk, examinee, question_id=ids["essay"], response="сохранено", seq=5, token=token)
    with pytest.raises(DomainError) as caught:
        domain.save_answer(attempt.pk, examinee, token=token, **payload(ids))
    assert caught.value.field == field
    assert list(Answer.objects.filter(attempt=attempt).values_list("response", "seq")) == [("сохранено", 5)]


def test_rm1_save_after_deadline_refused_and_attempt_finished(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="single")
    right = str(question.options.order_by("order").first().pk)
    in_grace = attempt.deadline + dt.timedelta(seconds=29)
    ack = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=right, seq=1, token=token,
                             now=in_grace)
    assert ack.replay is False
    with pytest.raises(AttemptClosed) as caught:
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=right, seq=2, token=token,
                           now=attempt.accept_until)
    assert caught.value.message.startswith("Время экзамена истекло")
    attempt.refresh_from_db()
    assert (attempt.status, attempt.finished_by, attempt.finished_at, attempt.score) == (
        "finished", "deadline", attempt.deadline, D("1.00"))
    with pytest.raises(AttemptClosed):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=right, seq=3, token=token)


def test_rm1_someone_else_cannot_save(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="short")
    with pytest.raises(AccessDenied):
        domain.save_answer(attempt.pk, UserFactory(), question_id=question.pk, response="x", seq=1, token=token)


def test_rm1_autosave_is_one_prepared_statement_on_postgresql(exam, examinee, django_assert_num_queries,
                                                            django_assert_max_num_queries):
    """RM-1 performance: on PostgreSQL the common save is one prepared statement that locks, upserts and logs,
    after one read of the attempt's paper per attempt and process; elsewhere (and for every unusual save) a
    short transaction."""
    from django.db import connection

    attempt, token = domain.start_attempt(exam, examinee)
    question, other = Question.objects.filter(bank=exam.bank, kind__in=["essay", "short"]).order_by("kind")
    if connection.vendor == "postgresql":
        with django_assert_num_queries(2):  # the paper, then the save
            ack = domain.save_answer(attempt.pk, None, question_id=question.pk, response="а", seq=1, token=token)
        with django_assert_num_queries(1):
            domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="б", seq=2, token=token)
        with django_assert_num_queries(1):  # another question of the same paper
            domain.save_answer(attempt.pk, None, question_id=other.pk, response="в", seq=1, token=token)
        with connection.cursor() as cursor:  # planned once on this connection, executed three times
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["WITH open AS%"])
            assert cursor.fetchone() == (1,)
    else:
        # SAVEPOINT/RELEASE (the test's transaction) + the locking read + the upsert + the event
        with django_assert_max_num_queries(5):
            ack = domain.save_answer(attempt.pk, None, question_id=question.pk, response="а", seq=1, token=token)
        with django_assert_max_num_queries(5):
            domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="б", seq=2, token=token)
        domain.save_answer(attempt.pk, None, question_id=other.pk, response="в", seq=1, token=token)
    assert ack.replay is False
    assert sorted(Answer.objects.values_list("response", "seq")) == [("б", 2), ("в", 1)]
    saved = AttemptEvent.objects.filter(attempt=attempt, kind="save").order_by("pk")
    assert [e.data for e in saved] == [{"question": question.pk, "seq": 1, "response": "'а'"},
                                       {"question": question.pk, "seq": 2, "response": "'б'"},
                                       {"question": other.pk, "seq": 1, "response": "'в'"}]


def test_rm1_the_process_that_started_an_attempt_saves_without_reading_its_paper(
        exam, examinee, django_assert_num_queries, django_capture_on_commit_callbacks):
    """RM-1 performance: the start hands its paper to the process's memory once committed, so the first save
    through the same process is the one statement (PostgreSQL)."""
    from django.db import connection

    with django_capture_on_commit_callbacks(execute=True):
        attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="essay")
    if connection.vendor == "postgresql":
        with django_assert_num_queries(1):
            domain.save_answer(attempt.pk, None, question_id=question.pk, response="сразу", seq=1, token=token)
    else:  # no shortcut: the general path's short transaction
        domain.save_answer(attempt.pk, None, question_id=question.pk, response="сразу", seq=1, token=token)
    assert Answer.objects.get().response == "сразу"


def test_rm1_a_remembered_paper_does_not_outlive_its_attempt(exam, examinee, chief_expert):
    """RM-1: the paper a process remembers for fast saves never stands in for the attempt's state — after the
    attempt is finished, or unlocked for another browser, the old token saves nothing, and every refusal and
    bad response is worded by the general path exactly as on the first save."""
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="single")
    options = [str(pk) for pk in question.options.values_list("pk", flat=True)]
    domain.save_answer(attempt.pk, None, question_id=question.pk, response=options[0], seq=1, token=token)
    with pytest.raises(DomainError, match="Ответ не подходит"):
        domain.save_answer(attempt.pk, None, question_id=question.pk, response="не вариант", seq=2, token=token)
    with pytest.raises(DomainError, match="нет в вашем билете"):
        domain.save_answer(attempt.pk, None, question_id=987654, response=options[0], seq=2, token=token)
    with pytest.raises(AccessDenied):
        domain.save_answer(attempt.pk, chief_expert, question_id=question.pk, response=options[1], seq=2, token=token)
    domain.unlock_attempt(attempt, by=chief_expert, reason="Сменил компьютер")
    with pytest.raises(AttemptLocked):
        domain.save_answer(attempt.pk, None, question_id=question.pk, response=options[1], seq=3, token=token)
    new_token = domain.claim_attempt(Attempt.objects.get(pk=attempt.pk), examinee, token=None)
    domain.save_answer(attempt.pk, None, question_id=question.pk, response=options[1], seq=4, token=new_token)
    domain.finish_attempt(Attempt.objects.get(pk=attempt.pk), by=examinee)
    with pytest.raises(AttemptClosed):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=options[2], seq=5, token=new_token)
    assert list(Answer.objects.values_list("response", "seq")) == [(options[1], 4)]


def test_rm1_upsert_keeps_the_newest_seq_and_logs_replays(exam, examinee):
    """Saves arriving out of order (a retried old request after a newer one) never overwrite the newer."""
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="essay")
    save = lambda text, seq: domain.save_answer(attempt.pk, examinee, question_id=question.pk,  # noqa: E731
                                                response=text, seq=seq, token=token)
    first = save("три", 3)
    older = save("один", 1)
    same = save("три-бис", 3)
    newer = save("четыре", 4)
    assert [(a.seq, a.replay) for a in (first, older, same, newer)] == [(3, False), (3, True), (3, True), (4, False)]
    assert (older.saved_at, same.saved_at) == (first.saved_at, first.saved_at)
    assert list(Answer.objects.values_list("response", "seq")) == [("четыре", 4)]
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == ["start", "save", "replay", "replay", "save"]


def test_rm1_save_refusals_keep_their_answers(exam, examinee, expert):
    """The lean save route answers 404 to a stranger and 403 to the panel (who see the attempt) when the token
    is not the attempt's, and writes nothing."""
    body = ApiClient(examinee).post(f"/exams/{exam.pk}/attempts", {}).json()
    question = Question.objects.get(bank=exam.bank, kind="essay")
    payload = {"question_id": question.pk, "response": "x", "seq": 1, "token": body["token"][::-1]}
    assert ApiClient(UserFactory()).post(f"/attempts/{body['id']}/answers", payload).status_code == 404
    assert ApiClient().post(f"/attempts/{body['id']}/answers", payload).status_code == 404
    assert ApiClient(expert).post(f"/attempts/{body['id']}/answers", payload).status_code == 403
    assert ApiClient(examinee).post(f"/attempts/{body['id']}/answers", payload).json()["code"] == "locked"
    assert ApiClient(examinee).post("/attempts/987654/answers", {**payload, "token": body["token"]}).status_code == 404
    assert not Answer.objects.exists()


def test_rm1_the_attempt_token_authorises_a_save_without_a_session(exam, examinee):
    """RM-1 item 3/4: the autosave reads no session — the token the examinee's browser got when it opened the
    attempt is the authority, so a save is acknowledged even after the session cookie is gone, and a proctor's
    unlock (a new token for the next browser) ends it."""
    from profmaster.exams import domain
    from profmaster.exams.models import Attempt

    body = ApiClient(examinee).post(f"/exams/{exam.pk}/attempts", {}).json()
    question = Question.objects.get(bank=exam.bank, kind="essay")
    url = f"/attempts/{body['id']}/answers"
    saved = ApiClient().post(url, {"question_id": question.pk, "response": "без сессии", "seq": 1,
                                   "token": body["token"]})
    assert (saved.status_code, saved.json()["seq"]) == (200, 1)
    assert Answer.objects.get().response == "без сессии"
    domain.unlock_attempt(Attempt.objects.get(pk=body["id"]), by=examinee, reason="браузер завис")
    refused = ApiClient().post(url, {"question_id": question.pk, "response": "позже", "seq": 2, "token": body["token"]})
    assert refused.status_code == 404
    assert Answer.objects.get().response == "без сессии"

