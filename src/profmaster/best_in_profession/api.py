"""HTTP API of the «Лучший по профессии» regional stage: nominations, contestants (applications of this
profile), venues' equipment checklists (REG-1, RM-4, RM-7) — the same domain functions as the pages.

Outside the championship an object answers like a missing one (404); inside it, a missing permission is a 403.
Reading a contestant's data is logged (RM-7) like a page view."""

# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404, reference
from profmaster.api.types import Amount, Choice, Date, Id, Text
from profmaster.championships.models import Championship, Competency, Stage
from profmaster.organisations.models import Organisation
from profmaster.permissions import has_perm, require
from profmaster.registration.models import Application

from . import domain
from .models import Education, PersonalDataAccess, ProfessionNomination, VenueChecklist, VenueChecklistItem

router = Router(tags=["Конкурс «Лучший по профессии»"])


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class ProfessionNominationIn(_In):
    name: Text(200, min_length=1)
    competency_id: Id
    profession: Text(200) = ""
    min_age: int = Field(18, ge=18, le=100)
    max_age: int | None = Field(None, ge=18, le=100)
    min_years_of_service: Amount(max_digits=4, decimal_places=1, ge=0) = Decimal(0)
    min_education: Choice(Education) | None = None
    conditions_note: Text(4000) = ""


class ProfessionNominationOut(Schema):
    id: int
    name: str
    competency_id: int
    category_id: int
    profession: str
    min_age: int
    max_age: int | None
    min_years_of_service: Decimal
    min_education: str
    conditions_note: str


class ContestantIn(_In):
    nomination_id: Id
    organisation_id: Id
    last_name: Text(150, min_length=1)
    first_name: Text(150, min_length=1)
    patronymic: Text(150) = ""
    birth_date: Date
    position: Text(200, min_length=1)
    years_of_service: Amount(max_digits=4, decimal_places=1, ge=0)
    education: Choice(Education)
    email: Text(254, min_length=3)
    phone: Text(32) = ""
    conditions_confirmed: bool = False
    consent_given: bool = False


class ContestantOut(Schema):
    application_id: int
    status: str
    nomination_id: int | None
    nomination: str
    organisation_id: int
    full_name: str
    birth_date: dt.date | None
    position: str
    years_of_service: Decimal | None
    education: str
    email: str
    phone: str
    submitted_at: dt.datetime | None


class ChecklistItemIn(_In):
    available_quantity: Amount(max_digits=10, decimal_places=2, ge=0)
    note: Text(500) = ""


class ChecklistItemOut(Schema):
    id: int
    item_id: int
    name: str
    required_quantity: Decimal
    available_quantity: Decimal | None
    photo_required: bool
    has_photo: bool
    missing: list[str]


class ChecklistOut(Schema):
    id: int
    stage_id: int
    base_venue_id: int
    venue: str
    competency_id: int
    status: str
    ready: bool
    confirmed_at: dt.datetime | None
    items: list[ChecklistItemOut]


def _nomination_out(n: ProfessionNomination) -> dict[str, Any]:
    return {"id": n.pk, "name": n.name, "competency_id": n.competency_id, "category_id": n.category_id,
            "profession": n.profession, "min_age": n.min_age, "max_age": n.max_age,
            "min_years_of_service": n.min_years_of_service, "min_education": n.min_education,
            "conditions_note": n.conditions_note}


def _contestant_out(application: Application) -> dict[str, Any]:
    member = domain.contestant_member(application)
    profile = getattr(member, "contestant_profile", None) if member else None
    nomination = domain.nomination_of(application)
    return {"application_id": application.pk, "status": application.status,
            "nomination_id": nomination.pk if nomination else None, "nomination": str(application.age_category),
            "organisation_id": application.organisation_id, "full_name": member.full_name if member else "",
            "birth_date": member.birth_date if member else None, "position": member.position if member else "",
            "years_of_service": profile.years_of_service if profile else None,
            "education": profile.education if profile else "", "email": member.email if member else "",
            "phone": member.phone if member else "", "submitted_at": application.submitted_at}


