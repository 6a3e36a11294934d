"""DOC-2 (issue 13 §3b): generated protocols are read-only. Their content comes only from the records; it is
formed again with a reason (a new редакция, the old one kept, signatures voided, audited); nobody types in a
document of a generated kind, on the page or through the API; no page edits raw JSON."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.domain import (
    create_document,
    create_generated_document,
    regenerate_document,
    sign_document,
    update_document_content,
)
from profmaster.documents.forms import DocumentCreateForm
from profmaster.documents.models import GENERATED_TYPES, Document, DocumentRevision, DocumentType, Signature
from profmaster.marking.models import JudgingRole
from profmaster.marking.panel import roles_protocol

from ..factories import PASSWORD, CompetencyFactory, UserFactory, give_role


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def roles_document(competency, chief_expert, expert):
    JudgingRole.objects.create(competency=competency, user=expert, duty="Оценка субкритерия A1")
    return roles_protocol(competency, by=chief_expert)


def test_doc2_generated_protocol_carries_its_generator(roles_document, competency):
    assert (roles_document.generator, roles_document.source) == ("marking.judging_roles", {"competency": competency.pk})
    assert roles_document.is_generated


@pytest.mark.parametrize("doc_type", sorted(GENERATED_TYPES))
def test_doc2_free_text_document_cannot_take_a_generated_type(doc_type, championship, competency, directorate_user,
                                                               chief_expert):
    with pytest.raises(DomainError) as refused:
        create_document(championship=championship, competency=competency, doc_type=doc_type, title="Протокол",
                        data={"text": "Золото: Подделкин"}, signers=[(chief_expert, "ГЭ")], by=directorate_user)
    assert refused.value.field == "doc_type"
    assert "формируется системой из записей" in refused.value.message
    assert not Document.objects.exists()


def test_doc2_database_refuses_a_generated_type_without_generator(championship, directorate_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(championship=championship, doc_type=DocumentType.FINAL_RESULTS, number=1,
                                title="Протокол", data={}, content_hash="0" * 64, created_by=directorate_user)


def test_doc2_unknown_generator_refused(championship, directorate_user, chief_expert):
    with pytest.raises(DomainError) as refused:
        create_generated_document(championship=championship, doc_type=DocumentType.FINAL_RESULTS, title="П",
                                  data={}, signers=[(chief_expert, "ГЭ")], by=directorate_user, generator="typed")
    assert refused.value.field == "generator"


def test_doc2_create_form_offers_no_generated_type(championship, chief_expert, directorate_user):
    from profmaster.documents.selectors import signer_candidates

    form = DocumentCreateForm(competencies=championship.competencies.all(), whole_championship=True,
                              candidates=signer_candidates(championship))
    offered = {value for value, _label in form.fields["doc_type"].choices}
    assert not offered & GENERATED_TYPES
    assert {"handwritten_sheets", "other"} <= offered
    day_protocols = {"incident", "toolbox_check", "non_appearance", "timekeeping", "familiarisation", "draw"}
    assert day_protocols.isdisjoint(offered)  # OP-1…OP-6: generated from the day's records
    response = client_for(directorate_user).post(reverse("documents:create", args=[championship.pk]), {
        "doc_type": "final_results", "title": "Итоги", "text": "Золото: Подделкин",
        "signers": [chief_expert.role_assignments.first().pk]})
    assert response.status_code == 400
    assert "doc_type" in response.context["form"].errors
    assert not Document.objects.exists()


def test_doc2_domain_refuses_editing_generated_content(roles_document, chief_expert):
    with pytest.raises(TransitionError):
        update_document_content(roles_document, data={"text": "Золото: Подделкин"}, by=chief_expert,
                                reason="Правка")
    roles_document.refresh_from_db()
    assert roles_document.version == 1 and "Подделкин" not in str(roles_document.data)


def test_doc2_edit_page_of_generated_protocol_edits_nothing(roles_document, chief_expert):
    client = client_for(chief_expert)
    url = reverse("documents:edit", args=[roles_document.pk])
    page = client.get(url, follow=True)
    assert page.redirect_chain == [(reverse("documents:detail", args=[roles_document.pk]), 302)]
    assert "не изменяется вручную" in page.content.decode()
    posted = client.post(url, {"title": roles_document.title, "content_json": '{"text": "Золото: Подделкин"}',
                               "text": "Золото: Подделкин", "reason": "Правка"})
    assert posted.status_code == 302
    roles_document.refresh_from_db()
    assert roles_document.version == 1 and "Подделкин" not in str(roles_document.data)
    detail = client.get(reverse("documents:detail", args=[roles_document.pk])).content.decode()
    assert reverse("documents:edit", args=[roles_document.pk]) not in detail
    assert reverse("documents:regenerate", args=[roles_document.pk]) in detail


def test_doc2_regenerate_replaces_content_voids_signatures_keeps_revision(roles_document, competency, chief_expert,
                                                                         expert):
    sign_document(roles_document, signer=chief_expert, password=PASSWORD)
    old_hash, old_data = roles_document.content_hash, roles_document.data
    with pytest.raises(DomainError) as unchanged:  # nothing changed in the records
        regenerate_document(roles_document, by=chief_expert, reason="Проверка")
    assert "Записи не изменились" in unchanged.value.message
    JudgingRole.objects.create(competency=competency, user=chief_expert, duty="Контроль времени")
    regenerate_document(roles_document, by=chief_expert, reason="Добавлена роль контроля времени")
    roles_document.refresh_from_db()
    assert roles_document.version == 2 and roles_document.content_hash != old_hash
    assert sorted(r["Роль"] for r in roles_document.data["Роли"]) == ["Контроль времени", "Оценка субкритерия A1"]
    revision = DocumentRevision.objects.get(document=roles_document)
    assert (revision.version, revision.content_hash, revision.data, revision.regenerated, revision.replaced_by) == (
        1, old_hash, old_data, True, chief_expert)
    signature = Signature.objects.get(document=roles_document)
    assert signature.voided_at is not None
    assert signature.void_reason == ("Документ сформирован заново из записей в редакции 2. "
                                     "Причина: Добавлена роль контроля времени")
    entry = AuditEntry.objects.filter(object_type="documents.Document", object_id=str(roles_document.pk),
                                      action=AuditEntry.Action.UPDATE).last()
    assert entry.reason == "Добавлена роль контроля времени" and entry.after["regenerated"] is True


def test_doc2_regenerate_needs_a_reason_and_refuses_typed_and_one_off(roles_document, championship, chief_expert,
                                                                     directorate_user):
    with pytest.raises(DomainError) as no_reason:
        regenerate_document(roles_document, by=chief_expert, reason="  ")
    assert no_reason.value.field == "reason"
    typed = create_document(championship=championship, doc_type=DocumentType.OTHER, title="Учёт времени",
                            data={"text": "10:00"}, signers=[(chief_expert, "ГЭ")], by=directorate_user)
    with pytest.raises(TransitionError):
        regenerate_document(typed, by=directorate_user, reason="Заново")
    one_off = create_generated_document(championship=championship, doc_type=DocumentType.MARKS_LOCK, title="Форма",
                                        data={"text": "…"}, signers=[(chief_expert, "ГЭ")], by=directorate_user,
                                        generator="marking.marks_lock")
    with pytest.raises(TransitionError) as refused:
        regenerate_document(one_off, by=directorate_user, reason="Заново")
    assert "однократное действие" in refused.value.message


def test_doc2_regenerate_page_and_permission_denials(roles_document, competency, championship, chief_expert, expert):
    url = reverse("documents:regenerate", args=[roles_document.pk])
    assert client_for(expert).post(url, {"reason": "Заново"}).status_code == 403  # a signer, not an editor
    other_chief = UserFactory()
    give_role(other_chief, Role.CHIEF_EXPERT, championship, CompetencyFactory(championship=championship,
                                                                              name="Электроника"))
    assert client_for(other_chief).post(url, {"reason": "Заново"}).status_code == 403
    client = client_for(chief_expert)
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["form"].errors
    JudgingRole.objects.create(competency=competency, user=chief_expert, duty="Контроль времени")
    done = client.post(url, {"reason": "Добавлена роль"}, follow=True)
    assert "Документ сформирован заново из записей: редакция 2." in done.content.decode()
    assert "Прежние редакции" in done.content.decode()


def test_doc2_api_refuses_generated_types_and_their_edits(roles_document, championship, competency, chief_expert):
    client = client_for(chief_expert)
    created = client.post(f"/api/v1/championships/{championship.pk}/documents", {
        "doc_type": "final_results", "title": "Итоги", "competency_id": competency.pk,
        "data": {"text": "Золото: Подделкин"}, "signers": [{"user_id": chief_expert.pk, "role_label": "ГЭ"}],
    }, content_type="application/json")
    assert created.status_code == 400 and created.json()["field"] == "doc_type"
    changed = client.put(f"/api/v1/documents/{roles_document.pk}", {
        "data": {"text": "Золото: Подделкин"}, "reason": "Правка"}, content_type="application/json")
    assert changed.status_code == 409
    JudgingRole.objects.create(competency=competency, user=chief_expert, duty="Контроль времени")
    again = client.post(f"/api/v1/documents/{roles_document.pk}/regenerate", {"reason": "Новая роль"},
                        content_type="application/json")
    assert again.status_code == 200, again.content
    assert (again.json()["version"], again.json()["generated"]) == (2, True)
    assert client.post(f"/api/v1/documents/{roles_document.pk}/regenerate", {},
                       content_type="application/json").status_code == 422
