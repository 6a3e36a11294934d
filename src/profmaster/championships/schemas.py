"""API schemas of the championship structure (CH-1…CH-4).

``…In`` schemas are what a client sends (PUT replaces every field; an omitted optional field takes
its default), ``…Out`` what it gets back. Bounds match the model fields, so the database never sees
a value it would refuse.
"""

# Field types built by functions (Text(300), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from ninja import Field, Schema
from pydantic import model_validator

from profmaster.api.types import (
    Amount,
    Choice,
    Date,
    DateTime,
    Id,
    IdList,
    LongText,
    PositiveSmallInt,
    Slug,
    SmallInt,
    Text,
    TimeZoneName,
    WallClockDateTime,
)

from . import timezones
from .models import (
    BaseVenue,
    Championship,
    Competency,
    InfrastructureItem,
    ProgrammeSlot,
    Stage,
)
from .timezones import DEFAULT_ZONE

Grade = Annotated[int, Field(ge=1, le=11)]


def _label(obj: Any, field: str) -> str:
    return str(getattr(obj, f"get_{field}_display")())


# --- Championship ----------------------------------------------------------------------------------


class ChampionshipIn(Schema):
    name: Text(300, min_length=1)
    slug: Slug(64) = Field(description="Код латиницей для адресов, уникальный.")
    season: Text(20, min_length=1) = Field(examples=["2022/2023"])
    organiser_id: Id | None = None
    rules_profile: Choice(Championship.RulesProfile) = Championship.RulesProfile.MASTERYATA.value
    description: LongText = ""
    starts_on: Date
    ends_on: Date
    time_zone: TimeZoneName = Field(
        DEFAULT_ZONE, description="Часовой пояс IANA: сроки, окна и протоколы чемпионата — в нём (X-6).")
    registration_deadline: WallClockDateTime | None = Field(
        None, description="ISO 8601; без смещения — в часовом поясе time_zone этого запроса.")

    @model_validator(mode="after")
    def _deadline_in_own_zone(self) -> ChampionshipIn:
        if self.registration_deadline is not None and timezone.is_naive(self.registration_deadline):
            self.registration_deadline = self.registration_deadline.replace(tzinfo=ZoneInfo(self.time_zone))
        return self


class ChampionshipOut(Schema):
    id: int
    name: str
    slug: str
    season: str
    organiser_id: int | None
    rules_profile: Choice(Championship.RulesProfile)
    rules_profile_label: str
    description: str
    starts_on: dt.date
    ends_on: dt.date
    registration_deadline: dt.datetime | None
    time_zone: str
    status: Choice(Championship.Status)
    status_label: str
    created_at: dt.datetime

    @staticmethod
    def resolve_registration_deadline(obj: Championship) -> dt.datetime | None:
        # In the championship's own zone, also where no championship is in the URL (create, list).
        return timezones.local(obj.registration_deadline, obj) if obj.registration_deadline else None

    @staticmethod
    def resolve_rules_profile_label(obj: Championship) -> str:
        return _label(obj, "rules_profile")

    @staticmethod
    def resolve_status_label(obj: Championship) -> str:
        return _label(obj, "status")


class StatusChangeIn(Schema):
    to: Choice(Championship.Status) = Field(description="Новый статус.")
    reason: Text(1000) = Field("", description="Причина; обязательна для возврата назад.")


# --- Stage -----------------------------------------------------------------------------------------


class StageIn(Schema):
    name: Text(200, min_length=1)
    kind: Choice(Stage.Kind)
    form: Choice(Stage.Form) = Stage.Form.PRACTICAL.value
    order: SmallInt = 1
    starts_on: Date
    ends_on: Date


class StageOut(Schema):
    id: int
    championship_id: int
    name: str
    kind: Choice(Stage.Kind)
    kind_label: str
    form: Choice(Stage.Form)
    form_label: str
    order: int
    starts_on: dt.date
    ends_on: dt.date
    phase: Choice(Stage.Phase)
    phase_label: str

    @staticmethod
    def resolve_kind_label(obj: Stage) -> str:
        return _label(obj, "kind")

    @staticmethod
    def resolve_form_label(obj: Stage) -> str:
        return _label(obj, "form")

    @staticmethod
    def resolve_phase_label(obj: Stage) -> str:
        return _label(obj, "phase")


class PhaseMoveIn(Schema):
    to: Choice(Stage.Phase) = Field(description="Соседняя фаза: следующая или (с причиной) предыдущая.")
    reason: Text(1000) = ""


# --- Competency and its specification ----------------------------------------------------------------


class CompetencyIn(Schema):
    name: Text(200, min_length=1)
    code: Slug(32, required=False) = ""
    description: LongText = ""
    evaluation_mode: Choice(Competency.EvaluationMode) = Competency.EvaluationMode.AFTER_COMPLETION.value
    expert_count: PositiveSmallInt | None = Field(
        None, description="Число экспертов; если не задано — по п. 6.4 методики для порядка оценки (4, 6 или 15).")
    mark_entry_mode: Choice(Competency.MarkEntryMode) = Competency.MarkEntryMode.IN_PERSON.value
    toolbox_allowed: bool = False
    age_category_ids: IdList = Field(default_factory=list, description="Возрастные категории этого чемпионата.")


