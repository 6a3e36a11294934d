"""Pages of documents: the register, creating, reading, signing, changing and downloading (DOC-2, DOC-3).

Every view asks :mod:`profmaster.permissions`; state changes go through :mod:`.domain`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.core.forms import apply_error
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require

from . import hashing
from .content import payload_blocks
from .domain import create_document, regenerate_document, sign_document, update_document_content
from .forms import DocumentCreateForm, DocumentEditForm, RegenerateForm, RegisterFilterForm, SignForm
from .models import Document
from .rendering import fresh_pdf, pdf_filename
from .selectors import (
    creatable_competencies,
    missing_by_document,
    register,
    register_competencies,
    signer_candidates,
    signing_status,
)

REGISTER_PAGE_SIZE = 50


def _document(pk: int) -> Document:
    return get_object_or_404(Document.objects.select_related("championship", "competency", "created_by"), pk=pk)


def _register_crumb(championship: Championship) -> tuple[str, str]:
    return _("Документы: %(name)s") % {"name": championship.name}, reverse("documents:register", args=[championship.pk])


def _document_breadcrumbs(request: HttpRequest, document: Document) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = []
    if has_perm(request.user, "documents.view_register", document.championship):
        crumbs.append(_register_crumb(document.championship))
    return crumbs


@require_GET
@login_required
def register_view(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The register of a championship's documents with their signing state (DOC-2)."""
    championship = get_object_or_404(Championship, pk=championship_pk)
    require(request.user, "documents.view_register", championship)
    filter_form = RegisterFilterForm(request.GET or None,
                                     competencies=register_competencies(request.user, championship))
    filters = filter_form.filters() if request.GET else {}
    documents = register(request.user, championship, **filters)
    page = Paginator(documents, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    missing = missing_by_document(list(page.object_list))
    rows = [{"document": d, "missing": missing[d.pk],
             "complete": d.required_count > 0 and d.missing_count == 0} for d in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "documents/register.html", {
        "championship": championship,
        "filter_form": filter_form,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
        "can_add": has_perm(request.user, "documents.add_document", championship),
        "breadcrumbs": [(_register_crumb(championship)[0], None)],
    })


@require_http_methods(["GET", "POST"])
@login_required
def create_view(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """A new document with its required signers, by the Directorate or a chief expert."""
    championship = get_object_or_404(Championship, pk=championship_pk)
    require(request.user, "documents.add_document", championship)
    competencies, whole = creatable_competencies(request.user, championship)
    if not whole and not competencies.exists():
        raise PermissionDenied("documents.add_document")
    form = DocumentCreateForm(request.POST or None, competencies=competencies, whole_championship=whole,
                              candidates=signer_candidates(championship))

    def on_valid(form: DocumentCreateForm) -> Document:
        competency = form.cleaned_data["competency"]
        require(request.user, "documents.add_document", competency or championship)
        return create_document(championship=championship, doc_type=form.cleaned_data["doc_type"],
                               title=form.cleaned_data["title"], data=form.payload(), signers=form.chosen_signers(),
                               competency=competency, by=request.user)

    register_url = reverse("documents:register", args=[championship.pk])
    return form_page(
        request, form=form, on_valid=on_valid,
        success_url=lambda document: reverse("documents:detail", args=[document.pk]),
        title=_("Новый документ"), breadcrumbs=[_register_crumb(championship)], cancel_url=register_url,
        success_message=_("Документ создан и отправлен на подпись."), template="documents/form.html",
        extra={"submit_label": _("Создать документ")},
    )


def _detail_response(request: HttpRequest, document: Document, *, sign_form: SignForm | None = None,
                     status: int = 200) -> HttpResponse:
    signing = signing_status(document)
    must_sign = signing.must_sign(request.user) and has_perm(request.user, "documents.sign_document", document)
    context: dict[str, Any] = {
        "document": document,
        "blocks": payload_blocks(document.data),
        "signing": signing,
        "my_signature": signing.signature_of(request.user),
        "sign_form": (sign_form or SignForm()) if must_sign else None,
        "can_edit": not document.is_generated and has_perm(request.user, "documents.change_document", document),
        "can_regenerate": document.is_generated and has_perm(request.user, "documents.regenerate_document", document),
        "revisions": list(document.revisions.select_related("replaced_by").order_by("-version")),
        "hash_prefix": hashing.short_hash(document.content_hash),
        "breadcrumbs": [*_document_breadcrumbs(request, document), (str(document), None)],
    }
    return render(request, "documents/detail.html", context, status=status)


@require_GET
@login_required
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(pk)
    require(request.user, "documents.view_document", document)
    return _detail_response(request, document)


@require_POST
@login_required
def sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign with the password re-entered; a refusal is shown on the document page at the password."""
    document = _document(pk)
    require(request.user, "documents.sign_document", document)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            signature = sign_document(document, signer=request.user, password=form.cleaned_data["password"],
                                      by=request.user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Документ подписан. Подписанный хеш: %(hash)s…")
                             % {"hash": hashing.short_hash(signature.content_hash)})
            return redirect("documents:detail", pk=document.pk)
    if not signing_status(document).must_sign(request.user):
        # Already signed (another tab, a double click): no form to show, so say why on the page.
        for error in form.errors.values():
            for message in error:
                messages.error(request, str(message))
        return redirect("documents:detail", pk=document.pk)
    return _detail_response(request, document, sign_form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the content; valid signatures are voided and must be given again."""
    document = _document(pk)
    require(request.user, "documents.change_document", document)
    if document.is_generated:
        # DOC-2: a protocol's content comes only from the records; nothing on this page may rewrite it.
        messages.error(request, _("Содержание этого документа формируется из записей системы и не изменяется "
                                  "вручную. Исправьте записи и сформируйте документ заново."))
        return redirect("documents:detail", pk=document.pk)
    form = DocumentEditForm(request.POST or None, document=document)
    valid_count = len(signing_status(document).valid)

    def on_valid(form: DocumentEditForm) -> Document:
        return update_document_content(document, title=form.cleaned_data["title"], data=form.payload(),
                                       by=request.user, reason=form.cleaned_data["reason"])

    detail_url = reverse("documents:detail", args=[document.pk])
    return form_page(
        request, form=form, on_valid=on_valid, success_url=detail_url,
        title=_("Изменение документа № %(number)s") % {"number": document.number},
        breadcrumbs=[*_document_breadcrumbs(request, document), (str(document), detail_url)],
        cancel_url=detail_url,
        success_message=_("Документ изменён: редакция %(version)s.") % {"version": document.version + 1},
        template="documents/form.html",
        extra={"document": document, "valid_signature_count": valid_count,
               "submit_label": _("Сохранить новую редакцию")},
    )


@require_http_methods(["GET", "POST"])
@login_required
def regenerate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """DOC-2: form a generated document again from the records, with a reason; signatures are voided."""
    document = _document(pk)
    require(request.user, "documents.regenerate_document", document)
    if not document.is_generated:
        messages.error(request, _("Этот документ составлен вручную: его содержание изменяют на странице изменения."))
        return redirect("documents:detail", pk=document.pk)
    form = RegenerateForm(request.POST or None)
    valid_count = len(signing_status(document).valid)

    def on_valid(form: RegenerateForm) -> Document:
        return regenerate_document(document, by=request.user, reason=form.cleaned_data["reason"])

    detail_url = reverse("documents:detail", args=[document.pk])
    return form_page(
        request, form=form, on_valid=on_valid, success_url=detail_url,
        title=_("Сформировать заново документ № %(number)s") % {"number": document.number},
        breadcrumbs=[*_document_breadcrumbs(request, document), (str(document), detail_url)],
        cancel_url=detail_url,
        success_message=_("Документ сформирован заново из записей: редакция %(version)s.")
        % {"version": document.version + 1},
        template="documents/form.html",
        extra={"document": document, "valid_signature_count": valid_count,
               "submit_label": _("Сформировать заново")},
    )


@require_GET
@login_required
def pdf_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF of the current state, re-rendered first when the stored one is stale (DOC-3)."""
    document = _document(pk)
    require(request.user, "documents.view_document", document)
    current = fresh_pdf(document)
    if current is None:
        messages.error(request, _("Не удалось сформировать PDF. Попробуйте позже или сообщите в поддержку."))
        return redirect("documents:detail", pk=document.pk)
    response = FileResponse(current.pdf.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=pdf_filename(current))
    response["Cache-Control"] = "private, no-store"
    return response
