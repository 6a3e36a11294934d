"""Documents and simple electronic signatures: the domain functions (SPEC DOC-2)."""

from __future__ import annotations

import pytest

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.documents.domain import SIGN_FAILURE_LIMIT, set_signers, sign_document, update_document_content
from profmaster.documents.hashing import content_hash
from profmaster.documents.models import Document, DocumentType, RequiredSigner, Signature
from profmaster.documents.selectors import (
    documents_awaiting_signature,
    is_complete,
    missing_signers,
    signing_status,
)

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import make_document


def test_doc2_create_numbers_documents_per_championship(championship, competency, directorate_user, chief_expert):
    first = make_document(championship=championship, by=directorate_user, signers=[(chief_expert, "ГЭ")])
    second = make_document(championship=championship, competency=competency, by=directorate_user,
                           signers=[(chief_expert, "ГЭ")])
    other_championship = ChampionshipFactory()
    give_role(chief_expert, Role.DIRECTORATE, other_championship)
    elsewhere = make_document(championship=other_championship, by=chief_expert, signers=[(chief_expert, "Дирекция")])
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert first.version == 1
    assert first.content_hash == content_hash("Протокол распределения судейских ролей", "other",
                                              {"text": "Роли экспертов распределены."})
    assert first.render_status == Document.RenderStatus.PENDING
    assert list(first.required_signers.values_list("user_id", "role_label", "order")) == [(chief_expert.pk, "ГЭ", 1)]


def test_doc2_create_records_audit_with_signers(document, chief_expert, expert):
    entry = AuditEntry.objects.get(object_type="documents.Document", object_id=str(document.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == chief_expert
    assert entry.championship_id == document.championship_id
    assert entry.after["number"] == 1
    assert entry.after["content_hash"] == document.content_hash
    assert [s["user"] for s in entry.after["signers"]] == [chief_expert.pk, expert.pk]


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"signers": []}, "signers", "Укажите хотя бы одного подписанта."),
    ({"data": ["не объект"]}, "data", "Содержание документа должно быть объектом JSON (набором полей)."),
    ({"data": "текст"}, "data", "Содержание документа должно быть объектом JSON (набором полей)."),
    ({"data": {"text": "a\x00b"}}, "data", "Содержание документа содержит недопустимый символ (NUL)."),
    ({"data": {"x": float("nan")}}, "data", "Содержание документа содержит значения, которые нельзя сохранить."),
    ({"title": "   "}, "title", "Укажите заголовок документа."),
    ({"title": "Я" * 301}, "title", "Заголовок длиннее 300 символов."),
    ({"doc_type": "diploma"}, "doc_type", "Неизвестный вид документа."),
])
def test_doc2_create_refuses_bad_input(championship, directorate_user, chief_expert, kwargs, field, message):
    arguments = {"championship": championship, "by": directorate_user, "signers": [(chief_expert, "ГЭ")],
                 "title": "Протокол", "doc_type": DocumentType.OTHER, "data": {"text": "Текст"}, **kwargs}
    with pytest.raises(DomainError) as info:
        make_document(**arguments)
    assert (info.value.field, info.value.message) == (field, message)
    assert Document.objects.count() == 0


def test_doc2_create_refuses_duplicate_signer(championship, directorate_user, chief_expert):
    with pytest.raises(DomainError) as info:
        make_document(championship=championship, by=directorate_user,
                      signers=[(chief_expert, "ГЭ"), (chief_expert, "Эксперт")])
    assert info.value.field == "signers"
    assert info.value.message == f"{chief_expert.full_name} указан(а) среди подписантов дважды."
    assert Document.objects.count() == 0


def test_doc2_create_refuses_signer_without_role_and_foreign_competency(championship, directorate_user, chief_expert):
    stranger = UserFactory(last_name="Посторонний")
    with pytest.raises(DomainError) as info:
        make_document(championship=championship, by=directorate_user, signers=[(stranger, "Гость")])
    assert info.value.message == (f"{stranger.full_name} не участвует в этом чемпионате "
                                  "и не может подписывать его документы.")
    foreign = CompetencyFactory()
    with pytest.raises(DomainError) as info:
        make_document(championship=championship, competency=foreign, by=directorate_user,
                      signers=[(chief_expert, "ГЭ")])
    assert (info.value.field, info.value.message) == ("competency", "Компетенция относится к другому чемпионату.")


