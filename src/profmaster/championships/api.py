"""HTTP API of the championship structure (CH-1…CH-4), mounted under /api/v1/.

Reading needs ``championships.view_championship`` on the championship the object belongs to (an object
of a championship the person cannot see answers 404); writing needs ``championships.manage_championship``
(403). Every change goes through :mod:`profmaster.championships.domain`, which validates, saves and audits.
"""

# No `from __future__ import annotations`: ninja builds query models from these annotations at runtime.
# Query types built by functions (Text(200), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from profmaster.accounts.models import User
from profmaster.api.pagination import LimitOffset
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import (
    assign,
    authorize_championship,
    current_user,
    fresh,
    get_or_404,
    reference,
    references,
)
from profmaster.api.types import Choice, Id, Text
from profmaster.organisations.models import Organisation, Venue
from profmaster.permissions import require, visible_championships

from . import domain
from .models import (
    AgeCategory,
    BaseVenue,
    Championship,
    Competency,
    InfrastructureItem,
    ProgrammeSlot,
    SkillSection,
    Stage,
    Workplace,
)
from .schemas import (
    AgeCategoryIn,
    AgeCategoryOut,
    BaseVenueIn,
    BaseVenueOut,
    ChampionshipIn,
    ChampionshipOut,
    CompetencyIn,
    CompetencyOut,
    InfrastructureItemIn,
    InfrastructureItemOut,
    PhaseMoveIn,
    ProgrammeSlotIn,
    ProgrammeSlotOut,
    SkillSectionIn,
    SkillSectionOut,
    StageIn,
    StageOut,
    StatusChangeIn,
    WorkplaceIn,
    WorkplaceOut,
)

router = Router()

M = TypeVar("M", bound=models.Model)

CHAMPIONSHIPS = "Чемпионаты"
STAGES = "Этапы"
COMPETENCIES = "Компетенции"
AGE_CATEGORIES = "Возрастные категории"
BASE_VENUES = "Базовые площадки"
PROGRAMME = "Программа"

_DELETED = {204: None, **WRITE_ERRORS}


def _championship(request: HttpRequest, championship_id: int, *, manage: bool = False) -> Championship:
    message = _("Чемпионат не найден.")
    championship = get_or_404(Championship, championship_id, message)
    authorize_championship(request, championship, manage=manage, message=message)
    return championship


def _scoped(request: HttpRequest, queryset: models.QuerySet[M], pk: int, message: str, *,
            manage: bool = False) -> M:
    """An object of some championship, checked against that championship's permissions."""
    obj = get_or_404(queryset, pk, message)
    authorize_championship(request, obj.championship, manage=manage, message=message)  # type: ignore[attr-defined]
    return obj


# --- Championships (CH-1) --------------------------------------------------------------------------


@router.get("/championships", response={200: list[ChampionshipOut], **READ_ERRORS}, url_name="championship_list",
            tags=[CHAMPIONSHIPS], summary="Чемпионаты")
@paginate(LimitOffset)
def championship_list(request: HttpRequest,
                      status: Choice(Championship.Status) | None = None,
                      season: Text(20) | None = None) -> Any:
    """Чемпионаты, в которых у вас есть роль (дирекции платформы — все), новые первыми."""
    queryset = visible_championships(current_user(request)).order_by("-starts_on", "name", "pk")
    if status:
        queryset = queryset.filter(status=status)
    if season:
        queryset = queryset.filter(season=season)
    return queryset


def _fill_championship(championship: Championship, payload: ChampionshipIn) -> Championship:
    data = payload.model_dump(exclude={"organiser_id"})
    championship.organiser = reference(Organisation, payload.organiser_id, field="organiser_id",
                                       message=_("Организация не найдена."))
    return assign(championship, data)


@router.post("/championships", response={201: ChampionshipOut, **WRITE_ERRORS}, url_name="championship_create",
             tags=[CHAMPIONSHIPS], summary="Создать чемпионат")
def championship_create(request: HttpRequest, payload: ChampionshipIn) -> Any:
    """Новый чемпионат в статусе «Черновик». Для правил «Мастерята» сразу создаются три возрастные
    категории п. 3.3 методики. Нужна роль дирекции платформы."""
    user = current_user(request)
    require(user, "championships.add_championship")
    championship = _fill_championship(Championship(), payload)
    return Status(201, fresh(domain.save_championship(championship, by=user)))


@router.get("/championships/{championship_id}", response={200: ChampionshipOut, **READ_ERRORS},
            url_name="championship_detail", tags=[CHAMPIONSHIPS], summary="Чемпионат")
def championship_detail(request: HttpRequest, championship_id: Id) -> Any:
    return _championship(request, championship_id)


@router.put("/championships/{championship_id}", response={200: ChampionshipOut, **WRITE_ERRORS},
            url_name="championship_update", tags=[CHAMPIONSHIPS], summary="Изменить чемпионат")
def championship_update(request: HttpRequest, championship_id: Id, payload: ChampionshipIn) -> Any:
    """Заменяет все поля; статус меняется отдельно (`…/status`)."""
    championship = _championship(request, championship_id, manage=True)
    return fresh(domain.save_championship(_fill_championship(championship, payload), by=current_user(request)))


@router.post("/championships/{championship_id}/status", response={200: ChampionshipOut, **WRITE_ERRORS},
             url_name="championship_status", tags=[CHAMPIONSHIPS], summary="Сменить статус чемпионата")
def championship_status(request: HttpRequest, championship_id: Id, payload: StatusChangeIn) -> Any:
    """Черновик → проводится → в архиве; возврат назад — только с причиной. Запрещённый переход — 409."""
    championship = _championship(request, championship_id, manage=True)
    return domain.change_championship_status(championship, to=payload.to, by=current_user(request),
                                             reason=payload.reason)


# --- Stages (CH-1) ---------------------------------------------------------------------------------

def _stage(request: HttpRequest, stage_id: int, *, manage: bool = False) -> Stage:
    return _scoped(request, Stage.objects.select_related("championship"), stage_id, _("Этап не найден."),
                   manage=manage)


@router.get("/championships/{championship_id}/stages", response={200: list[StageOut], **READ_ERRORS},
            url_name="stage_list", tags=[STAGES], summary="Этапы чемпионата")
def stage_list(request: HttpRequest, championship_id: Id) -> Any:
    return _championship(request, championship_id).stages.order_by("order", "starts_on", "pk")


@router.post("/championships/{championship_id}/stages", response={201: StageOut, **WRITE_ERRORS},
             url_name="stage_create", tags=[STAGES], summary="Добавить этап")
def stage_create(request: HttpRequest, championship_id: Id, payload: StageIn) -> Any:
    championship = _championship(request, championship_id, manage=True)
    stage = Stage(championship=championship, **payload.model_dump())
    return Status(201, fresh(domain.save_structure_object(stage, by=current_user(request))))


@router.get("/stages/{stage_id}", response={200: StageOut, **READ_ERRORS}, url_name="stage_detail",
            tags=[STAGES], summary="Этап")
def stage_detail(request: HttpRequest, stage_id: Id) -> Any:
    return _stage(request, stage_id)


@router.put("/stages/{stage_id}", response={200: StageOut, **WRITE_ERRORS}, url_name="stage_update",
            tags=[STAGES], summary="Изменить этап")
def stage_update(request: HttpRequest, stage_id: Id, payload: StageIn) -> Any:
    """Заменяет все поля, кроме фазы (она меняется через `…/phase`)."""
    stage = _stage(request, stage_id, manage=True)
    return fresh(domain.save_structure_object(assign(stage, payload.model_dump()), by=current_user(request)))


@router.delete("/stages/{stage_id}", response=_DELETED, url_name="stage_delete", tags=[STAGES],
               summary="Удалить этап")
def stage_delete(request: HttpRequest, stage_id: Id) -> Any:
    domain.delete_structure_object(_stage(request, stage_id, manage=True), by=current_user(request))
    return Status(204, None)


