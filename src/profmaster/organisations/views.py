"""Pages for organisations, venues and contact people (reference data kept by the Directorate)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from profmaster.core.forms import ReasonForm
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require

from . import domain
from .forms import ContactPersonForm, OrganisationFilterForm, OrganisationForm, VenueForm
from .models import ContactPerson, Organisation, Venue


def _crumbs() -> list[tuple[str, str | None]]:
    return [(_("Организации"), reverse("organisations:list"))]


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "organisations.view_organisation")
    filters = OrganisationFilterForm(request.GET or None)
    organisations = Organisation.objects.all()
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            organisations = organisations.filter(Q(name__icontains=data["q"]) | Q(short_name__icontains=data["q"])
                                                 | Q(inn=data["q"]))
        if data["kind"]:
            organisations = organisations.filter(kind=data["kind"])
        if data["region"]:
            organisations = organisations.filter(region__icontains=data["region"])
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(request, "organisations/list.html", {
        "filters": filters, "page": page, "venues": Venue.objects.select_related("organisation"),
        "can_manage": has_perm(request.user, "organisations.manage_organisation"),
    })


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "organisations.view_organisation")
    organisation = get_object_or_404(Organisation, pk=pk)
    return render(request, "organisations/detail.html", {
        "organisation": organisation, "contacts": organisation.contacts.all(),
        "can_manage": has_perm(request.user, "organisations.manage_organisation"),
        "breadcrumbs": _crumbs() + [(str(organisation), None)],
    })


def _edit(request: HttpRequest, form: OrganisationForm | VenueForm | ContactPersonForm, title: str,
          back: str) -> HttpResponse:
    return form_page(request, form=form, title=title, breadcrumbs=_crumbs(),
                     on_valid=lambda f: domain.save_organisation_object(f.instance, by=request.user),
                     success_url=back, cancel_url=back)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    form = OrganisationForm(request.POST or None)
    return form_page(request, form=form, title=_("Новая организация"), breadcrumbs=_crumbs(),
                     on_valid=lambda f: domain.save_organisation_object(f.instance, by=request.user),
                     success_url=lambda o: reverse("organisations:detail", args=[o.pk]),
                     cancel_url=reverse("organisations:list"))


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    organisation = get_object_or_404(Organisation, pk=pk)
    return _edit(request, OrganisationForm(request.POST or None, instance=organisation), _("Изменить организацию"),
                 reverse("organisations:detail", args=[pk]))


@login_required
def organisation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    organisation = get_object_or_404(Organisation, pk=pk)
    return form_page(
        request, form=ReasonForm(request.POST or None), title=_("Удаление организации"), breadcrumbs=_crumbs(),
        on_valid=lambda f: domain.delete_organisation_object(organisation, by=request.user,
                                                             reason=f.cleaned_data["reason"]),
        success_url=reverse("organisations:list"), cancel_url=reverse("organisations:detail", args=[pk]),
        success_message=_("Организация удалена."), template="core/confirm_delete.html",
        extra={"object": organisation})


@login_required
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    organisation = get_object_or_404(Organisation, pk=pk)
    form = ContactPersonForm(request.POST or None, instance=ContactPerson(organisation=organisation))
    return _edit(request, form, _("Новое контактное лицо"), reverse("organisations:detail", args=[pk]))


@login_required
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    contact = get_object_or_404(ContactPerson, pk=contact_pk, organisation_id=pk)
    return _edit(request, ContactPersonForm(request.POST or None, instance=contact), _("Изменить контактное лицо"),
                 reverse("organisations:detail", args=[pk]))


@login_required
def contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    contact = get_object_or_404(ContactPerson, pk=contact_pk, organisation_id=pk)
    back = reverse("organisations:detail", args=[pk])
    return form_page(
        request, form=ReasonForm(request.POST or None), title=_("Удаление контактного лица"), breadcrumbs=_crumbs(),
        on_valid=lambda f: domain.delete_organisation_object(contact, by=request.user, reason=f.cleaned_data["reason"]),
        success_url=back, cancel_url=back, success_message=_("Удалено."), template="core/confirm_delete.html",
        extra={"object": contact})


@login_required
def venue_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    return _edit(request, VenueForm(request.POST or None), _("Новая площадка"),
                 reverse("organisations:list") + "#venues")


@login_required
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "organisations.manage_organisation")
    venue = get_object_or_404(Venue, pk=pk)
    return _edit(request, VenueForm(request.POST or None, instance=venue), _("Изменить площадку"),
                 reverse("organisations:list") + "#venues")
