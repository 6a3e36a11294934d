"""RM-1: the autosave — idempotent by seq, refusals that keep saved answers, the deadline; on PostgreSQL one
prepared statement (exams.domain.autosave)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection

from profmaster.accounts.models import Role
from profmaster.core.errors import AccessDenied, DomainError
from profmaster.exams import domain
from profmaster.exams.domain import AttemptClosed, AttemptLocked, autosave
from profmaster.exams.models import Answer, Attempt, AttemptEvent, Question

from ...api.conftest import ApiClient
from ...factories import UserFactory, give_role

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
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["WITH input AS%"])
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



def _row(attempt, token, question, seq, response="ответ", at=None):
    at = at or dt.datetime.now(dt.UTC)
    return autosave._Save((attempt.pk, question.pk), {
        "attempt": attempt.pk, "token": token, "at": at.isoformat(), "question": question.pk, "response": response,
        "seq": seq, "data": {"question": question.pk, "seq": seq, "response": repr(response)}})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the group statement is PostgreSQL's")
def test_rm1_one_statement_saves_a_group_each_as_alone(exam, examinee, championship):
    """RM-1 performance: the saves of a group go through one statement, and each is written or not exactly as it
    would be alone — its own token, time and seq decide; the attempts of others in the group do not matter."""
    attempt, token = domain.start_attempt(exam, examinee)
    other_examinee = UserFactory(last_name="Орёл", first_name="Пётр")
    give_role(other_examinee, Role.PARTICIPANT, championship)
    finished, finished_token = domain.start_attempt(exam, other_examinee)
    domain.finish_attempt(finished, by=other_examinee)
    essay, short, single = (Question.objects.get(bank=exam.bank, kind=k) for k in ("essay", "short", "single"))
    domain.save_answer(attempt.pk, None, question_id=single.pk, response=str(single.options.first().pk), seq=7,
                       token=token)
    late = attempt.accept_until + dt.timedelta(seconds=1)
    another = Question.objects.filter(bank=exam.bank).exclude(pk__in=[essay.pk, short.pk, single.pk]).first()
    group = [_row(attempt, token, essay, 1, "эссе"), _row(attempt, token, short, 2, "ёлка"),
             _row(attempt, token[::-1], another, 9, "чужой токен"), _row(finished, finished_token, essay, 1),
             _row(attempt, token, single, 3, str(single.options.first().pk))]  # older than the stored 7
    written = autosave._execute_keys(group, connection)
    assert written == {(attempt.pk, essay.pk), (attempt.pk, short.pk)}
    assert not autosave._execute_keys([_row(attempt, token, essay, 5, "поздно", at=late)], connection)
    answers = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "response"))
    assert answers == {essay.pk: "эссе", short.pk: "ёлка", single.pk: str(single.options.first().pk)}
    assert not Answer.objects.filter(attempt=finished).exists()
    logged = AttemptEvent.objects.filter(attempt=attempt, kind="save").order_by("pk").values_list("data", flat=True)
    assert [(d["question"], d["seq"]) for d in logged][1:] in ([(essay.pk, 1), (short.pk, 2)],
                                                               [(short.pk, 2), (essay.pk, 1)])


class _Statements:
    """A stand-in for the group statement: records each group, holds the first until released, fails on
    request."""

    def __init__(self) -> None:
        self.groups: list[list[tuple[int, int]]] = []
        self.release = threading.Event()
        self.fail_groups_of = 0

    def __call__(self, saves, db):
        self.groups.append([s.key for s in saves])
        if len(self.groups) == 1:
            self.release.wait(5)
        if self.fail_groups_of and len(saves) >= self.fail_groups_of:
            raise RuntimeError("the statement failed")
        return {s.key for s in saves}


def _group_run(monkeypatch, keys, *, fail_groups_of=0):
    """Run a save of each key on its own thread: the first alone while the others queue behind it."""
    statements = _Statements()
    statements.fail_groups_of = fail_groups_of
    monkeypatch.setattr(autosave, "_execute_keys", statements)
    group = autosave._GroupCommit()
    outcomes: dict[int, object] = {}

    def run(n, key):
        try:
            outcomes[n] = group.run(autosave._Save(key, {}), None)
        except RuntimeError as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(0, keys[0]))]
    threads[0].start()
    while not statements.groups:
        time.sleep(0.001)
    for n, key in enumerate(keys[1:], start=1):
        threads.append(threading.Thread(target=run, args=(n, key)))
        threads[-1].start()
        while len(group._waiting) < n:  # queued in order behind the running statement
            time.sleep(0.001)
    statements.release.set()
    for thread in threads:
        thread.join(5)
    return statements.groups, outcomes, group


def test_rm1_saves_that_wait_meanwhile_share_the_next_statement(monkeypatch):
    """RM-1 performance (group commit): a save arriving while none runs goes at once, alone; those arriving
    meanwhile go together in the next statement, one per attempt question (an upsert writes a row once), the
    rest in the one after; each thread learns its own outcome and nothing is left waiting."""
    groups, outcomes, group = _group_run(monkeypatch, [(1, 1), (2, 1), (3, 1), (2, 1), (3, 2)])
    assert groups == [[(1, 1)], [(2, 1), (3, 1), (3, 2)], [(2, 1)]]
    assert outcomes == dict.fromkeys(range(5), True)
    assert not group._waiting and not group._running


def test_rm1_a_failed_group_statement_runs_each_save_alone(monkeypatch):
    """If a group's statement fails, its first save's thread sees the error (its retry or Django answers), and
    every other save of it runs again alone on its own thread, getting the outcome it would have had alone."""
    groups, outcomes, group = _group_run(monkeypatch, [(1, 1), (2, 1), (3, 1)], fail_groups_of=2)
    assert groups[:2] == [[(1, 1)], [(2, 1), (3, 1)]]
    assert sorted(groups[2:]) == [[(3, 1)]]
    assert outcomes[0] is True and isinstance(outcomes[1], RuntimeError) and outcomes[2] is True
    assert not group._waiting and not group._running


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the group statement is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_rm1_concurrent_saves_of_one_process_are_all_kept_with_the_newest_seq(exam, examinee):
    """RM-1 performance, real threads and connections (as a threaded gunicorn worker): saves of one attempt's
    questions arriving at once, in groups or alone, each acknowledged save is stored (or overtaken by a newer
    seq of the same question, never by an older one), with one save event per written save."""
    from django.db import connections

    attempt, token = domain.start_attempt(exam, examinee)
    questions = list(Question.objects.filter(bank=exam.bank, kind__in=["essay", "short"]).values_list("pk", flat=True))
    outcomes: list[tuple[int, int, bool]] = []
    start = threading.Barrier(6)

    def save(n: int) -> None:
        try:
            start.wait(5)
            for i in range(15):
                seq = 1 + i * 6 + n
                question = questions[(n + i) % len(questions)]
                ack = domain.try_save_answer(attempt.pk, question_id=question, response=f"ответ {seq}", seq=seq,
                                             token=token)
                outcomes.append((question, seq, ack is not None))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 90
    stored = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "seq"))
    for question, seq, acked in outcomes:
        if acked:
            assert stored[question] >= seq
    assert {q: max(s for q2, s, ok in outcomes if ok and q2 == q) for q in stored} == stored
    written = sum(ok for _q, _s, ok in outcomes)
    assert AttemptEvent.objects.filter(attempt=attempt, kind="save").count() == written >= len(questions)
    assert not autosave._GROUP._waiting and not autosave._GROUP._running
