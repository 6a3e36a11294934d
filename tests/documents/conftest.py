"""Fixtures of the documents tests: a protocol with two required signers, and reading PDFs."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.core.cache import cache

from profmaster.accounts.models import Role
from profmaster.documents.domain import create_document, create_generated_document
from profmaster.documents.models import GENERATED_TYPES, Document, DocumentType

from ..factories import UserFactory, give_role


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Wrong-password counters live in the cache; each test starts without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def quality_user(championship):
    user = UserFactory(last_name="Качествова", first_name="Ольга", email="quality@example.ru")
    give_role(user, Role.QUALITY_CONTROL, championship)
    return user


@pytest.fixture
def mentor(championship):
    user = UserFactory(last_name="Наставников", email="mentor@example.ru")
    give_role(user, Role.MENTOR, championship)
    return user


def make_document(*, championship: Any, by: Any, signers: list[tuple[Any, str]], competency: Any = None,
                  title: str = "Протокол распределения судейских ролей",
                  doc_type: str = DocumentType.OTHER, data: dict[str, Any] | None = None) -> Document:
    """A typed-in document; a kind the platform generates is made as a generated one (DOC-2)."""
    make = create_document
    extra: dict[str, Any] = {}
    if doc_type in GENERATED_TYPES:
        make, extra = create_generated_document, {"generator": "legacy"}
    return make(championship=championship, competency=competency, doc_type=doc_type, title=title,
                data=data if data is not None else {"text": "Роли экспертов распределены."},
                signers=signers, by=by, **extra)


@pytest.fixture
def document(championship, competency, chief_expert, expert):
    """A judging-roles protocol of the competency; the chief expert and an expert must sign."""
    return make_document(championship=championship, competency=competency, by=chief_expert,
                         signers=[(chief_expert, "Главный эксперт"), (expert, "Эксперт")])


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def stored_pdf_text(document: Document) -> str:
    with document.pdf.open("rb") as handle:
        return pdf_text(handle.read())
