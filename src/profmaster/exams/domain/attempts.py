"""Attempts (RM-1): the proctor's admission, the start (or resume) of an attempt, the browser lock and its
unlock, and the focus log. The paper is drawn by :mod:`.papers`; saves are :mod:`.autosave`."""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.core.db import retry_on_disconnect
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.postgres import prepared_cursor

from .. import paper as paper_module
from ..models import Admission, Attempt, AttemptEvent, Exam, ExamOverride
from ..timing import Phase, Timing
from .autosave import _remember_paper
from .common import AttemptLocked, _event, _same
from .exams import _store_timing, ip_allowed, override_for, timing_of
from .grading import finish_if_overdue
from .papers import _build_paper, _max_score, exam_pool


def admit(exam: Exam, user: Any, *, by: Any, document_note: str = "") -> Admission:
    """A proctor confirms the examinee's identity and admits them to start (RM-1, identification)."""
    with transaction.atomic():
        admission = Admission.objects.filter(exam=exam, user=user, used=False).first()
        if admission is not None:
            return admission
        admission = Admission.objects.create(exam=exam, user=user, admitted_by=by, document_note=document_note[:200])
        record(actor=by, action=AuditEntry.Action.CREATE, instance=admission, championship=exam.championship,
               after={"exam": exam.pk, "user": user.pk, "document_note": admission.document_note},
               reason=_("Допуск к экзамену"))
    return admission


def start_attempt(exam: Exam, user: Any, *, access_code: str = "", ip: str | None = None,
                  now: dt.datetime | None = None, token: str | None = None) -> tuple[Attempt, str]:
    """Start (or, if one is open, resume) the person's attempt. Returns it and the lock token that
    the browser or API client must present with every save."""
    now = now or timezone.now()
    started = try_start_prepared(exam, user, access_code=access_code, ip=ip, now=now)
    if started is not None:
        return started
    # One read of the person's attempts of the exam (mostly none or one): the open one, the prepared one, the count.
    # No ORDER BY: the model's ordering (exam, user, number) would join the exams' own ordering for nothing.
    mine = list(Attempt.all_objects.filter(exam_id=exam.pk, user_id=user.pk).order_by())
    for mine_attempt in mine:
        mine_attempt.exam, mine_attempt.user = exam, user  # as a fresh start's attempt: no reads for them later
    open_attempt = next((a for a in mine if a.status == Attempt.Status.IN_PROGRESS), None)
    prepared = next((a for a in mine if a.status == Attempt.Status.PREPARED), None)
    if open_attempt is not None:
        open_attempt = finish_if_overdue(open_attempt, now=now)
        if open_attempt.status == Attempt.Status.IN_PROGRESS:
            return open_attempt, claim_attempt(open_attempt, user, token=token, now=now)
    if exam.status != Exam.Status.PUBLISHED:
        raise TransitionError(_("Экзамен ещё не опубликован."))
    override = override_for(exam, user)
    timing = timing_of(exam, override, None, now)
    if timing.phase is Phase.NOT_OPEN:
        raise TransitionError(_("Экзамен ещё не открыт: начало %(at)s.")
                              % {"at": timezones.format_local(timing.opens_at, timezones.zone_of(exam))})
    if timing.phase is Phase.CLOSED:
        raise TransitionError(_("Экзамен уже закрыт."))
    used = sum(1 for a in mine if a.status != Attempt.Status.PREPARED)
    allowed = (override.max_attempts if override and override.max_attempts else None) or exam.max_attempts
    if used >= allowed:
        raise TransitionError(_("Попытки закончились."))
    if exam.access_code and not secrets.compare_digest(exam.access_code.encode(), (access_code or "").strip().encode()):
        raise DomainError(_("Неверный код доступа."), field="access_code", code="access_code")
    if not ip_allowed(exam, ip):
        raise AccessDenied(_("С этого адреса экзамен проходить нельзя. Обратитесь к организатору."))
    pool = exam_pool(exam)
    if prepared is not None:
        started = _start_prepared(prepared, exam, user, pool=pool, used=used, ip=ip, now=now,
                                  timing=timing_of(exam, override, Attempt(started_at=now), now))
        if started is not None:
            return started
    seed = paper_module.new_seed()
    paper = _build_paper(exam, seed, pool)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        _use_admission(exam, user)
        number = used + 1  # a start racing this one fails on the unique number and resumes below
        attempt = Attempt(exam=exam, user=user, number=number, seed=seed, paper=paper, started_at=now,
                          lock_token=token, client_ip=ip or None,
                          max_score=_max_score(paper, pool))
        _store_timing(attempt, timing_of(exam, override, attempt, now))
        try:
            with transaction.atomic():
                attempt.save()
        except IntegrityError:
            # A second click raced the first one: resume the attempt it started.
            existing = Attempt.objects.filter(exam=exam, user=user, status=Attempt.Status.IN_PROGRESS).first()
            if existing is None:
                raise TransitionError(_("Попытка начата в другой вкладке. Обновите страницу.")) from None
            return existing, claim_attempt(existing, user, token=None, now=now)
        attempt._created_now = True  # type: ignore[attr-defined]  # it has no answers yet: nothing to read back
        if connection.vendor == "postgresql":  # the first save through this process need not read the paper
            # A cache only: were it to fail, the committed start stands (robust: logged, not raised).
            transaction.on_commit(functools.partial(_remember_paper, attempt.pk, token, user.pk, paper), robust=True)
        _event(attempt, AttemptEvent.Kind.START, now, ip=ip, seed=seed)
        record(actor=user, action=AuditEntry.Action.CREATE, instance=attempt, championship=exam.championship,
               after={"exam": exam.pk, "user": user.pk, "number": number, "seed": seed,
                      "deadline": attempt.deadline.isoformat() if attempt.deadline else None})
    return attempt, token