@router.post("/stages/{stage_id}/phase", response={200: StageOut, **WRITE_ERRORS}, url_name="stage_phase",
             tags=[STAGES], summary="Перевести этап в другую фазу")
def stage_phase(request: HttpRequest, stage_id: Id, payload: PhaseMoveIn) -> Any:
    """На одну фазу вперёд, или на одну назад с причиной. Иначе — 409."""
    stage = _stage(request, stage_id, manage=True)
    return domain.move_stage_phase(stage, to=payload.to, by=current_user(request), reason=payload.reason)


# --- Competencies (CH-2) ---------------------------------------------------------------------------


def _competency(request: HttpRequest, competency_id: int, *, manage: bool = False) -> Competency:
    queryset = Competency.objects.select_related("championship").prefetch_related("age_categories")
    return _scoped(request, queryset, competency_id, _("Компетенция не найдена."), manage=manage)


def _save_competency(competency: Competency, payload: CompetencyIn, request: HttpRequest) -> Competency:
    categories = references(competency.championship.age_categories.all(), payload.age_category_ids,
                            field="age_category_ids", message=_("Нет таких возрастных категорий в чемпионате"))
    assign(competency, payload.model_dump(exclude={"age_category_ids"}))
    domain.save_competency(competency, by=current_user(request), age_categories=categories)
    # The prefetched categories are stale after the save; read them again for the answer.
    return _competency_fresh(competency.pk)


def _competency_fresh(pk: int) -> Competency:
    return Competency.objects.prefetch_related("age_categories").get(pk=pk)


@router.get("/championships/{championship_id}/competencies", response={200: list[CompetencyOut], **READ_ERRORS},
            url_name="competency_list", tags=[COMPETENCIES], summary="Компетенции чемпионата")
