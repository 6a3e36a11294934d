"""HTTP API of documents and signatures (mounted under /api/v1/; SPEC DOC-2, DOC-3, X-4).

The same permissions, scoping and domain functions as the pages: a chief expert lists only their
competencies' documents here as in the register, and signing needs the password here as there.
Unknown ids answer 404; a person without the permission gets 403.
"""

# No `from __future__ import annotations`: ninja builds query models from these annotations at runtime.
# Query types built by functions (Text(40), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from profmaster.accounts.models import User
from profmaster.api.pagination import LimitOffset
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut
from profmaster.api.shortcuts import authorize_championship, current_user, get_or_404, reference, references
from profmaster.api.types import Choice, Id
from profmaster.championships.models import Championship, Competency
from profmaster.permissions import require

from .domain import create_document, regenerate_document, sign_document, update_document_content
from .models import Document, DocumentType
from .rendering import fresh_pdf, pdf_filename
from .schemas import (
    DocumentCreateIn,
    DocumentListItemOut,
    DocumentOut,
    DocumentUpdateIn,
    RegenerateIn,
    SignatureOut,
    SignIn,
)
from .selectors import creatable_competencies, register, signing_status

router = Router(tags=["documents"])

NOT_FOUND = "Документ не найден."


def _document(request: HttpRequest, document_id: int) -> Document:
    """The document, or 404 also when the caller has no role in its championship (ids leak nothing)."""
    document = get_or_404(Document.objects.select_related("championship", "competency"), document_id, _(NOT_FOUND))
    authorize_championship(request, document.championship, message=_(NOT_FOUND))
    return document


def _championship(request: HttpRequest, championship_id: int) -> Championship:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    authorize_championship(request, championship, message=_("Чемпионат не найден."))
    return championship


def document_out(document: Document) -> dict[str, Any]:
    """The full picture of one document, as the detail route and the writes answer it."""
    status = signing_status(document)
    signed = {s.signer_id for s in status.valid}

    def signer(required: Any) -> dict[str, Any]:
        return {"user_id": required.user_id, "name": required.user.full_name, "role_label": required.role_label,
                "order": required.order, "signed": required.user_id in signed}

    return {
        "id": document.pk, "number": document.number, "doc_type": document.doc_type,
        "doc_type_label": str(document.get_doc_type_display()), "title": document.title,
        "championship_id": document.championship_id, "competency_id": document.competency_id,
        "competency": document.competency.name if document.competency is not None else None,
        "version": document.version, "content_hash": document.content_hash, "complete": status.complete,
        "required_count": len(status.required), "missing_count": len(status.missing),
        "created_at": document.created_at, "data": document.data, "generated": document.is_generated,
        "signers": [signer(r) for r in status.required],
        "missing": [signer(r) for r in status.missing],
        "signatures": sorted([*status.valid, *status.voided], key=lambda s: (s.signed_at, s.pk)),
        "render_status": document.render_status,
        "pdf_url": reverse("api:documents_pdf", kwargs={"document_id": document.pk}),
    }


@router.get("/championships/{championship_id}/documents",
            response={200: list[DocumentListItemOut], **READ_ERRORS}, url_name="documents_list",
            summary="Реестр документов чемпионата")
@paginate(LimitOffset)
def documents_list(request: HttpRequest, championship_id: Id,
                   doc_type: Choice(DocumentType) | None = None,
                   competency_id: Id | None = None,
                   state: Literal["complete", "awaiting"] | None = None) -> Any:
    """Документы чемпионата, которые вы видите в реестре (главный эксперт — только своих компетенций),
    новые первыми. Фильтры: вид, компетенция, состояние (complete — подписан всеми, awaiting — ждёт подписей)."""
    championship = _championship(request, championship_id)
    require(current_user(request), "documents.view_register", championship)
    return register(current_user(request), championship, doc_type=doc_type or "", competency_id=competency_id,
                    state=state or "")


@router.get("/documents/{document_id}", response={200: DocumentOut, **READ_ERRORS}, url_name="documents_detail",
            summary="Документ с подписантами и подписями")
