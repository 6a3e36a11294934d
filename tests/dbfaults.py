"""Faults of the database for the X-5 tests: the backend of the test's connection killed, as a restart does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection


def _params() -> dict[str, object]:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"}}


def kill_backend_of_this_connection() -> None:
    """``pg_terminate_backend`` of the server process behind Django's connection, from another connection."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextmanager
def database_away() -> Iterator[None]:
    """Inside: the connection is killed and no new one can be made (the server is still restarting)."""
    kill_backend_of_this_connection()
    saved = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = "1"  # nothing listens there: connecting is refused at once
    try:
        yield
    finally:
        connection.settings_dict["PORT"] = saved
        connection.close()


@contextmanager
def killed_before(fragment: str) -> Iterator[list[str]]:
    """Inside: the backend is killed just before the first statement containing ``fragment`` is sent — a
    restart in the middle of a request. Yields the statements run, for the test to see where it struck."""
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        if fragment in sql and not any(fragment in s for s in seen[:-1]):
            kill_backend_of_this_connection()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen
