"""API schemas of results and awards (AW-1…AW-7)."""

# mypy: disable-error-code="valid-type"

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from profmaster.api.types import Id, Text


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class DecisionLineOut(Schema):
    number: int | None = Field(None, description="Номер решения о баллах в компетенции")
    kind: str = Field(description="point_loss, annulment, deduction или part_zeroing")
    label: str
    points: str
    scope: str = Field("", description="Что обнулено (критерии, аспекты) — для part_zeroing")
    reason: str
    basis: str


class ResultRowOut(Schema):
    team_id: int
    team: str
    organisation_id: int
    organisation: str
    total: str
    rank: int | None
    out_of_competition: bool
    medal: str = Field(description="gold, silver, bronze или пусто")
    nomination: str = ""
    qualified: bool | None = None
    tied_on_cut: bool = False
    marks_total: str = Field("", description="Сумма баллов по оценкам, до решений о баллах")
    decisions: list[DecisionLineOut] = Field(default_factory=list,
                                             description="Решения о баллах (потеря, аннулирование, вычет, "
                                                         "обнуление части), OP-5, AP-4")


class ResultGroupOut(Schema):
    key: str
    stage_id: int
    stage: str
    stage_kind: str
    age_category_id: int
    age_category: str
    settled: bool
    rows: list[ResultRowOut]


class CompetencyResultsOut(Schema):
    competency_id: int
    competency: str
    visible: bool = Field(description="Видит ли запрашивающий итоги (до публикации — только Дирекция, "
                                      "контроль качества и эксперты компетенции)")
    live: bool = Field(description="Рабочие (неопубликованные) итоги")
    published_version: int | None = None
    invalid: bool = False
    invalid_reason: str = ""
    groups: list[ResultGroupOut] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list)


class StandingOut(Schema):
    organisation_id: int
    organisation: str
    gold: int
    silver: int
    bronze: int
    total: int
    cup: int | None


class VersionOut(Schema):
    number: int
    competency_id: int | None
    competency_ids: list[int]
    published_at: datetime
    changelog: str


class VersionDetailOut(VersionOut):
    competencies: list[CompetencyResultsOut]


class PublishIn(_In):
    competency_id: Id | None = Field(None, description="Пусто — итоги всего чемпионата")
    changelog: Text(2000) = Field("", description="Обязательно при повторной публикации: что и почему исправлено")


class NominationIn(_In):
    team_id: Id
    title: Text(200, min_length=1)
    reason: Text(2000, min_length=1)


class NominationOut(Schema):
    id: int
    team_id: int
    title: str
    reason: str
    status: str


class DiplomaOut(Schema):
    id: int
    kind: str
    championship: str
    competency: str
    full_name: str
    code: str
    electronic: bool


class VerificationOut(Schema):
    genuine: bool
    revoked: bool = False
    revoked_at: datetime | None = None
    revoke_reason: str = ""
    heading: str = ""
    text: str = ""
    championship: str = ""
    issued: str = ""
    code: str = ""