def _line_out(line: VenueChecklistItem) -> dict[str, Any]:
    return {"id": line.pk, "item_id": line.item_id, "name": line.item.name, "required_quantity": line.required_quantity,
            "available_quantity": line.available_quantity, "photo_required": line.item.photo_required,
            "has_photo": bool(line.photo), "missing": line.missing}


def _checklist_out(checklist: VenueChecklist) -> dict[str, Any]:
    lines = list(checklist.items.select_related("item"))
    return {"id": checklist.pk, "stage_id": checklist.stage_id, "base_venue_id": checklist.base_venue_id,
            "venue": str(checklist.base_venue), "competency_id": checklist.competency_id, "status": checklist.status,
            "ready": checklist.status == VenueChecklist.Status.CONFIRMED, "confirmed_at": checklist.confirmed_at,
            "items": [_line_out(line) for line in lines]}


def _championship(request: HttpRequest, championship_id: int, perm: str) -> Championship:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", championship):
        raise NotFound(_("Чемпионат не найден."))
    require(user, perm, championship)
    return championship


def _in_championship(request: HttpRequest, obj: Any, perm: str, message: str) -> None:
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", obj.championship):
        raise NotFound(message)
    require(user, perm, obj)


@router.get("/championships/{championship_id}/nominations", response={200: list[ProfessionNominationOut], **READ_ERRORS},
            url_name="contest_nominations", summary="Номинации конкурса и условия допуска")
