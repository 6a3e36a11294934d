"""Finishing and scoring (RM-1: automatic scoring, automatic finish when the time runs out): the finish
of an attempt by the examinee, the panel or the deadline, the background job's sweep, manual grades and
the regrade after a corrected key."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import AccessDenied, DomainError, TransitionError

from .. import scoring
from ..models import Answer, Attempt, AttemptEvent, Exam, Question, QuestionOption
from .banks import key_for
from .common import _event

logger = logging.getLogger(__name__)

def _keys(question_ids: Iterable[int]) -> dict[int, tuple[Question, scoring.Key]]:
    questions = Question.objects.filter(pk__in=list(question_ids)).prefetch_related(
        Prefetch("options", QuestionOption.objects.order_by("order", "pk")))
    return {q.pk: (q, key_for(q)) for q in questions}


@dataclass(frozen=True)
class Scored:
    score: Decimal
    max_score: Decimal
    needs_grading: bool
    scales: dict[str, str]
    points: dict[int, Decimal | None]


def score_attempt(attempt: Attempt, keys: dict[int, tuple[Question, scoring.Key]] | None = None) -> Scored:
    """Points of every answer and the total, with manual grades kept as given."""
    ids = [item["question"] for item in attempt.paper]
    keys = keys if keys is not None else _keys(ids)
    answers = {a.question_id: a for a in attempt.answers.all()}
    total = Decimal(0)
    maximum = Decimal(0)
    needs = False
    scales: dict[str, Decimal] = {}
    points: dict[int, Decimal | None] = {}
    for question_id in ids:
        if question_id not in keys:
            continue
        _question, key = keys[question_id]
        answer = answers.get(question_id)
        maximum += scoring.max_points(key)
        if answer is not None and answer.graded_by_id is not None:
            points[question_id] = answer.points
            total += answer.points or 0
            continue
        try:
            result = scoring.score(key, scoring.clean_response(key, answer.response if answer else None))
        except scoring.BadResponse:
            result = scoring.Result(Decimal(0))  # the key changed under a stored answer; it no longer fits
        points[question_id] = result.points
        if result.points is not None:
            total += result.points
        needs = needs or result.needs_grading
        for scale, value in result.scales.items():
            scales[scale] = scales.get(scale, Decimal(0)) + value
    return Scored(total, maximum, needs, {k: str(v) for k, v in scales.items()}, points)


def _apply_score(attempt: Attempt, scored: Scored) -> None:
    for answer in attempt.answers.all():
        if answer.graded_by_id is None and answer.question_id in scored.points:
            new = scored.points[answer.question_id]
            if answer.points != new:
                Answer.objects.filter(pk=answer.pk).update(points=new)
    attempt.score = scored.score
    attempt.max_score = scored.max_score
    attempt.needs_grading = scored.needs_grading
    attempt.scales = scored.scales
    pass_mark = attempt.exam.pass_mark
    attempt.passed = None if pass_mark is None or scored.needs_grading else scored.score >= pass_mark


def finish_attempt(attempt: Attempt, *, by: Any, how: str = Attempt.FinishedBy.EXAMINEE,
                   now: dt.datetime | None = None, reason: str = "") -> Attempt:
    """Finish an attempt with its saved answers and score it. Finishing a finished attempt is an
    error the person sees (a double click on «Завершить» answers with the result page instead)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
        if locked.status != Attempt.Status.IN_PROGRESS:
            raise TransitionError(_("Попытка уже завершена."))
        if how == Attempt.FinishedBy.EXAMINEE and locked.user_id != getattr(by, "pk", None):
            raise AccessDenied(_("Это не ваша попытка."))
        before = snapshot(locked)
        # A deadline finish is stamped with the deadline itself, not with when the job noticed it.
        finished_at = min(now, locked.deadline) if how == Attempt.FinishedBy.DEADLINE and locked.deadline else now
        locked.status = Attempt.Status.FINISHED
        locked.finished_at = finished_at
        locked.finished_by = how
        locked.lock_token = ""
        _apply_score(locked, score_attempt(locked))
        locked.save()
        _event(locked, AttemptEvent.Kind.FINISH, now, how=how, score=str(locked.score))
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               championship=locked.exam.championship, reason=reason)
    return locked


