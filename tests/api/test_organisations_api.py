"""Reference data through the API: organisations (with filters), their contact people, venues."""

from __future__ import annotations

import pytest

from profmaster.audit.models import AuditEntry
from profmaster.organisations.models import ContactPerson, Organisation, Venue

from ..factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(world, api_as):
    return api_as(world.users["directorate"])


def test_x4_organisation_create_exact(world, director):
    response = director.post("/organisations", {
        "kind": "college", "name": "ГБПОУ Колледж кулинарного мастерства", "short_name": "ККМ",
        "inn": "7701234567", "address": "Москва, ул. Поварская, д. 5", "email": "kkm@example.ru",
        "phone": "+7 495 123-45-67"})
    assert response.status_code == 201
    organisation = Organisation.objects.get(short_name="ККМ")
    assert response.json() == {
        "id": organisation.pk, "kind": "college", "kind_label": "Колледж",
        "name": "ГБПОУ Колледж кулинарного мастерства", "short_name": "ККМ", "inn": "7701234567",
        "region": "Москва", "address": "Москва, ул. Поварская, д. 5", "email": "kkm@example.ru",
        "phone": "+7 495 123-45-67"}
    assert AuditEntry.objects.filter(object_type="organisations.Organisation", object_id=str(organisation.pk),
                                     actor=world.users["directorate"]).count() == 1


def test_x4_organisation_validation_in_russian(world, director):
    response = director.post("/organisations", {"name": "ГБОУ Школа № 1234", "email": "не-почта", "inn": "123"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "inn", "message": "значение не соответствует формату"}]
    response = director.post("/organisations", {"name": "ГБОУ Школа № 1234", "email": "не-почта"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Введите правильный адрес электронной почты. "
                  "Организация с таким наименованием в этом регионе уже есть.",
        "errors": [{"field": "email", "message": "Введите правильный адрес электронной почты."},
                   {"field": "", "message": "Организация с таким наименованием в этом регионе уже есть."}]}


def test_x4_organisation_list_filters(world, director):
    OrganisationFactory(name="Колледж связи № 54", short_name="КС 54", kind="college", region="Москва",
                        inn="7709876543")
    OrganisationFactory(name="Школа Твери", short_name="Тверская школа", region="Тверская область")

    everything = director.get("/organisations").json()
    assert everything["count"] == 3
    assert [o["short_name"] for o in everything["items"]] == ["КС 54", "Тверская школа", "Школа № 1234"]
    assert [o["short_name"] for o in director.get("/organisations", {"kind": "college"}).json()["items"]] == ["КС 54"]
    tver = director.get("/organisations", {"region": "Тверская область"}).json()["items"]
    assert [o["short_name"] for o in tver] == ["Тверская школа"]
    assert [o["short_name"] for o in director.get("/organisations", {"q": "связи"}).json()["items"]] == ["КС 54"]
    assert [o["short_name"] for o in director.get("/organisations", {"q": "7709876543"}).json()["items"]] == [
        "КС 54"]
    assert director.get("/organisations", {"kind": "zoo"}).status_code == 422


def test_x4_organisation_update_and_protected_delete(world, director):
    response = director.put(f"/organisations/{world.organisation.pk}", {
        "name": "ГБОУ Школа № 1234 имени Мастеров", "short_name": "Школа № 1234"})
    assert response.status_code == 200
    assert response.json()["name"] == "ГБОУ Школа № 1234 имени Мастеров"
    # A venue and a role still refer to the organisation.
    refused = director.delete(f"/organisations/{world.organisation.pk}")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "Нельзя удалить: на этот объект ссылаются другие записи.",
                              "code": "invalid"}
    lonely = OrganisationFactory()
    assert director.delete(f"/organisations/{lonely.pk}").status_code == 204
    assert not Organisation.objects.filter(pk=lonely.pk).exists()


def test_x4_contacts(world, director):
    listed = director.get(f"/organisations/{world.organisation.pk}/contacts").json()
    assert listed == [{"id": world.contact.pk, "organisation_id": world.organisation.pk,
                       "full_name": "Петрова Анна Сергеевна", "position": "Завуч", "phone": "+7 495 000-00-00",
                       "email": ""}]
    created = director.post(f"/organisations/{world.organisation.pk}/contacts",
                            {"full_name": "Иванов Пётр", "email": "petr@example.ru"})
    assert created.status_code == 201
    contact = ContactPerson.objects.get(full_name="Иванов Пётр")
    assert director.get(f"/contacts/{contact.pk}").json()["email"] == "petr@example.ru"
    assert director.put(f"/contacts/{contact.pk}", {"full_name": "Иванов Пётр Ильич"}).json()["email"] == ""
    assert director.delete(f"/contacts/{contact.pk}").status_code == 204


def test_x4_venues(world, director):
    created = director.post("/venues", {"name": "Дом культуры", "address": "Москва, ул. Лесная, д. 7",
                                        "organisation_id": world.organisation.pk, "description": "Зал на 200 мест"})
    assert created.status_code == 201
    venue = Venue.objects.get(name="Дом культуры")
    assert created.json() == {"id": venue.pk, "name": "Дом культуры", "address": "Москва, ул. Лесная, д. 7",
                              "organisation_id": world.organisation.pk, "description": "Зал на 200 мест",
                              "time_zone": ""}
    by_org = director.get("/venues", {"organisation_id": world.organisation.pk}).json()
    assert [v["name"] for v in by_org["items"]] == ["Дом культуры", "Колледж сферы услуг № 3"]
    assert [v["name"] for v in director.get("/venues", {"q": "Мира"}).json()["items"]] == ["Политехнический колледж"]
    unknown_org = director.put(f"/venues/{venue.pk}", {"name": "Дом культуры", "address": "Москва",
                                                       "organisation_id": 987654})
    assert unknown_org.status_code == 422
    assert unknown_org.json()["errors"] == [{"field": "organisation_id", "message": "Организация не найдена."}]
    # A venue in use as a base venue cannot be deleted; a free one can.
    assert director.delete(f"/venues/{world.venue.pk}").status_code == 400
    assert director.delete(f"/venues/{venue.pk}").status_code == 204
