"""DOC-2: generated documents are read-only (their generator named), earlier редакции are kept.

Documents of the kinds the platform forms from its records that exist already are marked as generated:
the judging-roles and registration protocols by the generator that forms them again, the rest as
``legacy`` (read-only, not formed again: which records they came from was not recorded).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


GENERATED = ["registration", "judging_roles", "criteria_lock", "marks_lock", "unlock", "remote_results",
             "final_results", "quality_report"]


def mark_generated(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    for document in Document.objects.filter(doc_type__in=GENERATED, generator=""):
        if document.doc_type == "judging_roles" and document.competency_id:
            document.generator, document.source = "marking.judging_roles", {"competency": document.competency_id}
        elif document.doc_type == "registration":
            document.generator, document.source = "registration.protocol", {"championship": document.championship_id}
        else:
            document.generator = "legacy"
        document.save(update_fields=["generator", "source"])


class Migration(migrations.Migration):

    dependencies = [
        ('championships', '0002_championship_time_zone'),
        ('documents', '0002_pdf_version_unbounded'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DocumentRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(verbose_name='редакция')),
                ('title', models.CharField(max_length=300, verbose_name='заголовок')),
                ('data', models.JSONField(default=dict, verbose_name='содержание')),
                ('content_hash', models.CharField(max_length=64, verbose_name='хеш содержания (SHA-256)')),
                ('replaced_at', models.DateTimeField(verbose_name='заменена')),
                ('reason', models.TextField(verbose_name='причина замены')),
                ('regenerated', models.BooleanField(default=False, verbose_name='сформирован заново из записей')),
            ],
            options={
                'verbose_name': 'прежняя редакция документа',
                'verbose_name_plural': 'прежние редакции документов',
                'ordering': ['document', '-version'],
            },
        ),
        migrations.AddField(
            model_name='document',
            name='generator',
            field=models.CharField(blank=True, max_length=60, verbose_name='формируется из'),
        ),
        migrations.AddField(
            model_name='document',
            name='source',
            field=models.JSONField(blank=True, default=dict, verbose_name='источник'),
        ),
        migrations.AlterField(
            model_name='document',
            name='doc_type',
            field=models.CharField(choices=[('venue_acceptance', 'Протокол приёма площадки'), ('registration', 'Протокол регистрации экспертов, наставников и участников'), ('familiarisation', 'Протокол об ознакомлении (рабочие места, документация, ОТ и ТБ, жюри, жеребьёвка)'), ('non_appearance', 'Протокол неявки участников/наставника'), ('incident', 'Протокол согласования внештатной ситуации'), ('judging_roles', 'Протокол распределения судейских ролей'), ('score_sheets_familiarisation', 'Протокол об ознакомлении с ведомостями оценки'), ('toolbox_check', 'Протокол проверки тулбокса участника'), ('timekeeping', 'Протокол учёта времени'), ('unlock', 'Протокол разблокировки оценок/критериев'), ('criteria_lock', 'Протокол блокировки критериев'), ('marks_lock', 'Протокол сверки и блокировки оценок'), ('handwritten_sheets', 'Рукописные оценочные ведомости'), ('remote_results', 'Протокол результатов дистанционного этапа'), ('final_results', 'Протокол результатов финала'), ('quality_report', 'Отчёт о проверке качества проведения чемпионата'), ('other', 'Другой документ')], max_length=40, verbose_name='вид документа'),
        ),
        migrations.RunPython(mark_generated, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('doc_type__in', ['criteria_lock', 'final_results', 'judging_roles', 'marks_lock', 'quality_report', 'registration', 'remote_results', 'unlock']), _negated=True), models.Q(('generator', ''), _negated=True), _connector='OR'), name='document_generated_type_has_generator', violation_error_message='Документ этого вида формируется только системой.'),
        ),
        migrations.AddField(
            model_name='documentrevision',
            name='document',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='documents.document'),
        ),
        migrations.AddField(
            model_name='documentrevision',
            name='replaced_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='заменил(а)'),
        ),
        migrations.AddConstraint(
            model_name='documentrevision',
            constraint=models.UniqueConstraint(fields=('document', 'version'), name='document_revision_unique'),
        ),
    ]
