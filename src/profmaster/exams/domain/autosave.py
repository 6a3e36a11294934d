"""The autosave (RM-1, item 4; the busiest path of the platform): one answer saved idempotently by its
``seq``, with the attempt's token as the authority. On PostgreSQL the common save is one prepared
statement (:func:`try_save_answer`), shared by the saves that arrive together in one process
(:class:`_GroupCommit`), with the paper's keys kept per process; everything unusual goes the general way
(:func:`save_answer`)."""

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
    if ``seq`` is newer and logs the save; saves arriving together in one process share that statement
    (:class:`_GroupCommit`). The response is checked against the paper beforehand; the paper is read once per
    attempt and process (:func:`_paper_of`).

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
    save = _Save((attempt_id, question_id), {
        "attempt": attempt_id, "token": token, "at": now.isoformat(), "question": question_id, "response": cleaned,
        "seq": seq, "data": {"question": question_id, "seq": seq, "response": repr(cleaned)[:EVENT_RESPONSE_CHARS]}})
    saved = _execute([save], db) if db.in_atomic_block else _GROUP.run(save, db)
    return SaveAck(question_id, seq, now, False) if saved else None


class _Save:
    """One save for the statement: its key (attempt, question), its row of the statement's input and, once run
    by another thread's statement, whether it was written (``outcome``) or is to run alone, that statement
    having failed (``alone``). ``turn`` wakes a save that waits (made only then)."""

    __slots__ = ("alone", "key", "outcome", "row", "turn")

    def __init__(self, key: tuple[int, int], row: dict[str, Any]) -> None:
        self.key = key
        self.row = row
        self.outcome: bool | None = None  # None when woken: its turn to run the next statement
        self.alone = False
        self.turn: threading.Event | None = None


#: Saves one statement takes at most.
MAX_GROUP = 32


class _GroupCommit:
    """Saves that arrive together in one process share one statement — one transaction, one commit (RM-1 at
    scale: the statement's round trip and PostgreSQL's work per transaction are most of a save's cost).

    A save arriving while no statement of this process runs is run at once, alone: nothing waits for a timer
    and an idle process saves as before. Saves arriving while a statement runs wait; when it ends, the first
    of them runs the next statement with all that waited meanwhile (at most :data:`MAX_GROUP`, one per attempt
    question — an upsert cannot write a row twice — the rest wait for the one after). Each save is written or
    not exactly as alone: every row carries its own token, time and ``seq``. If a statement fails, every save
    in it runs again alone on its own thread's connection, so each gets the outcome it would have had alone
    (the save is idempotent by ``seq``); the statement that failed wrote nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[_Save] = []
        self._running = False

    def run(self, save: _Save, db: Any) -> bool:
        """Whether ``save`` was written (False: written by nobody; its general path decides)."""
        with self._lock:
            lead = not self._running
            if lead:
                self._running = True
            else:
                save.turn = threading.Event()
                self._waiting.append(save)
        if save.turn is not None:
            save.turn.wait()
            if save.alone:
                return _execute([save], db)
            if save.outcome is not None:
                return save.outcome
        batch = [save]  # its turn: it runs itself and what waits
        written: set[tuple[int, int]] = set()
        failed = True
        try:
            with self._lock:
                keys, rest = {save.key}, []
                for other in self._waiting:
                    if len(batch) < MAX_GROUP and other.key not in keys:
                        batch.append(other)
                        keys.add(other.key)
                    else:
                        rest.append(other)
                self._waiting[:] = rest
            written = _execute_keys(batch, db)
            failed = False
        finally:
            with self._lock:
                for other in batch[1:]:
                    other.alone, other.outcome = failed, other.key in written
                    _wake(other)
                if self._waiting:
                    _wake(self._waiting.pop(0))  # the next statement is that save's to run
                else:
                    self._running = False
        return save.key in written


def _wake(save: _Save) -> None:
    if save.turn is not None:  # every save that waits has one
        save.turn.set()


_GROUP = _GroupCommit()


def _execute(saves: list[_Save], db: Any) -> bool:
    """Run ``saves`` in one statement on ``db``; whether the first was written."""
    return saves[0].key in _execute_keys(saves, db)


def _execute_keys(saves: list[_Save], db: Any) -> set[tuple[int, int]]:
    """The keys of ``saves`` that one statement on ``db`` wrote (with their save events)."""
    params = {"rows": json.dumps([s.row for s in saves]), "open": Attempt.Status.IN_PROGRESS.value,
              "kind": AttemptEvent.Kind.SAVE.value}
    with prepared_cursor(db) as cursor:  # the plan is made once per connection and reused by every save
        cursor.execute(_save_sql(), params)
        return set(cursor.fetchall())


@functools.cache
def _save_sql() -> str:
    """The saves of a group: the attempts locked in id order (two statements never wait for each other), each
    answer upserted where its attempt is open with its token and before its deadline, each written one logged.
    The input is one JSON array (a parameter of one type whatever the group's size, so one prepared plan)."""
    attempts = connection.ops.quote_name(Attempt._meta.db_table)
    answers = connection.ops.quote_name(Answer._meta.db_table)
    events = connection.ops.quote_name(AttemptEvent._meta.db_table)
    return (
        "WITH input AS (SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS i(attempt bigint, token text, "  # noqa: S608
        "at timestamptz, question bigint, response jsonb, seq integer, data jsonb)), "
        f"open AS (SELECT id, status, lock_token, accept_until FROM {attempts} "
        "WHERE id = ANY(ARRAY(SELECT attempt FROM input)) ORDER BY id FOR UPDATE), "
        f"saved AS (INSERT INTO {answers} (attempt_id, question_id, response, seq, saved_at, comment) "
        "SELECT i.attempt, i.question, i.response, i.seq, i.at, '' FROM input i JOIN open o ON o.id = i.attempt "
        "AND o.status = %(open)s AND o.lock_token = i.token AND (o.accept_until IS NULL OR o.accept_until > i.at) "
        f"{_newer_seq_wins(answers)} RETURNING attempt_id, question_id, seq), "
        f"logged AS (INSERT INTO {events} (attempt_id, kind, at, data) SELECT i.attempt, %(kind)s, i.at, i.data "
        "FROM saved s JOIN input i ON i.attempt = s.attempt_id AND i.question = s.question_id AND i.seq = s.seq) "
        "SELECT attempt_id, question_id FROM saved")


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
