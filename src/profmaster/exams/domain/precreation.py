"""Papers drawn in advance (RM-1 at scale: thousands of examinees start within a minute).

Before the window opens the organiser has every examinee's attempt created with its paper, not started
(``Attempt.Status.PREPARED``); the examinee's start is then one conditional UPDATE
(:func:`profmaster.exams.domain.attempts.start_attempt`). The draw is the start's own — a fresh
:func:`~profmaster.exams.paper.new_seed` and :func:`~profmaster.exams.domain.papers._build_paper` over the same
cached pool — so a precreated paper is as random and as reproducible from its seed as one drawn at the start.
Nobody sees it before the start: the default manager of attempts leaves prepared ones out of every page,
route, list and count. A change of the exam, its sections or status drops them
(:func:`~profmaster.exams.domain.exams.discard_prepared`), a start whose prepared paper no longer fits the
bank draws afresh, and an examinee added later is drawn at the start as before. Running it again creates only
what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import TransitionError

from .. import paper as paper_module
from ..models import Attempt, Exam, ExamOverride
from ..timing import Phase
from .exams import examinee_ids, timing_of
from .papers import _build_paper, _max_score, exam_pool

#: Attempts written per INSERT (and per progress step).
BATCH = 500


@dataclass(frozen=True)
class Precreated:
    #: Examinees of the exam.
    total: int
    #: Papers drawn now.
    created: int
    #: Examinees who already had a prepared paper or an open attempt.
    existing: int
    #: Examinees with no attempt left.
    exhausted: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def check_precreation(exam: Exam, *, now: dt.datetime | None = None) -> None:
    """What refuses a precreation before anything is queued: an exam not published or already closed, or one
    whose bank cannot fill a paper (the start would refuse it too, in the same words)."""
    now = now or timezone.now()
    if exam.status != Exam.Status.PUBLISHED:
        raise TransitionError(_("Билеты готовятся для опубликованного экзамена."))
    if timing_of(exam, None, None, now).phase is Phase.CLOSED:
        raise TransitionError(_("Экзамен уже закрыт."))
    _build_paper(exam, 1, exam_pool(exam))  # a trial draw: not enough questions is said now, not per examinee


def precreate_attempts(exam: Exam, *, by: Any, progress: Callable[[int, int, str], None] | None = None,
                       now: dt.datetime | None = None) -> Precreated:
    """Create every examinee's attempt with its paper, not started. Idempotent: an examinee who has a prepared
    paper or an open attempt, or no attempt left, is skipped; an insert racing a start or another run is
    dropped by the database's unique rules (one prepared and one open attempt per person, unique numbers)."""
    check_precreation(exam, now=now)
    pool = exam_pool(exam)
    users = sorted(examinee_ids(exam))
    used = dict(Attempt.objects.filter(exam=exam).values("user_id").annotate(n=Count("pk"))
                .values_list("user_id", "n"))
    busy = set(Attempt.all_objects.filter(exam=exam, status__in=[Attempt.Status.PREPARED, Attempt.Status.IN_PROGRESS])
               .values_list("user_id", flat=True))
    allowed = dict(ExamOverride.objects.filter(exam=exam, max_attempts__isnull=False).exclude(max_attempts=0)
                   .values_list("user_id", "max_attempts"))
    todo = []
    exhausted = 0
    for user_id in users:
        if user_id in busy:
            continue
        if used.get(user_id, 0) >= (allowed.get(user_id) or exam.max_attempts):
            exhausted += 1
            continue
        todo.append(user_id)
    before = Attempt.all_objects.filter(exam=exam, status=Attempt.Status.PREPARED).count()
    total = len(todo)
    if progress is not None:
        progress(0, total, _("Подготовка билетов…"))
    for start in range(0, total, BATCH):
        rows = []
        for user_id in todo[start:start + BATCH]:
            seed = paper_module.new_seed()
            paper = _build_paper(exam, seed, pool)
            rows.append(Attempt(exam=exam, user_id=user_id, number=used.get(user_id, 0) + 1,
                                status=Attempt.Status.PREPARED, seed=seed, paper=paper, started_at=None,
                                max_score=_max_score(paper, pool)))
        with transaction.atomic():
            Attempt.all_objects.bulk_create(rows, ignore_conflicts=True)
        if progress is not None:
            progress(min(total, start + BATCH), total, _("Подготовка билетов…"))
    created = Attempt.all_objects.filter(exam=exam, status=Attempt.Status.PREPARED).count() - before
    result = Precreated(total=len(users), created=max(0, created), existing=len(users) - len(todo) - exhausted,
                        exhausted=exhausted)
    record(actor=by, action=AuditEntry.Action.UPDATE, instance=exam, championship=exam.championship,
           after={"prepared_papers": result.as_dict()}, reason=_("Билеты подготовлены заранее"))
    return result


def prepared_count(exam: Exam) -> int:
    """How many papers of the exam wait for their examinees' start."""
    return Attempt.all_objects.filter(exam=exam, status=Attempt.Status.PREPARED).count()
