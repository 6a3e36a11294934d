"""On PostgreSQL, refuse UPDATE and DELETE on the marks ledger at the database itself (X-2)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION marking_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the marks ledger is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER marking_ledger_append_only
    BEFORE UPDATE OR DELETE ON marking_markentry
    FOR EACH ROW EXECUTE FUNCTION marking_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS marking_ledger_append_only ON marking_markentry;
DROP FUNCTION IF EXISTS marking_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("marking", "0003_marks_panel_ledger")]
    operations = [migrations.RunPython(forwards, backwards)]
