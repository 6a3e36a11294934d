"""The exam itself (RM-1): its settings, sections, personal overrides and status, the network rule, and
the timing of an attempt (:func:`profmaster.exams.timing.compute_timing` fed from the stored rows)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.audit.domain import record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError

from ..models import Attempt, Exam, ExamOverride, ExamSection
from ..timing import Timing, compute_timing


def _refuse_if_open_attempts(exam: Exam) -> None:
    if exam.pk and Attempt.objects.filter(exam=exam, status=Attempt.Status.IN_PROGRESS).exists():
        raise TransitionError(_("Экзамен нельзя изменить, пока идёт хотя бы одна попытка."))


def discard_prepared(exam: Exam) -> int:
    """Drop the papers drawn in advance for the exam (its sections, bank or settings changed): they would no
    longer be drawn as the exam now says; the next precreation or each start draws them again. Returns how many."""
    if not exam.pk:
        return 0
    deleted, _by_model = Attempt.all_objects.filter(exam=exam, status=Attempt.Status.PREPARED).delete()
    return deleted


def examinee_ids(exam: Exam) -> set[int]:
    """Everyone who may take the exam: the participants and pupils of its championship, of its competency or
    of none (the theory stage's participant list)."""
    from django.db.models import Q

    from profmaster.accounts.models import Role, RoleAssignment

    scope = Q(championship=exam.championship_id, role__in=[Role.PARTICIPANT, Role.PUPIL])
    if exam.competency_id is not None:
        scope &= Q(competency__isnull=True) | Q(competency=exam.competency_id)
    return set(RoleAssignment.objects.filter(scope).values_list("user_id", flat=True))


def save_exam(exam: Exam, *, by: Any, reason: str = "") -> Exam:
    """Create or change an exam; refused while any attempt is open (RM-1, item 2)."""
    if exam.competency is not None and exam.competency.championship_id != exam.championship_id:
        raise DomainError(_("Компетенция из другого чемпионата."), field="competency")
    if exam.stage is not None and exam.stage.championship_id != exam.championship_id:
        raise DomainError(_("Этап из другого чемпионата."), field="stage")
    if exam.bank_id and exam.bank.championship_id != exam.championship_id:
        raise DomainError(_("Банк вопросов из другого чемпионата."), field="bank")
    parse_networks(exam.allowed_networks)
    with transaction.atomic():
        if exam.pk:
            Exam.objects.select_for_update().get(pk=exam.pk)
        _refuse_if_open_attempts(exam)
        save_audited(exam, by=by, reason=reason)
        discard_prepared(exam)
    return exam


def save_section(section: ExamSection, *, by: Any) -> ExamSection:
    if section.category.bank_id != section.exam.bank_id:
        raise DomainError(_("Категория из другого банка, чем у экзамена."), field="category")
    available = section.category.questions.filter(is_archived=False).count()
    if section.count > available:
        raise DomainError(ngettext("В категории только %(n)s вопрос.", "В категории только %(n)s вопросов.", available)
                          % {"n": available}, field="count")
    with transaction.atomic():
        Exam.objects.select_for_update().get(pk=section.exam_id)
        _refuse_if_open_attempts(section.exam)
        save_audited(section, by=by, championship=section.exam.championship)
        discard_prepared(section.exam)
    return section


def save_override(override: ExamOverride, *, by: Any, reason: str = "") -> ExamOverride:
    """Give a person extra time or another window; their open attempt's deadline follows at once."""
    with transaction.atomic():
        save_audited(override, by=by, reason=reason, championship=override.exam.championship)
        for attempt in Attempt.objects.select_for_update().filter(
                exam=override.exam, user=override.user, status=Attempt.Status.IN_PROGRESS):
            _store_timing(attempt, timing_of(attempt.exam, override, attempt, timezone.now()))
            attempt.save(update_fields=["deadline", "accept_until"])
    return override


def change_exam_status(exam: Exam, *, to: str, by: Any, reason: str = "") -> Exam:
    allowed: dict[str, set[str]] = {
        Exam.Status.DRAFT: {Exam.Status.PUBLISHED}, Exam.Status.PUBLISHED: {Exam.Status.DRAFT, Exam.Status.ARCHIVED},
        Exam.Status.ARCHIVED: {Exam.Status.PUBLISHED}}
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        if to not in allowed.get(exam.status, set()):
            raise TransitionError(_("Экзамен нельзя перевести из статуса «%(src)s» в «%(dst)s».")
                                  % {"src": exam.get_status_display(), "dst": dict(Exam.Status.choices).get(to, to)})
        if to == Exam.Status.PUBLISHED and not exam.sections.exists():
            raise DomainError(_("Добавьте в экзамен хотя бы одну категорию вопросов."))
        _refuse_if_open_attempts(exam)
        before = snapshot(exam)
        exam.status = to
        exam.save(update_fields=["status"])
        discard_prepared(exam)
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=exam, before=before, after=snapshot(exam),
               reason=reason)
    return exam


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for line in (text or "").replace(",", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            networks.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            raise DomainError(_("«%(net)s» — не IP-адрес и не сеть.") % {"net": line[:60]},
                              field="allowed_networks") from None
    return networks


def ip_allowed(exam: Exam, ip: str | None) -> bool:
    networks = parse_networks(exam.allowed_networks)
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


# --- Timing ---------------------------------------------------------------------------------------


def timing_of(exam: Exam, override: ExamOverride | None, attempt: Attempt | None, now: dt.datetime) -> Timing:
    return compute_timing(
        now=now, opens_at=exam.opens_at, closes_at=exam.closes_at, time_limit=exam.time_limit,
        started_at=attempt.started_at if attempt else None,
        finished_at=attempt.finished_at if attempt else None,
        extra_time=dt.timedelta(minutes=override.extra_minutes) if override else dt.timedelta(0),
        override_opens_at=override.opens_at if override else None,
        override_closes_at=override.closes_at if override else None,
        grace=dt.timedelta(seconds=exam.grace_seconds),
    )


def override_for(exam: Exam, user: Any) -> ExamOverride | None:
    return ExamOverride.objects.filter(exam=exam, user=user).first()


def _store_timing(attempt: Attempt, timing: Timing) -> None:
    attempt.deadline = timing.deadline
    attempt.accept_until = timing.accept_until


def attempts_left(exam: Exam, user: Any, override: ExamOverride | None = None) -> int:
    allowed = (override.max_attempts if override and override.max_attempts else None) or exam.max_attempts
    return max(0, allowed - Attempt.objects.filter(exam=exam, user=user).count())