def finish_if_overdue(attempt: Attempt, *, now: dt.datetime | None = None) -> Attempt:
    """Lazily finish an attempt whose time (and grace) ran out — on any access, so a dead worker
    cannot leave attempts open."""
    now = now or timezone.now()
    if attempt.status != Attempt.Status.IN_PROGRESS or attempt.accept_until is None or now < attempt.accept_until:
        return attempt
    try:
        return finish_attempt(attempt, by=None, how=Attempt.FinishedBy.DEADLINE, now=now)
    except TransitionError:
        attempt.refresh_from_db()
        return attempt


def finish_overdue_attempts(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """The background job: finish every attempt past its deadline and grace. Returns how many.

    Each attempt is finished in its own savepoint (X-5): one that cannot be finished (a corrupt paper, a
    database error on its rows) is logged with its id and stays open for the next run, and the rest of the
    batch is finished all the same.
    """
    now = now or timezone.now()
    ids = list(Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, accept_until__lte=now)
               .values_list("pk", flat=True)[:limit])
    done = 0
    for attempt in Attempt.objects.filter(pk__in=ids).select_related("exam"):
        try:
            with transaction.atomic():
                finished = finish_if_overdue(attempt, now=now).status == Attempt.Status.FINISHED
        except Exception:
            logger.exception("exams: overdue attempt %s could not be finished; the batch goes on", attempt.pk)
            continue
        done += finished
    return done


def grade_answer(answer: Answer, *, points: Decimal, by: Any, comment: str = "") -> Answer:
    """An expert grades a manually scored answer (the grading queue); the attempt's total follows."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=answer.attempt_id)
        answer = Answer.objects.select_for_update().select_related("question").get(pk=answer.pk)
        if attempt.status != Attempt.Status.FINISHED:
            raise TransitionError(_("Оценивать можно только завершённую попытку."))
        if points < 0 or points > answer.question.points:
            raise DomainError(_("Баллы — от 0 до %(max)s.") % {"max": answer.question.points}, field="points")
        before = snapshot(answer)
        answer.points = points
        answer.graded_by = by
        answer.graded_at = timezone.now()
        answer.comment = comment[:2000]
        answer.save()
        _apply_score(attempt, score_attempt(attempt))
        attempt.save()
        _event(attempt, AttemptEvent.Kind.GRADE, timezone.now(), question=answer.question_id, points=str(points),
               by=by.pk)
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=answer, before=before, after=snapshot(answer),
               championship=attempt.exam.championship)
    return answer


@dataclass(frozen=True)
class RegradeChange:
    attempt: Attempt
    old: Decimal | None
    new: Decimal


def regrade_exam(exam: Exam, *, by: Any, dry_run: bool = True, reason: str = "") -> list[RegradeChange]:
    """Re-score every finished attempt against the current keys (after a corrected key).

    With ``dry_run`` nothing is written: the list says whose score would change and how.
    """
    attempts = list(Attempt.objects.filter(exam=exam, status=Attempt.Status.FINISHED)
                    .select_related("user", "exam").prefetch_related("answers"))
    ids = {item["question"] for attempt in attempts for item in attempt.paper}
    keys = _keys(ids)
    changes = []
    for attempt in attempts:
        scored = score_attempt(attempt, keys)
        if scored.score != attempt.score or scored.max_score != attempt.max_score:
            changes.append(RegradeChange(attempt, attempt.score, scored.score))
    if dry_run:
        return changes
    if not reason.strip():
        raise DomainError(_("Укажите причину пересчёта."), field="reason")
    with transaction.atomic():
        for change in changes:
            attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=change.attempt.pk)
            before = snapshot(attempt)
            _apply_score(attempt, score_attempt(attempt))
            attempt.save()
            _event(attempt, AttemptEvent.Kind.REGRADE, timezone.now(), old=str(change.old), new=str(attempt.score))
            record(actor=by, action=AuditEntry.Action.UPDATE, instance=attempt, before=before, after=snapshot(attempt),
                   championship=exam.championship, reason=reason)
    return changes
