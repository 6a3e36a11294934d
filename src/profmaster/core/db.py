"""One retry of an idempotent write when the database dropped the connection (X-5, issue 13 §6).

A PostgreSQL restart under exam load used to end each in-flight save in an HTTP 500 (330 of 22,912). The
saves on the hot write paths — the exam's autosave and the marks grid's cell — are idempotent by design (a
``seq`` that is not newer is a replay; an unchanged mark writes nothing), so running one again after the
connection broke can only finish what the first run could not. :func:`retry_on_disconnect` does that once,
on a fresh connection; a second failure goes up to the caller, which answers 503 with Retry-After
(:class:`profmaster.core.middleware.DatabaseUnavailableMiddleware`, the API's handler, the autosave layer).

Only a lost connection is retried: a serialization failure or deadlock (also ``OperationalError`` in
psycopg), a constraint violation or bad data is an answer of the database, not its absence. Nothing is
retried inside an outer transaction: its earlier writes went with the connection.
"""

from __future__ import annotations

import contextvars
import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

#: SQLSTATEs that mean the server ended the session: class 08 (connection exception) and the shutdowns of
#: class 57 (``pg_terminate_backend`` and a fast or immediate restart, a crash, "the database is starting up").
_SHUTDOWN_STATES = frozenset({"57P01", "57P02", "57P03"})

#: Set while a retrying call runs, so that a decorated function calling another retries only once in all.
_retrying: contextvars.ContextVar[bool] = contextvars.ContextVar("retrying", default=False)


def connection_lost(exc: BaseException, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether ``exc`` means that the connection ``alias`` is gone (or could not be made), not that the
    database refused the statement."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    cause = exc.__cause__ or exc
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return bool(sqlstate.startswith("08") or sqlstate in _SHUTDOWN_STATES)
    # No SQLSTATE: the driver found the connection closed or broken, or could not connect at all.
    raw = connections[alias].connection
    return raw is None or bool(getattr(raw, "closed", False)) or bool(getattr(raw, "broken", False))


def discard_connection(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Close the broken connection so the next query connects afresh (outside a transaction only)."""
    conn = connections[alias]
    if conn.in_atomic_block:
        return
    try:
        conn.close()
    except DatabaseError:
        conn.connection = None


def retry_on_disconnect(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` again, once, on a new connection if the database dropped the connection under it.

    For idempotent writes that open their own transaction; called inside an outer transaction it runs once.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _retrying.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return func(*args, **kwargs)
        token = _retrying.set(True)
        try:
            try:
                return func(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if not connection_lost(exc):
                    raise
                logger.warning("Database connection lost in %s (%s: %s); retrying once", func.__qualname__,
                               type(exc).__name__, exc)
                discard_connection()
            try:
                return func(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if connection_lost(exc):
                    discard_connection()  # the caller answers 503; the next request connects afresh
                raise
        finally:
            _retrying.reset(token)

    return wrapper



def retry_instead_of_health_check(func: Callable[P, R]) -> Callable[P, R]:
    """:func:`retry_on_disconnect`, and the request's connection is not health-checked first.

    ``CONN_HEALTH_CHECKS`` costs each request that reuses a connection one ``SELECT 1`` round trip before its first
    statement. A view wrapped by this finds a dropped connection with its own first statement instead and runs
    once more on a new one, as :func:`retry_on_disconnect` does for a connection lost in the middle — for the
    hottest request (the marks grid's autosave) that is one round trip of nine saved, with the same outcome.
    """
    retried = retry_on_disconnect(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        conn = connections[DEFAULT_DB_ALIAS]
        if conn.connection is not None and not conn.in_atomic_block:
            conn.health_check_done = True  # type: ignore[attr-defined]  # Django sets it (CONN_HEALTH_CHECKS)
        return retried(*args, **kwargs)

    return wrapper
