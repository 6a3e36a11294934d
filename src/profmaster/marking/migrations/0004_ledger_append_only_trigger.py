"""On PostgreSQL, refuse UPDATE and DELETE on the marks ledger at the database itself (X-2)."""

from django.db import migrations

from profmaster.core.postgres import append_only_sql, run_on_postgresql

CREATE, DROP = append_only_sql("marking_markentry", "marking_ledger_append_only", "the marks ledger is append-only")


class Migration(migrations.Migration):
    dependencies = [("marking", "0003_marks_panel_ledger")]
    operations = [run_on_postgresql(CREATE, DROP)]
