"""Background jobs of documents: rendering PDFs (eager in the embedded default, Celery workers in production)."""

from __future__ import annotations

from celery import shared_task

from .rendering import render_document_pdf


@shared_task(name="documents.render_document_pdf", ignore_result=True)
def render_document_pdf_task(document_id: int) -> None:
    """Render the stored PDF of a document's current state; failures are kept on the document."""
    render_document_pdf(document_id)
