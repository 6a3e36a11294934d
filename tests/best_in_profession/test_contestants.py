"""REG-1 for «Лучший по профессии» (000 §1): an employer enters one adult worker individually through the one
registration workflow; refusals name the condition and change nothing; the profile cannot be switched once
applications exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.best_in_profession import domain
from profmaster.best_in_profession.models import ContestantProfile, PersonalDataAccess
from profmaster.championships import domain as ch_domain
from profmaster.championships.models import Championship
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.registration import domain as registration
from profmaster.registration.models import Application, TeamMember

from ..factories import UserFactory, give_role
from .conftest import data, enter

pytestmark = pytest.mark.django_db


def counts():
    return (Application.objects.count(), TeamMember.objects.count(), ContestantProfile.objects.count(),
            User.objects.count())


def test_reg1_employer_enters_a_contestant_and_the_application_is_submitted(contest):
    application = enter(contest)
    application.refresh_from_db()
    member = application.members.get()
    assert (application.status, application.organisation, application.age_category) == (
        "submitted", contest.employer, contest.nomination.category)
    assert (member.kind, member.full_name, member.position, member.grade, member.organisation) == (
        "participant", "Орёл Семён Петрович", "Электросварщик 5 разряда", None, contest.employer)
    assert (member.contestant_profile.years_of_service, member.contestant_profile.education) == (
        Decimal("8.0"), "secondary_vocational")
    assert member.user.email == "orel@example.ru"  # the account the contestant signs in with
    assert registration.check_application(application) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"birth_date": dt.date.today().replace(year=dt.date.today().year - 17)},
     "участвуют работники не моложе 18 лет, участнику 17"),
    ({"years_of_service": Decimal("1.5")}, "нужен стаж по профессии не менее 3 лет, указано 1,5"),
    ({"education": "secondary_general"}, "нужно образование не ниже «Среднее профессиональное», указано «Среднее общее»"),
])
def test_reg1_a_contestant_failing_a_condition_is_refused_and_nothing_is_saved(contest, changes, expected):
    before = counts()
    with pytest.raises(DomainError) as refused:
        enter(contest, **changes)
    assert expected in refused.value.message
    assert "«Лучший сварщик»" in refused.value.message
    assert counts() == before


def test_reg1_only_an_employer_enters_and_only_its_own_representative(contest):
    before = counts()
    with pytest.raises(DomainError, match="не работодатель"):
        domain.enter_contestant(contest.championship, nomination=contest.nomination, organisation=contest.school,
                                by=contest.directorate, data=data())
    with pytest.raises(AccessDenied, match="Вы не представляете организацию «Исеть»"):
        domain.enter_contestant(contest.championship, nomination=contest.nomination,
                                organisation=contest.other_employer, by=contest.rep, data=data())
    assert counts() == before


def test_reg1_a_nomination_of_another_championship_is_refused(contest):
    from .conftest import make_contest

    other = make_contest(slug="lpp-other")
    with pytest.raises(DomainError, match="другому чемпионату"):
        domain.enter_contestant(contest.championship, nomination=other.nomination, organisation=contest.employer,
                                by=contest.rep, data=data())


def test_reg1_the_same_worker_is_entered_only_once(contest):
    enter(contest)
    before = counts()
    with pytest.raises(DomainError, match="уже заявлен"):
        enter(contest, email="orel2@example.ru")
    assert counts() == before


def test_reg1_bad_data_is_refused_with_the_field(contest):
    for changes, field in (({"email": "не-почта"}, "email"), ({"years_of_service": Decimal(90)}, "years_of_service"),
                           ({"education": "phd"}, "education"), ({"position": "  "}, "position")):
        with pytest.raises(DomainError) as refused:
            enter(contest, **changes)
        assert refused.value.field == field
    assert Application.objects.count() == 0


def test_reg1_consents_are_given_by_the_adult_contestant_themself(contest):
    registration.publish_consent_version(championship=contest.championship, kind="personal_data",
                                         title="Согласие на обработку ПД", text="Текст", by=contest.directorate)
    with pytest.raises(DomainError, match="Отметьте, что участник дал согласия"):
        enter(contest)
    application = domain.enter_contestant(contest.championship, nomination=contest.nomination,
                                          organisation=contest.employer, by=contest.rep, data=data(),
                                          consent_given=True)
    consent = application.members.get().consents.get()
    assert (consent.given_by, consent.given_by_name) == ("self", "Орёл Семён Петрович")


def test_reg1_approval_makes_the_contestant_a_participant_of_the_competency_and_withdrawal_undoes_it(contest):
    application = enter(contest)
    registration.approve_application(application, by=contest.directorate)
    user = application.members.get().user
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "competency_id")) == [
        (Role.PARTICIPANT, contest.competency.pk)]
    registration.withdraw_application(application, by=contest.rep, reason="Уволился")
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_reg1_return_fix_and_resubmit_through_the_same_workflow(contest):
    application = enter(contest)
    registration.return_application(application, by=contest.directorate,
                                    remarks=[(None, "", "Уточните должность по штатному расписанию")])
    domain.update_contestant(application, data=data(position="Электрогазосварщик 6 разряда"), by=contest.rep)
    registration.resubmit_application(application, by=contest.rep)
    application.refresh_from_db()
    assert (application.status, application.members.get().position) == ("resubmitted",
                                                                          "Электрогазосварщик 6 разряда")


def test_reg1_a_returned_contestant_cannot_be_changed_to_break_a_condition_once_placed(contest):
    application = enter(contest)
    with pytest.raises(DomainError):  # submitted: the employer no longer edits
        domain.update_contestant(application, data=data(years_of_service=Decimal(1)), by=contest.rep)
    with pytest.raises(DomainError, match="стаж"):  # the Directorate may, but the conditions still hold
        domain.update_contestant(application, data=data(years_of_service=Decimal(1)), by=contest.directorate)
    assert application.members.get().contestant_profile.years_of_service == Decimal("8.0")


def test_reg1_profile_switch_is_refused_once_applications_exist(contest):
    championship = contest.championship
    enter(contest)
    with pytest.raises(TransitionError) as refused:
        ch_domain.change_rules_profile(championship, to=Championship.RulesProfile.MASTERYATA, by=contest.directorate)
    assert refused.value.message == (
        "Правила чемпионата нельзя сменить с «Конкурс «Лучший по профессии»» на «Детский чемпионат «Мастерята» "
        "(методика 2022/2023)»: уже подано заявок — 1, и они приняты по прежним правилам. Сменить правила можно "
        "только до первой заявки.")
    championship.refresh_from_db()
    assert championship.rules_profile == Championship.RulesProfile.BEST_IN_PROFESSION
    championship.rules_profile = Championship.RulesProfile.MASTERYATA  # the edit form and API go through save
    with pytest.raises(TransitionError):
        ch_domain.save_championship(championship, by=contest.directorate)
    assert Championship.objects.get(pk=championship.pk).rules_profile == "best_in_profession"


def test_reg1_profile_switch_is_allowed_before_the_first_application(contest):
    ch_domain.change_rules_profile(contest.championship, to=Championship.RulesProfile.CUSTOM, by=contest.directorate)
    assert Championship.objects.get(pk=contest.championship.pk).rules_profile == "custom"


def test_reg1_profile_switch_page_shows_the_refusal_and_keeps_the_profile(contest, client):
    enter(contest)
    client.force_login(contest.directorate)
    url = reverse("championships:edit", args=[contest.championship.pk])
    page = client.get(url)
    form = page.context["form"]
    posted = {name: form[name].value() or "" for name in form.fields}
    posted["rules_profile"] = "masteryata"
    posted["starts_on"] = contest.championship.starts_on.isoformat()
    posted["ends_on"] = contest.championship.ends_on.isoformat()
    response = client.post(url, posted)
    assert response.status_code == 400
    assert "Правила чемпионата нельзя сменить" in response.content.decode()
    assert Championship.objects.get(pk=contest.championship.pk).rules_profile == "best_in_profession"


def test_reg1_employer_enters_through_the_page_and_the_directorate_reviews_on_the_registration_page(contest, client):
    client.force_login(contest.rep)
    response = client.post(reverse("best_in_profession:contestant_create", args=[contest.championship.pk]), {
        "nomination": contest.nomination.pk, "organisation": contest.employer.pk, "last_name": "Пьеха",
        "first_name": "Ольга", "birth_date": "1985-02-03", "position": "Сварщик", "years_of_service": "2",
        "education": "secondary_vocational", "email": "pieha@example.ru"})
    assert response.status_code == 400
    assert "нужен стаж по профессии не менее 3 лет, указано 2" in response.content.decode()
    assert Application.objects.count() == 0
    response = client.post(reverse("best_in_profession:contestant_create", args=[contest.championship.pk]), {
        "nomination": contest.nomination.pk, "organisation": contest.employer.pk, "last_name": "Пьеха",
        "first_name": "Ольга", "birth_date": "1985-02-03", "position": "Сварщик", "years_of_service": "3,5",
        "education": "higher", "email": "pieha@example.ru"})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("best_in_profession:contestant",
                                                                            args=[application.pk])
    client.force_login(contest.directorate)
    assert client.post(reverse("registration:approve", args=[application.pk])).status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"


def test_rm7_contestant_pages_are_for_the_scope_and_every_access_is_logged(contest, client):
    application = enter(contest)
    url = reverse("best_in_profession:contestant", args=[application.pk])
    for user, status in ((contest.directorate, 200), (contest.rep, 200), (contest.chief, 200),
                         (application.members.get().user, 200), (contest.expert, 403), (contest.venue_admin, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    logged = list(PersonalDataAccess.objects.order_by("pk").values_list("user__email", "subject_name", "channel"))
    assert logged == [(u.email, "Орёл Семён Петрович", "page") for u in (
        contest.directorate, contest.rep, contest.chief, application.members.get().user)]
    # the registration page of the same application logs too (the one workflow's channel)
    client.force_login(contest.directorate)
    client.get(reverse("registration:detail", args=[application.pk]))
    assert PersonalDataAccess.objects.filter(what__startswith="Страница заявки").count() == 1
    # the Directorate reads the log; nobody else
    log = reverse("best_in_profession:access_log", args=[contest.championship.pk])
    page = client.get(log)
    assert page.status_code == 200 and "Орёл Семён Петрович" in page.content.decode()
    assert "Екатеринбург, UTC+5" in page.content.decode()
    client.force_login(contest.rep)
    assert client.get(log).status_code == 403


def test_rm7_access_record_is_append_only(contest):
    application = enter(contest)
    domain.log_access(contest.directorate, [application], what="Проверка")
    entry = PersonalDataAccess.objects.get()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_rm7_api_reads_are_logged_and_scoped(contest, client):
    application = enter(contest)
    client.force_login(contest.rep)
    response = client.get(f"/api/v1/championships/{contest.championship.pk}/contestants")
    assert response.status_code == 200
    assert [(c["full_name"], c["position"]) for c in response.json()] == [("Орёл Семён Петрович",
                                                                           "Электросварщик 5 разряда")]
    assert PersonalDataAccess.objects.get().channel == "api"
    client.force_login(contest.expert)
    assert client.get(f"/api/v1/contestants/{application.pk}").status_code == 403
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(f"/api/v1/contestants/{application.pk}").status_code == 404


def test_reg1_api_enters_a_contestant_with_the_same_refusals(contest, client):
    client.force_login(contest.rep)
    body = {"nomination_id": contest.nomination.pk, "organisation_id": contest.employer.pk, "last_name": "Орёл",
            "first_name": "Семён", "birth_date": "2010-01-01", "position": "Сварщик", "years_of_service": "5",
            "education": "higher", "email": "orel@example.ru"}
    response = client.post(f"/api/v1/championships/{contest.championship.pk}/contestants", body,
                           content_type="application/json")
    assert response.status_code == 400
    assert "не моложе 18 лет" in response.json()["detail"]
    body["birth_date"] = "1990-01-01"
    response = client.post(f"/api/v1/championships/{contest.championship.pk}/contestants", body,
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "submitted"


def test_reg1_nominations_api_lists_and_the_directorate_adds(contest, client):
    client.force_login(contest.directorate)
    response = client.post(f"/api/v1/championships/{contest.championship.pk}/nominations", {
        "name": "Лучший повар", "competency_id": contest.other_competency.pk, "min_years_of_service": "2"},
        content_type="application/json")
    assert response.status_code == 201
    client.force_login(contest.expert)
    names = [n["name"] for n in client.get(f"/api/v1/championships/{contest.championship.pk}/nominations").json()]
    assert names == ["Лучший повар", "Лучший сварщик"]


def test_reg1_masteryata_championship_keeps_its_team_rules(db):
    """The 003 path is untouched: a Мастерята participant still needs a grade."""
    from ..factories import AgeCategoryFactory, ChampionshipFactory, CompetencyFactory, OrganisationFactory

    championship = ChampionshipFactory()
    category = AgeCategoryFactory(championship=championship)
    mentor = UserFactory()
    give_role(mentor, Role.MENTOR, championship)
    application = registration.create_application(
        championship=championship, competency=CompetencyFactory(championship=championship), age_category=category,
        organisation=OrganisationFactory(), by=mentor)
    member = TeamMember(application=application, kind="participant", last_name="Учеников", first_name="Пётр",
                        birth_date=timezone.localdate().replace(year=timezone.localdate().year - 8),
                        organisation=application.organisation)
    with pytest.raises(DomainError, match="Укажите класс обучения"):
        registration.save_member(member, by=mentor)


def test_rm7_expired_scans_are_erased_by_the_command_leaving_a_record(contest, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from profmaster.audit.models import AuditEntry

    settings.MEDIA_ROOT = str(tmp_path)
    application = enter(contest)
    scan = domain.upload_contestant_document(
        application, kind="education", upload=SimpleUploadedFile("diplom.pdf", b"%PDF-1.4 scan"), by=contest.rep)
    path = scan.file.path
    assert scan.retain_until == contest.championship.ends_on + dt.timedelta(days=30)
    call_command("erase_expired_personal_data", today=(scan.retain_until).isoformat())
    scan.refresh_from_db()
    assert scan.erased_at is None  # kept until its date inclusive
    call_command("erase_expired_personal_data", today=(scan.retain_until + dt.timedelta(days=1)).isoformat())
    scan.refresh_from_db()
    import os

    assert (scan.erased_at is not None, bool(scan.file), os.path.exists(path)) == (True, False, False)
    assert AuditEntry.objects.filter(reason__startswith="Срок хранения скана истёк").count() == 1
    client_page = reverse("best_in_profession:access_log", args=[contest.championship.pk])
    from django.test import Client

    c = Client()
    c.force_login(contest.directorate)
    assert "Удалённые по сроку хранения сканы" in c.get(client_page).content.decode()
    assert c.get(reverse("best_in_profession:document", args=[scan.pk])).status_code == 404


def test_rm7_a_non_scan_upload_is_refused(contest, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    application = enter(contest)
    with pytest.raises(DomainError, match="не PDF, PNG или JPEG"):
        domain.upload_contestant_document(application, kind="education",
                                          upload=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00"), by=contest.rep)
    assert not application.members.get().contestant_profile.documents.exists()


def test_rm7_scan_is_streamed_to_the_scope_and_the_access_logged(contest, client, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    application = enter(contest)
    scan = domain.upload_contestant_document(
        application, kind="education", upload=SimpleUploadedFile("d.pdf", b"%PDF-1.4 scan"), by=contest.rep)
    url = reverse("best_in_profession:document", args=[scan.pk])
    client.force_login(contest.expert)
    assert client.get(url).status_code == 403
    client.force_login(contest.chief)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 scan"
    assert PersonalDataAccess.objects.get().channel == "file"




def test_reg1_championship_page_shows_nominations_instead_of_age_categories_and_links_the_contest(contest, client):
    client.force_login(contest.directorate)
    page = client.get(reverse("championships:detail", args=[contest.championship.pk])).content.decode()
    assert 'id="contest-link"' in page and 'id="nominations"' in page and 'id="age-categories"' not in page
    overview = client.get(reverse("best_in_profession:overview", args=[contest.championship.pk])).content.decode()
    assert "Лучший сварщик" in overview and "Екатеринбург, UTC+5" in overview


def test_reg1_employers_representative_finds_the_entry_in_the_cabinet(contest, client):
    client.force_login(contest.rep)
    page = client.get(reverse("cabinet")).content.decode()
    assert reverse("best_in_profession:contestant_create", args=[contest.championship.pk]) in page
