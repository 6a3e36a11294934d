"""Organisations, venues and contact people."""

from __future__ import annotations

import pytest

from profmaster.championships.models import BaseVenue
from profmaster.organisations.models import Organisation, Venue

from ..factories import OrganisationFactory, VenueFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("region", "moscow"), [("Москва", True), ("г. Москва", True), ("Московская область", False)])
def test_reg3_moscow_is_recognised(region, moscow):
    assert Organisation(name="Школа", region=region).is_moscow is moscow


def test_directorate_adds_and_finds_an_organisation(client, directorate_user):
    client.force_login(directorate_user)
    response = client.post("/organisations/new/", {"kind": "school", "name": "ГБОУ «Школа № 1234»",
                                                   "short_name": "Школа № 1234", "region": "Москва", "inn": ""})
    assert response.status_code == 302
    organisation = Organisation.objects.get(short_name="Школа № 1234")
    body = client.get("/organisations/?q=1234").content.decode()
    assert "Школа № 1234" in body
    response = client.post(f"/organisations/{organisation.pk}/contacts/new/",
                           {"full_name": "Петрова Анна Ивановна", "position": "Завуч", "email": "not-an-email"})
    assert response.status_code == 400
    assert "Введите правильный адрес электронной почты" in response.content.decode()
    assert organisation.contacts.count() == 0


def test_bad_inn_and_duplicate_are_refused(client, directorate_user):
    OrganisationFactory(name="ГБОУ «Школа № 1»", region="Москва")
    client.force_login(directorate_user)
    response = client.post("/organisations/new/", {"kind": "school", "name": "ГБОУ «Школа № 1»", "region": "Москва",
                                                   "inn": "12ab"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "ИНН — 10 или 12 цифр" in body
    response = client.post("/organisations/new/", {"kind": "school", "name": "ГБОУ «Школа № 1»", "region": "Москва"})
    assert "Организация с таким наименованием в этом регионе уже есть" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_venue_in_use_cannot_be_deleted_and_stays(client, championship, directorate_user):
    venue = VenueFactory(organisation=OrganisationFactory())
    BaseVenue.objects.create(championship=championship, venue=venue)
    client.force_login(directorate_user)
    response = client.post(f"/organisations/{venue.organisation.pk}/delete/", {"reason": "дубль"})
    assert response.status_code == 400
    assert "ссылаются другие записи" in response.content.decode()
    assert Venue.objects.filter(pk=venue.pk).exists()