def documents_detail(request: HttpRequest, document_id: Id) -> Any:
    """Содержание, хеш, редакция, обязательные подписанты, данные подписи (действующие и аннулированные)."""
    document = _document(request, document_id)
    require(current_user(request), "documents.view_document", document)
    return document_out(document)


@router.post("/championships/{championship_id}/documents", response={201: DocumentOut, **WRITE_ERRORS},
             url_name="documents_create", summary="Создать документ")
def documents_create(request: HttpRequest, championship_id: Id, payload: DocumentCreateIn) -> Any:
    """Новый документ со следующим номером в чемпионате. Дирекция — для любой компетенции или всего
    чемпионата, главный эксперт — только для своей компетенции. Подписанты — люди с ролью в чемпионате."""
    user = current_user(request)
    championship = _championship(request, championship_id)
    require(user, "documents.add_document", championship)
    competency = reference(Competency.objects.filter(championship=championship), payload.competency_id,
                           field="competency_id", message=_("Компетенция этого чемпионата не найдена."))
    if competency is not None:
        require(user, "documents.add_document", competency)
    elif not creatable_competencies(user, championship)[1]:
        raise PermissionDenied("documents.add_document")
    users = references(User.objects.all(), [s.user_id for s in payload.signers], field="signers",
                       message=_("Подписанты не найдены"))
    by_id = {u.pk: u for u in users}
    document = create_document(championship=championship, doc_type=payload.doc_type, title=payload.title,
                               data=payload.data, signers=[(by_id[s.user_id], s.role_label) for s in payload.signers],
                               competency=competency, by=user)
    return Status(201, document_out(_document(request, document.pk)))


@router.put("/documents/{document_id}", response={200: DocumentOut, **WRITE_ERRORS}, url_name="documents_update",
            summary="Изменить содержание (подписи аннулируются)")
def documents_update(request: HttpRequest, document_id: Id, payload: DocumentUpdateIn) -> Any:
    """Новая редакция: хеш меняется, все действующие подписи аннулируются с указанием причины."""
    user = current_user(request)
    document = _document(request, document_id)
    require(user, "documents.change_document", document)
    update_document_content(document, title=payload.title, data=payload.data, by=user, reason=payload.reason)
    return document_out(_document(request, document.pk))


@router.post("/documents/{document_id}/regenerate", response={200: DocumentOut, **WRITE_ERRORS},
             url_name="documents_regenerate", summary="Сформировать заново из записей (подписи аннулируются)")
def documents_regenerate(request: HttpRequest, document_id: Id, payload: RegenerateIn) -> Any:
    """Только для документов, которые система формирует из записей (протоколы): содержание формируется заново,
    прежняя редакция сохраняется, действующие подписи аннулируются с указанием причины."""
    user = current_user(request)
    document = _document(request, document_id)
    require(user, "documents.regenerate_document", document)
    regenerate_document(document, by=user, reason=payload.reason)
    return document_out(_document(request, document.pk))


@router.post("/documents/{document_id}/sign", response={201: SignatureOut, **WRITE_ERRORS},
             url_name="documents_sign", summary="Подписать (простая электронная подпись)")
def documents_sign(request: HttpRequest, document_id: Id, payload: SignIn) -> Any:
    """Подписать текущую редакцию: подписант повторно вводит свой пароль. Неверный пароль — 400,
    повторная подпись — 409, не подписант — 403."""
    user = current_user(request)
    document = _document(request, document_id)
    require(user, "documents.sign_document", document)
    signature = sign_document(document, signer=user, password=payload.password, by=user)
    return Status(201, signature)


@router.get("/documents/{document_id}/pdf", response={200: None, 503: ErrorOut, **READ_ERRORS},
            url_name="documents_pdf", summary="PDF документа",
            openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}})
def documents_pdf(request: HttpRequest, document_id: Id) -> Any:
    """PDF текущей редакции со штампами подписей; устаревший файл формируется заново."""
    document = _document(request, document_id)
    require(current_user(request), "documents.view_document", document)
    current = fresh_pdf(document)
    if current is None:
        raise HttpError(503, _("Не удалось сформировать PDF. Попробуйте позже."))
    response = FileResponse(current.pdf.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=pdf_filename(current))
    response["Cache-Control"] = "private, no-store"
    return response
