"""UPM-1…UPM-5 pages: the parent's confirmation page (bad links, another family's child, a full lesson, the next
steps in plain words), the venue's lesson form 4 days ahead, phones first — and the УПМ permission table: every
upm route × every УПМ role (the main table, tests/test_permission_table.py, leaves the upm namespace to this one)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from profmaster.notifications.models import OutboundEmail
from profmaster.upm import domain
from profmaster.upm.models import Agreement, Confirmation, FamilyLink, Lesson

from ..api.conftest import ApiClient
from ..factories import UserFactory
from .world import lesson_start


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _link(upm: Any) -> str:
    return reverse("upm:confirm", args=[domain.confirmation_token(upm.lesson, upm.near)])


def test_upm5_parent_confirms_on_the_page(upm):
    client = _client(upm.people["orlova"])
    page = client.get(_link(upm))
    text = page.content.decode()
    assert page.status_code == 200 and "Пьеха Лев" in text and "Подтвердить участие" in text
    assert "Владивосток, UTC+10" in text
    response = client.post(_link(upm), {"pupil": upm.people["pyekha"].pk}, follow=True)
    assert "Участие подтверждено" in response.content.decode()
    assert Confirmation.objects.filter(lesson=upm.lesson, pupil=upm.people["pyekha"]).count() == 1
    again = client.post(_link(upm), {"pupil": upm.people["pyekha"].pk})
    assert again.status_code == 400 and "уже подтверждено" in again.content.decode()
    assert Confirmation.objects.count() == 1


def test_upm5_parent_is_told_the_diagnostic_comes_first(upm):
    client = _client(upm.people["shevchuk"])
    page = client.get(_link(upm)).content.decode()
    assert "Сначала ребёнку нужно пройти онлайн-диагностику — вот ссылка." in page
    assert reverse("exams:take", args=[upm.exam.pk]) in page
    response = client.post(_link(upm), {"pupil": upm.people["shevchuk_child"].pk})
    assert response.status_code == 400 and "Сначала ребёнку нужно пройти онлайн-диагностику" in response.content.decode()
    assert not Confirmation.objects.exists()


@pytest.mark.parametrize("bad", ["forged", "expired"])
def test_upm4_bad_links_get_a_clear_page(upm, bad):
    token = domain.confirmation_token(upm.lesson, upm.near)
    if bad == "forged":
        token = token[:-4] + "AAAA"
    else:
        token = domain.confirmation_token(upm.lesson, upm.near, expires_at=lesson_start(-1))
    response = _client(upm.people["orlova"]).post(reverse("upm:confirm", args=[token]),
                                                  {"pupil": upm.people["pyekha"].pk})
    assert response.status_code == 400
    assert ("повреждена" if bad == "forged" else "Срок действия ссылки истёк") in response.content.decode()
    assert not Confirmation.objects.exists()


def test_upm5_another_familys_child_and_junk_ids_refused(upm):
    client = _client(upm.people["shevchuk"])
    for value in (upm.people["pyekha"].pk, "abc", 987654):
        response = client.post(_link(upm), {"pupil": value})
        assert response.status_code == 400 and "не связан с вашим кабинетом" in response.content.decode()
    assert not Confirmation.objects.exists()


def test_upm5_full_lesson_on_the_page(upm):
    Lesson.objects.filter(pk=upm.lesson.pk).update(capacity=1, confirmed_count=1)
    response = _client(upm.people["orlova"]).post(_link(upm), {"pupil": upm.people["pyekha"].pk})
    assert response.status_code == 400 and "Все места заняты." in response.content.decode()
    assert not Confirmation.objects.exists()


def test_upm5_anonymous_parent_is_asked_to_log_in(upm):
    page = Client().get(_link(upm)).content.decode()
    assert "войдите в свой кабинет родителя" in page and "/accounts/login/?next=" in page


def test_upm5_phone_page_is_small_and_has_no_script(upm):
    """Phones first: the parent's page carries no script and only a few kilobytes of HTML."""
    page = _client(upm.people["orlova"]).get(_link(upm)).content.decode()
    assert "<script" not in page and len(page.encode()) < 8000