def _use_admission(exam: Exam, user: Any) -> None:
    """The proctor's admission is spent by the start (inside the start's transaction)."""
    if not exam.requires_admission:
        return
    admission = Admission.objects.select_for_update().filter(exam=exam, user=user, used=False).first()
    if admission is None:
        raise AccessDenied(_("Дождитесь допуска проктора: он проверит вашу личность и допустит к экзамену."))
    admission.used = True
    admission.save(update_fields=["used"])


def paper_still_drawable(paper: list[dict[str, Any]], pool: dict[str, Any]) -> bool:
    """Whether a paper drawn in advance still fits the exam's pool: every question still drawn from, of the same
    kind, with the same options (a question archived, re-kinded or with its options replaced since: no)."""
    drawable = {q for members in pool["by_category"].values() for q in members}
    for item in paper:
        question = item["question"]
        if (question not in drawable or pool["kinds"].get(question) != item["kind"]
                or sorted(pool["options"].get(question, ())) != sorted(item.get("options", ()))):
            return False
    return True


def _start_prepared(prepared: Attempt, exam: Exam, user: Any, *, pool: dict[str, Any], used: int,
                    ip: str | None, now: dt.datetime, timing: Timing) -> tuple[Attempt, str] | None:
    """Start the attempt drawn in advance (RM-1 at scale): one conditional UPDATE from ``prepared`` to
    ``in_progress``, so a double start changes it once and the loser resumes (or is refused as a second browser)
    exactly as with a fresh start. None: the paper no longer fits the exam (it is dropped) — draw afresh."""
    if prepared.number != used + 1 or not paper_still_drawable(prepared.paper, pool):
        Attempt.all_objects.filter(pk=prepared.pk, status=Attempt.Status.PREPARED).delete()
        return None
    token = secrets.token_urlsafe(24)
    max_score = _max_score(prepared.paper, pool)
    changes = {"status": Attempt.Status.IN_PROGRESS, "started_at": now, "deadline": timing.deadline,
               "accept_until": timing.accept_until, "lock_token": token, "client_ip": ip or None,
               "max_score": max_score}
    try:
        with transaction.atomic():
            # No savepoint of its own: an open attempt created meanwhile without this paper (one open per person)
            # fails the UPDATE, which ends this start's transaction and is answered below as a double start.
            changed = Attempt.all_objects.filter(pk=prepared.pk, status=Attempt.Status.PREPARED).update(**changes)
            if changed:
                _use_admission(exam, user)  # refused: the whole start rolls back, the paper stays prepared
                for name, value in changes.items():
                    setattr(prepared, name, value)
                prepared._created_now = True  # type: ignore[attr-defined]  # no answers yet: nothing to read back
                if connection.vendor == "postgresql":
                    transaction.on_commit(functools.partial(_remember_paper, prepared.pk, token, user.pk,
                                                            prepared.paper), robust=True)
                _event(prepared, AttemptEvent.Kind.START, now, ip=ip, seed=prepared.seed, prepared=True)
                record(actor=user, action=AuditEntry.Action.TRANSITION, instance=prepared,
                       championship=exam.championship, before={"status": Attempt.Status.PREPARED.value},
                       after={"status": Attempt.Status.IN_PROGRESS.value, "exam": exam.pk, "user": user.pk,
                              "number": prepared.number, "seed": prepared.seed,
                              "deadline": timing.deadline.isoformat() if timing.deadline else None})
                return prepared, token
    except IntegrityError:
        pass
    # A double start: the other request changed it first; resume it as a second click would.
    existing = Attempt.objects.filter(exam=exam, user=user, status=Attempt.Status.IN_PROGRESS).first()
    if existing is None:
        raise TransitionError(_("Попытка начата в другой вкладке. Обновите страницу."))
    return existing, claim_attempt(existing, user, token=None, now=now)


