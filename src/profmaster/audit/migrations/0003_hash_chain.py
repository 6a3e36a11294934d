"""X-2: chain the audit log by hash (backfilling the entries written before) and refuse TRUNCATE on PostgreSQL."""

import django.utils.timezone
from django.db import migrations, models

from profmaster.core.postgres import append_only_sql, no_truncate_sql, run_on_postgresql

APPEND_ONLY = append_only_sql("audit_auditentry", "audit_entry_append_only", "audit entries are append-only")
NO_TRUNCATE = no_truncate_sql("audit_auditentry", "audit_entry_no_truncate", "audit entries are append-only")


def chain_existing(apps, schema_editor):
    from profmaster.audit import chain

    AuditEntry = apps.get_model("audit", "AuditEntry")
    prev = chain.GENESIS
    for seq, entry in enumerate(AuditEntry.objects.order_by("id").iterator(chunk_size=2000), start=1):
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = chain.entry_hash(prev, chain.entry_fields(entry))
        AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq, prev_hash=entry.prev_hash, hash=entry.hash)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        # The backfill updates rows: the row trigger steps aside for it and comes back after.
        run_on_postgresql(APPEND_ONLY[1], APPEND_ONLY[0]),
        migrations.AlterField(
            model_name="auditentry", name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False,
                                       verbose_name="когда")),
        migrations.AlterField(
            model_name="auditentry", name="action",
            field=models.CharField(choices=[("create", "Создание"), ("update", "Изменение"), ("delete", "Удаление"),
                                            ("transition", "Смена состояния"), ("sign", "Подписание"),
                                            ("access", "Доступ к данным"), ("anchor", "Контрольные хеши")],
                                   max_length=16, verbose_name="действие")),
        migrations.AddField(model_name="auditentry", name="seq",
                            field=models.PositiveBigIntegerField(default=0, editable=False, verbose_name="номер записи"),
                            preserve_default=False),
        migrations.AddField(model_name="auditentry", name="prev_hash",
                            field=models.CharField(default="", editable=False, max_length=64), preserve_default=False),
        migrations.AddField(model_name="auditentry", name="hash",
                            field=models.CharField(default="", editable=False, max_length=64), preserve_default=False),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(model_name="auditentry",
                                 constraint=models.UniqueConstraint(fields=["seq"], name="audit_entry_seq_unique")),
        run_on_postgresql(*APPEND_ONLY),
        run_on_postgresql(*NO_TRUNCATE),
    ]
