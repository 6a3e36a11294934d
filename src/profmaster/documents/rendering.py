"""Documents as PDF (SPEC DOC-2, DOC-3): plain data → HTML template → WeasyPrint → private file.

The template gets plain data only (dicts and strings, never ORM objects), so the same template
can be fed by a test, a preview or a batch job. Fonts are the bundled DejaVu files; the URL
fetcher refuses every URL except those files, so a document never reaches out to the network
(a title containing ``<img src="http://…">`` is escaped anyway, but the fetcher is the backstop).
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import select_template
from django.utils import translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from profmaster.championships import timezones

from . import hashing
from .content import payload_blocks
from .models import Document
from .selectors import signing_status

logger = logging.getLogger(__name__)

GENERIC_TEMPLATE = "documents/pdf/generic.html"
_DOC_TYPE_RE = re.compile(r"^[a-z0-9_]{1,40}$")
RENDER_ERROR_MAX = 2000


class URLRefused(ValueError):
    """A document tried to load something other than a bundled font."""


def font_dir() -> Path:
    configured: Any = settings.PROFMASTER["PDF_FONT_DIR"]
    return Path(configured).resolve()


class FontOnlyURLFetcher(URLFetcher):
    """WeasyPrint's fetcher limited to ``file://`` URLs of files inside the bundled font directory."""

    def __init__(self, allowed_dir: Path | None = None) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=False)
        self.allowed_dir = (allowed_dir or font_dir()).resolve()

    def allowed_path(self, url: str) -> Path:
        """The local file a URL names, or :class:`URLRefused` when it is anything else."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in {"", "localhost"}:
            raise URLRefused(f"Refused to fetch {url[:200]!r}: only bundled fonts may be loaded")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.allowed_dir) or not path.is_file():
            raise URLRefused(f"Refused to fetch {url[:200]!r}: outside the font directory")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.allowed_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})


# --- Plain data for the template ------------------------------------------------------------------


def document_time(value: Any, championship: Any) -> str:
    """«22.11.2026 19:03:12 (Владивосток, UTC+10)»: a document's times are printed in its championship's zone,
    named, whatever the server's zone (X-6)."""
    return timezones.format_local(value, timezones.zone_of(championship), "%d.%m.%Y %H:%M:%S")


def expected_pdf_version(document: Document) -> str:
    """The version key a PDF of the document's current state carries."""
    ids = document.signatures.filter(voided_at__isnull=True, content_hash=document.content_hash) \
        .values_list("pk", flat=True)
    return hashing.pdf_version(document.content_hash, ids)


def document_context(document: Document) -> dict[str, Any]:
    """Everything the PDF shows, as plain dicts and strings."""
    status = signing_status(document)
    fonts = font_dir()
    return {
        "document": {
            "title": document.title,
            "number": document.number,
            "doc_type": document.doc_type,
            "doc_type_label": str(document.get_doc_type_display()),
            "championship": document.championship.name,
            "season": document.championship.season,
            "competency": document.competency.name if document.competency is not None else "",
            "version": document.version,
            "content_hash": document.content_hash,
            "created_at": document_time(document.created_at, document.championship),
        },
        "data": document.data,
        "blocks": payload_blocks(document.data),
        "stamps": [
            {
                "signature_id": s.pk,
                "name": s.signer.full_name,
                "role_label": s.role_label,
                "signed_at": document_time(s.signed_at, document.championship),
                "content_hash": s.content_hash,
                "version": s.document_version,
            }
            for s in status.valid
        ],
        "missing": [{"name": r.user.full_name, "role_label": r.role_label} for r in status.missing],
        "complete": status.complete,
        "pdf_version": hashing.pdf_version(document.content_hash, [s.pk for s in status.valid]),
        "fonts": {
            "regular": (fonts / "DejaVuSans.ttf").as_uri(),
            "bold": (fonts / "DejaVuSans-Bold.ttf").as_uri(),
        },
    }


def template_names(doc_type: str) -> list[str]:
    """A template of the document's own kind when there is one, else the generic layout."""
    if _DOC_TYPE_RE.match(doc_type):
        return [f"documents/pdf/{doc_type}.html", GENERIC_TEMPLATE]
    return [GENERIC_TEMPLATE]


def render_html(context: dict[str, Any]) -> str:
    template = select_template(template_names(context["document"]["doc_type"]))
    with translation.override("ru"):  # DOC-3: documents are in Russian whoever renders them
        return template.render(context)


def html_to_pdf(html: str) -> bytes:
    fetcher = FontOnlyURLFetcher()
    pdf = weasyprint.HTML(string=html, base_url=fetcher.allowed_dir.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)


# --- Rendering and storing -------------------------------------------------------------------------


def render_document_pdf(document_id: int) -> Document | None:
    """Render and store the PDF of the document's current state; a failure is recorded, never raised."""
    document = Document.objects.select_related("championship", "competency").filter(pk=document_id).first()
    if document is None:
        return None
    try:
        context = document_context(document)
        pdf = html_to_pdf(render_html(context))
        _store(document.pk, pdf, context["pdf_version"])
    except Exception as exc:  # a broken template or font must not break signing or saving
        logger.exception("Rendering the PDF of document %s failed", document_id)
        Document.objects.filter(pk=document_id).update(
            render_status=Document.RenderStatus.FAILED,
            render_error=f"{type(exc).__name__}: {exc}"[:RENDER_ERROR_MAX])
    return Document.objects.select_related("championship", "competency").filter(pk=document_id).first()


def _store(document_id: int, pdf: bytes, version: str) -> None:
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document_id)
        current = expected_pdf_version(locked)
        if version != current and locked.pdf_version == current and locked.pdf:
            return  # a newer render already stored the current state; this one is outdated
        old_name = locked.pdf.name
        locked.pdf.save(f"document-{locked.championship_id}-{locked.number}.pdf", ContentFile(pdf), save=False)
        Document.objects.filter(pk=document_id).update(
            pdf=locked.pdf.name, pdf_version=version, render_status=Document.RenderStatus.READY, render_error="")
        if old_name and old_name != locked.pdf.name:
            storage = locked.pdf.storage
            transaction.on_commit(lambda: storage.delete(old_name), robust=True)


def pdf_filename(document: Document) -> str:
    """The download name: the number and редакция, ASCII so every browser keeps it."""
    return f"document-{document.number}-v{document.version}.pdf"


def is_pdf_fresh(document: Document) -> bool:
    return (document.render_status == Document.RenderStatus.READY and bool(document.pdf)
            and document.pdf_version == expected_pdf_version(document)
            and document.pdf.storage.exists(document.pdf.name))


def fresh_pdf(document: Document) -> Document | None:
    """The document with a stored PDF of its current state, rendered now if the stored one is stale.

    None when no current PDF could be made (the failure is in ``render_status``/``render_error``).
    """
    if is_pdf_fresh(document):
        return document
    rendered = render_document_pdf(document.pk)
    if rendered is None or not is_pdf_fresh(rendered):
        return None
    return rendered
