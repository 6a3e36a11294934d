"""Request and response shapes of the documents API (SPEC DOC-2, X-4).

Inputs are bounded like the model fields and refuse NUL characters (PostgreSQL cannot store them;
no person types one): strings through :mod:`profmaster.api.types`, the password and the free JSON
payload through the validators below, since neither may be stripped or reshaped.
"""

# Field types built by functions (Text(300), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints

from profmaster.api.types import Choice, Id, Text

from .models import Document, DocumentType, Signature

#: Ninety-nine signers is already a large commission; the bound keeps one request small.
MAX_SIGNERS = 100
#: The payload's nesting depth: tables of rows of cells are three levels; ten is generous.
MAX_DEPTH = 10


def _reject_nul(value: str) -> str:
    """Refuse what no database column can hold: NUL and lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError("строка не может содержать нулевой символ (\\x00)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("строка содержит недопустимые символы (одиночные суррогаты UTF-16)") from None
    return value


def _check_payload(value: dict[str, Any]) -> dict[str, Any]:
    """Every key and string inside the payload is storable, and the nesting is bounded."""

    def walk(item: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"вложенность содержания больше {MAX_DEPTH} уровней")
        if isinstance(item, str):
            _reject_nul(item)
        elif isinstance(item, dict):
            for key, nested in item.items():
                _reject_nul(key)
                walk(nested, depth + 1)
        elif isinstance(item, list):
            for nested in item:
                walk(nested, depth + 1)

    walk(value, 0)
    return value


#: A string refused when it holds NUL; not stripped (a password is taken exactly as typed).
NoNulStr = Annotated[str, AfterValidator(_reject_nul)]
Password = Annotated[NoNulStr, StringConstraints(min_length=1, max_length=4096)]
#: The document's data: a JSON object whose strings hold no NUL.
Payload = Annotated[dict[str, Any], AfterValidator(_check_payload)]


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class SignerIn(InputSchema):
    user_id: Id
    role_label: Text(200, min_length=1) = Field(examples=["Главный эксперт"])


class DocumentCreateIn(InputSchema):
    doc_type: Choice(DocumentType)
    title: Text(300, min_length=1)
    competency_id: Id | None = None
    data: Payload = Field(description="Содержание: объект JSON, например {\"text\": \"…\"}.",
                          examples=[{"text": "Роли экспертов распределены."}])
    signers: list[SignerIn] = Field(min_length=1, max_length=MAX_SIGNERS,
                                    description="Обязательные подписанты в порядке подписания.")


class DocumentUpdateIn(InputSchema):
    title: Text(300, min_length=1) | None = Field(None, description="Не указан — заголовок прежний.")
    data: Payload
    reason: Text(2000, min_length=1) = Field(description="Причина: попадёт в аудит и в отметку об аннулировании.")


class RegenerateIn(InputSchema):
    reason: Text(2000, min_length=1) = Field(description="Причина: попадёт в аудит и в отметку об аннулировании.")


class SignIn(InputSchema):
    password: Password = Field(description="Пароль подписанта — повторное подтверждение личности.")


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

    @staticmethod
    def resolve_signer_name(obj: Signature) -> str:
        return obj.signer.full_name

    @staticmethod
    def resolve_valid(obj: Signature) -> bool:
        return obj.voided_at is None and obj.content_hash == obj.document.content_hash


class _DocumentFields(Schema):
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
    complete: bool = Field(description="Все обязательные подписанты подписали текущую редакцию.")
    required_count: int
    missing_count: int
    created_at: dt.datetime


class DocumentListItemOut(_DocumentFields):
    """A line of the register, read from a document annotated by ``selectors.register``."""

    @staticmethod
    def resolve_doc_type_label(obj: Document) -> str:
        return str(obj.get_doc_type_display())

    @staticmethod
    def resolve_competency(obj: Document) -> str | None:
        return obj.competency.name if obj.competency is not None else None

    @staticmethod
    def resolve_complete(obj: Document) -> bool:
        return obj.required_count > 0 and obj.missing_count == 0  # type: ignore[attr-defined]


class DocumentOut(_DocumentFields):
    """One document with its content, who has to sign, and every signature given (valid or voided)."""

    data: dict[str, Any]
    generated: bool = Field(description="Содержание сформировано системой из записей: не изменяется вручную, "
                                        "только формируется заново.")
    signers: list[SignerOut]
    missing: list[SignerOut]
    signatures: list[SignatureOut]
    render_status: str
    pdf_url: str
