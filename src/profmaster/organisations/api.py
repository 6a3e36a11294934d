"""HTTP API of the reference data (mounted under /api/v1/): organisations, contact people, venues.

The Directorate keeps this data: reading needs ``organisations.view_organisation``, changing
``organisations.manage_organisation``. Changes go through :mod:`profmaster.organisations.domain`.
"""

# No `from __future__ import annotations`: ninja builds query models from these annotations at runtime.
# Query types built by functions (Text(200), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from profmaster.api.pagination import LimitOffset
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import assign, current_user, fresh, get_or_404, reference
from profmaster.api.types import Choice, Id, Text
from profmaster.permissions import require

from .domain import delete_organisation_object, save_organisation_object
from .models import ContactPerson, Organisation, Venue
from .schemas import ContactIn, ContactOut, OrganisationIn, OrganisationOut, VenueIn, VenueOut

router = Router()

ORGANISATIONS = "Организации"
VENUES = "Площадки"

VIEW = "organisations.view_organisation"
MANAGE = "organisations.manage_organisation"

_DELETED = {204: None, **WRITE_ERRORS}


def _allowed(request: HttpRequest, *, manage: bool = False) -> Any:
    user = current_user(request)
    require(user, MANAGE if manage else VIEW)
    return user


def _organisation(request: HttpRequest, organisation_id: int, *, manage: bool = False) -> Organisation:
    _allowed(request, manage=manage)
    return get_or_404(Organisation, organisation_id, _("Организация не найдена."))


# --- Organisations ---------------------------------------------------------------------------------


@router.get("/organisations", response={200: list[OrganisationOut], **READ_ERRORS}, url_name="organisation_list",
            tags=[ORGANISATIONS], summary="Организации")
@paginate(LimitOffset)
def organisation_list(request: HttpRequest,
                      kind: Choice(Organisation.Kind) | None = None,
                      region: Text(100) | None = None,
                      q: Text(200) | None = None) -> Any:
    """Образовательные организации и работодатели. `q` ищет по наименованию (полному и краткому) и ИНН."""
    _allowed(request)
    queryset = Organisation.objects.order_by("short_name", "name", "pk")
    if kind:
        queryset = queryset.filter(kind=kind)
    if region:
        queryset = queryset.filter(region__iexact=region)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(inn=q))
    return queryset


@router.post("/organisations", response={201: OrganisationOut, **WRITE_ERRORS}, url_name="organisation_create",
             tags=[ORGANISATIONS], summary="Добавить организацию")
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    user = _allowed(request, manage=True)
    organisation = Organisation(**payload.model_dump())
    return Status(201, fresh(save_organisation_object(organisation, by=user)))


@router.get("/organisations/{organisation_id}", response={200: OrganisationOut, **READ_ERRORS},
            url_name="organisation_detail", tags=[ORGANISATIONS], summary="Организация")
def organisation_detail(request: HttpRequest, organisation_id: Id) -> Any:
    return _organisation(request, organisation_id)


@router.put("/organisations/{organisation_id}", response={200: OrganisationOut, **WRITE_ERRORS},
            url_name="organisation_update", tags=[ORGANISATIONS], summary="Изменить организацию")
def organisation_update(request: HttpRequest, organisation_id: Id, payload: OrganisationIn) -> Any:
    organisation = _organisation(request, organisation_id, manage=True)
    return fresh(save_organisation_object(assign(organisation, payload.model_dump()), by=current_user(request)))


@router.delete("/organisations/{organisation_id}", response=_DELETED, url_name="organisation_delete",
               tags=[ORGANISATIONS], summary="Удалить организацию")
def organisation_delete(request: HttpRequest, organisation_id: Id) -> Any:
    """Отказ (400), пока на организацию ссылаются чемпионаты, площадки или роли."""
    organisation = _organisation(request, organisation_id, manage=True)
    delete_organisation_object(organisation, by=current_user(request))
    return Status(204, None)


# --- Contact people --------------------------------------------------------------------------------


def _contact(request: HttpRequest, contact_id: int, *, manage: bool = False) -> ContactPerson:
    _allowed(request, manage=manage)
    return get_or_404(ContactPerson, contact_id, _("Контактное лицо не найдено."))


@router.get("/organisations/{organisation_id}/contacts", response={200: list[ContactOut], **READ_ERRORS},
            url_name="contact_list", tags=[ORGANISATIONS], summary="Контактные лица организации")