def test_doc2_platform_directorate_may_sign_any_championship(championship, platform_directorate):
    doc = make_document(championship=championship, by=platform_directorate,
                        signers=[(platform_directorate, "Дирекция")])
    sign_document(doc, signer=platform_directorate, password=PASSWORD)
    assert is_complete(doc)


def test_doc2_sign_records_hash_version_and_audit(document, chief_expert, expert):
    signature = sign_document(document, signer=chief_expert, password=PASSWORD)
    assert signature.content_hash == document.content_hash
    assert signature.document_version == 1
    assert signature.role_label == "Главный эксперт"
    assert signature.voided_at is None
    assert [r.user for r in missing_signers(document)] == [expert]
    assert not is_complete(document)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SIGN)
    assert entry.actor == chief_expert
    assert entry.object_id == str(document.pk)
    assert entry.after["signature"] == signature.pk
    assert entry.after["content_hash"] == document.content_hash

    sign_document(document, signer=expert, password=PASSWORD)
    assert is_complete(document)
    assert missing_signers(document) == []
    assert list(documents_awaiting_signature(expert)) == []


def test_doc2_wrong_password_refused(document, chief_expert):
    with pytest.raises(DomainError) as info:
        sign_document(document, signer=chief_expert, password="неверный пароль")
    assert (info.value.field, info.value.message) == ("password", "Неверный пароль. Подпись не поставлена.")
    assert Signature.objects.count() == 0
    with pytest.raises(DomainError):
        sign_document(document, signer=chief_expert, password="")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SIGN).exists()


def test_doc2_repeated_wrong_passwords_pause_signing(document, chief_expert):
    for _attempt in range(SIGN_FAILURE_LIMIT):
        with pytest.raises(DomainError):
            sign_document(document, signer=chief_expert, password="подбор")
    with pytest.raises(DomainError) as info:
        sign_document(document, signer=chief_expert, password=PASSWORD)  # even the right one now
    assert info.value.code == "throttled"
    assert Signature.objects.count() == 0


def test_doc2_non_signer_refused(document, directorate_user):
    with pytest.raises(AccessDenied) as info:
        sign_document(document, signer=directorate_user, password=PASSWORD)
    assert info.value.message == "Вы не входите в число подписантов этого документа."
    assert Signature.objects.count() == 0


def test_doc2_nobody_signs_for_someone_else(document, chief_expert, directorate_user):
    with pytest.raises(AccessDenied):
        sign_document(document, signer=chief_expert, password=PASSWORD, by=directorate_user)
    assert Signature.objects.count() == 0


def test_doc2_double_sign_refused(document, chief_expert):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    with pytest.raises(TransitionError) as info:
        sign_document(document, signer=chief_expert, password=PASSWORD)
    assert info.value.message == "Вы уже подписали этот документ (редакция 1)."
    assert info.value.status_code == 409
    assert Signature.objects.filter(signer=chief_expert).count() == 1


def test_doc2_signature_voided_when_content_changes(document, chief_expert, expert, directorate_user):
    first = sign_document(document, signer=chief_expert, password=PASSWORD)
    old_hash = document.content_hash
    updated = update_document_content(document, data={"text": "Роли перераспределены."}, by=directorate_user,
                                      reason="Заменён эксперт")
    assert updated is document
    assert document.version == 2
    assert document.content_hash == content_hash(document.title, document.doc_type, {"text": "Роли перераспределены."})
    assert document.content_hash != old_hash
    first.refresh_from_db()
    assert first.voided_at is not None
    assert first.void_reason == "Содержание документа изменено в редакции 2. Причина: Заменён эксперт"
    status = signing_status(document)
    assert status.valid == []
    assert [r.user for r in status.missing] == [chief_expert, expert]
    assert status.voided == [first]

    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(document.pk))
    assert entry.reason == "Заменён эксперт"
    assert entry.before["data"] == {"text": "Роли экспертов распределены."}
    assert entry.after["data"] == {"text": "Роли перераспределены."}
    assert entry.after["voided_signatures"] == [first.pk]

    again = sign_document(document, signer=chief_expert, password=PASSWORD)
    assert (again.document_version, again.content_hash) == (2, document.content_hash)


