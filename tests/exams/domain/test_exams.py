"""RM-1: the exam's settings, overrides, status and network rule (exams.domain.exams)."""

from __future__ import annotations

import datetime as dt

import pytest

from profmaster.core.errors import DomainError, TransitionError
from profmaster.exams import domain
from profmaster.exams.models import Exam, ExamOverride

from ..factories import make_exam

pytestmark = pytest.mark.django_db


def test_rm1_exam_cannot_change_while_an_attempt_is_open(exam, examinee, chief_expert):
    attempt, _ = domain.start_attempt(exam, examinee)
    exam.time_limit_minutes = 5
    with pytest.raises(TransitionError, match="пока идёт"):
        domain.save_exam(exam, by=chief_expert)
    domain.finish_attempt(attempt, by=examinee)
    exam.refresh_from_db()
    exam.title = "Новое название"
    domain.save_exam(exam, by=chief_expert)


def test_rm1_extra_time_given_mid_exam_moves_the_deadline(exam, examinee, chief_expert):
    attempt, _ = domain.start_attempt(exam, examinee)
    domain.save_override(ExamOverride(exam=exam, user=examinee, extra_minutes=20, reason="ОВЗ"), by=chief_expert)
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=80)


def test_rm1_bad_network_refused(championship, competency, chief_expert):
    with pytest.raises(DomainError, match="не IP-адрес"):
        make_exam(championship, competency, chief_expert, allowed_networks="10.0.0.0/8\nинтернет")


def test_rm1_exam_status_transitions(exam, chief_expert):
    with pytest.raises(TransitionError):
        domain.change_exam_status(exam, to=Exam.Status.PUBLISHED, by=chief_expert)
    domain.change_exam_status(exam, to=Exam.Status.ARCHIVED, by=chief_expert)

