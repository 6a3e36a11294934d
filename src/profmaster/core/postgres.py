"""A cursor for the few hot statements on PostgreSQL that profit from a plan made once per connection.

Django binds parameters on the client and never prepares statements (so that transaction-mode connection
poolers keep working); the deployment in README talks to PostgreSQL directly or through psycopg's own pool,
where a server-side prepared statement lives as long as its connection. :func:`prepared_cursor` is Django's
cursor wrapper — error translation, execute wrappers, query logging in tests — around a psycopg cursor that
binds on the server and prepares what it runs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

_NEVER_BY_COUNT = 2**31 - 1


class _PreparingCursor(ServerBindingCursor):  # type: ignore[misc]
    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None,
                **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True, binary=binary, **kwargs)


class _PreparedDebugCursor(CursorDebugWrapper):
    """Django's logging cursor (tests, DEBUG) for a prepared statement: psycopg keeps no text of the query it
    sent by name, so the log gets the statement as written, placeholders and all."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def prepared_cursor(connection: BaseDatabaseWrapper | Any = default_connection) -> Iterator[Any]:
    """A cursor of ``connection`` (PostgreSQL only; the default one unless given) whose statements are prepared
    on first use."""
    connection.ensure_connection()
    driver = connection.connection
    if driver.prepare_threshold is None:
        # Django switches the driver's preparing off (``prepare_threshold`` None), which refuses even an explicit
        # ``prepare=True``. A threshold no statement reaches prepares only what asks for it: Django's own cursors
        # bind on the client and are never prepared.
        driver.prepare_threshold = _NEVER_BY_COUNT
    raw = _PreparingCursor(driver)
    cursor = _PreparedDebugCursor(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor



def fetch_by_pk(model: type[Any], pk: Any, *, related: tuple[str, ...] = (),
                connection: BaseDatabaseWrapper | Any = default_connection) -> Any:
    """The ``model`` row of ``pk`` with the rows of its ``related`` forward foreign keys joined (paths such as
    ``"festival__championship"`` too), or None — what ``model._base_manager.select_related(*related).filter(pk=pk)
    .first()`` gives, for the hottest reads: on PostgreSQL one prepared statement instead of a query compiled by
    the ORM on every call; elsewhere that ORM query. The base table's row: no manager's filter applies."""
    if connection.vendor != "postgresql":
        return model._base_manager.using(connection.alias).select_related(*related).filter(pk=pk).first()
    fields, joined, sql, converted = _fetch_plan(model, related, connection.alias)  # type: ignore[arg-type]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for index, field in converted:  # what the ORM's converters do to a value read (JSON's text parsed, …)
        row[index] = field.from_db_value(row[index], None, connection)
    width = len(fields)
    instance = model.from_db(connection.alias, [f.attname for f in fields], row[:width])
    read: list[Any] = []  # the instance of each join, None where the LEFT JOIN found no row
    for parent, field, related_fields in joined:
        values = row[width:width + len(related_fields)]
        width += len(related_fields)
        target = None if values[0] is None else field.related_model.from_db(
            connection.alias, [f.attname for f in related_fields], values)
        owner = instance if parent < 0 else read[parent]
        if owner is not None:
            field.set_cached_value(owner, target)
        read.append(target)
    return instance


@functools.cache
def _fetch_plan(model: type[Any], related: tuple[str, ...], alias: str
                ) -> tuple[list[Any], list[tuple[int, Any, list[Any]]], str, list[tuple[int, Any]]]:
    """The base fields, the joins (index of the join they hang from, -1 for the base row; the foreign key; the
    related model's fields), the SQL and the columns with a converter — worked out once per model and paths."""
    quote = connections[alias].ops.quote_name
    fields = list(model._meta.concrete_fields)
    columns = [f"t.{quote(f.column)}" for f in fields]
    joins: list[str] = []
    joined: list[tuple[int, Any, list[Any]]] = []
    index_of: dict[tuple[str, ...], int] = {}
    for path in related:
        parent, current = -1, model
        prefix: tuple[str, ...] = ()
        for name in path.split("__"):
            prefix = (*prefix, name)
            field = current._meta.get_field(name)
            if prefix not in index_of:
                n = len(joined)
                related_fields = list(field.related_model._meta.concrete_fields)
                columns += [f"r{n}.{quote(f.column)}" for f in related_fields]
                owner = "t" if parent < 0 else f"r{parent}"
                joins.append(f"LEFT JOIN {quote(field.related_model._meta.db_table)} r{n} "
                             f"ON r{n}.{quote(field.target_field.column)} = {owner}.{quote(field.column)}")
                joined.append((parent, field, related_fields))
                index_of[prefix] = n
            parent, current = index_of[prefix], field.related_model
    sql = (f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} t {' '.join(joins)} "  # noqa: S608
           f"WHERE t.{quote(model._meta.pk.column)} = %s")
    every = fields + [f for _parent, _field, related_fields in joined for f in related_fields]
    converted = [(index, f) for index, f in enumerate(every) if hasattr(f, "from_db_value")]
    return fields, joined, sql, converted


# --- Append-only tables (X-2) -----------------------------------------------------------------------
# The audit log and the marks ledger refuse UPDATE, DELETE and TRUNCATE at the database itself, so that
# neither a bug nor a person with an SQL prompt (short of dropping the trigger, which ``verify_audit`` and
# ``verify_marks`` then show) rewrites history. Each table's migrations call these helpers.


def _quoted(message: str) -> str:
    return message.replace("'", "''")


def append_only_sql(table: str, name: str, message: str) -> tuple[str, str]:
    """The SQL that creates, and the SQL that drops, a row-level trigger refusing UPDATE and DELETE on ``table``
    (function and trigger both called ``name``)."""
    create = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{_quoted(message)}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""
    return create, drop


def no_truncate_sql(table: str, name: str, message: str) -> tuple[str, str]:
    """The SQL that creates, and the SQL that drops, a statement-level trigger refusing TRUNCATE on ``table``
    (row triggers never fire on TRUNCATE)."""
    create = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{_quoted(message)}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name}
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""
    return create, drop


def run_on_postgresql(create: str, drop: str) -> Any:
    """A migration operation that runs ``create`` forwards and ``drop`` backwards, on PostgreSQL only."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop)

    return migrations.RunPython(forwards, backwards, elidable=False)