def test_upm4_lesson_four_days_ahead_refused_on_the_venue_page(upm):
    client = _client(upm.people["venue"])
    count = Lesson.objects.count()
    starts = lesson_start(4).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("upm:lesson_create", args=[upm.venue.pk]),
                           {"competency": upm.design.pk, "starts_at": starts, "capacity": 20, "format": "in_person"},
                           follow=True)
    assert "нужно было создать не позже" in response.content.decode()
    assert Lesson.objects.count() == count
    ok = client.post(reverse("upm:lesson_create", args=[upm.venue.pk]),
                     {"competency": upm.design.pk, "starts_at": lesson_start(8).strftime("%Y-%m-%dT%H:%M"),
                      "capacity": 20, "format": "in_person"})
    assert ok.status_code == 302 and Lesson.objects.count() == count + 1


def test_upm2_venue_page_shows_the_30_minute_refusal(upm):
    page = _client(upm.people["venue"]).get(reverse("upm:venue", args=[upm.venue.pk])).content.decode()
    assert "в 45 мин. от площадки (оценка по карте)" in page and "не дальше 30 минут езды" in page
    response = _client(upm.people["coordinator_far"]).post(reverse("upm:propose", args=[upm.far_link.pk]),
                                                           {"competency": upm.konditer.pk}, follow=True)
    assert "не дальше 30 минут езды" in response.content.decode()
    assert not Agreement.objects.filter(venue_school=upm.far_link, competency=upm.konditer).exists()


def test_upm5_coordinator_registers_a_family_on_the_school_page(upm):
    client = _client(upm.people["coordinator"])
    response = client.post(reverse("upm:family_register", args=[upm.festival.pk, upm.near.pk]), {
        "parent_email": "pugacheva@example.ru", "parent_last_name": "Пугачёва", "parent_first_name": "Алла",
        "child_email": "kristina@example.ru", "child_last_name": "Орбакайте", "child_first_name": "Кристина"},
        follow=True)
    assert "кабинеты связаны" in response.content.decode()
    assert FamilyLink.objects.filter(parent__email="pugacheva@example.ru", status="confirmed").exists()
    page = client.get(reverse("upm:school", args=[upm.festival.pk, upm.near.pk])).content.decode()
    assert "Орбакайте Кристина" in page and "Пьеха Лев" in page


def test_upm5_family_request_and_the_childs_confirmation(upm):
    parent = UserFactory(email="ptitsyna@example.ru", last_name="Птицына")
    _client(parent).post(reverse("upm:family"), {"child_email": "pyekha@example.ru"})
    link = FamilyLink.objects.get(parent=parent)
    child = _client(upm.people["pyekha"])
    assert "просит связать свой кабинет" in child.get(reverse("upm:family")).content.decode()
    # someone else cannot confirm it: the link is unknown to them
    assert _client(upm.people["orlova"]).post(reverse("upm:family_link_decide", args=[link.pk]),
                                              {"accept": "1"}).status_code == 404
    child.post(reverse("upm:family_link_decide", args=[link.pk]), {"accept": "1"})
    assert FamilyLink.objects.get(pk=link.pk).status == "confirmed"


@pytest.mark.parametrize("bad_next", ["index", "https://evil.example/", "//evil.example/x", " ", "javascript:alert(1)"])
def test_upm5_family_pages_refuse_a_bad_next_without_a_500(upm, bad_next):
    """X-5: a ``next`` that is not a path of this site (a bare word that is no URL name, another site) sends the
    person to the family page instead of failing, and the action is still done."""
    parent = UserFactory(email="ptitsyna@example.ru", last_name="Птицына")
    answer = _client(parent).post(reverse("upm:family") + "?next=" + bad_next.strip(),
                                  {"child_email": "pyekha@example.ru", "next": bad_next})
    assert answer.status_code == 302 and answer["Location"] == reverse("upm:family")
    link = FamilyLink.objects.get(parent=parent)
    answer = _client(upm.people["pyekha"]).post(reverse("upm:family_link_decide", args=[link.pk]),
                                                {"accept": "1", "next": bad_next})
    assert answer.status_code == 302 and answer["Location"] == reverse("upm:family")
    assert FamilyLink.objects.get(pk=link.pk).status == "confirmed"


