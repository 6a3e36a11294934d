"""The autosave (RM-1, item 4; the busiest path of the platform): one answer saved idempotently by its
``seq``, with the attempt's token as the authority. On PostgreSQL the common save is one prepared
statement (:func:`try_save_answer`) with the paper's keys kept per process; everything unusual goes the
general way (:func:`save_answer`)."""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.core.db import retry_on_disconnect
from profmaster.core.errors import AccessDenied, DomainError
from profmaster.core.postgres import prepared_cursor

from .. import scoring
from ..models import Answer, Attempt, AttemptEvent
from .common import EVENT_RESPONSE_CHARS, MAX_RESPONSE_CHARS, AttemptClosed, AttemptLocked, _event, _same
from .grading import finish_if_overdue


@dataclass(frozen=True)
class SaveAck:
    question: int
    seq: int
    saved_at: dt.datetime
    replay: bool


def _paper_key(item: dict[str, Any]) -> scoring.Key:
    """A key with only what the examinee was shown — enough to check a response's shape."""
    kind = scoring.Kind(item["kind"])
    options = tuple(scoring.Option(id=o) for o in item.get("options", []))
    if kind is scoring.Kind.MATCHING:
        return scoring.Key(kind, Decimal(0), options, distractors=tuple(item.get("choices", [])))
    return scoring.Key(kind, Decimal(0), options)


@retry_on_disconnect  # idempotent by seq, so a save cut off by a dropped connection runs once more
def save_answer(attempt_id: int, user: Any, *, question_id: int, response: Any, seq: int, token: str,
                now: dt.datetime | None = None) -> SaveAck:
    """Autosave one answer idempotently (RM-1, item 4).

    The attempt's token — issued only to the browser that opened the attempt as its owner — is what
    authorises a save; ``user`` may be None (the API's autosave, which reads no session), and when given
    must be the owner. ``seq`` is the client's counter for this question: a save whose ``seq`` is not
    above the stored one is a replay (a retried request, or an older one overtaken) and is acknowledged
    without a change. After ``deadline + grace`` saves are refused and the attempt is finished.
    """
    now = now or timezone.now()
    if not _valid_seq(seq):
        raise DomainError(_("Неверный номер сохранения."), field="seq")
    ack = try_save_answer(attempt_id, user, question_id=question_id, response=response, seq=seq, token=token, now=now)
    if ack is not None:
        return ack
    with transaction.atomic():
        # The general path (and every refusal, replay and overdue save): one locking read of the few attempt
        # columns it needs, one upsert that writes only a newer seq, one event insert. The row lock orders a
        # save against a concurrent finish, so nothing is written into a finished attempt.
        attempt = next(iter(Attempt.objects.select_for_update().order_by().filter(pk=attempt_id).only(
            "id", "user_id", "status", "lock_token", "accept_until", "paper")), None)
        if attempt is None or (user is not None and attempt.user_id != getattr(user, "pk", None)):
            raise AccessDenied(_("Это не ваша попытка."))
        if user is None and not _same(attempt.lock_token, token):
            raise AttemptLocked  # without the owner's session, nothing is said about the attempt first
        if attempt.status != Attempt.Status.IN_PROGRESS:
            raise AttemptClosed(_("Попытка завершена: ответы больше не принимаются."))
        if not _same(attempt.lock_token, token):
            raise AttemptLocked
        if attempt.accept_until is not None and now >= attempt.accept_until:
            _event(attempt, AttemptEvent.Kind.REFUSED, now, question=question_id, seq=seq)
            overdue = True
        else:
            overdue = False
        if not overdue:
            item = next((i for i in attempt.paper if i["question"] == question_id), None)
            cleaned = _checked_response(_paper_key(item) if item is not None else None, response)
            if not _upsert_answer(attempt.pk, question_id, cleaned, seq, now):
                stored_seq, stored_at = (Answer.objects.filter(attempt_id=attempt.pk, question_id=question_id)
                                         .values_list("seq", "saved_at").get())
                _event(attempt, AttemptEvent.Kind.REPLAY, now, question=question_id, seq=seq, stored=stored_seq)
                return SaveAck(question_id, stored_seq, stored_at, True)
            _event(attempt, AttemptEvent.Kind.SAVE, now, question=question_id, seq=seq,
                   response=repr(cleaned)[:EVENT_RESPONSE_CHARS])
            return SaveAck(question_id, seq, now, False)
    # Past the deadline and grace: finish with what was saved (outside the refused save's transaction).
    finish_if_overdue(Attempt.objects.get(pk=attempt.pk), now=now)
    raise AttemptClosed


