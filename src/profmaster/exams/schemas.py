"""API schemas of online exams (RM-1)."""

# Field types built by functions (Text(64), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from profmaster.api.types import Amount, DateTime, Id, LongText, PositiveSmallInt, SmallInt, Text


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class BankOut(Schema):
    id: int
    championship_id: int
    competency_id: int | None
    name: str
    description: str
    questions: int


class OptionOut(Schema):
    id: int
    text: str
    fraction: Decimal
    match: str
    value: Decimal | None
    tolerance: Decimal
    scales: dict[str, Any]


class QuestionOut(Schema):
    id: int
    category: str
    kind: str
    name: str
    text: str
    points: Decimal
    options: list[OptionOut]


class ImportIn(InputSchema):
    file_format: Literal["moodle_xml", "gift", "xlsx"]
    content: str = Field(max_length=14_000_000, description="Содержимое файла: Moodle XML или GIFT — текстом "
                                                            "в UTF-8, xlsx — в base64.")


class ExamOut(Schema):
    id: int
    championship_id: int
    competency_id: int | None
    stage_id: int | None
    bank_id: int
    title: str
    status: str
    time_limit_minutes: int | None
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    grace_seconds: int
    pass_mark: Decimal | None
    max_attempts: int
    requires_admission: bool
    has_access_code: bool


class StartIn(InputSchema):
    access_code: Text(64) = ""


class PaperOptionOut(Schema):
    id: str
    text: str


class PaperItemOut(Schema):
    question_id: int
    kind: str
    text: str
    points: Decimal
    options: list[PaperOptionOut]
    choices: list[str] = Field(default_factory=list, description="Ответы для соответствия.")


class SavedAnswerOut(Schema):
    question_id: int
    response: Any = None
    seq: int
    saved_at: dt.datetime


class AttemptOut(Schema):
    id: int
    exam_id: int
    user_id: int
    number: int
    status: str
    started_at: dt.datetime
    deadline: dt.datetime | None
    accept_until: dt.datetime | None
    finished_at: dt.datetime | None
    finished_by: str
    server_time: dt.datetime
    score: Decimal | None
    max_score: Decimal
    needs_grading: bool
    passed: bool | None
    token: str | None = Field(None, description="Ключ попытки: передавайте его в каждом сохранении ответа. "
                                                 "Выдаётся только при начале или продолжении попытки.")
    paper: list[PaperItemOut] = Field(default_factory=list)
    answers: list[SavedAnswerOut] = Field(default_factory=list)


class SaveIn(InputSchema):
    question_id: Id
    response: Any = Field(None, description="Ответ: id варианта, список id, текст, число, "
                                            "{id вопроса-основы: ответ} или порядок id — по виду вопроса.")
    seq: int = Field(ge=1, le=2**31 - 1, description="Счётчик сохранений этого вопроса у клиента; "
                                                     "повтор с тем же или меньшим номером ничего не меняет.")
    token: Text(64, min_length=1)


class SaveOut(Schema):
    question_id: int
    seq: int
    saved_at: dt.datetime
    replay: bool


class EventIn(InputSchema):
    #: ``support``: the window lost focus because the examinee opened «Поддержка» from the exam page (RM-6).
    kind: Literal["focus_lost", "focus_back", "support"]
    token: Text(64, min_length=1)


class FinishIn(InputSchema):
    token: Text(64, min_length=1)


class ExamResultRowOut(Schema):
    attempt_id: int
    user_id: int
    name: str
    number: int
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    score: Decimal | None
    max_score: Decimal
    needs_grading: bool
    passed: bool | None


# --- Panel operations: banks, exam editing, proctoring, grading, protocols -------------------------------


class BankIn(InputSchema):
    name: Text(200, min_length=1)
    description: LongText = ""
    competency_id: Id | None = None


class ExamIn(InputSchema):
    """The whole exam (create or replace); refused with 409 while any attempt is open."""

    title: Text(200, min_length=1)
    bank_id: Id
    competency_id: Id | None = None
    stage_id: Id | None = None
    instructions: LongText = ""
    time_limit_minutes: int | None = Field(None, ge=1, le=10_000)
    opens_at: DateTime | None = None
    closes_at: DateTime | None = None
    grace_seconds: int = Field(30, ge=0, le=3600)
    pass_mark: Amount(max_digits=7, decimal_places=2, ge=0) | None = None
    max_attempts: PositiveSmallInt = 1
    shuffle_questions: bool = True
    shuffle_options: bool = True
    access_code: Text(64) = ""
    allowed_networks: Text(5000) = ""
    requires_admission: bool = False
    show_score: bool = True


class ExamStatusIn(InputSchema):
    to: Literal["draft", "published", "archived"]
    reason: Text(500) = ""


class SectionIn(InputSchema):
    category_id: Id
    count: SmallInt = Field(0, description="Сколько вопросов выбрать случайно; 0 — все вопросы категории.")
    order: SmallInt = 0


class SectionOut(Schema):
    id: int
    category_id: int
    category: str
    count: int
    order: int


class AdmitIn(InputSchema):
    user_id: Id
    document_note: Text(200) = ""


class AdmissionOut(Schema):
    id: int
    exam_id: int
    user_id: int
    admitted_by_id: int
    admitted_at: dt.datetime
    document_note: str
    used: bool


class UnlockIn(InputSchema):
    reason: Text(500) = ""


class GradingItemOut(Schema):
    answer_id: int
    attempt_id: int
    user_id: int
    name: str
    question_id: int
    question: str
    response: Any = None
    max_points: Decimal
    points: Decimal | None
    graded: bool
    comment: str


class GradeIn(InputSchema):
    points: Amount(max_digits=9, decimal_places=2, ge=0)
    comment: Text(2000) = ""


class RegradeIn(InputSchema):
    dry_run: bool = True
    reason: Text(500) = ""


class RegradeChangeOut(Schema):
    attempt_id: int
    user_id: int
    name: str
    old: Decimal | None
    new: Decimal


class ExamSignerIn(InputSchema):
    user_id: Id
    role_label: Text(200, min_length=1)


class ProtocolIn(InputSchema):
    signers: list[ExamSignerIn] = Field(min_length=1, max_length=50)


class ProtocolOut(Schema):
    document_id: int
    title: str
