"""REG-6 (issue 13 §3): an application cannot be submitted without every person's consents, and a mentor or
parent gives all consents of the whole team in one form (a team of three took nine submits before)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.core.errors import DomainError
from profmaster.registration import domain
from profmaster.registration.models import Application, Consent

KINDS = (("participation", "Согласие на участие"), ("personal_data", "Согласие на обработку данных"),
         ("photo_video", "Согласие на фото- и видеосъёмку"))


def _publish(reg) -> list:
    return [domain.publish_consent_version(championship=reg.championship, kind=kind, title=title, text=title,
                                           by=reg.director) for kind, title in KINDS]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_all(reg, application, *, skip: tuple[int, str] | None = None) -> dict[str, object]:
    data: dict[str, object] = {}
    versions = domain.current_consent_versions(reg.championship)
    for member in domain.active_members(application):
        prefix = f"m{member.pk}"
        chosen = [str(v.pk) for v in versions if skip is None or (member.pk, v.form.kind) != skip]
        data[f"{prefix}-versions"] = chosen
        data[f"{prefix}-given_by"] = "self" if member.kind == "mentor" else "mentor"
        data[f"{prefix}-given_by_name"] = "Наставникова Нина"
        data[f"{prefix}-given_on"] = "2023-01-20"
    return data


def test_reg6_submit_without_consents_refused_names_each_person_and_form(reg):
    _publish(reg)
    application = reg.valid_team()
    with pytest.raises(DomainError) as caught:
        domain.submit_application(application, by=reg.mentor_user)
    assert caught.value.code == "consents"
    message = str(caught.value.message)
    for name in ("Алексеев Алексей", "Борисова Вера", "Наставникова Нина"):
        assert name in message
    assert "Согласие на фото- и видеосъёмку" in message
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert len(domain.missing_consents(application)) == 9


def test_reg6_withdrawn_consent_counts_as_missing_and_no_forms_means_nothing_required(reg):
    application = reg.valid_team()
    assert domain.missing_consents(application) == []  # the Directorate published no consent form
    versions = _publish(reg)
    member = domain.active_members(application)[0]
    consent = domain.record_consent(member, version=versions[0], given_by="mentor", given_by_name="Н. Н.",
                                    by=reg.mentor_user)
    assert (member, versions[0]) not in domain.missing_consents(application)
    domain.withdraw_consent(consent, by=reg.mentor_user, note="Отзыв родителя 01.02")
    assert (member, versions[0]) in domain.missing_consents(application)


def test_reg6_record_consents_all_people_in_one_act_is_all_or_nothing(reg):
    versions = _publish(reg)
    application = reg.valid_team()
    pupil, pupil2 = application.members.filter(kind="participant")
    bad = [domain.ConsentEntry(member=pupil, versions=versions, given_by="mentor", given_by_name="Н. Н."),
           domain.ConsentEntry(member=pupil2, versions=versions, given_by="self", given_by_name="Сама")]
    with pytest.raises(DomainError):  # a minor cannot consent for themself: nothing of the act is kept
        domain.record_consents(application, bad, by=reg.mentor_user)
    assert Consent.objects.count() == 0


def test_reg6_mentor_gives_all_consents_of_the_team_in_one_submit_then_submits(reg):
    _publish(reg)
    application = reg.valid_team()
    client = _client(reg.mentor_user)
    url = reverse("registration:application_consents", args=[application.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('class="card mb-3 person-consents"') == 3
    response = client.post(url, _post_all(reg, application))
    assert response.status_code == 302
    assert Consent.objects.filter(member__application=application).count() == 9
    assert set(Consent.objects.values_list("given_by", flat=True)) == {"mentor", "self"}
    assert domain.missing_consents(application) == []
    again = client.post(url, _post_all(reg, application))  # sending it twice records nothing new
    assert again.status_code == 302
    assert Consent.objects.count() == 9
    client.post(reverse("registration:submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_reg6_consents_form_without_name_keeps_input_and_records_nothing(reg):
    _publish(reg)
    application = reg.valid_team()
    data = _post_all(reg, application)
    pupil = application.members.get(last_name="Алексеев")
    data[f"m{pupil.pk}-given_by_name"] = ""
    response = _client(reg.mentor_user).post(reverse("registration:application_consents", args=[application.pk]),
                                             data)
    assert response.status_code == 400
    assert "Укажите ФИО того, кто дал согласие." in response.content.decode()
    assert Consent.objects.count() == 0


def test_reg6_detail_page_lists_missing_consents_and_links_the_team_form(reg):
    _publish(reg)
    application = reg.valid_team()
    client = _client(reg.mentor_user)
    client.post(reverse("registration:application_consents", args=[application.pk]),
                _post_all(reg, application, skip=(application.members.get(last_name="Алексеев").pk, "photo_video")))
    html = client.get(reverse("registration:detail", args=[application.pk])).content.decode()
    assert "Не записано 1 согласие" in html
    assert "Алексеев Алексей: Согласие на фото- и видеосъёмку" in html
    assert reverse("registration:application_consents", args=[application.pk]) in html
    response = client.post(reverse("registration:submit", args=[application.pk]), follow=True)
    assert "Не записаны согласия" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_reg5_clothing_sizes_children_sizes_for_participants_adult_for_adults(reg):
    """Issue 13 §3: clothing sizes offered only adult sizes for children."""
    from profmaster.registration.forms import MemberForm

    def offered(kind):
        return [value for value, _label in MemberForm(kind=kind).fields["clothing_size"].choices]

    assert offered("participant") == ["", "122", "128", "134", "140", "146", "152", "158", "164", "XS", "S", "M"]
    assert offered("mentor") == ["", "XS", "S", "M", "L", "XL", "XXL"]
    assert offered("relative") == ["", "XS", "S", "M", "L", "XL", "XXL"]
    application = reg.valid_team()
    mentor = application.members.get(kind="mentor")
    mentor.clothing_size = "128"
    assert "128" in [v for v, _l in MemberForm(kind="mentor", instance=mentor).fields["clothing_size"].choices]
