"""API schemas of marking schemes (MS-1…MS-5)."""

# mypy: disable-error-code="valid-type"

from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from profmaster.api.types import Amount, Choice, Id, Text

from .calculation import KINDS


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class SchemeIn(_In):
    title: Text(300, min_length=1)
    stage_id: Id
    age_category_id: Id | None = Field(None, description="Пусто — одна схема для всех категорий.")


class AspectIn(_In):
    code: Text(16, min_length=1)
    kind: Choice(KINDS)
    description: Text(5000, min_length=1)
    max_points: Amount(max_digits=5, decimal_places=2, gt=0)
    descriptors: list[Text(500)] = Field(default_factory=list, max_length=4,
                                         description="Судейский аспект: значения оценок 0, 1, 2, 3.")
    levels: list[tuple[Text(200, min_length=1), Amount(max_digits=5, decimal_places=2, ge=0)]] = Field(
        default_factory=list, max_length=20, description="Шкала уровней: пары [название, баллы].")


class SubCriterionIn(_In):
    code: Text(12, min_length=1)
    title: Text(300, min_length=1)
    aspects: list[AspectIn] = Field(max_length=200)


class CriterionIn(_In):
    code: Text(8, min_length=1)
    title: Text(300, min_length=1)
    skill_sections: list[int] = Field(default_factory=list, max_length=50,
                                      description="Номера разделов спецификации навыков компетенции.")
    sub_criteria: list[SubCriterionIn] = Field(max_length=50)


class SchemeContentIn(_In):
    criteria: list[CriterionIn] = Field(max_length=50)


class MarkingReasonIn(_In):
    reason: Text(2000, min_length=1)


class AspectOut(Schema):
    code: str
    kind: str
    description: str
    max_points: Decimal
    descriptors: list[str]
    levels: list[tuple[str, Decimal]]


class SubCriterionOut(Schema):
    code: str
    title: str
    aspects: list[AspectOut]


class CriterionOut(Schema):
    code: str
    title: str
    skill_sections: list[int]
    sub_criteria: list[SubCriterionOut]


class ProblemOut(Schema):
    place: str
    message: str


class SchemeOut(Schema):
    id: int
    competency_id: int
    stage_id: int
    age_category_id: int | None
    title: str
    status: str
    version: int
    total_points: Decimal
    lock_document_id: int | None
    unlock_document_id: int | None
    problems: list[ProblemOut]
    criteria: list[CriterionOut]


class DocumentRefOut(Schema):
    document_id: int
    number: int
    title: str


# --- Marks, panels and lock status (SC-2…SC-9) --------------------------------------------------------


class MarkIn(_In):
    aspect_id: Id
    team_id: Id
    expert_id: Id | None = Field(None, description="Эксперт, чья это судейская оценка; пусто для измеримых.")
    value: int = Field(ge=0, le=99, description="Судейская 0–3; бинарная 0/1; шкала — номер уровня с 0.")
    reason: Text(2000) = Field("", description="Причина исправления (обязательна после завершения ведомости).")


class MarkOut(Schema):
    aspect_id: int
    aspect_code: str
    team_id: int
    expert_id: int | None
    value: int
    entered_at: str


class PanelMemberOut(Schema):
    user_id: int
    name: str
    role: str


class PanelOut(Schema):
    competency_id: int
    mark_entry_mode: str
    four_eyes: bool
    blind: bool
    exclude_own_organisation: bool
    members: list[PanelMemberOut]
    warnings: list[str]
    roles_document_id: int | None


class MarksStatusOut(Schema):
    scheme_id: int
    status: str
    entry_count: int
    head_hash: str
    problems: list[str]
    pdf_status: str
    pdf_progress: int
    lock_document_id: int | None
    unlock_document_id: int | None


class CriterionPointsOut(Schema):
    code: str
    points: Decimal


class TeamResultOut(Schema):
    team_id: int
    team: str
    total: Decimal | None
    missing: int
    criteria: list[CriterionPointsOut]
    sub_criteria: list[CriterionPointsOut]
    flags: list[str]


# --- Document package (SC-10) -----------------------------------------------------------------------


class PackageItemOut(Schema):
    key: str = Field(description="Постоянный ключ позиции пакета, например «sheet:<схема>:<субкритерий>:<команда>».")
    kind: str
    title: str
    status: str = Field(description="missing, awaiting, signed, ready или received.")
    status_label: str
    done: bool
    scheme_id: int | None
    document_id: int | None
    document_number: int | None
    missing_signers: list[str]
    team_id: int | None
    sub_criterion_id: int | None
    entered: bool
    received_at: str | None
    received_by: str
    comment: str


class PackageOut(Schema):
    competency_id: int
    competency: str
    championship_id: int
    deadline: str
    overdue: bool
    complete: bool
    total: int
    missing_count: int
    awaiting_count: int
    items: list[PackageItemOut]


class ReceiptIn(_In):
    scheme_id: Id
    team_id: Id
    sub_criterion_id: Id | None = Field(None, description="Пусто — все ведомости команды по схеме.")
    comment: Text(500) = ""


class ReceiptOut(Schema):
    created: int = Field(description="Сколько ведомостей отмечено сейчас (0 — уже были отмечены).")
    package: PackageOut
