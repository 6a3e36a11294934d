"""RM-4 (000 §9): the competency's infrastructure list as each venue's equipment checklist, confirmed item by
item before the stage; a venue with missing items cannot be confirmed; small groups per venue with their time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from profmaster.best_in_profession import domain
from profmaster.best_in_profession.models import VenueChecklist, VenueChecklistItem, VenueGroupMember
from profmaster.championships import timezones
from profmaster.core.errors import DomainError, TransitionError
from profmaster.registration import domain as registration

from .conftest import enter

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def checklist(contest, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    [made] = domain.open_checklists(contest.stage, by=contest.directorate)
    return made


def lines(checklist):
    return {line.item.name: line for line in checklist.items.select_related("item")}


def test_rm4_checklist_lists_the_infrastructure_with_the_venues_quantities(contest, checklist):
    assert {name: line.required_quantity for name, line in lines(checklist).items()} == {
        "Сварочный инвертор": Decimal(2),  # per workplace × 2 workplaces
        "Маска сварщика": Decimal(1)}  # per venue
    # opening again adds nothing new and keeps one checklist per venue and competency
    assert domain.open_checklists(contest.stage, by=contest.directorate) == [checklist]
    assert VenueChecklistItem.objects.count() == 2


def test_rm4_a_venue_with_missing_items_cannot_be_confirmed_and_the_refusal_names_them(contest, checklist):
    inverter = lines(checklist)["Сварочный инвертор"]
    domain.record_checklist_item(inverter, available_quantity="1", by=contest.venue_admin)
    with pytest.raises(DomainError) as refused:
        domain.confirm_checklist(checklist, by=contest.venue_admin)
    assert refused.value.message == (
        "Площадку нельзя подтвердить, пока не хватает оснащения: «Маска сварщика» — количество не указано; "
        "«Сварочный инвертор» — есть 1 из 2, нет фотографии.")
    checklist.refresh_from_db()
    assert (checklist.status, checklist.confirmed_at) == ("open", None)


def test_rm4_the_venue_confirms_when_every_item_is_there_with_its_photo(contest, checklist):
    items = lines(checklist)
    domain.record_checklist_item(items["Сварочный инвертор"], available_quantity="2,0", by=contest.venue_admin,
                                 photo=SimpleUploadedFile("inv.png", PNG, content_type="image/png"))
    domain.record_checklist_item(items["Маска сварщика"], available_quantity="3", by=contest.venue_admin)
    domain.confirm_checklist(checklist, by=contest.venue_admin)
    assert (checklist.status, checklist.confirmed_by) == ("confirmed", contest.venue_admin)
    with pytest.raises(TransitionError, match="уже подтверждён"):
        domain.record_checklist_item(items["Маска сварщика"], available_quantity="0", by=contest.venue_admin)
    assert VenueChecklistItem.objects.get(pk=items["Маска сварщика"].pk).available_quantity == Decimal(3)
    assert domain.readiness(contest.stage)[0]["ready"] is True


@pytest.mark.parametrize(("name", "content", "size", "expected"), [
    ("photo.png", b"MZ\x90\x00 not an image", None, "по содержимому это не JPEG и не PNG"),
    ("big.png", PNG, 11 * 1024 * 1024, "больше допустимых 10 МБ"),
])
def test_rm4_a_non_image_or_oversized_photo_is_refused_and_nothing_changes(contest, checklist, name, content, size,
                                                                           expected):
    inverter = lines(checklist)["Сварочный инвертор"]
    upload = SimpleUploadedFile(name, content)
    if size:
        upload.size = size
    with pytest.raises(DomainError, match=expected):
        domain.record_checklist_item(inverter, available_quantity="2", photo=upload, by=contest.venue_admin)
    inverter.refresh_from_db()
    assert (inverter.available_quantity, bool(inverter.photo)) == (None, False)


@pytest.mark.parametrize("value", ["-1", "много", "NaN", "1e9"])
def test_rm4_a_bad_quantity_is_refused(contest, checklist, value):
    with pytest.raises(DomainError, match="число от 0"):
        domain.record_checklist_item(lines(checklist)["Маска сварщика"], available_quantity=value,
                                     by=contest.venue_admin)


def test_rm4_pages_the_venue_fills_and_the_directorate_sees_readiness(contest, checklist, client):
    mask = lines(checklist)["Маска сварщика"]
    client.force_login(contest.venue_admin)
    page = client.get(reverse("best_in_profession:checklist", args=[checklist.pk]))
    assert page.status_code == 200 and "Екатеринбург, UTC+5" in page.content.decode()
    response = client.post(reverse("best_in_profession:checklist_confirm", args=[checklist.pk]))
    assert response.status_code == 400 and "Площадку нельзя подтвердить" in response.content.decode()
    response = client.post(reverse("best_in_profession:checklist_item", args=[mask.pk]), {"available_quantity": "-2"})
    assert response.status_code == 400 and "число от 0" in response.content.decode()
    assert client.post(reverse("best_in_profession:checklist_item", args=[mask.pk]),
                       {"available_quantity": "1"}).status_code == 302
    client.force_login(contest.expert)  # the panel reads, does not fill
    assert client.post(reverse("best_in_profession:checklist_item", args=[mask.pk]),
                       {"available_quantity": "5"}).status_code == 403
    client.force_login(contest.directorate)
    page = client.get(reverse("best_in_profession:readiness", args=[contest.stage.pk])).content.decode()
    assert "Готовы 0 из 1" in page and "«Сварочный инвертор»: количество не указано, нет фотографии" in page


def test_rm4_another_venues_administrator_cannot_fill_this_checklist(contest, checklist):
    from profmaster.accounts.models import Role
    from profmaster.permissions import has_perm

    from ..factories import UserFactory, give_role

    other = UserFactory()
    give_role(other, Role.VENUE_ADMIN, contest.championship)
    assert has_perm(contest.venue_admin, "best_in_profession.fill_checklist", checklist) is True
    assert has_perm(other, "best_in_profession.fill_checklist", checklist) is False


def test_rm4_small_groups_with_their_own_time_in_the_venues_zone(contest, checklist):
    zone = timezones.zone_of(contest.base)
    start = dt.datetime.combine(contest.stage.starts_on, dt.time(9, 0), tzinfo=zone)
    group = domain.save_group(checklist, name="Группа 1", starts_at=start, ends_at=start + dt.timedelta(hours=3),
                              capacity=1, by=contest.directorate)
    before_stage = start - dt.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        domain.save_group(checklist, name="Группа 0", starts_at=before_stage,
                          ends_at=before_stage + dt.timedelta(hours=1), capacity=1, by=contest.directorate)
    first = contest.stage.starts_on.strftime("%d.%m.%Y")
    assert f"с {first} 00:00 (Екатеринбург, UTC+5)" in refused.value.message
    application = enter(contest)
    with pytest.raises(TransitionError, match="одобренной"):
        domain.assign_to_group(group, application, by=contest.directorate)
    registration.approve_application(application, by=contest.directorate)
    domain.assign_to_group(group, application, by=contest.directorate)
    with pytest.raises(DomainError, match="нет свободных мест"):
        domain.assign_to_group(group, application, by=contest.directorate)
    second = domain.save_group(checklist, name="Группа 2", starts_at=start + dt.timedelta(hours=4),
                               ends_at=start + dt.timedelta(hours=6), capacity=3, by=contest.directorate)
    with pytest.raises(DomainError, match="уже в группе «Группа 1»"):
        domain.assign_to_group(second, application, by=contest.directorate)
    assert VenueGroupMember.objects.count() == 1


def test_rm4_checklist_api_the_same_rules(contest, checklist, client):
    client.force_login(contest.venue_admin)
    mask = lines(checklist)["Маска сварщика"]
    response = client.put(f"/api/v1/checklist-items/{mask.pk}", {"available_quantity": "1"},
                          content_type="application/json")
    assert response.status_code == 200 and response.json()["missing"] == []
    response = client.post(f"/api/v1/checklists/{checklist.pk}/confirm")
    assert response.status_code == 400 and "«Сварочный инвертор»" in response.json()["detail"]
    client.force_login(contest.directorate)
    ready = client.get(f"/api/v1/stages/{contest.stage.pk}/checklists").json()
    assert [(c["venue"], c["ready"]) for c in ready] == [(str(contest.base), False)]
    assert VenueChecklist.objects.get().status == "open"
