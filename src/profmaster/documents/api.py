"""HTTP API of documents and signatures (mounted under /api/v1/; SPEC DOC-2, DOC-3, X-4).

The same permissions, scoping and domain functions as the pages: a chief expert lists only their
competencies' documents here as in the register, and signing needs the password here as there.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from profmaster.accounts.models import User
from profmaster.championships.models import Championship, Competency
from profmaster.core.errors import DomainError
from profmaster.permissions import require

from .domain import create_document, sign_document, update_document_content
from .models import Document, Signature
from .rendering import fresh_pdf, pdf_filename
from .schemas import (
    DocumentCreateIn,
    DocumentOut,
    DocumentPageOut,
    DocumentUpdateIn,
    SignatureOut,
    SignIn,
)
from .selectors import creatable_competencies, register, signing_status

router = Router(tags=["documents"])


class RegisterFilters(Schema):
    doc_type: str = Field(default="", max_length=40)
    competency_id: int | None = None
    state: Literal["", "complete", "awaiting"] = ""
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


def _document(document_id: int) -> Document:
    return get_object_or_404(Document.objects.select_related("championship", "competency"), pk=document_id)


def _signature_out(signature: Signature, current_hash: str) -> dict[str, Any]:
    return {
        "id": signature.pk, "signer_id": signature.signer_id, "signer_name": signature.signer.full_name,
        "role_label": signature.role_label, "signed_at": signature.signed_at, "content_hash": signature.content_hash,
        "document_version": signature.document_version,
        "valid": signature.voided_at is None and signature.content_hash == current_hash,
        "voided_at": signature.voided_at, "void_reason": signature.void_reason,
    }


def _list_item(document: Document, *, required_count: int, missing_count: int) -> dict[str, Any]:
    return {
        "id": document.pk, "number": document.number, "doc_type": document.doc_type,
        "doc_type_label": str(document.get_doc_type_display()), "title": document.title,
        "championship_id": document.championship_id, "competency_id": document.competency_id,
        "competency": document.competency.name if document.competency is not None else None,
        "version": document.version, "content_hash": document.content_hash,
        "complete": required_count > 0 and missing_count == 0,
        "required_count": required_count, "missing_count": missing_count, "created_at": document.created_at,
    }


def document_out(document: Document) -> dict[str, Any]:
    status = signing_status(document)
    signed = {s.signer_id for s in status.valid}

    def signer(required: Any) -> dict[str, Any]:
        return {"user_id": required.user_id, "name": required.user.full_name, "role_label": required.role_label,
                "order": required.order, "signed": required.user_id in signed}

    return {
        **_list_item(document, required_count=len(status.required), missing_count=len(status.missing)),
        "data": document.data,
        "signers": [signer(r) for r in status.required],
        "missing": [signer(r) for r in status.missing],
        "signatures": [_signature_out(s, document.content_hash)
                       for s in sorted([*status.valid, *status.voided], key=lambda s: (s.signed_at, s.pk))],
        "render_status": document.render_status,
        "pdf_url": reverse("api:documents_pdf", kwargs={"document_id": document.pk}),
    }


@router.get("/championships/{championship_id}/documents", response=DocumentPageOut,
            url_name="documents_list", summary="Реестр документов чемпионата")
def list_documents(request: HttpRequest, championship_id: int, filters: Query[RegisterFilters]) -> Any:
    """Documents of the championship this person sees, newest first; filters as in the register."""
    championship = get_object_or_404(Championship, pk=championship_id)
    require(request.user, "documents.view_register", championship)
    documents = register(request.user, championship, doc_type=filters.doc_type,
                         competency_id=filters.competency_id, state=filters.state)
    page = documents[filters.offset:filters.offset + filters.limit]
    return {"count": documents.count(),
            "items": [_list_item(d, required_count=d.required_count, missing_count=d.missing_count) for d in page]}


@router.get("/documents/{document_id}", response=DocumentOut, url_name="documents_detail",
            summary="Документ с подписантами и подписями")
def get_document(request: HttpRequest, document_id: int) -> Any:
    document = _document(document_id)
    require(request.user, "documents.view_document", document)
    return document_out(document)


def _signers(championship: Championship, payload: DocumentCreateIn) -> list[tuple[Any, str]]:
    ids = [s.user_id for s in payload.signers]
    users = User.objects.in_bulk(ids)
    missing = [str(pk) for pk in ids if pk not in users]
    if missing:
        raise DomainError(_("Подписанты не найдены: %(ids)s.") % {"ids": ", ".join(missing)}, field="signers")
    return [(users[s.user_id], s.role_label) for s in payload.signers]


@router.post("/championships/{championship_id}/documents", response={201: DocumentOut},
             url_name="documents_create", summary="Создать документ")
def create(request: HttpRequest, championship_id: int, payload: DocumentCreateIn) -> Any:
    championship = get_object_or_404(Championship, pk=championship_id)
    require(request.user, "documents.add_document", championship)
    competency = None
    if payload.competency_id is not None:
        competency = get_object_or_404(Competency, pk=payload.competency_id)
        require(request.user, "documents.add_document", competency)
    else:
        _competencies, whole = creatable_competencies(request.user, championship)
        if not whole:
            raise PermissionDenied("documents.add_document")
    document = create_document(championship=championship, doc_type=payload.doc_type, title=payload.title,
                               data=payload.data, signers=_signers(championship, payload),
                               competency=competency, by=request.user)
    return 201, document_out(_document(document.pk))


@router.put("/documents/{document_id}", response=DocumentOut, url_name="documents_update",
            summary="Изменить содержание (подписи аннулируются)")
def update(request: HttpRequest, document_id: int, payload: DocumentUpdateIn) -> Any:
    document = _document(document_id)
    require(request.user, "documents.change_document", document)
    update_document_content(document, title=payload.title, data=payload.data, by=request.user,
                            reason=payload.reason)
    return document_out(_document(document.pk))


@router.post("/documents/{document_id}/sign", response={201: SignatureOut}, url_name="documents_sign",
             summary="Подписать (простая электронная подпись, с паролем)")
def sign(request: HttpRequest, document_id: int, payload: SignIn) -> Any:
    document = _document(document_id)
    require(request.user, "documents.view_document", document)
    signature = sign_document(document, signer=request.user, password=payload.password, by=request.user)
    return 201, _signature_out(signature, signature.content_hash)


@router.get("/documents/{document_id}/pdf", url_name="documents_pdf", summary="PDF документа",
            openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}})
def pdf(request: HttpRequest, document_id: int) -> Any:
    document = _document(document_id)
    require(request.user, "documents.view_document", document)
    current = fresh_pdf(document)
    if current is None:
        raise HttpError(503, _("Не удалось сформировать PDF. Попробуйте позже."))
    response = FileResponse(current.pdf.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=pdf_filename(current))
    response["Cache-Control"] = "private, no-store"
    return response
