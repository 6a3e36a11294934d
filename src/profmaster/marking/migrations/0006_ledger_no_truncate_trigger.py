"""On PostgreSQL, refuse TRUNCATE of the marks ledger at the database itself (X-2)."""

from django.db import migrations

from profmaster.core.postgres import no_truncate_sql, run_on_postgresql

CREATE, DROP = no_truncate_sql("marking_markentry", "marking_ledger_no_truncate", "the marks ledger is append-only")


class Migration(migrations.Migration):
    dependencies = [("marking", "0005_sheet_receipt")]
    operations = [run_on_postgresql(CREATE, DROP)]
