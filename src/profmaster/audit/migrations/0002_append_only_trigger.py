"""On PostgreSQL, refuse UPDATE and DELETE on audit entries at the database itself (X-2)."""

from django.db import migrations

from profmaster.core.postgres import append_only_sql, run_on_postgresql

CREATE, DROP = append_only_sql("audit_auditentry", "audit_entry_append_only", "audit entries are append-only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [run_on_postgresql(CREATE, DROP)]
