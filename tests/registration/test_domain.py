"""REG-1…REG-13, X-1: the registration domain functions on a real database."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from profmaster.audit.models import AuditEntry
from profmaster.championships.models import ProgrammeSlot, Stage
from profmaster.core.errors import DomainError, TransitionError
from profmaster.notifications.models import OutboundEmail
from profmaster.registration import domain
from profmaster.registration.models import Application, Consent, ConsentForm, DocumentCheck, Remark, TeamMember

from ..factories import UserFactory

S = Application.Status


def test_reg1_submit_valid_team_moves_to_submitted_audits_and_mails(reg, django_capture_on_commit_callbacks):
    application = reg.valid_team()
    with django_capture_on_commit_callbacks(execute=True):
        domain.submit_application(application, by=reg.mentor_user)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.submitted_at is not None
    entry = AuditEntry.objects.filter(object_type="registration.Application", action="transition").get()
    assert (entry.before["status"], entry.after["status"], entry.actor) == ("draft", "submitted", reg.mentor_user)
    assert [(m.subject, m.to) for m in mail.outbox] == [("Заявка подана", ["mentor@example.ru"])]
    # what was sent to whom is recorded, about this application, in its championship
    sent = OutboundEmail.objects.get()
    assert (sent.template, sent.to, sent.status, sent.related_type, sent.related_id, sent.championship_id) == (
        "application_submitted", "mentor@example.ru", "sent", "registration.Application", str(application.pk),
        application.championship_id)
    assert f"/registration/applications/{application.pk}/" in sent.body_text and sent.body_html


def test_reg2_submit_invalid_team_refused_with_each_violation_and_nothing_changes(reg):
    application = reg.application()
    first = reg.add(application, "participant", grade=3, last_name="Третьеклассников")
    with pytest.raises(domain.RulesViolated) as exc:
        domain.submit_application(application, by=reg.mentor_user)
    assert [(v.rule, v.person) for v in exc.value.violations] == [
        ("REG-2", None), ("REG-2", None), ("REG-3", str(first.pk))]
    assert "Третьеклассников Пётр: в категории «1–2 класс» участник учится в 1–2 классе, указан 3 класс." in \
        exc.value.message
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.members.count() == 1


def test_reg1_duplicate_submit_click_is_a_clear_error(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    with pytest.raises(TransitionError) as exc:
        domain.submit_application(Application.objects.get(pk=application.pk), by=reg.mentor_user)
    assert exc.value.message == "Заявка уже в состоянии «Подана»: подать можно только черновик."
    assert AuditEntry.objects.filter(object_type="registration.Application", action="transition").count() == 1


def test_reg1_return_with_remark_on_a_person_then_resubmit_then_approve(reg, django_capture_on_commit_callbacks):
    application = reg.valid_team()
    with django_capture_on_commit_callbacks(execute=True):  # each commit sends what it queued
        domain.submit_application(application, by=reg.mentor_user)
    pupil = application.members.get(last_name="Алексеев")
    with django_capture_on_commit_callbacks(execute=True):
        domain.return_application(application, by=reg.director, remarks=[(pupil, "birth_date", "Проверьте дату рождения"),
                                                                          (None, "", "  ")])
    assert application.status == S.RETURNED
    assert list(Remark.objects.values_list("member_id", "field", "text", "resolved_at")) == [
        (pupil.pk, "birth_date", "Проверьте дату рождения", None)]
    assert mail.outbox[-1].subject == "Заявка возвращена на доработку"
    assert "Алексеев Алексей: Проверьте дату рождения" in mail.outbox[-1].body

    pupil.birth_date = dt.date(2015, 6, 2)
    domain.save_member(pupil, by=reg.mentor_user)
    with django_capture_on_commit_callbacks(execute=True):
        domain.resubmit_application(application, by=reg.mentor_user)
    assert application.status == S.RESUBMITTED
    assert Remark.objects.get().resolved_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        domain.approve_application(application, by=reg.director)
    application.refresh_from_db()
    assert (application.status, application.decided_by) == (S.APPROVED, reg.director)
    assert mail.outbox[-1].subject == "Заявка одобрена"


def test_reg1_return_without_any_remark_refused(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    with pytest.raises(DomainError, match="Напишите хотя бы одно замечание"):
        domain.return_application(application, by=reg.director, remarks=[(None, "", " ")])
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


@pytest.mark.parametrize(("status", "action"), [
    ("draft", "approve"), ("draft", "reject"), ("approved", "approve"), ("rejected", "withdraw"),
    ("withdrawn", "resubmit"), ("returned", "approve"), ("approved", "reject"),
])
def test_reg1_forbidden_transitions_are_errors(reg, status, action):
    application = reg.valid_team()
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    call = {
        "approve": lambda: domain.approve_application(application, by=reg.director),
        "reject": lambda: domain.reject_application(application, by=reg.director, reason="Нет"),
        "withdraw": lambda: domain.withdraw_application(application, by=reg.mentor_user),
        "resubmit": lambda: domain.resubmit_application(application, by=reg.mentor_user),
    }[action]
    with pytest.raises(TransitionError):
        call()
    assert Application.objects.get(pk=application.pk).status == status


def test_reg1_reject_needs_a_reason_and_mails_it(reg, django_capture_on_commit_callbacks):
    application = reg.valid_team()
    with django_capture_on_commit_callbacks(execute=True):
        domain.submit_application(application, by=reg.mentor_user)
    with pytest.raises(DomainError, match="Укажите причину отклонения заявки"):
        domain.reject_application(application, by=reg.director, reason="   ")
    with django_capture_on_commit_callbacks(execute=True):
        domain.reject_application(application, by=reg.director, reason="Школа не из Москвы")
    assert (application.status, application.decision_reason) == (S.REJECTED, "Школа не из Москвы")
    assert "Причина: Школа не из Москвы" in mail.outbox[-1].body


def test_reg1_withdraw_by_applicant_from_approved(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    domain.withdraw_application(application, by=reg.mentor_user, reason="Заболели")
    assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN


def test_reg1_applicant_cannot_edit_submitted_application(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    with pytest.raises(TransitionError, match="правка возможна в черновике"):
        reg.add(application, "participant", last_name="Лишний")


def test_reg1_after_deadline_only_a_reopened_application_is_edited(reg):
    application = reg.application()
    reg.championship.registration_deadline = timezone.now() - dt.timedelta(hours=1)
    reg.championship.save()
    application.championship.refresh_from_db()
    with pytest.raises(DomainError, match="Приём заявок закончился"):
        reg.add(application, "participant")
    with pytest.raises(DomainError, match="Приём заявок закончился"):
        reg.application(organisation=reg.school2)
    with pytest.raises(DomainError, match="Укажите, почему"):
        domain.reopen_application(application, by=reg.director, reason="")
    domain.reopen_application(application, by=reg.director, reason="Сбой почты у школы")
    reg.valid_team(application)
    domain.submit_application(application, by=reg.mentor_user)
    assert application.status == S.SUBMITTED
    assert AuditEntry.objects.filter(reason="Сбой почты у школы").count() == 1


def test_reg9_second_application_of_organisation_for_same_competency_and_category_refused(reg):
    first = reg.valid_team()
    domain.submit_application(first, by=reg.mentor_user)
    second = reg.valid_team(reg.application(), names=("Григорьев", "Дмитриева"))
    with pytest.raises(domain.RulesViolated) as exc:
        domain.submit_application(second, by=reg.mentor_user)
    assert [v.rule for v in exc.value.violations] == ["REG-9"]
    # a withdrawn application frees the place; another category is always allowed (003 §3.9)
    domain.withdraw_application(first, by=reg.mentor_user)
    domain.submit_application(second, by=reg.mentor_user)
    third = reg.valid_team(reg.application(category=reg.cat34), grades=(3, 4), names=("Егоров", "Жукова"))
    domain.submit_application(third, by=reg.mentor_user)


def test_reg10_participant_in_two_competencies_refused(reg):
    first = reg.valid_team()
    domain.submit_application(first, by=reg.mentor_user)
    second = reg.application(competency=reg.competency2)
    reg.valid_team(second, names=("Алексеев", "Зайцева"))  # Алексеев Алексей, same birth date
    with pytest.raises(domain.RulesViolated) as exc:
        domain.submit_application(second, by=reg.mentor_user)
    violation = next(v for v in exc.value.violations if v.rule == "REG-10")
    assert TeamMember.objects.get(pk=int(violation.person)).application == second
    # same mentor and organisation, competition dates not known yet: no REG-11 overlap to report
    assert [v.rule for v in exc.value.violations] == ["REG-10"]


def _slot(reg, competency, day: dt.date) -> None:
    stage = Stage.objects.get_or_create(championship=reg.championship, name="Финал",
                                        defaults={"kind": "final", "starts_on": dt.date(2023, 4, 1),
                                                  "ends_on": dt.date(2023, 4, 20)})[0]
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    ProgrammeSlot.objects.create(championship=reg.championship, stage=stage, competency=competency, title="Поток",
                                 starts_at=start, ends_at=start + dt.timedelta(hours=3))


@pytest.mark.parametrize(("day2", "refused"), [(dt.date(2023, 4, 3), True), (dt.date(2023, 4, 4), False)])
def test_reg11_mentor_two_teams_same_day_refused_adjacent_day_allowed(reg, day2, refused):
    _slot(reg, reg.competency, dt.date(2023, 4, 3))
    _slot(reg, reg.competency2, day2)
    first = reg.valid_team()
    domain.submit_application(first, by=reg.mentor_user)
    second = reg.valid_team(reg.application(competency=reg.competency2), names=("Козлов", "Львова"))
    if refused:
        with pytest.raises(domain.RulesViolated) as exc:
            domain.submit_application(second, by=reg.mentor_user)
        assert [v.rule for v in exc.value.violations] == ["REG-11"]
        assert "которая соревнуется в те же даты" in exc.value.message
    else:
        domain.submit_application(second, by=reg.mentor_user)
        assert second.status == S.SUBMITTED


def test_reg11_mentor_of_another_organisation_refused(reg):
    first = reg.valid_team()
    domain.submit_application(first, by=reg.mentor_user)
    other = reg.application(organisation=reg.school2, competency=reg.competency2)
    reg.valid_team(other, names=("Миронов", "Никитина"))
    with pytest.raises(domain.RulesViolated) as exc:
        domain.submit_application(other, by=reg.mentor_user)
    assert [v.rule for v in exc.value.violations] == ["REG-11"]


def test_reg12_and_reg3_moscow_school_and_same_organisation(reg):
    application = reg.application()
    reg.add(application, "participant", last_name="Свой")
    outsider = reg.add(application, "participant", last_name="Чужой", organisation=reg.tver)
    reg.add(application, "mentor")
    violations = domain.check_application(application)
    assert [(v.rule, v.person) for v in violations] == [("REG-3", str(outsider.pk)), ("REG-12", str(outsider.pk))]


def test_reg3_family_category_relative_from_anywhere_pupil_grade_5(reg):
    application = reg.application(category=reg.family)
    reg.add(application, "participant", grade=5)
    reg.add(application, "relative", relation="grandfather")
    reg.add(application, "mentor")
    assert domain.check_application(application) == []
    domain.submit_application(application, by=reg.mentor_user)


@pytest.mark.parametrize("grade", [0, 12, 13])
def test_reg5_grade_outside_1_11_refused_and_nothing_saved(reg, grade):
    application = reg.application()
    with pytest.raises(ValidationError) as exc:
        reg.add(application, "participant", grade=grade)
    assert "grade" in exc.value.message_dict
    assert application.members.count() == 0


@pytest.mark.parametrize(("birth", "message"), [
    (dt.date(2090, 1, 1), "Дата рождения участника указана неверно: 01.01.2090."),
    (dt.date(1950, 1, 1), "Дата рождения участника указана неверно: 01.01.1950."),
])
def test_reg5_wrong_birth_dates_refused(reg, birth, message):
    with pytest.raises(DomainError) as exc:
        reg.add(reg.application(), "participant", birth_date=birth)
    assert (exc.value.message, exc.value.field) == (message, "birth_date")


def test_reg5_mentor_needs_phone_email_position(reg):
    with pytest.raises(DomainError) as exc:
        reg.add(reg.application(), "mentor", phone="")
    assert (exc.value.message, exc.value.field) == ("Укажите телефон наставника.", "phone")


def test_reg2_later_change_of_approved_team_keeps_rules(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    pupil = application.members.get(last_name="Алексеев")
    pupil.grade = 5
    with pytest.raises(domain.RulesViolated):
        domain.save_member(pupil, by=reg.director)
    assert TeamMember.objects.get(pk=pupil.pk).grade == 1


def test_reg1_bulk_approve_reports_refusals(reg):
    good = reg.valid_team()
    domain.submit_application(good, by=reg.mentor_user)
    draft = reg.valid_team(reg.application(category=reg.cat34), grades=(3, 4), names=("Осипов", "Павлова"))
    approved, refused = domain.bulk_approve([good, draft], by=reg.director)
    assert approved == [good]
    assert [(a, m) for a, m in refused] == [
        (draft, "Одобрить можно только поданную заявку; сейчас она в состоянии «Черновик».")]


def test_reg4_out_of_competition_needs_reason_and_excludes_from_ranking(reg):
    application = reg.valid_team()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    assert list(domain.ranked_applications(reg.championship)) == [application]
    with pytest.raises(DomainError, match="Укажите основание решения"):
        domain.set_out_of_competition(application, by=reg.director, out_of_competition=True, barred=True, reason="")
    domain.set_out_of_competition(application, by=reg.director, out_of_competition=True, barred=True,
                                  reason="Участник учится в 5 классе")
    assert (application.out_of_competition, application.barred_from_next_stage, application.out_of_competition_by) == (
        True, True, reg.director)
    assert list(domain.ranked_applications(reg.championship)) == []
    assert Application.objects.filter(pk=application.pk).exists()  # still visible


def _approved_with_date(reg, day):
    application = reg.valid_team()
    application.competition_date = day
    application.save()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    return application


def _newcomer(application):
    return TeamMember(application=application, kind="participant", last_name="Новикова", first_name="Ольга",
                      grade=2, birth_date=dt.date(2015, 3, 3), organisation=application.organisation)


@pytest.mark.parametrize(("today", "allowed"), [
    (dt.date(2023, 4, 9), True), (dt.date(2023, 4, 10), False), (dt.date(2023, 4, 8), True)])
def test_reg13_substitution_no_later_than_one_day_before(reg, today, allowed):
    application = _approved_with_date(reg, dt.date(2023, 4, 10))
    outgoing = application.members.get(last_name="Борисова")
    if not allowed:
        with pytest.raises(DomainError) as exc:
            domain.request_substitution(application, outgoing=outgoing, incoming=_newcomer(application),
                                        reason="Болезнь", by=reg.mentor_user, today=today)
        assert exc.value.message == ("Замена возможна не позднее 09.04.2023 (за 1 дн. до выступления команды "
                                     "10.04.2023). Команда может выступить в неполном составе по решению Дирекции.")
        assert application.members.count() == 3
        return
    request = domain.request_substitution(application, outgoing=outgoing, incoming=_newcomer(application),
                                          reason="Болезнь", by=reg.mentor_user, today=today)
    domain.decide_substitution(request, approve=True, by=reg.director, today=today)
    states = dict(application.members.values_list("last_name", "state"))
    assert states == {"Алексеев": "active", "Борисова": "replaced", "Новикова": "active", "Наставникова": "active"}


def test_reg13_refused_substitution_and_incomplete_team(reg):
    application = _approved_with_date(reg, dt.date(2023, 4, 10))
    outgoing = application.members.get(last_name="Борисова")
    request = domain.request_substitution(application, outgoing=outgoing, incoming=_newcomer(application),
                                          reason="Болезнь", by=reg.mentor_user, today=dt.date(2023, 4, 1))
    with pytest.raises(DomainError, match="уже есть нерассмотренная замена"):
        domain.request_substitution(application, outgoing=outgoing, incoming=_newcomer(application),
                                    reason="Болезнь", by=reg.mentor_user, today=dt.date(2023, 4, 1))
    with pytest.raises(DomainError, match="Укажите причину отказа"):
        domain.decide_substitution(request, approve=False, by=reg.director)
    domain.decide_substitution(request, approve=False, by=reg.director, reason="Нет справки")
    with pytest.raises(TransitionError):
        domain.decide_substitution(request, approve=True, by=reg.director)
    assert outgoing.__class__.objects.get(pk=outgoing.pk).state == "active"
    domain.allow_incomplete(application, by=reg.director, reason="Решение Дирекции и главного эксперта")
    assert Application.objects.get(pk=application.pk).incomplete_allowed is True


def test_reg6_reg8_consents_versions_minor_by_parent_withdrawal_and_end(reg):
    application = reg.valid_team()
    pupil = application.members.get(last_name="Алексеев")
    v1 = domain.publish_consent_version(championship=reg.championship, kind="personal_data",
                                        title="Согласие на обработку ПДн", text="Текст 1", by=reg.director)
    v2 = domain.publish_consent_version(championship=reg.championship, kind="personal_data",
                                        title="Согласие на обработку ПДн", text="Текст 2", by=reg.director)
    assert (v1.number, v2.number, ConsentForm.objects.count()) == (1, 2, 1)
    with pytest.raises(DomainError, match="За несовершеннолетнего участника согласие даёт родитель"):
        domain.record_consent(pupil, version=v2, given_by="self", given_by_name="Алексеев А.", by=reg.mentor_user)
    consent = domain.record_consent(pupil, version=v2, given_by="parent", given_by_name="Алексеева Анна Ивановна",
                                    by=reg.mentor_user)
    assert (consent.version.number, consent.given_by, consent.recorded_by) == (2, "parent", reg.mentor_user)
    assert domain.processing_stopped(pupil) is False
    domain.withdraw_consent(consent, by=reg.director, note="Письмо от 01.03.2023")
    assert domain.processing_stopped(pupil) is True
    with pytest.raises(TransitionError):
        domain.withdraw_consent(consent, by=reg.director, note="Ещё раз")
    domain.end_participation(pupil, by=reg.director, reason="Отзыв согласия делает участие невозможным")
    assert TeamMember.objects.get(pk=pupil.pk).state == "ended"
    assert Consent.objects.get().withdrawn_at is not None


def test_reg7_document_check_scans_type_and_size(reg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = reg.valid_team()
    pupil = application.members.get(last_name="Алексеев")
    exe = SimpleUploadedFile("passport.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    with pytest.raises(DomainError, match="по содержимому это не PDF, PNG или JPEG \\(исполняемая программа\\)"):
        domain.record_document_check(pupil, item="identity", outcome="accepted", scan=exe, by=reg.chief)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(DomainError, match=r"размер 10\.0 МБ больше допустимых 5 МБ"):
        domain.record_document_check(pupil, item="identity", outcome="accepted", scan=big, by=reg.chief)
    with pytest.raises(DomainError, match="Опишите, что не так"):
        domain.record_document_check(pupil, item="identity", outcome="invalid", by=reg.chief)
    check = domain.record_document_check(pupil, item="identity", outcome="accepted", by=reg.chief,
                                         scan=SimpleUploadedFile("p.pdf", b"%PDF-1.4 ok"))
    assert check.scan.name.startswith(f"registration-scans/{reg.championship.pk}/")
    assert not check.scan.name.endswith("p.pdf")  # the stored name reveals nothing
    assert DocumentCheck.objects.count() == 1
    mentor = application.members.get(kind="mentor")
    with pytest.raises(DomainError, match="не требуется"):
        domain.record_document_check(mentor, item="school_certificate", outcome="accepted", by=reg.chief)
    # retention: nothing is deleted before the championship ends, everything after
    assert domain.delete_scans_after(reg.championship, today=dt.date(2023, 4, 30)) == 0
    path = check.scan.path
    assert domain.delete_scans_after(reg.championship, today=dt.date(2023, 5, 1)) == 1
    check.refresh_from_db()
    assert (check.scan.name, check.outcome) == ("", "accepted")
    assert not os.path.exists(path)


def test_x1_personal_data_access_is_logged_for_minors_only(reg):
    application = reg.valid_team()
    members = list(application.members.all())
    assert domain.log_personal_data_access(reg.chief, members, what="Страница заявки") == 2
    entries = AuditEntry.objects.filter(action="access")
    assert sorted(entries.values_list("object_repr", flat=True)) == ["Алексеев Алексей", "Борисова Вера"]
    assert {(e.actor, e.reason, e.championship_id) for e in entries} == {(reg.chief, "Страница заявки",
                                                                          reg.championship.pk)}


def test_x1_visible_applications_by_role(reg):
    application = reg.valid_team()
    other_mentor = UserFactory(email="other-mentor@example.ru")
    from profmaster.accounts.models import Role

    from ..factories import give_role
    give_role(other_mentor, Role.MENTOR, reg.championship, organisation=reg.school2)
    rep = UserFactory(email="rep@example.ru")
    give_role(rep, Role.ORG_REPRESENTATIVE, reg.championship, organisation=reg.school)
    expert = UserFactory(email="expert@example.ru")
    give_role(expert, Role.EXPERT, reg.championship, reg.competency)
    visible = {u: list(domain.applications_visible_to(u, reg.championship)) for u in
               (reg.director, reg.mentor_user, reg.chief, rep, other_mentor, expert)}
    assert visible == {reg.director: [application], reg.mentor_user: [application], reg.chief: [application],
                       rep: [application], other_mentor: [], expert: []}
