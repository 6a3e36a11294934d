"""RM-1: finishing and scoring — automatic scores, manual grades, the deadline finish, regrading (exams.domain.grading)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from profmaster.accounts.models import Role
from profmaster.core.errors import DomainError, TransitionError
from profmaster.exams import domain
from profmaster.exams.models import Answer, Attempt, Question, QuestionOption

from ...factories import UserFactory
from ..factories import right_answers

pytestmark = pytest.mark.django_db


def save_all(attempt, token, answers, seq=1, now=None):
    for question_id, response in answers.items():
        domain.save_answer(attempt.pk, attempt.user, question_id=question_id, response=response, seq=seq,
                           token=token, now=now)


def test_rm1_full_marks_for_right_answers(exam, examinee, chief_expert):
    attempt, token = domain.start_attempt(exam, examinee)
    save_all(attempt, token, right_answers(exam))
    attempt = domain.finish_attempt(attempt, by=examinee)
    # 1 + 2 + 1 + 1 + 3 + 2 = 10 automatic points; the essay (5) waits for an expert.
    assert (attempt.score, attempt.max_score, attempt.needs_grading, attempt.passed) == (
        D("10.00"), D("15.00"), True, None)
    assert attempt.scales == {"интерес": "2"}
    essay = Answer.objects.get(attempt=attempt, question__kind="essay")
    domain.grade_answer(essay, points=D("4.5"), by=chief_expert, comment="Хорошо")
    attempt.refresh_from_db()
    assert (attempt.score, attempt.needs_grading, attempt.passed) == (D("14.50"), False, True)


def test_rm1_background_job_and_lazy_access_finish_overdue(exam, examinee, championship):
    attempt, _ = domain.start_attempt(exam, examinee)
    other = UserFactory()

    from ...factories import give_role
    give_role(other, Role.PARTICIPANT, championship)
    second, _ = domain.start_attempt(exam, other)
    later = attempt.accept_until + dt.timedelta(seconds=1)
    assert domain.finish_overdue_attempts(now=attempt.started_at) == 0
    assert domain.finish_if_overdue(second, now=later).status == "finished"
    assert domain.finish_overdue_attempts(now=later) == 1
    assert set(Attempt.objects.values_list("status", "finished_by")) == {("finished", "deadline")}


def test_rm1_regrade_dry_run_then_apply(exam, examinee, chief_expert):
    attempt, token = domain.start_attempt(exam, examinee)
    single = Question.objects.get(bank=exam.bank, kind="single")
    options = list(single.options.order_by("order"))
    domain.save_answer(attempt.pk, examinee, question_id=single.pk, response=str(options[1].pk), seq=1, token=token)
    attempt = domain.finish_attempt(attempt, by=examinee)
    assert attempt.score == D("0.00")
    # The key was wrong: 50 °C is also accepted.
    QuestionOption.objects.filter(pk=options[1].pk).update(fraction=D(1))
    changes = domain.regrade_exam(exam, by=chief_expert, dry_run=True)
    assert [(c.attempt.pk, c.old, c.new) for c in changes] == [(attempt.pk, D("0.00"), D("1.00"))]
    attempt.refresh_from_db()
    assert attempt.score == D("0.00")
    with pytest.raises(DomainError, match="причину"):
        domain.regrade_exam(exam, by=chief_expert, dry_run=False)
    domain.regrade_exam(exam, by=chief_expert, dry_run=False, reason="Исправлен ключ")
    attempt.refresh_from_db()
    assert attempt.score == D("1.00")
    assert domain.regrade_exam(exam, by=chief_expert, dry_run=True) == []


def test_rm1_finish_twice_is_an_error(exam, examinee):
    attempt, _ = domain.start_attempt(exam, examinee)
    domain.finish_attempt(attempt, by=examinee)
    with pytest.raises(TransitionError, match="уже завершена"):
        domain.finish_attempt(attempt, by=examinee)


def test_x5_finish_overdue_attempts_isolates_a_broken_attempt(exam, examinee, championship, caplog):
    """X-5 (issue 13 §6): one attempt that cannot be finished (a corrupt paper) is logged and skipped; the
    rest of the batch is finished, and the broken one stays open for the next run."""

    from ...factories import give_role

    attempts = []
    for index in range(3):
        user = examinee if index == 0 else UserFactory()
        if index:
            give_role(user, Role.PARTICIPANT, championship)
        attempts.append(domain.start_attempt(exam, user)[0])
    broken = attempts[1]
    Attempt.objects.filter(pk=broken.pk).update(paper=[{"not a question": 1}])
    later = max(a.accept_until for a in attempts) + dt.timedelta(seconds=1)

    with caplog.at_level("ERROR", logger="profmaster.exams.domain"):
        assert domain.finish_overdue_attempts(now=later) == 2

    assert dict(Attempt.objects.values_list("pk", "status")) == {
        attempts[0].pk: "finished", broken.pk: "in_progress", attempts[2].pk: "finished"}
    assert [r.getMessage() for r in caplog.records] == [
        f"exams: overdue attempt {broken.pk} could not be finished; the batch goes on"]
    assert caplog.records[0].exc_info[0] is KeyError
    assert domain.finish_overdue_attempts(now=later) == 0  # still broken, still isolated