def competency_list(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(request, championship_id)
    return championship.competencies.prefetch_related("age_categories").order_by("name", "pk")


@router.post("/championships/{championship_id}/competencies", response={201: CompetencyOut, **WRITE_ERRORS},
             url_name="competency_create", tags=[COMPETENCIES], summary="Добавить компетенцию")
def competency_create(request: HttpRequest, championship_id: Id, payload: CompetencyIn) -> Any:
    """Без `expert_count` число экспертов берётся по п. 6.4 методики: 4 — оценка по завершении,
    6 — в процессе, параллельная или слепая, 15 — пять рабочих мест одновременно."""
    championship = _championship(request, championship_id, manage=True)
    return Status(201, _save_competency(Competency(championship=championship), payload, request))


@router.get("/competencies/{competency_id}", response={200: CompetencyOut, **READ_ERRORS},
            url_name="competency_detail", tags=[COMPETENCIES], summary="Компетенция")
def competency_detail(request: HttpRequest, competency_id: Id) -> Any:
    return _competency(request, competency_id)


@router.put("/competencies/{competency_id}", response={200: CompetencyOut, **WRITE_ERRORS},
            url_name="competency_update", tags=[COMPETENCIES], summary="Изменить компетенцию")
def competency_update(request: HttpRequest, competency_id: Id, payload: CompetencyIn) -> Any:
    """Заменяет все поля; без `expert_count` число экспертов снова берётся по п. 6.4 методики."""
    return _save_competency(_competency(request, competency_id, manage=True), payload, request)


@router.delete("/competencies/{competency_id}", response=_DELETED, url_name="competency_delete",
               tags=[COMPETENCIES], summary="Удалить компетенцию")
def competency_delete(request: HttpRequest, competency_id: Id) -> Any:
    domain.delete_structure_object(_competency(request, competency_id, manage=True), by=current_user(request))
    return Status(204, None)


# Skills specification sections (003 §4.4)


def _skill_section(request: HttpRequest, section_id: int, *, manage: bool = False) -> SkillSection:
    return _scoped(request, SkillSection.objects.select_related("competency__championship"), section_id,
                   _("Раздел спецификации не найден."), manage=manage)


@router.get("/competencies/{competency_id}/skill-sections", response={200: list[SkillSectionOut], **READ_ERRORS},
            url_name="skill_section_list", tags=[COMPETENCIES], summary="Разделы спецификации навыков")
def skill_section_list(request: HttpRequest, competency_id: Id) -> Any:
    return _competency(request, competency_id).skill_sections.order_by("number", "pk")


@router.post("/competencies/{competency_id}/skill-sections", response={201: SkillSectionOut, **WRITE_ERRORS},
             url_name="skill_section_create", tags=[COMPETENCIES], summary="Добавить раздел спецификации")
def skill_section_create(request: HttpRequest, competency_id: Id, payload: SkillSectionIn) -> Any:
    competency = _competency(request, competency_id, manage=True)
    section = SkillSection(competency=competency, **payload.model_dump())
    return Status(201, fresh(domain.save_structure_object(section, by=current_user(request))))


@router.get("/skill-sections/{section_id}", response={200: SkillSectionOut, **READ_ERRORS},
            url_name="skill_section_detail", tags=[COMPETENCIES], summary="Раздел спецификации")
def skill_section_detail(request: HttpRequest, section_id: Id) -> Any:
    return _skill_section(request, section_id)


@router.put("/skill-sections/{section_id}", response={200: SkillSectionOut, **WRITE_ERRORS},
            url_name="skill_section_update", tags=[COMPETENCIES], summary="Изменить раздел спецификации")
def skill_section_update(request: HttpRequest, section_id: Id, payload: SkillSectionIn) -> Any:
    section = _skill_section(request, section_id, manage=True)
    return fresh(domain.save_structure_object(assign(section, payload.model_dump()), by=current_user(request)))


@router.delete("/skill-sections/{section_id}", response=_DELETED, url_name="skill_section_delete",
               tags=[COMPETENCIES], summary="Удалить раздел спецификации")
def skill_section_delete(request: HttpRequest, section_id: Id) -> Any:
    domain.delete_structure_object(_skill_section(request, section_id, manage=True), by=current_user(request))
    return Status(204, None)


# Infrastructure list


def _infrastructure_item(request: HttpRequest, item_id: int, *, manage: bool = False) -> InfrastructureItem:
    return _scoped(request, InfrastructureItem.objects.select_related("competency__championship"), item_id,
                   _("Позиция инфраструктурного листа не найдена."), manage=manage)


@router.get("/competencies/{competency_id}/infrastructure",
            response={200: list[InfrastructureItemOut], **READ_ERRORS}, url_name="infrastructure_list",
            tags=[COMPETENCIES], summary="Инфраструктурный лист")
def infrastructure_list(request: HttpRequest, competency_id: Id) -> Any:
    return _competency(request, competency_id).infrastructure.order_by("name", "pk")


@router.post("/competencies/{competency_id}/infrastructure",
             response={201: InfrastructureItemOut, **WRITE_ERRORS}, url_name="infrastructure_create",
             tags=[COMPETENCIES], summary="Добавить позицию инфраструктурного листа")
def infrastructure_create(request: HttpRequest, competency_id: Id, payload: InfrastructureItemIn) -> Any:
    competency = _competency(request, competency_id, manage=True)
    item = InfrastructureItem(competency=competency, **payload.model_dump())
    return Status(201, fresh(domain.save_structure_object(item, by=current_user(request))))


@router.get("/infrastructure/{item_id}", response={200: InfrastructureItemOut, **READ_ERRORS},
            url_name="infrastructure_detail", tags=[COMPETENCIES], summary="Позиция инфраструктурного листа")
def infrastructure_detail(request: HttpRequest, item_id: Id) -> Any:
    return _infrastructure_item(request, item_id)


@router.put("/infrastructure/{item_id}", response={200: InfrastructureItemOut, **WRITE_ERRORS},
            url_name="infrastructure_update", tags=[COMPETENCIES],
            summary="Изменить позицию инфраструктурного листа")
def infrastructure_update(request: HttpRequest, item_id: Id, payload: InfrastructureItemIn) -> Any:
    item = _infrastructure_item(request, item_id, manage=True)
    return fresh(domain.save_structure_object(assign(item, payload.model_dump()), by=current_user(request)))


@router.delete("/infrastructure/{item_id}", response=_DELETED, url_name="infrastructure_delete",
               tags=[COMPETENCIES], summary="Удалить позицию инфраструктурного листа")
def infrastructure_delete(request: HttpRequest, item_id: Id) -> Any:
    domain.delete_structure_object(_infrastructure_item(request, item_id, manage=True), by=current_user(request))
    return Status(204, None)


# --- Age categories (CH-3) -------------------------------------------------------------------------


def _age_category(request: HttpRequest, category_id: int, *, manage: bool = False) -> AgeCategory:
    return _scoped(request, AgeCategory.objects.select_related("championship"), category_id,
                   _("Возрастная категория не найдена."), manage=manage)


@router.get("/championships/{championship_id}/age-categories", response={200: list[AgeCategoryOut], **READ_ERRORS},
            url_name="age_category_list", tags=[AGE_CATEGORIES], summary="Возрастные категории чемпионата")
def age_category_list(request: HttpRequest, championship_id: Id) -> Any:
    return _championship(request, championship_id).age_categories.order_by("order", "grade_min", "pk")


@router.post("/championships/{championship_id}/age-categories", response={201: AgeCategoryOut, **WRITE_ERRORS},
             url_name="age_category_create", tags=[AGE_CATEGORIES], summary="Добавить возрастную категорию")
def age_category_create(request: HttpRequest, championship_id: Id, payload: AgeCategoryIn) -> Any:
    """Правила допуска как данные (п. 3.3 методики): классы, состав команды, исключение для братьев и сестёр."""
    championship = _championship(request, championship_id, manage=True)
    category = AgeCategory(championship=championship, **payload.model_dump())
    return Status(201, fresh(domain.save_structure_object(category, by=current_user(request))))


@router.get("/age-categories/{category_id}", response={200: AgeCategoryOut, **READ_ERRORS},
            url_name="age_category_detail", tags=[AGE_CATEGORIES], summary="Возрастная категория")
def age_category_detail(request: HttpRequest, category_id: Id) -> Any:
    return _age_category(request, category_id)


@router.put("/age-categories/{category_id}", response={200: AgeCategoryOut, **WRITE_ERRORS},
            url_name="age_category_update", tags=[AGE_CATEGORIES], summary="Изменить возрастную категорию")
def age_category_update(request: HttpRequest, category_id: Id, payload: AgeCategoryIn) -> Any:
    category = _age_category(request, category_id, manage=True)
    return fresh(domain.save_structure_object(assign(category, payload.model_dump()), by=current_user(request)))


@router.delete("/age-categories/{category_id}", response=_DELETED, url_name="age_category_delete",
               tags=[AGE_CATEGORIES], summary="Удалить возрастную категорию")
def age_category_delete(request: HttpRequest, category_id: Id) -> Any:
    domain.delete_structure_object(_age_category(request, category_id, manage=True), by=current_user(request))
    return Status(204, None)


# --- Base venues and workplaces (CH-4) ---------------------------------------------------------------


def _base_venue_queryset() -> models.QuerySet[BaseVenue]:
    return BaseVenue.objects.select_related("championship", "venue").prefetch_related("competencies")


def _base_venue(request: HttpRequest, base_venue_id: int, *, manage: bool = False) -> BaseVenue:
    return _scoped(request, _base_venue_queryset(), base_venue_id, _("Базовая площадка не найдена."),
                   manage=manage)


def _save_base_venue(base_venue: BaseVenue, payload: BaseVenueIn, request: HttpRequest) -> BaseVenue:
    championship = base_venue.championship
    base_venue.venue = reference(Venue, payload.venue_id, field="venue_id",  # type: ignore[assignment]
                                 message=_("Площадка не найдена."))
    base_venue.technical_administrator = reference(
        User.objects.filter(is_active=True), payload.technical_administrator_id,
        field="technical_administrator_id", message=_("Пользователь не найден."))
    competencies = references(championship.competencies.all(), payload.competency_ids, field="competency_ids",
                              message=_("Нет таких компетенций в чемпионате"))
    domain.save_structure_object(base_venue, by=current_user(request), m2m={"competencies": competencies})
    return _base_venue_queryset().get(pk=base_venue.pk)


@router.get("/championships/{championship_id}/base-venues", response={200: list[BaseVenueOut], **READ_ERRORS},
            url_name="base_venue_list", tags=[BASE_VENUES], summary="Базовые площадки чемпионата")
def base_venue_list(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(request, championship_id)
    return _base_venue_queryset().filter(championship=championship).order_by("venue__name", "pk")


@router.post("/championships/{championship_id}/base-venues", response={201: BaseVenueOut, **WRITE_ERRORS},
             url_name="base_venue_create", tags=[BASE_VENUES], summary="Назначить базовую площадку")
def base_venue_create(request: HttpRequest, championship_id: Id, payload: BaseVenueIn) -> Any:
    championship = _championship(request, championship_id, manage=True)
    return Status(201, _save_base_venue(BaseVenue(championship=championship), payload, request))


@router.get("/base-venues/{base_venue_id}", response={200: BaseVenueOut, **READ_ERRORS},
            url_name="base_venue_detail", tags=[BASE_VENUES], summary="Базовая площадка")
def base_venue_detail(request: HttpRequest, base_venue_id: Id) -> Any:
    return _base_venue(request, base_venue_id)


@router.put("/base-venues/{base_venue_id}", response={200: BaseVenueOut, **WRITE_ERRORS},
            url_name="base_venue_update", tags=[BASE_VENUES], summary="Изменить базовую площадку")
def base_venue_update(request: HttpRequest, base_venue_id: Id, payload: BaseVenueIn) -> Any:
    return _save_base_venue(_base_venue(request, base_venue_id, manage=True), payload, request)


@router.delete("/base-venues/{base_venue_id}", response=_DELETED, url_name="base_venue_delete",
               tags=[BASE_VENUES], summary="Снять базовую площадку")
def base_venue_delete(request: HttpRequest, base_venue_id: Id) -> Any:
    domain.delete_structure_object(_base_venue(request, base_venue_id, manage=True), by=current_user(request))
    return Status(204, None)


def _workplace(request: HttpRequest, workplace_id: int, *, manage: bool = False) -> Workplace:
    return _scoped(request, Workplace.objects.select_related("base_venue__championship"), workplace_id,
                   _("Рабочее место не найдено."), manage=manage)


def _save_workplace(workplace: Workplace, payload: WorkplaceIn, request: HttpRequest) -> Workplace:
    workplace.competency = reference(  # type: ignore[assignment]
        workplace.base_venue.championship.competencies.all(), payload.competency_id, field="competency_id",
        message=_("Нет такой компетенции в чемпионате."))
    assign(workplace, payload.model_dump(exclude={"competency_id"}))
    domain.save_structure_object(workplace, by=current_user(request))
    return fresh(workplace)


@router.get("/base-venues/{base_venue_id}/workplaces", response={200: list[WorkplaceOut], **READ_ERRORS},
            url_name="workplace_list", tags=[BASE_VENUES], summary="Рабочие места базовой площадки")
def workplace_list(request: HttpRequest, base_venue_id: Id) -> Any:
    return _base_venue(request, base_venue_id).workplaces.order_by("competency_id", "number", "pk")


@router.post("/base-venues/{base_venue_id}/workplaces", response={201: WorkplaceOut, **WRITE_ERRORS},
             url_name="workplace_create", tags=[BASE_VENUES], summary="Добавить рабочее место")
def workplace_create(request: HttpRequest, base_venue_id: Id, payload: WorkplaceIn) -> Any:
    base_venue = _base_venue(request, base_venue_id, manage=True)
    return Status(201, _save_workplace(Workplace(base_venue=base_venue), payload, request))


@router.get("/workplaces/{workplace_id}", response={200: WorkplaceOut, **READ_ERRORS},
            url_name="workplace_detail", tags=[BASE_VENUES], summary="Рабочее место")
def workplace_detail(request: HttpRequest, workplace_id: Id) -> Any:
    return _workplace(request, workplace_id)


@router.put("/workplaces/{workplace_id}", response={200: WorkplaceOut, **WRITE_ERRORS},
            url_name="workplace_update", tags=[BASE_VENUES], summary="Изменить рабочее место")
def workplace_update(request: HttpRequest, workplace_id: Id, payload: WorkplaceIn) -> Any:
    return _save_workplace(_workplace(request, workplace_id, manage=True), payload, request)


@router.delete("/workplaces/{workplace_id}", response=_DELETED, url_name="workplace_delete",
               tags=[BASE_VENUES], summary="Удалить рабочее место")
def workplace_delete(request: HttpRequest, workplace_id: Id) -> Any:
    domain.delete_structure_object(_workplace(request, workplace_id, manage=True), by=current_user(request))
    return Status(204, None)


# --- Programme (CH-4) ------------------------------------------------------------------------------


def _programme_slot(request: HttpRequest, slot_id: int, *, manage: bool = False) -> ProgrammeSlot:
    return _scoped(request, ProgrammeSlot.objects.select_related("championship"), slot_id,
                   _("Пункт программы не найден."), manage=manage)


def _save_programme_slot(slot: ProgrammeSlot, payload: ProgrammeSlotIn, request: HttpRequest) -> ProgrammeSlot:
    championship = slot.championship
    slot.stage = reference(championship.stages.all(), payload.stage_id, field="stage_id",  # type: ignore[assignment]
                           message=_("Нет такого этапа в чемпионате."))
    slot.competency = reference(championship.competencies.all(), payload.competency_id, field="competency_id",
                                message=_("Нет такой компетенции в чемпионате."))
    slot.base_venue = reference(championship.base_venues.all(), payload.base_venue_id, field="base_venue_id",
                                message=_("Нет такой базовой площадки в чемпионате."))
    assign(slot, payload.model_dump(exclude={"stage_id", "competency_id", "base_venue_id"}))
    domain.save_structure_object(slot, by=current_user(request))
    return fresh(slot)


@router.get("/championships/{championship_id}/programme", response={200: list[ProgrammeSlotOut], **READ_ERRORS},
            url_name="programme_list", tags=[PROGRAMME], summary="Программа чемпионата")
def programme_list(request: HttpRequest, championship_id: Id) -> Any:
    """Пункты программы (потоки, ознакомления, церемонии) по времени начала."""
    return _championship(request, championship_id).programme.order_by("starts_at", "pk")


@router.post("/championships/{championship_id}/programme", response={201: ProgrammeSlotOut, **WRITE_ERRORS},
             url_name="programme_create", tags=[PROGRAMME], summary="Добавить пункт программы")
def programme_create(request: HttpRequest, championship_id: Id, payload: ProgrammeSlotIn) -> Any:
    championship = _championship(request, championship_id, manage=True)
    return Status(201, _save_programme_slot(ProgrammeSlot(championship=championship), payload, request))


@router.get("/programme/{slot_id}", response={200: ProgrammeSlotOut, **READ_ERRORS}, url_name="programme_detail",
            tags=[PROGRAMME], summary="Пункт программы")
def programme_detail(request: HttpRequest, slot_id: Id) -> Any:
    return _programme_slot(request, slot_id)


@router.put("/programme/{slot_id}", response={200: ProgrammeSlotOut, **WRITE_ERRORS}, url_name="programme_update",
            tags=[PROGRAMME], summary="Изменить пункт программы")
def programme_update(request: HttpRequest, slot_id: Id, payload: ProgrammeSlotIn) -> Any:
    return _save_programme_slot(_programme_slot(request, slot_id, manage=True), payload, request)


@router.delete("/programme/{slot_id}", response=_DELETED, url_name="programme_delete", tags=[PROGRAMME],
               summary="Удалить пункт программы")
def programme_delete(request: HttpRequest, slot_id: Id) -> Any:
    domain.delete_structure_object(_programme_slot(request, slot_id, manage=True), by=current_user(request))
    return Status(204, None)
