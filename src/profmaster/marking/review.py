"""The marks of an expert removed from the venue (AP-4, 003 §8.11): never edited, flagged for the chief
expert's review. :func:`flag_marks_for_review` is called by the removal sanction; :func:`record_review`
is the chief expert's note that the marks were checked."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError

from .models import Mark, MarksReview


def marks_of(expert: Any, competency: Any) -> int:
    """How many of the competency's current marks are this expert's (as the expert or as who entered them)."""
    from django.db.models import Q

    return Mark.objects.filter(Q(expert=expert) | Q(entered_by=expert), scheme__competency=competency).count()


def flag_marks_for_review(expert: Any, competency: Any, *, reason: str, by: Any) -> MarksReview | None:
    """Flag the removed expert's marks for the chief expert's review; None when they entered none, or they are
    flagged already (the open review stays)."""
    count = marks_of(expert, competency)
    if count == 0:
        return None
    with transaction.atomic():
        if MarksReview.objects.filter(competency=competency, expert=expert, reviewed_at__isnull=True).exists():
            return None
        review = MarksReview.objects.create(competency=competency, expert=expert, reason=reason[:4000],
                                            marks_count=count)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=review, after=snapshot(review), reason=reason,
               championship=competency.championship)
    return review


def record_review(review: MarksReview, *, note: str, by: Any) -> MarksReview:
    """The chief expert's result of checking the flagged marks (corrections, if any, go through the ledger)."""
    note = (note or "").replace("\x00", "").strip()[:4000]
    if not note:
        raise DomainError(_("Запишите итог проверки оценок."), field="note")
    with transaction.atomic():
        locked = MarksReview.objects.select_for_update().get(pk=review.pk)
        if locked.reviewed_at is not None:
            raise TransitionError(_("Проверка этих оценок уже записана."))
        before = snapshot(locked)
        locked.reviewed_at, locked.reviewed_by, locked.note = timezone.now(), by, note
        locked.save(update_fields=["reviewed_at", "reviewed_by", "note"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               reason=note, championship=locked.competency.championship)
    return locked
