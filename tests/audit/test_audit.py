"""Audit log (X-2): read per championship with filters; no way to edit or delete entries."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from profmaster.audit.models import AuditEntry
from profmaster.championships import domain

from ..factories import CompetencyFactory

pytestmark = pytest.mark.django_db


def test_x2_log_page_filters_by_action_and_object_type(client, championship, directorate_user):
    competency = CompetencyFactory(championship=championship, name="Флористика")
    competency.expert_count = 6
    domain.save_competency(competency, by=directorate_user, reason="Слепая оценка")
    domain.move_stage_phase(championship.stages.create(name="Финал", kind="final", starts_on="2023-04-01",
                                                       ends_on="2023-04-02"), to="registration", by=directorate_user)
    client.force_login(directorate_user)
    body = client.get(f"/championships/{championship.pk}/audit/?action=update").content.decode()
    assert "Слепая оценка" in body and "Флористика" in body
    assert "Финал" not in body
    body = client.get(f"/championships/{championship.pk}/audit/?object_type=championships.Stage").content.decode()
    assert "Финал" in body and "Слепая оценка" not in body


def test_x2_log_page_survives_bad_filters(client, championship, directorate_user):
    client.force_login(directorate_user)
    response = client.get(f"/championships/{championship.pk}/audit/?date_from=2023-13-45&action=nuke&page=x")
    assert response.status_code == 200
    assert "Введите правильную дату" in response.content.decode()


def test_x2_entries_cannot_be_changed_through_the_application(championship, directorate_user):
    entry = AuditEntry.objects.create(action="create", object_type="x", object_id="1", object_repr="x",
                                      championship=championship)
    entry.reason = "подделка"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_x2_database_refuses_update_and_delete_on_postgresql(championship):
    entry = AuditEntry.objects.create(action="create", object_type="x", object_id="1", object_repr="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="подделка")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_x2_audit_filter_and_rows_show_russian_model_names_not_raw_labels(client, championship, directorate_user):
    """Issue 13 §3: the object-type filter offered «championships.Stage»; it offers «Этап» (verbose_name)."""
    from profmaster.audit.views import object_type_label

    domain.move_stage_phase(championship.stages.create(name="Финал", kind="final", starts_on="2023-04-01",
                                                       ends_on="2023-04-02"), to="registration", by=directorate_user)
    client.force_login(directorate_user)
    body = client.get(f"/championships/{championship.pk}/audit/").content.decode()
    assert '<option value="championships.Stage">Этап</option>' in body
    assert ">championships.Stage<" not in body and "championships.Stage #" not in body
    assert object_type_label("registration.Application") == "Заявка"
    assert object_type_label("no.SuchModel") == "no.SuchModel"
    assert object_type_label("x") == "x"
