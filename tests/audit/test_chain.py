"""X-2 (issue 13 §5): the audit log is one hash chain that ``manage.py verify_audit`` recomputes, and on
PostgreSQL neither the audit log nor the marks ledger can be emptied with TRUNCATE."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from profmaster.audit import chain
from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def _entries(championship, count=3):
    for n in range(count):
        record(actor=None, action=AuditEntry.Action.UPDATE, instance=championship, before={"n": n},
               after={"n": n + 1, "name": "Мастерята", "points": 1.5}, reason=f"правка {n}")
    return list(AuditEntry.objects.order_by("seq"))


def _drop_row_trigger():
    """What an administrator with SQL does first (undone with the test's transaction)."""
    if ON_POSTGRESQL:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER audit_entry_append_only ON audit_auditentry")


def test_x2_audit_entries_form_one_hash_chain(championship, capsys):
    entries = _entries(championship)
    first = entries[0].seq
    assert [e.seq for e in entries] == list(range(first, first + len(entries)))
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    stored = AuditEntry.objects.get(pk=entries[-1].pk)  # as read back from the database
    assert stored.hash == chain.entry_hash(stored.prev_hash, chain.entry_fields(stored))
    assert chain.verify(AuditEntry.objects.order_by("seq")) == []
    call_command("verify_audit")
    assert f"audit log intact ({entries[-1].seq} entries, head {entries[-1].hash})" in capsys.readouterr().out


def test_x2_verify_audit_reports_an_entry_updated_in_sql_with_the_trigger_dropped(championship, capsys):
    entries = _entries(championship)
    _drop_row_trigger()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["подделка", entries[1].pk])
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_audit")
    assert f"audit log: entry #{entries[1].seq} was altered after it was written" in capsys.readouterr().out


def test_x2_verify_audit_reports_a_deleted_entry(championship, capsys):
    entries = _entries(championship)
    _drop_row_trigger()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"entry #{entries[2].seq} where #{entries[1].seq} was expected (entry missing)" in out


def test_x2_json_content_reads_back_as_hashed(championship):
    """What the hash covers is what the database gives back: PostgreSQL's jsonb prints 1e16 as digits."""
    entry = record(actor=None, action=AuditEntry.Action.UPDATE, instance=championship,
                   after={"big": 1e16, "small": 0.1, "text": "ё", "bad": float("inf")})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.after == {"big": 10000000000000000, "small": 0.1, "text": "ё", "bad": "inf"}
    assert stored.hash == entry.hash == chain.entry_hash(stored.prev_hash, chain.entry_fields(stored))


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the triggers exist on PostgreSQL")
@pytest.mark.parametrize("table", ["audit_auditentry", "marking_markentry"])
def test_x2_truncate_refused_on_postgresql(championship, table):
    """Raw SQL TRUNCATE of the audit log and of the marks ledger fails (a statement-level trigger)."""
    _entries(championship, count=1)
    count = AuditEntry.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks stand in the way
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AuditEntry.objects.count() == count
    # The negative case: without the statement trigger the same TRUNCATE goes through.
    trigger = {"audit_auditentry": "audit_entry_no_truncate", "marking_markentry": "marking_ledger_no_truncate"}[table]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {trigger} ON {table}")
        cursor.execute(f"TRUNCATE {table} CASCADE")
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone() == (0,)
        transaction.set_rollback(True)
    assert AuditEntry.objects.count() == count
