"""RM-1: starting an attempt — window, attempts limit, access code, network, admission, the browser lock
(exams.domain.attempts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.exams import domain
from profmaster.exams.domain import AttemptLocked
from profmaster.exams.models import Attempt, AttemptEvent, ExamOverride, Question

from ...factories import UserFactory
from ..factories import make_exam

pytestmark = pytest.mark.django_db


def test_rm1_second_browser_refused_until_unlocked(exam, examinee, chief_expert):
    attempt, token = domain.start_attempt(exam, examinee)
    assert domain.claim_attempt(attempt, examinee, token=token) == token
    with pytest.raises(AttemptLocked):
        domain.claim_attempt(attempt, examinee, token=None)
    question = Question.objects.get(bank=exam.bank, kind="short")
    with pytest.raises(AttemptLocked):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="x", seq=1, token="чужой")
    domain.unlock_attempt(attempt, by=chief_expert, reason="Сменил компьютер")
    new_token = domain.claim_attempt(attempt, examinee, token=None)
    assert new_token != token
    with pytest.raises(AttemptLocked):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="x", seq=1, token=token)
    domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="x", seq=1, token=new_token)
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == ["start", "second_browser", "unlock", "resume", "save"]


def test_rm1_one_open_attempt_is_a_database_rule(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(exam=exam, user=examinee, number=2, seed=1, started_at=timezone.now())
    again, same = domain.start_attempt(exam, examinee, token=token)
    assert (again.pk, same) == (attempt.pk, token)
    with pytest.raises(AttemptLocked):
        domain.start_attempt(exam, examinee)


def test_rm1_attempts_limit_and_window(exam, examinee):
    attempt, _ = domain.start_attempt(exam, examinee)
    domain.finish_attempt(attempt, by=examinee)
    with pytest.raises(TransitionError, match="Попытки закончились"):
        domain.start_attempt(exam, examinee)
    ExamOverride.objects.create(exam=exam, user=examinee, max_attempts=2)
    assert domain.start_attempt(exam, examinee)[0].number == 2
    with pytest.raises(TransitionError, match="не открыт"):
        domain.start_attempt(exam, UserFactory(), now=exam.opens_at - dt.timedelta(seconds=1))
    with pytest.raises(TransitionError, match="закрыт"):
        domain.start_attempt(exam, UserFactory(), now=exam.closes_at)


def test_rm1_access_code_ip_and_admission(championship, competency, chief_expert, examinee):
    exam = make_exam(championship, competency, chief_expert, kinds=["single"], access_code="К-2023",
                     allowed_networks="10.0.0.0/8\n192.168.1.5", requires_admission=True)
    with pytest.raises(DomainError, match="Неверный код"):
        domain.start_attempt(exam, examinee, access_code="нет", ip="10.1.1.1")
    with pytest.raises(AccessDenied, match="С этого адреса"):
        domain.start_attempt(exam, examinee, access_code="К-2023", ip="8.8.8.8")
    with pytest.raises(AccessDenied, match="допуска проктора"):
        domain.start_attempt(exam, examinee, access_code="К-2023", ip="10.1.1.1")
    domain.admit(exam, examinee, by=chief_expert, document_note="паспорт 45 00 123456")
    attempt, _ = domain.start_attempt(exam, examinee, access_code=" К-2023 ", ip="192.168.1.5")
    assert attempt.client_ip == "192.168.1.5"

