"""Request and response shapes of the documents API. Inputs are bounded and refuse NUL characters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("строка не должна содержать символ NUL (\\u0000)")
    return value


#: A string without NUL characters (PostgreSQL refuses them, and no person types one).
SafeStr = Annotated[str, AfterValidator(_no_nul)]
Title = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
RoleLabel = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
DocType = Annotated[SafeStr, StringConstraints(min_length=1, max_length=40)]
Password = Annotated[SafeStr, StringConstraints(min_length=1, max_length=4096)]


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class SignerIn(InputSchema):
    user_id: int = Field(gt=0)
    role_label: RoleLabel


class DocumentCreateIn(InputSchema):
    doc_type: DocType
    title: Title
    competency_id: int | None = Field(default=None, gt=0)
    data: dict[str, Any] = Field(description="Содержание: объект JSON, например {\"text\": \"…\"}")
    signers: list[SignerIn] = Field(min_length=1, max_length=100)


class DocumentUpdateIn(InputSchema):
    title: Title | None = None
    data: dict[str, Any]
    reason: Reason


class SignIn(InputSchema):
    password: Password


class SignerOut(Schema):
    user_id: int
    name: str
    role_label: str
    order: int
    signed: bool


class SignatureOut(Schema):
    id: int
    signer_id: int
    signer_name: str
    role_label: str
    signed_at: dt.datetime
    content_hash: str
    document_version: int
    valid: bool
    voided_at: dt.datetime | None
    void_reason: str


class DocumentListItemOut(Schema):
    id: int
    number: int
    doc_type: str
    doc_type_label: str
    title: str
    championship_id: int
    competency_id: int | None
    competency: str | None
    version: int
    content_hash: str
    complete: bool
    required_count: int
    missing_count: int
    created_at: dt.datetime


class DocumentOut(DocumentListItemOut):
    data: dict[str, Any]
    signers: list[SignerOut]
    missing: list[SignerOut]
    signatures: list[SignatureOut]
    render_status: str
    pdf_url: str


class DocumentPageOut(Schema):
    count: int
    items: list[DocumentListItemOut]