def nominations_list(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(request, championship_id, "best_in_profession.view_nominations")
    return [_nomination_out(n) for n in domain.nominations(championship)]


@router.post("/championships/{championship_id}/nominations", response={201: ProfessionNominationOut, **WRITE_ERRORS},
             url_name="contest_nomination_create", summary="Добавить номинацию")
def nominations_create(request: HttpRequest, championship_id: Id, payload: ProfessionNominationIn) -> Any:
    championship = _championship(request, championship_id, "best_in_profession.manage_nominations")
    competency = reference(Competency.objects.filter(championship=championship), payload.competency_id,
                           field="competency_id", message=_("Компетенция этого чемпионата не найдена."))
    nomination = ProfessionNomination(championship=championship, competency=competency,
                                      **payload.model_dump(exclude={"competency_id", "min_education"}),
                                      min_education=payload.min_education or "")
    return Status(201, _nomination_out(domain.save_nomination(nomination, by=current_user(request))))


@router.get("/championships/{championship_id}/contestants", response={200: list[ContestantOut], **READ_ERRORS},
            url_name="contest_contestants", summary="Участники конкурса (заявки работодателей)")
def contestants_list(request: HttpRequest, championship_id: Id) -> Any:
    """Только заявки, данные которых вам видны; каждое чтение записывается в журнал доступа (RM-7)."""
    championship = _championship(request, championship_id, "best_in_profession.list_contestants")
    user = current_user(request)
    applications = list(domain.contestant_applications(user, championship))
    domain.log_access(user, applications, what=_("Список участников конкурса (API)"),
                      channel=PersonalDataAccess.Channel.API)
    return [_contestant_out(a) for a in applications]


@router.post("/championships/{championship_id}/contestants", response={201: ContestantOut, **WRITE_ERRORS},
             url_name="contest_contestant_create", summary="Заявить участника (работодатель) и подать заявку")
def contestants_create(request: HttpRequest, championship_id: Id, payload: ContestantIn) -> Any:
    championship = _championship(request, championship_id, "best_in_profession.enter_contestant")
    nomination = reference(ProfessionNomination.objects.filter(championship=championship), payload.nomination_id,
                           field="nomination_id", message=_("Номинация этого чемпионата не найдена."))
    organisation = reference(Organisation, payload.organisation_id, field="organisation_id",
                             message=_("Организация не найдена."))
    assert nomination is not None and organisation is not None
    data = domain.ContestantData(
        last_name=payload.last_name, first_name=payload.first_name, patronymic=payload.patronymic,
        birth_date=payload.birth_date, position=payload.position, years_of_service=payload.years_of_service,
        education=payload.education, email=payload.email, phone=payload.phone,
        conditions_confirmed=payload.conditions_confirmed)
    application = domain.enter_contestant(championship, nomination=nomination, organisation=organisation, data=data,
                                          by=current_user(request), consent_given=payload.consent_given)
    return Status(201, _contestant_out(application))


@router.get("/contestants/{application_id}", response={200: ContestantOut, **READ_ERRORS},
            url_name="contest_contestant", summary="Участник конкурса")
def contestant_detail(request: HttpRequest, application_id: Id) -> Any:
    message = _("Участник не найден.")
    application = get_or_404(Application.objects.select_related("championship", "age_category"), application_id,
                             message)
    if not domain.is_contest(application.championship):
        raise NotFound(message)
    _in_championship(request, application, "best_in_profession.view_contestant", message)
    domain.log_access(current_user(request), [application], what=_("Участник (API): заявка № %(pk)s")
                      % {"pk": application.pk}, channel=PersonalDataAccess.Channel.API)
    return _contestant_out(application)


@router.get("/stages/{stage_id}/checklists", response={200: list[ChecklistOut], **READ_ERRORS},
            url_name="contest_checklists", summary="Готовность площадок этапа: чек-листы оснащения")
def checklists_list(request: HttpRequest, stage_id: Id) -> Any:
    stage = get_or_404(Stage.objects.select_related("championship"), stage_id, _("Этап не найден."))
    _in_championship(request, stage, "best_in_profession.view_readiness", _("Этап не найден."))
    return [_checklist_out(c) for c in stage.venue_checklists.select_related("base_venue__venue")]


@router.post("/stages/{stage_id}/checklists", response={201: list[ChecklistOut], **WRITE_ERRORS},
             url_name="contest_checklists_open", summary="Сформировать чек-листы площадок этапа")
def checklists_open(request: HttpRequest, stage_id: Id) -> Any:
    stage = get_or_404(Stage.objects.select_related("championship"), stage_id, _("Этап не найден."))
    _in_championship(request, stage, "best_in_profession.manage_checklists", _("Этап не найден."))
    return Status(201, [_checklist_out(c) for c in domain.open_checklists(stage, by=current_user(request))])


def _checklist(request: HttpRequest, checklist_id: int, perm: str) -> VenueChecklist:
    message = _("Чек-лист не найден.")
    checklist = get_or_404(VenueChecklist.objects.select_related("stage__championship", "base_venue__venue"),
                           checklist_id, message)
    _in_championship(request, checklist, perm, message)
    return checklist


@router.get("/checklists/{checklist_id}", response={200: ChecklistOut, **READ_ERRORS},
            url_name="contest_checklist", summary="Чек-лист оснащения площадки")
def checklist_detail(request: HttpRequest, checklist_id: Id) -> Any:
    return _checklist_out(_checklist(request, checklist_id, "best_in_profession.view_checklist"))


@router.put("/checklist-items/{line_id}", response={200: ChecklistItemOut, **WRITE_ERRORS},
            url_name="contest_checklist_item", summary="Записать позицию чек-листа (количество на площадке)")
def checklist_item(request: HttpRequest, line_id: Id, payload: ChecklistItemIn) -> Any:
    """Фото позиции, где оно нужно, загружают на странице чек-листа."""
    message = _("Позиция чек-листа не найдена.")
    line = get_or_404(VenueChecklistItem.objects.select_related("checklist__stage__championship",
                                                                "checklist__base_venue", "item"), line_id, message)
    _in_championship(request, line, "best_in_profession.fill_checklist", message)
    saved = domain.record_checklist_item(line, available_quantity=payload.available_quantity, note=payload.note,
                                         by=current_user(request))
    return _line_out(saved)


@router.post("/checklists/{checklist_id}/confirm", response={200: ChecklistOut, **WRITE_ERRORS},
             url_name="contest_checklist_confirm", summary="Подтвердить готовность площадки")
def checklist_confirm(request: HttpRequest, checklist_id: Id) -> Any:
    checklist = _checklist(request, checklist_id, "best_in_profession.fill_checklist")
    return _checklist_out(domain.confirm_checklist(checklist, by=current_user(request)))