def contact_list(request: HttpRequest, organisation_id: Id) -> Any:
    return _organisation(request, organisation_id).contacts.order_by("full_name", "pk")


@router.post("/organisations/{organisation_id}/contacts", response={201: ContactOut, **WRITE_ERRORS},
             url_name="contact_create", tags=[ORGANISATIONS], summary="Добавить контактное лицо")
def contact_create(request: HttpRequest, organisation_id: Id, payload: ContactIn) -> Any:
    organisation = _organisation(request, organisation_id, manage=True)
    contact = ContactPerson(organisation=organisation, **payload.model_dump())
    return Status(201, fresh(save_organisation_object(contact, by=current_user(request))))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS}, url_name="contact_detail",
            tags=[ORGANISATIONS], summary="Контактное лицо")
def contact_detail(request: HttpRequest, contact_id: Id) -> Any:
    return _contact(request, contact_id)


@router.put("/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS}, url_name="contact_update",
            tags=[ORGANISATIONS], summary="Изменить контактное лицо")
def contact_update(request: HttpRequest, contact_id: Id, payload: ContactIn) -> Any:
    contact = _contact(request, contact_id, manage=True)
    return fresh(save_organisation_object(assign(contact, payload.model_dump()), by=current_user(request)))


@router.delete("/contacts/{contact_id}", response=_DELETED, url_name="contact_delete", tags=[ORGANISATIONS],
               summary="Удалить контактное лицо")
def contact_delete(request: HttpRequest, contact_id: Id) -> Any:
    delete_organisation_object(_contact(request, contact_id, manage=True), by=current_user(request))
    return Status(204, None)


# --- Venues ----------------------------------------------------------------------------------------


def _venue(request: HttpRequest, venue_id: int, *, manage: bool = False) -> Venue:
    _allowed(request, manage=manage)
    return get_or_404(Venue, venue_id, _("Площадка не найдена."))


def _save_venue(venue: Venue, payload: VenueIn, request: HttpRequest) -> Venue:
    venue.organisation = reference(Organisation, payload.organisation_id, field="organisation_id",
                                   message=_("Организация не найдена."))
    assign(venue, payload.model_dump(exclude={"organisation_id"}))
    save_organisation_object(venue, by=current_user(request))
    return fresh(venue)


@router.get("/venues", response={200: list[VenueOut], **READ_ERRORS}, url_name="venue_list", tags=[VENUES],
            summary="Площадки")
@paginate(LimitOffset)
def venue_list(request: HttpRequest, organisation_id: Id | None = None,
               q: Text(200) | None = None) -> Any:
    """Справочник площадок; чемпионат назначает из них базовые (`/championships/{id}/base-venues`).
    `q` ищет по названию и адресу."""
    _allowed(request)
    queryset = Venue.objects.order_by("name", "pk")
    if organisation_id is not None:
        queryset = queryset.filter(organisation_id=organisation_id)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return queryset


@router.post("/venues", response={201: VenueOut, **WRITE_ERRORS}, url_name="venue_create", tags=[VENUES],
             summary="Добавить площадку")
def venue_create(request: HttpRequest, payload: VenueIn) -> Any:
    _allowed(request, manage=True)
    return Status(201, _save_venue(Venue(), payload, request))


@router.get("/venues/{venue_id}", response={200: VenueOut, **READ_ERRORS}, url_name="venue_detail",
            tags=[VENUES], summary="Площадка")
def venue_detail(request: HttpRequest, venue_id: Id) -> Any:
    return _venue(request, venue_id)


@router.put("/venues/{venue_id}", response={200: VenueOut, **WRITE_ERRORS}, url_name="venue_update",
            tags=[VENUES], summary="Изменить площадку")
def venue_update(request: HttpRequest, venue_id: Id, payload: VenueIn) -> Any:
    return _save_venue(_venue(request, venue_id, manage=True), payload, request)


@router.delete("/venues/{venue_id}", response=_DELETED, url_name="venue_delete", tags=[VENUES],
               summary="Удалить площадку")
def venue_delete(request: HttpRequest, venue_id: Id) -> Any:
    """Отказ (400), пока площадка назначена базовой в каком-либо чемпионате."""
    delete_organisation_object(_venue(request, venue_id, manage=True), by=current_user(request))
    return Status(204, None)