def test_doc2_title_change_alone_is_a_new_version(document, chief_expert, directorate_user):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    update_document_content(document, title="Протокол (исправлен)", data=dict(document.data), by=directorate_user,
                             reason="Опечатка в заголовке")
    assert (document.title, document.version) == ("Протокол (исправлен)", 2)
    assert Signature.objects.get().voided_at is not None


def test_doc2_unchanged_content_refused(document, chief_expert, directorate_user):
    signature = sign_document(document, signer=chief_expert, password=PASSWORD)
    with pytest.raises(DomainError) as info:
        update_document_content(document, data={"text": "Роли экспертов распределены."}, by=directorate_user,
                                reason="Ничего")
    assert info.value.message == "Содержание не изменилось"
    signature.refresh_from_db()
    assert signature.voided_at is None
    assert Document.objects.get().version == 1


def test_doc2_update_requires_reason(document, directorate_user):
    with pytest.raises(DomainError) as info:
        update_document_content(document, data={"text": "Другое"}, by=directorate_user, reason="  ")
    assert (info.value.field, info.value.message) == ("reason", "Укажите причину изменения.")


def test_doc2_set_signers_adds_and_refuses_removing_a_valid_signer(document, chief_expert, expert, directorate_user,
                                                                   quality_user):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    with pytest.raises(DomainError) as info:
        set_signers(document, [(expert, "Эксперт")], by=directorate_user, reason="Без ГЭ")
    assert info.value.message == (f"Нельзя исключить из подписантов тех, кто уже подписал документ: "
                                  f"{chief_expert.full_name}.")
    assert RequiredSigner.objects.filter(document=document).count() == 2

    signers = set_signers(document, [(chief_expert, "Главный эксперт"), (quality_user, "Контроль качества")],
                          by=directorate_user, reason="Эксперт заменён контролем качества")
    assert [(r.user, r.role_label, r.order) for r in signers] == [
        (chief_expert, "Главный эксперт", 1), (quality_user, "Контроль качества", 2)]
    assert [r.user for r in missing_signers(document)] == [quality_user]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).get()
    assert [s["user"] for s in entry.before["signers"]] == [chief_expert.pk, expert.pk]
    assert [s["user"] for s in entry.after["signers"]] == [chief_expert.pk, quality_user.pk]
    with pytest.raises(DomainError) as info:
        set_signers(document, [(chief_expert, "Главный эксперт"), (quality_user, "Контроль качества")],
                    by=directorate_user)
    assert info.value.message == "Состав подписантов не изменился."


def test_doc2_awaiting_signature_lists_only_unsigned(document, chief_expert, expert):
    assert list(documents_awaiting_signature(chief_expert)) == [document]
    sign_document(document, signer=chief_expert, password=PASSWORD)
    assert list(documents_awaiting_signature(chief_expert)) == []
    assert list(documents_awaiting_signature(expert)) == [document]


def test_x5_signing_password_limit_is_shared_between_processes(document, chief_expert, settings):
    """X-5 (issue 13 §6): the wrong-password counter is not in one process's memory: another worker (a cache
    client of its own, as in another process) sees it and refuses the right password too."""
    from django.core.cache import cache, caches

    assert settings.CACHES["shared"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache"
    for _attempt in range(SIGN_FAILURE_LIMIT):
        with pytest.raises(DomainError):
            sign_document(document, signer=chief_expert, password="подбор")
    cache.clear()  # this process's memory forgets everything
    other_worker = caches.create_connection("shared")
    assert other_worker.get(f"documents:sign-failures:{chief_expert.pk}") == SIGN_FAILURE_LIMIT
    with pytest.raises(DomainError) as info:
        sign_document(document, signer=chief_expert, password=PASSWORD)
    assert info.value.code == "throttled"
    other_worker.delete(f"documents:sign-failures:{chief_expert.pk}")  # the pause is over
    assert sign_document(document, signer=chief_expert, password=PASSWORD).signer == chief_expert


def test_x5_production_settings_share_the_counter_through_redis(monkeypatch):
    import importlib

    import profmaster.settings as production

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        reloaded = importlib.reload(production)
        assert reloaded.CACHES["shared"]["BACKEND"] == "profmaster.core.cache.RedisCache"  # Django's, clients reused
        assert reloaded.CACHES["shared"]["LOCATION"] == "redis://127.0.0.1:6379/0"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(production)