def test_upm5_family_page_follows_a_path_of_this_site(upm):
    parent = UserFactory(email="ptitsyna@example.ru", last_name="Птицына")
    back = reverse("upm:index")
    answer = _client(parent).post(reverse("upm:family"), {"child_email": "pyekha@example.ru", "next": back})
    assert answer.status_code == 302 and answer["Location"] == back


def test_upm1_board_shows_who_is_behind(upm):
    page = _client(upm.people["operator"]).get(reverse("upm:festival", args=[upm.festival.pk])).content.decode()
    assert "Этапы алгоритма" in page and "не менее чем за 5 дн. до урока" in page
    assert "V: нет подтверждений родителей" in page


def test_upm_cabinet_links_the_upm_pages(upm):
    assert reverse("upm:index") in _client(upm.people["coordinator"]).get(reverse("cabinet")).content.decode()
    assert reverse("upm:family") in _client(upm.people["orlova"]).get(reverse("cabinet")).content.decode()


# --- the УПМ permission table ------------------------------------------------------------------------------------

ROLES = ("operator", "venue", "coordinator", "coordinator_far", "orlova", "pyekha", "nobody")
STAFF = frozenset({"operator", "venue"})
VENUE_SIDE = STAFF | {"coordinator", "coordinator_far"}
EVERYONE = frozenset(ROLES)


def _page(allowed, kwargs, method="get", data=None, public=False):
    return {"allowed": frozenset(allowed), "kwargs": kwargs, "method": method, "data": data or {}, "public": public}


PAGES: dict[str, dict[str, Any]] = {
    "upm:index": _page(EVERYONE, lambda w: {}),
    "upm:festival": _page({"operator"}, lambda w: {"pk": w.festival.pk}),
    "upm:competency_add": _page({"operator"}, lambda w: {"pk": w.festival.pk}, "post"),
    "upm:venue_add": _page({"operator"}, lambda w: {"pk": w.festival.pk}, "post"),
    "upm:school": _page({"operator", "coordinator"}, lambda w: {"pk": w.festival.pk, "school_pk": w.near.pk}),
    "upm:family_register": _page({"coordinator"}, lambda w: {"pk": w.festival.pk, "school_pk": w.near.pk}, "post"),
    "upm:venue": _page(VENUE_SIDE, lambda w: {"pk": w.venue.pk}),
    "upm:school_add": _page({"operator"}, lambda w: {"pk": w.venue.pk}, "post"),
    "upm:venue_person_add": _page({"operator"}, lambda w: {"pk": w.venue.pk}, "post"),
    "upm:channel": _page(VENUE_SIDE, lambda w: {"pk": w.venue.pk}),
    "upm:lesson_create": _page({"venue"}, lambda w: {"pk": w.venue.pk}, "post"),
    "upm:propose": _page({"venue", "coordinator"}, lambda w: {"pk": w.near_link.pk}, "post"),
    "upm:decide": _page({"venue", "coordinator"}, lambda w: {"pk": Agreement.objects.filter(
        venue_school=w.near_link).first().pk}, "post"),
    # a coordinator of a school the lesson is not for (the far school did not agree «Кондитерское дело») sees nothing
    "upm:lesson": _page(STAFF | {"coordinator"}, lambda w: {"pk": w.lesson.pk}),
    "upm:lesson_send_link": _page({"venue"}, lambda w: {"pk": w.lesson.pk}, "post"),
    "upm:lesson_cancel": _page({"venue"}, lambda w: {"pk": w.lesson.pk}, "post"),
    "upm:family": _page(EVERYONE, lambda w: {}),
    "upm:family_link_decide": _page({"coordinator", "pyekha"}, lambda w: {"pk": FamilyLink.objects.filter(
        child=w.people["pyekha"]).first().pk}, "post"),
    "upm:confirm": _page(EVERYONE, lambda w: {"token": domain.confirmation_token(w.lesson, w.near)}, public=True),
}