def _valid_seq(seq: Any) -> bool:
    return isinstance(seq, int) and not isinstance(seq, bool) and 1 <= seq <= 2**31 - 1


def _checked_response(key: scoring.Key | None, response: Any) -> Any:
    """The response cleaned for the paper's key of its question (None: not in the paper), or a DomainError
    saying what is wrong with it."""
    if key is None:
        raise DomainError(_("Этого вопроса нет в вашем билете."), field="question")
    if len(repr(response)) > MAX_RESPONSE_CHARS:
        raise DomainError(_("Ответ слишком длинный."), field="response", code="too_long")
    try:
        return scoring.clean_response(key, response)
    except scoring.BadResponse as exc:
        raise DomainError(_("Ответ не подходит к вопросу: %(why)s.") % {"why": exc}, field="response") from exc


#: Per process: (attempt id, token) → (owner id, {question id: the key of what the examinee was shown}) for
#: the attempts this process has saved into. A paper and its owner never change once the attempt is drawn,
#: and the token is part of the key, so an entry can only go stale by being unused; the oldest go first.
#: Papers showing a question alike share one key object (``_KEYS``): an entry is about 2 KB.
_PAPERS: dict[tuple[int, str], tuple[int, dict[int, scoring.Key]]] = {}
_KEYS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], scoring.Key] = {}
_PAPERS_LOCK = threading.Lock()
PAPER_CACHE_SIZE = 20_000


def _paper_of(attempt_id: int, token: str) -> tuple[int, dict[int, scoring.Key]] | None:
    """The owner and paper keys of an open attempt held with ``token``, from the cache or one read."""
    cached = _PAPERS.get((attempt_id, token))
    if cached is not None:
        return cached
    attempts = connection.ops.quote_name(Attempt._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT user_id, status, lock_token, paper FROM {attempts} WHERE id = %s",  # noqa: S608
                       [attempt_id])
        row = cursor.fetchone()
    if row is None:
        return None
    owner, status, lock_token, paper = row
    if status != Attempt.Status.IN_PROGRESS or not _same(lock_token, token):
        return None
    if isinstance(paper, str):  # Django's connection hands jsonb over as text, for JSONField to parse
        paper = json.loads(paper)
    return _remember_paper(attempt_id, token, owner, paper)


def _remember_paper(attempt_id: int, token: str, owner: int, paper: list[dict[str, Any]]
                    ) -> tuple[int, dict[int, scoring.Key]]:
    with _PAPERS_LOCK:  # threaded workers: one thread at a time adds and evicts
        if len(_KEYS) >= PAPER_CACHE_SIZE:
            _KEYS.clear()
        keys = {}
        for item in paper:
            shown = (item["kind"], tuple(item.get("options", ())), tuple(item.get("choices", ())))
            key = _KEYS.get(shown)
            if key is None:
                key = _KEYS[shown] = _paper_key(item)
            keys[item["question"]] = key
        while len(_PAPERS) >= PAPER_CACHE_SIZE:
            del _PAPERS[next(iter(_PAPERS))]
        entry = _PAPERS[(attempt_id, token)] = (owner, keys)
    return entry


