"""The documents API (SPEC DOC-2, DOC-3, X-4): routes, scoping, bad input, token authentication."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.accounts.domain import create_api_token
from profmaster.documents.domain import sign_document
from profmaster.documents.models import Document, DocumentType, Signature

from ..factories import PASSWORD, CompetencyFactory, UserFactory
from .conftest import make_document, pdf_text


def bearer(user) -> dict[str, str]:
    _token, secret = create_api_token(user, name="интеграция")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def call(method: str, url: str, user=None, body=None, raw: str | None = None):
    headers = bearer(user) if user is not None else {}
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    kwargs = {"content_type": "application/json", "data": data} if data is not None else {}
    return getattr(Client(), method)(url, **kwargs, **headers)


def list_url(championship) -> str:
    return reverse("api:documents_list", kwargs={"championship_id": championship.pk})


def doc_url(name: str, document) -> str:
    return reverse(f"api:documents_{name}", kwargs={"document_id": document.pk})


def test_doc2_api_requires_authentication(document):
    response = Client().get(doc_url("detail", document))
    assert response.status_code == 401
    assert response.json()["detail"] == "Требуется вход: сессия или токен (Authorization: Bearer …)."
    bad = Client().get(doc_url("detail", document), HTTP_AUTHORIZATION="Bearer pm_not-a-token")
    assert bad.status_code == 401


def test_doc2_api_detail_with_signers_and_signatures(document, chief_expert, expert):
    signature = sign_document(document, signer=chief_expert, password=PASSWORD)
    response = call("get", doc_url("detail", document), expert)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "number", "doc_type", "title", "version", "content_hash", "complete",
                                 "required_count", "missing_count", "competency", "data", "pdf_url")} == {
        "id": document.pk, "number": 1, "doc_type": "other",
        "title": "Протокол распределения судейских ролей", "version": 1, "content_hash": document.content_hash,
        "complete": False, "required_count": 2, "missing_count": 1, "competency": "Кондитерское дело",
        "data": {"text": "Роли экспертов распределены."}, "pdf_url": f"/api/v1/documents/{document.pk}/pdf",
    }
    assert body["signers"] == [
        {"user_id": chief_expert.pk, "name": chief_expert.full_name, "role_label": "Главный эксперт", "order": 1,
         "signed": True},
        {"user_id": expert.pk, "name": expert.full_name, "role_label": "Эксперт", "order": 2, "signed": False},
    ]
    assert [s["user_id"] for s in body["missing"]] == [expert.pk]
    assert len(body["signatures"]) == 1
    assert {k: body["signatures"][0][k] for k in ("id", "signer_id", "signer_name", "valid", "content_hash",
                                                   "document_version", "voided_at", "void_reason")} == {
        "id": signature.pk, "signer_id": chief_expert.pk, "signer_name": chief_expert.full_name, "valid": True,
        "content_hash": document.content_hash, "document_version": 1, "voided_at": None, "void_reason": ""}


def test_doc2_api_list_scoped_and_filtered(championship, competency, directorate_user, chief_expert, quality_user):
    other = CompetencyFactory(championship=championship, name="Электроника")
    own = make_document(championship=championship, competency=competency, by=chief_expert,
                        signers=[(chief_expert, "ГЭ")])
    sign_document(own, signer=chief_expert, password=PASSWORD)
    make_document(championship=championship, competency=other, by=directorate_user,
                  signers=[(quality_user, "КК")], title="Протокол Электроника")
    make_document(championship=championship, by=directorate_user, signers=[(quality_user, "КК")],
                  title="Общий протокол", doc_type=DocumentType.VENUE_ACCEPTANCE)

    everything = call("get", list_url(championship), directorate_user).json()
    assert everything["count"] == 3
    assert [(d["number"], d["title"], d["complete"]) for d in everything["items"]] == [
        (3, "Общий протокол", False), (2, "Протокол Электроника", False),
        (1, "Протокол распределения судейских ролей", True)]
    assert everything["items"][1]["competency"] == "Электроника"
    assert everything["items"][1]["doc_type_label"] == "Другой документ"

    chief = call("get", list_url(championship), chief_expert).json()
    assert [d["number"] for d in chief["items"]] == [1]
    complete = call("get", list_url(championship) + "?state=complete", directorate_user).json()
    assert [d["number"] for d in complete["items"]] == [1]
    by_type = call("get", list_url(championship) + "?doc_type=venue_acceptance", directorate_user).json()
    assert [d["number"] for d in by_type["items"]] == [3]
    paged = call("get", list_url(championship) + "?limit=1&offset=1", directorate_user).json()
    assert (paged["count"], [d["number"] for d in paged["items"]]) == (3, [2])


def test_doc2_api_create_update_sign_flow(championship, competency, chief_expert, expert, directorate_user):
    created = call("post", list_url(championship), chief_expert, {
        "doc_type": "other", "title": "Протокол ролей", "competency_id": competency.pk,
        "data": {"text": "Роли распределены."},
        "signers": [{"user_id": chief_expert.pk, "role_label": "Главный эксперт"},
                    {"user_id": expert.pk, "role_label": "Эксперт"}],
    })
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["version"], body["complete"], body["missing_count"]) == (1, 1, False, 2)
    document = Document.objects.get(pk=body["id"])
    assert body["content_hash"] == document.content_hash

    signed = call("post", doc_url("sign", document), chief_expert, {"password": PASSWORD})
    assert signed.status_code == 201
    assert (signed.json()["signer_id"], signed.json()["valid"], signed.json()["content_hash"]) == (
        chief_expert.pk, True, document.content_hash)

    again = call("post", doc_url("sign", document), chief_expert, {"password": PASSWORD})
    assert again.status_code == 409
    assert again.json()["detail"] == "Вы уже подписали этот документ (редакция 1)."

    wrong = call("post", doc_url("sign", document), expert, {"password": "не тот"})
    assert wrong.status_code == 400
    assert wrong.json() == {"detail": "Неверный пароль. Подпись не поставлена.", "code": "invalid",
                            "field": "password"}

    updated = call("put", doc_url("update", document), directorate_user,
                   {"data": {"text": "Роли перераспределены."}, "reason": "Замена эксперта"})
    assert updated.status_code == 200
    body = updated.json()
    assert (body["version"], body["complete"], body["missing_count"]) == (2, False, 2)
    assert body["signatures"][0]["valid"] is False
    assert body["signatures"][0]["void_reason"] == (
        "Содержание документа изменено в редакции 2. Причина: Замена эксперта")

    unchanged = call("put", doc_url("update", document), directorate_user,
                     {"data": {"text": "Роли перераспределены."}, "reason": "Ещё раз"})
    assert unchanged.status_code == 400
    assert unchanged.json()["detail"] == "Содержание не изменилось"


def test_doc2_api_permissions(document, championship, competency, expert, quality_user, chief_expert):
    outsider = UserFactory(email="api-outsider@example.ru")  # no role in the championship: it is not there
    assert call("get", doc_url("detail", document), outsider).status_code == 404
    assert call("get", doc_url("detail", document), outsider).json()["detail"] == "Документ не найден."
    assert call("get", list_url(championship), expert).status_code == 403  # experts have no register
    # quality control reads but neither edits nor signs someone else's document
    assert call("get", doc_url("detail", document), quality_user).status_code == 200
    assert call("put", doc_url("update", document), quality_user,
                {"data": {"text": "x"}, "reason": "y"}).status_code == 403
    assert call("post", doc_url("sign", document), quality_user, {"password": PASSWORD}).status_code == 403
    assert Signature.objects.count() == 0
    # a chief expert writes only for their competency, never championship-wide
    payload = {"doc_type": "other", "title": "Протокол", "data": {}, "signers": [
        {"user_id": chief_expert.pk, "role_label": "ГЭ"}]}
    assert call("post", list_url(championship), chief_expert, payload).status_code == 403
    other = CompetencyFactory(championship=championship, name="Электроника")
    assert call("post", list_url(championship), chief_expert, {**payload, "competency_id": other.pk}).status_code == 403
    assert Document.objects.count() == 1


def test_doc2_api_unknown_ids_404(directorate_user, championship):
    for url in ["/api/v1/documents/999999", "/api/v1/documents/999999/pdf", "/api/v1/championships/999999/documents"]:
        response = call("get", url, directorate_user)
        assert response.status_code == 404, url
        assert response.json()["detail"] in {"Документ не найден.", "Чемпионат не найден."}
    sign = call("post", "/api/v1/documents/999999/sign", directorate_user, {"password": PASSWORD})
    assert sign.status_code == 404


def _create_payload(chief_expert, competency, **changes):
    return {"doc_type": "other", "title": "Протокол", "competency_id": competency.pk, "data": {"text": "Текст"},
            "signers": [{"user_id": chief_expert.pk, "role_label": "ГЭ"}], **changes}


@pytest.mark.parametrize(("changes", "status", "field"), [
    ({"title": "Я" * 301}, 422, "title"),
    ({"title": "Протокол\x00"}, 422, "title"),
    ({"title": 123}, 422, "title"),
    ({"title": "   "}, 422, "title"),
    ({"doc_type": "diploma"}, 422, "doc_type"),
    ({"data": [1, 2]}, 422, "data"),
    ({"data": "текст"}, 422, "data"),
    ({"data": {"text": "a\x00b"}}, 422, "data"),
    ({"data": {"a\x00": "b"}}, 422, "data"),
    ({"signers": []}, 422, "signers"),
    ({"signers": [{"user_id": "один", "role_label": "ГЭ"}]}, 422, "signers.0.user_id"),
    ({"signers": [{"user_id": 2**70, "role_label": "ГЭ"}]}, 422, "signers.0.user_id"),
    ({"signers": [{"user_id": 1, "role_label": "Р" * 201}]}, 422, "signers.0.role_label"),
    ({"competency_id": "x"}, 422, "competency_id"),
    ({"unexpected": True}, 422, "unexpected"),
])
def test_doc2_api_create_bad_input(championship, competency, chief_expert, changes, status, field):
    response = call("post", list_url(championship), chief_expert, _create_payload(chief_expert, competency, **changes))
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"].startswith("Неверные данные")
    assert field in [e["field"] for e in body["errors"]]
    assert Document.objects.count() == 0


def test_doc2_api_create_refuses_unknown_signer_and_duplicates(championship, competency, chief_expert):
    unknown = call("post", list_url(championship), chief_expert, _create_payload(
        chief_expert, competency, signers=[{"user_id": 999999, "role_label": "ГЭ"}]))
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "signers", "message": "Подписанты не найдены: 999999"}]
    twice = call("post", list_url(championship), chief_expert, _create_payload(
        chief_expert, competency, signers=[{"user_id": chief_expert.pk, "role_label": "ГЭ"},
                                           {"user_id": chief_expert.pk, "role_label": "Эксперт"}]))
    assert twice.status_code == 400
    assert twice.json()["field"] == "signers"
    assert Document.objects.count() == 0


def test_doc2_api_malformed_and_bad_bodies(document, chief_expert):
    malformed = call("post", doc_url("sign", document), chief_expert, raw='{"password": ')
    assert malformed.status_code == 400
    assert malformed.json()["detail"]
    for body in ({}, {"password": 123}, {"password": "x" * 4097}, {"password": "a\x00b"}):
        response = call("post", doc_url("sign", document), chief_expert, body)
        assert response.status_code == 422, body
        assert response.json()["detail"].startswith("Неверные данные")
    no_reason = call("put", doc_url("update", document), chief_expert, {"data": {"text": "новое"}})
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    assert call("get", list_url(document.championship) + "?state=bogus", chief_expert).status_code == 422
    assert call("get", list_url(document.championship) + "?limit=100000", chief_expert).status_code == 422
    assert Signature.objects.count() == 0


def test_doc3_api_pdf(document, chief_expert, expert):
    sign_document(document, signer=chief_expert, password=PASSWORD)
    response = call("get", doc_url("pdf", document), expert)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="document-1-v1.pdf"'
    text = pdf_text(b"".join(response.streaming_content))
    assert chief_expert.full_name in text
    assert document.content_hash[:16] in text


def test_doc2_api_session_auth_works_for_reads(document, chief_expert):
    client = Client()
    client.force_login(chief_expert)
    assert client.get(doc_url("detail", document)).status_code == 200


@pytest.mark.parametrize(("data", "status"), [
    ('{"text": "\\ud800"}', 422),        # a lone surrogate: no database can store it
    ('{"score": NaN}', 400),             # Python's JSON reader accepts NaN; the canonical form cannot hold it
    ('{"a": ' * 12 + "1" + "}" * 12, 422),  # nesting deeper than any protocol needs
])
def test_doc2_api_unstorable_payloads_refused(championship, competency, chief_expert, data, status):
    raw = (f'{{"doc_type": "other", "title": "Протокол", "competency_id": {competency.pk}, "data": {data}, '
           f'"signers": [{{"user_id": {chief_expert.pk}, "role_label": "ГЭ"}}]}}')
    response = call("post", list_url(championship), chief_expert, raw=raw)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert Document.objects.count() == 0


def test_doc2_api_surrogate_password_refused(document, chief_expert):
    response = call("post", doc_url("sign", document), chief_expert, raw='{"password": "\\udfff"}')
    assert response.status_code == 422
    assert Signature.objects.count() == 0