def test_upm_every_route_has_an_entry():
    names: set[str] = set()
    for entry in get_resolver().url_patterns:
        if getattr(entry, "namespace", None) == "upm":
            names = {f"upm:{p.name}" for p in entry.url_patterns}
    assert names == set(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_upm_page_permissions(name, upm):
    page = PAGES[name]
    upm.people["nobody"] = UserFactory(email="nobody@example.ru")
    outcome = {}
    for role in ROLES:
        url = reverse(name, kwargs=page["kwargs"](upm))
        client = _client(upm.people[role])
        response = client.post(url, page["data"]) if page["method"] == "post" else client.get(url)
        outcome[role] = response.status_code not in (403, 404)
    assert outcome == {role: role in page["allowed"] for role in ROLES}
    anonymous = Client().get(reverse(name, kwargs=page["kwargs"](upm)))
    if page["public"]:
        assert anonymous.status_code == 200
    else:
        assert anonymous.status_code in (302, 405)


def test_upm5_coordinator_gets_links_only_for_coming_lessons(upm):
    """UPM-5: the coordinator's page offers the parents' link of a coming lesson first; a lesson that has begun
    is listed without a link (it would only tell the parent «Срок действия ссылки истёк»)."""
    import datetime as dt

    from django.utils import timezone

    past = Lesson.objects.create(festival=upm.festival, venue=upm.lesson.venue, competency=upm.lesson.competency,
                                 starts_at=timezone.now() - dt.timedelta(days=1), capacity=10, format="in_person",
                                 created_by=upm.people["venue"])
    page = _client(upm.people["coordinator"]).get(
        reverse("upm:school", args=[upm.festival.pk, upm.near.pk])).content.decode()
    assert f'id="school-link-{upm.lesson.pk}"' in page
    assert f'id="school-link-{past.pk}"' not in page and f'id="school-lesson-past-{past.pk}"' in page
    assert page.index(f'id="school-link-{upm.lesson.pk}"') < page.index(f'id="school-lesson-past-{past.pk}"')


def test_upm5_parent_sees_the_lessons_time_once_with_its_zone(upm):
    """X-6: the parent's page and its «Готово» message name the festival's zone once, not twice."""
    url = reverse("upm:confirm", args=[domain.confirmation_token(upm.lesson, upm.near)])
    client = _client(upm.people["orlova"])
    page = client.get(url).content.decode()
    assert "(Владивосток, UTC+10)" in page and "(Владивосток, UTC+10) (Владивосток" not in page
    done = client.post(url, {"pupil": upm.people["pyekha"].pk}, follow=True).content.decode()
    assert "Готово! Участие подтверждено" in done and "(Владивосток, UTC+10) (Владивосток" not in done


def test_x6_upm5_refused_confirmation_emails_the_parent_the_next_steps_on_page_and_api(upm):
    """X-6, UPM-5: a parent whose own child cannot be confirmed yet (no diagnostic test) is told the next steps on
    the page and by e-mail, with the link to come back to — and the API's refusal sends the same e-mail (one domain
    function decides, not the page)."""
    shevchuk, child = upm.people["shevchuk"], upm.people["shevchuk_child"]
    page = _client(shevchuk).post(_link(upm), {"pupil": child.pk})
    assert page.status_code == 400 and "Сначала ребёнку нужно пройти онлайн-диагностику" in page.content.decode()
    api = ApiClient(shevchuk).post("/upm/confirmations", {"token": domain.confirmation_token(upm.lesson, upm.near),
                                                          "pupil_id": child.pk})
    assert api.status_code == 400
    emails = list(OutboundEmail.objects.filter(template="upm_confirmation_refused"))
    assert [e.to for e in emails] == [shevchuk.email, shevchuk.email]
    for email in emails:
        assert child.full_name in email.body_text and "онлайн-диагностику" in email.body_text
        assert "/upm/c/" in email.body_text  # the way back to the confirmation page
    assert not Confirmation.objects.exists()


def test_x6_upm5_another_familys_child_is_named_in_no_email(upm):
    """Bad input: a parent posting another family's child (or a junk id) gets the page's refusal and no e-mail —
    an e-mail would carry that child's name to a stranger."""
    client = _client(upm.people["shevchuk"])
    for value in (upm.people["pyekha"].pk, 987654):
        assert client.post(_link(upm), {"pupil": value}).status_code == 400
    assert not OutboundEmail.objects.exists()
    assert not Confirmation.objects.exists()