@retry_on_disconnect
def try_save_answer(attempt_id: int, user: Any = None, *, question_id: int, response: Any, seq: int, token: str,
                    now: dt.datetime | None = None) -> SaveAck | None:
    """The common save on PostgreSQL (RM-1 performance): one prepared statement — its own transaction — that
    locks the attempt row while it is still open with this token and before its deadline, upserts the answer
    if ``seq`` is newer and logs the save. The response is checked against the paper beforehand; the paper is
    read once per attempt and process (:func:`_paper_of`).

    None, having written nothing, when anything is unusual (a refusal, a replay, the deadline, a response that
    does not fit, another database): :func:`save_answer` then decides and answers exactly as without this
    shortcut, refusals first.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the hot path looks the thread's connection up once
    if db.vendor != "postgresql":
        return None
    if not (_valid_seq(seq) and token and isinstance(token, str)):
        return None
    if not (0 < attempt_id < 2**63 and 0 < question_id < 2**63):
        return None  # no such row; the general path says so
    now = now or timezone.now()
    paper = _paper_of(attempt_id, token)
    if paper is None or (user is not None and paper[0] != getattr(user, "pk", None)):
        return None
    try:
        cleaned = _checked_response(paper[1].get(question_id), response)
    except DomainError:
        return None  # worded by the general path, after its refusals
    # The JSON columns get the text JSONField would write (json.dumps, no encoder), cast in the statement.
    data = {"question": question_id, "seq": seq, "response": repr(cleaned)[:EVENT_RESPONSE_CHARS]}
    params = {"attempt": attempt_id, "open": Attempt.Status.IN_PROGRESS.value, "token": token, "now": now,
              "question": question_id, "response": json.dumps(cleaned), "seq": seq,
              "kind": AttemptEvent.Kind.SAVE.value, "data": json.dumps(data)}
    with prepared_cursor(db) as cursor:  # the plan is made once per connection and reused by every save
        cursor.execute(_save_sql(), params)
        saved = cursor.fetchone()
    if saved is None:
        return None
    return SaveAck(question_id, seq, now, False)


@functools.cache
def _save_sql() -> str:
    attempts = connection.ops.quote_name(Attempt._meta.db_table)
    answers = connection.ops.quote_name(Answer._meta.db_table)
    events = connection.ops.quote_name(AttemptEvent._meta.db_table)
    return (
        f"WITH open AS (SELECT id FROM {attempts} WHERE id = %(attempt)s AND status = %(open)s "  # noqa: S608
        "AND lock_token = %(token)s AND (accept_until IS NULL OR accept_until > %(now)s) FOR UPDATE), "
        f"saved AS (INSERT INTO {answers} (attempt_id, question_id, response, seq, saved_at, comment) "
        "SELECT id, %(question)s, %(response)s::jsonb, %(seq)s, %(now)s, '' FROM open "
        f"{_newer_seq_wins(answers)} RETURNING attempt_id) "
        f"INSERT INTO {events} (attempt_id, kind, at, data) SELECT attempt_id, %(kind)s, %(now)s, %(data)s::jsonb "
        "FROM saved RETURNING id")


def _newer_seq_wins(answers: str) -> str:
    """The upsert clause of both save paths: a stored answer is overwritten only by a newer ``seq``."""
    return ("ON CONFLICT (attempt_id, question_id) DO UPDATE SET response = excluded.response, "
            f"seq = excluded.seq, saved_at = excluded.saved_at WHERE {answers}.seq < excluded.seq")


def _upsert_answer(attempt_id: int, question_id: int, response: Any, seq: int, now: dt.datetime) -> bool:
    """Insert the answer, or overwrite it only if ``seq`` is newer than the stored one, in one statement.
    False: nothing written (a replay, or an older save overtaken by a newer one)."""
    table = connection.ops.quote_name(Answer._meta.db_table)
    field = Answer._meta.get_field("response")
    value = field.get_db_prep_save(response, connection)
    saved_at = Answer._meta.get_field("saved_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (attempt_id, question_id, response, seq, saved_at, comment) "  # noqa: S608 - table name
            f"VALUES (%s, %s, %s, %s, %s, '') {_newer_seq_wins(table)} RETURNING id",
            [attempt_id, question_id, value, seq, saved_at])
        return cursor.fetchone() is not None