class CompetencyOut(Schema):
    id: int
    championship_id: int
    name: str
    code: str
    description: str
    evaluation_mode: Choice(Competency.EvaluationMode)
    evaluation_mode_label: str
    expert_count: int
    mark_entry_mode: Choice(Competency.MarkEntryMode)
    mark_entry_mode_label: str
    toolbox_allowed: bool
    age_category_ids: list[int]

    @staticmethod
    def resolve_evaluation_mode_label(obj: Competency) -> str:
        return _label(obj, "evaluation_mode")

    @staticmethod
    def resolve_mark_entry_mode_label(obj: Competency) -> str:
        return _label(obj, "mark_entry_mode")

    @staticmethod
    def resolve_age_category_ids(obj: Competency) -> list[int]:
        return sorted(category.pk for category in obj.age_categories.all())


class SkillSectionIn(Schema):
    number: PositiveSmallInt
    title: Text(300, min_length=1)
    description: LongText = ""
    importance_percent: Amount(max_digits=5, decimal_places=2, ge=0, le=100) | None = None


class SkillSectionOut(Schema):
    id: int
    competency_id: int
    number: int
    title: str
    description: str
    importance_percent: Decimal | None


class InfrastructureItemIn(Schema):
    name: Text(300, min_length=1)
    specification: LongText = ""
    quantity: Amount(max_digits=10, decimal_places=2, gt=0)
    unit: Text(20, min_length=1) = "шт."
    per: Choice(InfrastructureItem.Per) = InfrastructureItem.Per.WORKPLACE.value
    is_consumable: bool = False
    photo_required: bool = False


class InfrastructureItemOut(Schema):
    id: int
    competency_id: int
    name: str
    specification: str
    quantity: Decimal
    unit: str
    per: Choice(InfrastructureItem.Per)
    per_label: str
    is_consumable: bool
    photo_required: bool

    @staticmethod
    def resolve_per_label(obj: InfrastructureItem) -> str:
        return _label(obj, "per")


# --- Age category ----------------------------------------------------------------------------------


class AgeCategoryIn(Schema):
    code: Slug(32)
    name: Text(200, min_length=1)
    order: SmallInt = 1
    grade_min: Grade
    grade_max: Grade
    participants_per_team: PositiveSmallInt = 2
    relatives_per_team: SmallInt = 0
    mentors_per_team: SmallInt = 1
    moscow_school_required: bool = True
    sibling_exception_grade_min: Grade | None = None
    sibling_exception_grade_max: Grade | None = None


class AgeCategoryOut(Schema):
    id: int
    championship_id: int
    code: str
    name: str
    order: int
    grade_min: int
    grade_max: int
    participants_per_team: int
    relatives_per_team: int
    mentors_per_team: int
    moscow_school_required: bool
    sibling_exception_grade_min: int | None
    sibling_exception_grade_max: int | None
    is_family: bool


# --- Base venue, workplaces, programme --------------------------------------------------------------


class BaseVenueIn(Schema):
    venue_id: Id = Field(description="Площадка из справочника (/venues).")
    technical_administrator_id: Id | None = Field(None, description="Пользователь — технический администратор.")
    competency_ids: IdList = Field(default_factory=list, description="Компетенции этого чемпионата на площадке.")


class BaseVenueOut(Schema):
    id: int
    championship_id: int
    venue_id: int
    venue_name: str
    venue_address: str
    technical_administrator_id: int | None
    competency_ids: list[int]

    @staticmethod
    def resolve_venue_name(obj: BaseVenue) -> str:
        return obj.venue.name

    @staticmethod
    def resolve_venue_address(obj: BaseVenue) -> str:
        return obj.venue.address

    @staticmethod
    def resolve_competency_ids(obj: BaseVenue) -> list[int]:
        return sorted(competency.pk for competency in obj.competencies.all())


class WorkplaceIn(Schema):
    competency_id: Id
    number: PositiveSmallInt
    note: Text(200) = ""


class WorkplaceOut(Schema):
    id: int
    base_venue_id: int
    competency_id: int
    number: int
    note: str


class ProgrammeSlotIn(Schema):
    stage_id: Id
    competency_id: Id | None = None
    base_venue_id: Id | None = None
    kind: Choice(ProgrammeSlot.Kind) = ProgrammeSlot.Kind.FLOW.value
    title: Text(200, min_length=1)
    starts_at: DateTime
    ends_at: DateTime


class ProgrammeSlotOut(Schema):
    id: int
    championship_id: int
    stage_id: int
    competency_id: int | None
    base_venue_id: int | None
    kind: Choice(ProgrammeSlot.Kind)
    kind_label: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    @staticmethod
    def resolve_kind_label(obj: ProgrammeSlot) -> str:
        return _label(obj, "kind")


