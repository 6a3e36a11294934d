"""Pages of consents (REG-6, REG-8), substitutions (REG-13), the document check with private scans (REG-7),
lists and exports (REG-14), the registration protocol (REG-15), the rules page and the xlsx import — good and
bad paths, and who may read a minor's data through them (X-1)."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.models import AuditEntry
from profmaster.documents.models import Document
from profmaster.organisations.models import Organisation
from profmaster.registration import domain
from profmaster.registration.models import (
    Application,
    Consent,
    ConsentVersion,
    DocumentCheck,
    RegistrationRules,
    SubstitutionRequest,
    TeamMember,
)

from ..factories import UserFactory, give_role


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _approved(reg, day: dt.date | None = None) -> Application:
    application = reg.valid_team()
    application.competition_date = day or timezone.localdate() + dt.timedelta(days=10)
    application.save()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    return application


def _outsiders(reg):
    other_mentor = UserFactory(email="m2@example.ru")
    give_role(other_mentor, Role.MENTOR, reg.championship, organisation=reg.school2)
    expert = UserFactory(email="exp@example.ru")
    give_role(expert, Role.EXPERT, reg.championship, reg.competency)
    return other_mentor, expert


# --- Consents (REG-6, REG-8) ----------------------------------------------------------------------


def test_reg6_directorate_publishes_consent_versions_on_the_page(reg):
    client = client_for(reg.director)
    url = reverse("registration:consent_forms", args=[reg.championship.pk])
    for text in ("Текст 1", "Текст 2"):
        response = client.post(url, {"kind": "personal_data", "title": "Согласие на обработку ПДн", "text": text})
        assert response.status_code == 302
    assert list(ConsentVersion.objects.values_list("number", "text")) == [(2, "Текст 2"), (1, "Текст 1")]
    body = client.get(url).content.decode()
    assert "версия 2" in body and "действующая" in body


def test_reg6_empty_consent_text_is_refused_and_mentor_cannot_publish(reg):
    url = reverse("registration:consent_forms", args=[reg.championship.pk])
    response = client_for(reg.director).post(url, {"kind": "personal_data", "title": "Согласие", "text": "   "})
    assert response.status_code == 400 and "Обязательное поле" in response.content.decode()
    assert client_for(reg.mentor_user).post(url, {"kind": "personal_data", "title": "x", "text": "y"}).status_code == 403
    assert ConsentVersion.objects.count() == 0


def test_reg6_mentor_records_minor_consent_by_parent_and_withdrawal_then_directorate_ends(reg):
    application = reg.valid_team()
    pupil = application.members.get(last_name="Алексеев")
    version = domain.publish_consent_version(championship=reg.championship, kind="personal_data", title="ПДн",
                                             text="Текст", by=reg.director)
    mentor = client_for(reg.mentor_user)
    url = reverse("registration:member_consents", args=[application.pk, pupil.pk])
    page = mentor.get(url).content.decode()
    assert 'value="self"' not in page  # a minor's consent is never given by the minor
    response = mentor.post(url, {"version": version.pk, "given_by": "self", "given_by_name": "Алексеев",
                                 "given_on": "2023-01-10"})
    assert response.status_code == 400 and Consent.objects.count() == 0
    response = mentor.post(url, {"version": version.pk, "given_by": "parent", "given_by_name": "Алексеева Анна",
                                 "given_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 400 and "Дата согласия не может быть в будущем." in response.content.decode()
    response = mentor.post(url, {"version": version.pk, "given_by": "parent", "given_by_name": "Алексеева Анна",
                                 "given_on": "2023-01-10"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.given_by, consent.given_by_name, consent.version, consent.recorded_by,
            timezone.localtime(consent.given_at).date()) == ("parent", "Алексеева Анна", version, reg.mentor_user,
                                                             dt.date(2023, 1, 10))
    withdraw = reverse("registration:consent_withdraw", args=[consent.pk])
    assert mentor.post(withdraw, {"note": ""}).status_code == 400
    assert mentor.post(withdraw, {"note": "Заявление матери от 01.03.2023"}).status_code == 302
    page = client_for(reg.director).get(url).content.decode()
    assert "обработка данных прекращена" in page and "Прекратить участие" in page
    end = reverse("registration:member_end", args=[application.pk, pupil.pk])
    assert mentor.get(end).status_code == 403
    response = client_for(reg.director).post(end, {"reason": "Участие невозможно без согласия"})
    assert response.status_code == 302
    assert TeamMember.objects.get(pk=pupil.pk).state == "ended"
    assert AuditEntry.objects.filter(object_id=str(pupil.pk), reason="Участие невозможно без согласия").exists()


# --- Substitution (REG-13) ------------------------------------------------------------------------


NEWCOMER = {"last_name": "Новикова", "first_name": "Ольга", "birth_date": "2015-03-03", "grade": "2",
            "clothing_size": "128", "reason": "Болезнь, справка"}


def test_reg13_mentor_requests_substitution_directorate_approves(reg):
    application = _approved(reg)
    outgoing = application.members.get(last_name="Борисова")
    url = reverse("registration:substitution_create", args=[application.pk, outgoing.pk])
    detail = client_for(reg.mentor_user).get(reverse("registration:detail", args=[application.pk])).content.decode()
    assert url in detail  # reachable from the application page
    response = client_for(reg.mentor_user).post(url, {**NEWCOMER, "organisation": reg.school.pk})
    assert response.status_code == 302
    request = SubstitutionRequest.objects.get()
    assert (request.status, request.incoming.state) == ("pending", "proposed")
    decide = reverse("registration:substitution_decide", args=[request.pk])
    assert decide in client_for(reg.director).get(reverse("registration:detail", args=[application.pk])).content.decode()
    assert client_for(reg.mentor_user).post(decide, {"decision": "approve"}).status_code == 403
    response = client_for(reg.director).post(decide, {"decision": "refuse", "reason": ""})
    assert response.status_code == 400 and "Укажите причину отказа." in response.content.decode()
    assert client_for(reg.director).post(decide, {"decision": "approve"}).status_code == 302
    states = dict(application.members.values_list("last_name", "state"))
    assert states["Борисова"] == "replaced" and states["Новикова"] == "active"


def test_reg13_substitution_on_the_competition_day_is_refused_with_message(reg):
    application = _approved(reg, day=timezone.localdate())
    outgoing = application.members.get(last_name="Борисова")
    response = client_for(reg.mentor_user).post(
        reverse("registration:substitution_create", args=[application.pk, outgoing.pk]),
        {**NEWCOMER, "organisation": reg.school.pk})
    body = response.content.decode()
    assert response.status_code == 400 and "Замена возможна не позднее" in body and 'value="Новикова"' in body
    assert SubstitutionRequest.objects.count() == 0 and application.members.count() == 3
    response = client_for(reg.director).post(reverse("registration:incomplete", args=[application.pk]),
                                             {"reason": "Решение Дирекции: выступает один участник"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.incomplete_allowed and application.incomplete_reason.startswith("Решение Дирекции")


# --- Document check (REG-7) -----------------------------------------------------------------------


def _check_url(application, member, item="identity"):
    return reverse("registration:document_check", args=[application.pk, member.pk, item])


def test_reg7_ten_megabyte_executable_pdf_gets_clear_message_and_nothing_lost(reg):
    application = reg.valid_team()
    pupil = application.members.get(last_name="Алексеев")
    client = client_for(reg.chief)
    assert client.post(_check_url(application, pupil), {"outcome": "accepted"}).status_code == 302
    exe = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00" + b"\x00" * (10 * 1024 * 1024),
                             content_type="application/pdf")
    response = client.post(_check_url(application, pupil), {"outcome": "invalid", "comment": "Нечитаемо",
                                                              "scan": exe})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Файл «passport.pdf» не принят: по содержимому это не PDF, PNG или JPEG (исполняемая программа)" in body
    assert "размер 10.0 МБ больше допустимых 5 МБ" in body
    check = DocumentCheck.objects.get()
    assert (check.outcome, check.scan.name) == ("accepted", "")  # the earlier result is kept


def test_reg7_scan_is_private_and_served_only_to_checkers_with_audit(reg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = reg.valid_team()
    pupil = application.members.get(last_name="Алексеев")
    documents = reverse("registration:documents", args=[application.pk])
    assert documents in client_for(reg.chief).get(reverse("registration:detail", args=[application.pk])).content.decode()
    response = client_for(reg.chief).post(_check_url(application, pupil), {
        "outcome": "accepted", "scan": SimpleUploadedFile("p.pdf", b"%PDF-1.4 passport", content_type="text/plain")})
    assert response.status_code == 302
    check = DocumentCheck.objects.get()
    assert check.scan.path.startswith(str(tmp_path / "private"))
    with pytest.raises(ValueError):
        check.scan.url  # noqa: B018 — no public URL at all
    url = reverse("registration:document_scan", args=[check.pk])
    assert url in client_for(reg.chief).get(documents).content.decode()
    response = client_for(reg.chief).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 passport"
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.filter(action="access", actor=reg.chief, reason__startswith="Скан").count() == 1
    other_mentor, expert = _outsiders(reg)
    for user in (other_mentor, expert, reg.mentor_user):
        assert client_for(user).get(url).status_code in (403, 404)
    assert Client().get(url).status_code == 302


def test_reg7_retention_command_deletes_scans_after_the_championship(reg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = reg.valid_team()
    pupil = application.members.get(last_name="Алексеев")
    check = domain.record_document_check(pupil, item="identity", outcome="accepted", by=reg.chief,
                                         scan=SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\nxx"))
    path = check.scan.path
    out = io.StringIO()
    call_command("delete_registration_scans", "--today", "2023-04-30", stdout=out)
    assert "deleted: 0" in out.getvalue() and os.path.exists(path)
    call_command("delete_registration_scans", "--today", "2023-05-01", stdout=out)
    assert "deleted: 1" in out.getvalue() and not os.path.exists(path)
    assert AuditEntry.objects.filter(reason="Срок хранения сканов истёк").count() == 1


# --- Lists and exports (REG-14), protocol (REG-15) ------------------------------------------------


def test_reg14_lists_on_screen_xlsx_pdf_with_access_logged(reg):
    application = _approved(reg)
    client = client_for(reg.director)
    url = reverse("registration:people", args=[reg.championship.pk])
    body = client.get(url).content.decode()
    assert "Алексеев Алексей" in body and "Борисова Вера" in body
    response = client.get(url, {"kind": "participant", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "ФИО" and {r[0] for r in rows[1:]} == {"Алексеев Алексей", "Борисова Вера"}
    response = client.get(url, {"kind": "mentor", "format": "pdf"})
    assert response.content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
    reasons = set(AuditEntry.objects.filter(action="access", actor=reg.director).values_list("reason", flat=True))
    assert {"Список участников (экран)", "Список участников (xlsx)"} <= reasons
    assert client.get(url, {"competency": reg.competency2.pk}).context["rows"] == []
    assert client.get(url, {"kind": "expert"}).context["rows"][0][0] == reg.chief.full_name
    assert application.pk


def test_x1_minor_data_not_readable_by_other_mentor_expert_anonymous_in_lists_and_exports(reg):
    application = _approved(reg)
    other_mentor, expert = _outsiders(reg)
    url = reverse("registration:people", args=[reg.championship.pk])
    for fmt in ("", "xlsx", "pdf"):
        response = client_for(other_mentor).get(url, {"format": fmt} if fmt else {})
        assert response.status_code == 200
        if fmt == "xlsx":
            assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 1
        elif not fmt:
            assert "Алексеев" not in response.content.decode()
        assert client_for(expert).get(url, {"format": fmt}).status_code == 403
        assert Client().get(url, {"format": fmt}).status_code == 302
    assert client_for(other_mentor).get(url, {"kind": "expert"}).status_code == 403
    pupil = application.members.get(last_name="Алексеев")
    for name, kwargs in [("registration:member_consents", [application.pk, pupil.pk]),
                         ("registration:documents", [application.pk]),
                         ("registration:substitution_create", [application.pk, pupil.pk])]:
        for user in (other_mentor, expert):
            response = client_for(user).get(reverse(name, args=kwargs))
            assert response.status_code in (403, 404) and "Алексеев" not in response.content.decode()


def test_reg15_registration_protocol_is_a_signed_document(reg):
    _approved(reg)
    response = client_for(reg.director).post(reverse("registration:protocol", args=[reg.championship.pk]))
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[document.pk])
    assert document.doc_type == "registration"
    assert [p["ФИО"] for p in document.data["Участники"]] == ["Алексеев Алексей", "Борисова Вера"]
    assert list(document.required_signers.values_list("user", flat=True)) == [reg.director.pk]


# --- Rules page and import ------------------------------------------------------------------------


def test_rules_page_directorate_changes_rules_bad_value_refused(reg):
    url = reverse("registration:rules", args=[reg.championship.pk])
    client = client_for(reg.director)
    data = {"relative_kinds": ["mother", "father"], "same_organisation_required": "on",
            "substitution_days_before": "2"}
    assert client.post(url, data).status_code == 302
    rules = RegistrationRules.objects.get()
    assert (rules.relative_kinds, rules.substitution_days_before, rules.one_application_per_organisation) == (
        ["mother", "father"], 2, False)
    response = client.post(url, {**data, "relative_kinds": ["uncle"], "substitution_days_before": "-1"})
    assert response.status_code == 400
    assert RegistrationRules.objects.get().substitution_days_before == 2
    assert client_for(reg.mentor_user).get(url).status_code == 403


def _xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("import.xlsx", buffer.getvalue())


ORG_HEADER = ["Полное наименование", "Краткое наименование", "ИНН", "Регион", "Адрес", "E-mail", "Телефон"]


def test_import_organisations_all_or_nothing_with_row_report(reg):
    url = reverse("registration:import", args=[reg.championship.pk])
    client = client_for(reg.director)
    before = Organisation.objects.count()
    bad = _xlsx([ORG_HEADER, ["ГБОУ Школа № 10", "Школа № 10", "7700000000", "Москва", "", "", ""],
                 ["", "Без имени", "", "", "", "", ""], ["ГБОУ Школа № 11", "", "12ab", "", "", "", ""]])
    response = client.post(url, {"kind": "organisations", "file": bad})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Строка 3: не указано полное наименование." in body and "Строка 4: ИНН — 10 или 12 цифр" in body
    assert Organisation.objects.count() == before  # row 2 was fine but nothing is half-imported
    good = _xlsx([ORG_HEADER, ["ГБОУ Школа № 10", "Школа № 10", "7700000000", "", "", "", ""]])
    assert client.post(url, {"kind": "organisations", "file": good}).status_code == 302
    assert Organisation.objects.get(short_name="Школа № 10").region == "Москва"


def test_import_refuses_non_xlsx_and_wrong_header_and_offers_template(reg):
    url = reverse("registration:import", args=[reg.championship.pk])
    client = client_for(reg.director)
    response = client.post(url, {"kind": "experts", "file": SimpleUploadedFile("x.xlsx", b"MZ\x00 not a zip")})
    assert response.status_code == 400 and "Это не файл xlsx" in response.content.decode()
    response = client.post(url, {"kind": "experts", "file": _xlsx([["Имя"], ["Иван"]])})
    assert response.status_code == 400 and "Первая строка должна содержать заголовки шаблона" in response.content.decode()
    template = client.get(reverse("registration:import_template", args=[reg.championship.pk, "experts"]))
    header = next(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert header[0] == "Фамилия"
    assert client.get(reverse("registration:import_template", args=[reg.championship.pk, "nope"])).status_code == 404


def test_import_experts_and_applications(reg):
    url = reverse("registration:import", args=[reg.championship.pk])
    client = client_for(reg.director)
    experts = _xlsx([["Фамилия", "Имя", "Отчество", "E-mail", "Телефон", "Компетенция", "Главный эксперт (да/нет)",
                      "Организация"],
                     ["Экспертова", "Ева", "", "eva@example.ru", "", "Робототехника", "нет", "Школа № 2"]])
    assert client.post(url, {"kind": "experts", "file": experts}).status_code == 302
    assert RoleAssignment.objects.filter(user__email="eva@example.ru", role=Role.EXPERT,
                                         competency=reg.competency2).exists()
    header = ["Номер заявки в файле", "Организация", "Компетенция", "Категория", "Роль (участник/наставник/родственник)",
              "Фамилия", "Имя", "Отчество", "Дата рождения (ДД.ММ.ГГГГ)", "Класс", "Должность", "Телефон", "E-mail",
              "Родство", "Размер одежды"]
    refused = client.post(url, {"kind": "applications", "file": _xlsx([header])})
    assert refused.status_code == 400 and "централизованной регистрацией" in refused.content.decode()
    RegistrationRules.objects.filter(championship=reg.championship).update(central_registration=True)
    person = ["1", "Школа № 2", "Робототехника", "1–2 класс", "участник", "Сидоров", "Саша", "", "01.05.2015", "13",
              "", "", "", "", "128"]
    response = client.post(url, {"kind": "applications", "file": _xlsx([header, person])})
    assert response.status_code == 400 and "Строка 2: класс — число от 1 до 11, указано «13»." in response.content.decode()
    assert Application.objects.count() == 0
    rows = [header, [*person[:9], "1", *person[10:]], [*person[:5], "Петрова", "Полина", "", "02.02.2015", "2",
                                                       *person[10:]]]
    assert client.post(url, {"kind": "applications", "file": _xlsx(rows)}).status_code == 302
    application = Application.objects.get()
    assert (application.status, application.organisation, application.members.count()) == ("draft", reg.school2, 2)


def test_reg6_reg13_duplicate_clicks_record_once_with_a_message(reg):
    application = _approved(reg)
    pupil = application.members.get(last_name="Алексеев")
    version = domain.publish_consent_version(championship=reg.championship, kind="personal_data", title="ПДн",
                                             text="Текст", by=reg.director)
    client = client_for(reg.mentor_user)
    url = reverse("registration:member_consents", args=[application.pk, pupil.pk])
    data = {"version": version.pk, "given_by": "parent", "given_by_name": "Мать", "given_on": "2023-01-10"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 400 and "Это согласие уже записано." in response.content.decode()
    assert Consent.objects.count() == 1
    outgoing = application.members.get(last_name="Борисова")
    sub_url = reverse("registration:substitution_create", args=[application.pk, outgoing.pk])
    assert client.post(sub_url, {**NEWCOMER, "organisation": reg.school.pk}).status_code == 302
    response = client.post(sub_url, {**NEWCOMER, "organisation": reg.school.pk})
    assert response.status_code == 400 and "уже есть нерассмотренная замена" in response.content.decode()
    assert SubstitutionRequest.objects.count() == 1 and application.members.count() == 4
    decide = reverse("registration:substitution_decide", args=[SubstitutionRequest.objects.get().pk])
    director = client_for(reg.director)
    assert director.post(decide, {"decision": "refuse", "reason": "Нет справки"}).status_code == 302
    response = director.post(decide, {"decision": "approve"})
    assert response.status_code == 400 and "Замена уже рассмотрена: Отказано." in response.content.decode()
