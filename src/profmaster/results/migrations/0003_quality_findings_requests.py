"""DOC-4: the history of each quality-check item, and the requests of 003 §10.3.

Every item answered before keeps its current answer as the first entry of its history."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def first_findings(apps, schema_editor):
    QualityCheck = apps.get_model("results", "QualityCheck")
    QualityFinding = apps.get_model("results", "QualityFinding")
    QualityFinding.objects.bulk_create(
        QualityFinding(item=check, outcome=check.outcome, finding=check.finding, evidence=check.evidence,
                       checked_by_id=check.checked_by_id, checked_at=check.checked_at)
        for check in QualityCheck.objects.all())


class Migration(migrations.Migration):

    dependencies = [
        ('championships', '0002_championship_time_zone'),
        ('results', '0002_revocation_invalidation_links_register_lifting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='QualityFinding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('outcome', models.CharField(choices=[('not_checked', 'Не проверено'), ('ok', 'Нарушений нет'), ('violation', 'Нарушение'), ('remedied', 'Нарушение устранено')], max_length=16, verbose_name='результат')),
                ('finding', models.TextField(blank=True, verbose_name='выявлено')),
                ('evidence', models.TextField(blank=True, verbose_name='доказательства')),
                ('confirmed_suggestion', models.BooleanField(default=False, verbose_name='подтверждено предложение системы')),
                ('checked_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='когда')),
                ('checked_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='проверил(а)')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='results.qualitycheck', verbose_name='пункт проверки')),
            ],
            options={
                'verbose_name': 'запись проверки качества',
                'verbose_name_plural': 'история проверки качества',
                'ordering': ['item', '-checked_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='QualityRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(verbose_name='запрошенная информация')),
                ('due_at', models.DateTimeField(verbose_name='срок ответа')),
                ('asked_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='запрошено')),
                ('status', models.CharField(choices=[('open', 'Ожидает ответа'), ('answered', 'Ответ получен'), ('refused', 'Отказ в предоставлении')], default='open', max_length=16, verbose_name='состояние')),
                ('answer', models.TextField(blank=True, verbose_name='ответ или причина отказа')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='дата ответа')),
                ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ответил(а)')),
                ('asked_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='запросил(а)')),
                ('competency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quality_requests', to='championships.competency', verbose_name='компетенция')),
            ],
            options={
                'verbose_name': 'запрос контроля качества',
                'verbose_name_plural': 'запросы контроля качества',
                'ordering': ['competency', '-asked_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(models.Q(('answer', ''), _negated=True), ('answered_by__isnull', False), ('answered_at__isnull', False)), _connector='OR'), name='quality_request_closed_has_answer', violation_error_message='Ответ или отказ записывается с текстом.'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'open'), _negated=True), models.Q(('answer', ''), ('answered_by__isnull', True)), _connector='OR'), name='quality_request_open_has_no_answer')],
            },
        ),
        migrations.RunPython(first_findings, migrations.RunPython.noop),
]