@retry_on_disconnect  # nothing is written unless the whole start commits, so a dropped connection runs it again
def try_start_prepared(exam: Exam, user: Any, *, access_code: str = "", ip: str | None = None,
                       now: dt.datetime | None = None) -> tuple[Attempt, str] | None:
    """The common start on PostgreSQL (RM-1 at scale: 10 000 examinees within a minute): the person's only
    attempt of the exam is the paper drawn in advance, the exam is open to everyone alike (no personal
    override, no proctor's admission) and the code and address fit. Then the start is one read of the person's
    attempts, one statement that moves the paper from ``prepared`` to ``in_progress`` and logs the start, and
    the audit entry — in one transaction, as :func:`_start_prepared` does through the ORM.

    None, having written nothing, when anything is unusual (another attempt, an override, an admission, a
    refusal, a paper that no longer fits, a race, another database): :func:`start_attempt` then decides and
    answers exactly as without this shortcut.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return None
    if exam.status != Exam.Status.PUBLISHED or exam.requires_admission or not getattr(user, "pk", None):
        return None
    if exam.access_code and not secrets.compare_digest(exam.access_code.encode(),
                                                       (access_code or "").strip().encode()):
        return None
    if not ip_allowed(exam, ip):
        return None
    now = now or timezone.now()
    if timing_of(exam, None, None, now).phase is not Phase.OPEN:
        return None
    with prepared_cursor(db) as cursor:
        cursor.execute(_mine_sql(), {"exam": exam.pk, "user": user.pk})
        mine = cursor.fetchall()
    if len(mine) != 1:
        return None
    attempt_id, number, status, seed, paper, overridden = mine[0]
    if status != Attempt.Status.PREPARED or number != 1 or overridden:
        return None
    if isinstance(paper, str):
        paper = json.loads(paper)
    pool = exam_pool(exam)
    if not paper_still_drawable(paper, pool):
        return None
    timing = timing_of(exam, None, Attempt(started_at=now), now)
    token = secrets.token_urlsafe(24)
    attempt = Attempt(pk=attempt_id, exam=exam, user=user, number=number, status=Attempt.Status.IN_PROGRESS,
                      seed=seed, paper=paper, started_at=now, deadline=timing.deadline,
                      accept_until=timing.accept_until, lock_token=token, client_ip=ip or None,
                      max_score=_max_score(paper, pool))
    attempt._state.adding, attempt._state.db = False, DEFAULT_DB_ALIAS
    event = {"ip": ip, "seed": seed, "prepared": True}  # what _event writes for the ORM's start of a paper
    params = {"id": attempt_id, "prepared": Attempt.Status.PREPARED.value, "open": Attempt.Status.IN_PROGRESS.value,
              "now": now, "deadline": timing.deadline, "accept_until": timing.accept_until, "token": token,
              "ip": ip or None, "max_score": attempt.max_score, "kind": AttemptEvent.Kind.START.value,
              "data": json.dumps(event)}
    try:
        with transaction.atomic():
            with prepared_cursor(db) as cursor:
                cursor.execute(_start_sql(), params)
                if cursor.fetchone() is None:
                    raise _NotStarted  # started meanwhile by a second click: the general path resumes it
            transaction.on_commit(functools.partial(_remember_paper, attempt_id, token, user.pk, paper), robust=True)
            record(actor=user, action=AuditEntry.Action.TRANSITION, instance=attempt, championship=exam.championship,
                   before={"status": Attempt.Status.PREPARED.value},
                   after={"status": Attempt.Status.IN_PROGRESS.value, "exam": exam.pk, "user": user.pk,
                          "number": number, "seed": seed,
                          "deadline": timing.deadline.isoformat() if timing.deadline else None})
    except (_NotStarted, IntegrityError):
        return None  # an open attempt appeared meanwhile (one open per person): the general path answers
    attempt._created_now = True  # type: ignore[attr-defined]  # no answers yet: nothing to read back
    return attempt, token


class _NotStarted(Exception):
    """The conditional UPDATE found the paper no longer prepared: roll back, let the general path decide."""


@functools.cache
def _mine_sql() -> str:
    attempts = connection.ops.quote_name(Attempt._meta.db_table)
    overrides = connection.ops.quote_name(ExamOverride._meta.db_table)
    return (f"SELECT id, number, status, seed, paper, EXISTS (SELECT 1 FROM {overrides} "  # noqa: S608 - table names
            "WHERE exam_id = %(exam)s AND user_id = %(user)s) "
            f"FROM {attempts} WHERE exam_id = %(exam)s AND user_id = %(user)s")


@functools.cache
def _start_sql() -> str:
    attempts = connection.ops.quote_name(Attempt._meta.db_table)
    events = connection.ops.quote_name(AttemptEvent._meta.db_table)
    return (f"WITH started AS (UPDATE {attempts} SET status = %(open)s, started_at = %(now)s, "  # noqa: S608
            "deadline = %(deadline)s, accept_until = %(accept_until)s, lock_token = %(token)s, "
            "client_ip = %(ip)s::inet, max_score = %(max_score)s "
            "WHERE id = %(id)s AND status = %(prepared)s RETURNING id) "
            f"INSERT INTO {events} (attempt_id, kind, at, data) SELECT id, %(kind)s, %(now)s, %(data)s::jsonb "
            "FROM started RETURNING attempt_id")


def claim_attempt(attempt: Attempt, user: Any, *, token: str | None, now: dt.datetime | None = None) -> str:
    """The browser opening the attempt: the one holding its token resumes; a free attempt (new, or
    unlocked by a proctor) is taken by this browser; any other browser is refused (RM-1, item 3)."""
    now = now or timezone.now()
    if attempt.user_id != user.pk:
        raise AccessDenied(_("Это не ваша попытка."))
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if _same(locked.lock_token, token):
            return locked.lock_token
        if locked.lock_token:
            # Recorded, not rolled back with the refusal: the panel sees the try in the log.
            _event(locked, AttemptEvent.Kind.SECOND_BROWSER, now)
            refused = True
        else:
            refused = False
    if refused:
        raise AttemptLocked
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.lock_token:
            raise AttemptLocked
        locked.lock_token = secrets.token_urlsafe(24)
        locked.save(update_fields=["lock_token"])
        attempt.lock_token = locked.lock_token
        _event(locked, AttemptEvent.Kind.RESUME, now)
    return locked.lock_token


def unlock_attempt(attempt: Attempt, *, by: Any, reason: str = "") -> Attempt:
    """A proctor frees the attempt so that the examinee can continue in another browser."""
    now = timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status != Attempt.Status.IN_PROGRESS:
            raise TransitionError(_("Попытка уже завершена."))
        attempt.lock_token = ""
        attempt.save(update_fields=["lock_token"])
        _event(attempt, AttemptEvent.Kind.UNLOCK, now, by=by.pk, reason=reason[:500])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=attempt, championship=attempt.exam.championship,
               after={"unlocked": True}, reason=reason or _("Разблокировка попытки"))
    return attempt


def log_focus(attempt: Attempt, user: Any, *, lost: bool, token: str, support: bool = False,
              now: dt.datetime | None = None) -> None:
    """The browser reports that the exam window lost or regained focus (RM-1, item 6). ``support``: it lost it
    because the examinee opened «Поддержка» from the exam page (RM-6) — logged as its own kind, so the proctor
    sees a request for help and its time away, not an unexplained departure."""
    now = now or timezone.now()
    if attempt.user_id != user.pk:
        raise AccessDenied(_("Это не ваша попытка."))
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return
    if not _same(attempt.lock_token, token):
        raise AttemptLocked
    lost_kind = AttemptEvent.Kind.SUPPORT if support else AttemptEvent.Kind.FOCUS_LOST
    _event(attempt, lost_kind if lost else AttemptEvent.Kind.FOCUS_BACK, now)
