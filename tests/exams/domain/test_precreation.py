"""RM-1 at scale: papers drawn in advance by the organiser's job — every examinee's, not started, seen by nobody,
idempotent; the start is one conditional UPDATE, a double start changes it once; without precreation (or for
an examinee added later, or when the bank changed) the start draws as before (exams.domain.precreation)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import AccessDenied, TransitionError
from profmaster.exams import domain
from profmaster.exams.domain import AttemptLocked, attempts
from profmaster.exams.models import Attempt, AttemptEvent, Exam, ExamOverride, Question

from ...factories import UserFactory, give_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def examinees(championship, examinee):
    others = [UserFactory(last_name=name, first_name="Пётр") for name in ("Орлов", "Пьеха")]
    for user in others:
        give_role(user, Role.PARTICIPANT, championship)
    return [examinee, *others]


def prepared(exam):
    return list(Attempt.all_objects.filter(exam=exam, status=Attempt.Status.PREPARED).order_by("user_id"))


def test_rm1_precreation_draws_every_paper_not_started_and_seen_by_nobody(exam, examinees, chief_expert):
    calls = []
    result = domain.precreate_attempts(exam, by=chief_expert, progress=lambda d, t, m: calls.append((d, t)))
    assert result == domain.Precreated(total=3, created=3, existing=0, exhausted=0)
    assert calls == [(0, 3), (3, 3)]
    rows = prepared(exam)
    assert sorted(a.user_id for a in rows) == sorted(u.pk for u in examinees)
    for attempt in rows:
        assert (attempt.number, attempt.started_at, attempt.deadline, attempt.lock_token) == (1, None, None, "")
        assert attempt.paper == domain._build_paper(exam, attempt.seed)  # the start's own draw, from its seed
        assert len(attempt.paper) == 8 and attempt.max_score == 15
    assert len({a.seed for a in rows}) == 3
    # Nobody sees a prepared paper: not in any list, count, result or protocol.
    assert not Attempt.objects.filter(exam=exam).exists()
    assert not exam.attempts.exists()
    assert domain.attempts_left(exam, examinees[0]) == 1
    assert domain.results_rows(exam) == []
    assert {r["Статус"] for r in domain.participant_rows(exam)} == {"не начинал(а)"}
    assert not AttemptEvent.objects.exists()
    entry = AuditEntry.objects.get(object_type="exams.Exam", reason="Билеты подготовлены заранее")
    assert entry.after == {"prepared_papers": {"total": 3, "created": 3, "existing": 0, "exhausted": 0}}


def test_rm1_precreation_run_again_creates_only_what_is_missing(exam, examinees, chief_expert, championship):
    domain.precreate_attempts(exam, by=chief_expert)
    first = {a.user_id: (a.pk, a.seed) for a in prepared(exam)}
    started, _token = domain.start_attempt(exam, examinees[0])
    late = UserFactory(last_name="Ёлкина", first_name="Мария")
    give_role(late, Role.PARTICIPANT, championship)
    again = domain.precreate_attempts(exam, by=chief_expert)
    assert again == domain.Precreated(total=4, created=1, existing=3, exhausted=0)
    rows = {a.user_id: (a.pk, a.seed) for a in prepared(exam)}
    assert rows == {**{k: v for k, v in first.items() if k != examinees[0].pk}, late.pk: rows[late.pk]}
    assert started.pk == first[examinees[0].pk][0]
    assert domain.precreate_attempts(exam, by=chief_expert).created == 0


def test_rm1_start_of_a_prepared_paper_is_one_update(exam, examinees, chief_expert, django_assert_max_num_queries):
    domain.precreate_attempts(exam, by=chief_expert)
    mine = next(a for a in prepared(exam) if a.user_id == examinees[0].pk)
    now = timezone.now()
    exam = Exam.objects.select_related("championship").get(pk=exam.pk)  # as the page and the route read it
    domain.exam_pool(exam)  # the pool cached, as every start after the first finds it
    with django_assert_max_num_queries(12) as captured:
        attempt, token = domain.start_attempt(exam, examinees[0], now=now)
    # On PostgreSQL the conditional UPDATE and its event are one prepared statement (a CTE that begins WITH).
    sqls = [q["sql"] for q in captured.captured_queries]
    writes = [q for q in sqls if q.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    if connection.vendor == "postgresql":
        from profmaster.exams.domain.attempts import _start_sql

        assert sqls.count(_start_sql()) == 1
        assert [" ".join(w.split()[:3]).replace('"', "") for w in writes] == ["INSERT INTO audit_auditentry"]
        assert "status = %(prepared)s" in _start_sql()  # the conditional UPDATE: only a prepared paper is started
    else:
        assert [" ".join(w.split()[:3]).replace('"', "") for w in writes] == [
            "UPDATE exams_attempt SET", "INSERT INTO exams_attemptevent", "INSERT INTO audit_auditentry"]
        assert "prepared" in writes[0]  # the conditional UPDATE: only a prepared paper is started
    assert not any("exams_question" in q for q in sqls)  # nothing drawn, nothing read of the bank
    assert (attempt.pk, attempt.paper, attempt.seed, attempt.status) == (mine.pk, mine.paper, mine.seed, "in_progress")
    stored = Attempt.objects.get(pk=attempt.pk)
    assert (stored.started_at, stored.deadline, stored.accept_until, stored.lock_token) == (
        now, now + dt.timedelta(minutes=60), now + dt.timedelta(minutes=60, seconds=30), token)
    event = AttemptEvent.objects.get(attempt=attempt)
    assert (event.kind, event.data["seed"], event.data["prepared"]) == ("start", mine.seed, True)
    entry = AuditEntry.objects.get(object_type="exams.Attempt")
    assert (entry.action, entry.before, entry.after["status"]) == ("transition", {"status": "prepared"}, "in_progress")
    # Saves go into it as into any attempt.
    question = attempt.paper[0]["question"]
    assert not domain.save_answer(attempt.pk, examinees[0], question_id=question, response=None, seq=1,
                                  token=token).replay


def test_rm1_without_precreation_the_start_draws_as_before(exam, examinee):
    attempt, _token = domain.start_attempt(exam, examinee)
    assert attempt.paper == domain._build_paper(exam, attempt.seed)
    assert AuditEntry.objects.get(object_type="exams.Attempt").action == "create"
    assert not prepared(exam)


def test_rm1_a_prepared_paper_that_no_longer_fits_the_bank_is_drawn_again(exam, examinee, chief_expert):
    domain.precreate_attempts(exam, by=chief_expert)
    (mine,) = prepared(exam)
    gone = Question.objects.get(pk=mine.paper[0]["question"])
    gone.is_archived = True
    gone.save()
    exam = Exam.objects.get(pk=exam.pk)  # a new request's exam: the pool is read again
    attempt, _token = domain.start_attempt(exam, examinee)
    assert attempt.seed != mine.seed and not prepared(exam)
    assert gone.pk not in {item["question"] for item in attempt.paper}
    assert attempt.paper == domain._build_paper(exam, attempt.seed)


def test_rm1_changing_the_exam_drops_its_prepared_papers(exam, examinee, chief_expert):
    domain.precreate_attempts(exam, by=chief_expert)
    exam.shuffle_options = False
    domain.save_exam(exam, by=chief_expert)
    assert not prepared(exam)
    domain.precreate_attempts(exam, by=chief_expert)
    domain.change_exam_status(exam, to=Exam.Status.DRAFT, by=chief_expert)
    assert not prepared(exam)


def test_rm1_precreation_refused_for_a_draft_or_closed_exam(exam, examinee, chief_expert):
    exam = domain.change_exam_status(exam, to=Exam.Status.DRAFT, by=chief_expert)
    with pytest.raises(TransitionError, match="опубликованного"):
        domain.precreate_attempts(exam, by=chief_expert)
    domain.change_exam_status(exam, to=Exam.Status.PUBLISHED, by=chief_expert)
    Exam.objects.filter(pk=exam.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    exam.refresh_from_db()
    with pytest.raises(TransitionError, match="закрыт"):
        domain.check_precreation(exam)
    assert not prepared(exam)


def test_rm1_precreation_skips_who_has_no_attempt_left_and_numbers_the_next(exam, examinees, chief_expert):
    first, _token = domain.start_attempt(exam, examinees[0])
    domain.finish_attempt(first, by=examinees[0])
    domain.save_override(ExamOverride(exam=exam, user=examinees[1], max_attempts=2), by=chief_expert)
    second, _token = domain.start_attempt(exam, examinees[1])
    domain.finish_attempt(second, by=examinees[1])
    result = domain.precreate_attempts(exam, by=chief_expert)
    assert result == domain.Precreated(total=3, created=2, existing=0, exhausted=1)
    assert {(a.user_id, a.number) for a in prepared(exam)} == {(examinees[1].pk, 2), (examinees[2].pk, 1)}
    attempt, _token = domain.start_attempt(exam, examinees[1])
    assert (attempt.number, attempt.status) == (2, "in_progress")
    with pytest.raises(TransitionError, match="Попытки закончились"):
        domain.start_attempt(exam, examinees[0])


def test_rm1_a_prepared_start_still_needs_the_proctors_admission(championship, competency, chief_expert, examinee):
    from ..factories import make_exam

    exam = make_exam(championship, competency, chief_expert, requires_admission=True)
    domain.precreate_attempts(exam, by=chief_expert)
    with pytest.raises(AccessDenied, match="допуска"):
        domain.start_attempt(exam, examinee)
    assert len(prepared(exam)) == 1 and not Attempt.objects.exists()  # rolled back: the paper waits
    domain.admit(exam, examinee, by=chief_expert)
    attempt, _token = domain.start_attempt(exam, examinee)
    assert attempt.status == "in_progress" and not prepared(exam)
    assert exam.admissions.get().used


def test_rm1_double_start_of_a_prepared_paper_changes_it_once(exam, examinee, chief_expert):
    """The conditional UPDATE: the second of two starts that both read the prepared row changes nothing and is
    answered as a second browser (as two racing fresh starts are)."""
    domain.precreate_attempts(exam, by=chief_expert)
    (mine,) = prepared(exam)
    pool = domain.exam_pool(exam)
    now = timezone.now()
    timing = domain.timing_of(exam, None, Attempt(started_at=now), now)
    stale = Attempt.all_objects.get(pk=mine.pk)
    attempt, token = attempts._start_prepared(mine, exam, examinee, pool=pool, used=0, ip=None, now=now, timing=timing)
    with pytest.raises(AttemptLocked):
        attempts._start_prepared(stale, exam, examinee, pool=pool, used=0, ip=None, now=now, timing=timing)
    assert Attempt.objects.get().lock_token == token
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == ["start", "second_browser"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="two connections at once")
def test_rm1_concurrent_double_start_on_postgresql(exam, examinee, chief_expert):
    """Two requests of the same examinee start the prepared paper at the same moment: one attempt starts, once."""
    domain.precreate_attempts(exam, by=chief_expert)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def start() -> None:
        try:
            barrier.wait()
            outcomes.append(domain.start_attempt(Exam.objects.get(pk=exam.pk), examinee)[0].pk)
        except AttemptLocked as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    attempt = Attempt.objects.get()
    assert sorted(map(str, outcomes)) == sorted([str(attempt.pk), "AttemptLocked"]) or outcomes == [attempt.pk] * 2
    assert AttemptEvent.objects.filter(attempt=attempt, kind="start").count() == 1
    assert not prepared(exam)
    assert connection.vendor == "postgresql"
