"""OP-6, OP-7 (003 §19.4, §24): accreditation from the registration protocol, badge codes, check-in and its
refusals, individual admission after a safety briefing, revoked access, non-appearance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from profmaster.audit.models import AuditEntry
from profmaster.checkin import badges, domain
from profmaster.checkin.models import Accreditation, CheckIn, NonAppearance
from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents import generators
from profmaster.documents.domain import regenerate_document
from profmaster.documents.models import DocumentType


def _refusal(venue, code, competency=None):
    with pytest.raises(domain.CheckInRefused) as caught:
        domain.check_in(competency or venue.competency, code, by=venue.venue_admin)
    return caught.value


def test_op7_registration_protocol_people_are_accredited_once(venue):
    kinds = sorted(Accreditation.objects.filter(competency=venue.competency).values_list("kind", flat=True))
    assert kinds == ["chief_expert", "expert", "mentor", "participant", "participant"]
    assert domain.issue_accreditations(venue.competency, by=venue.directorate) == []
    names = set(Accreditation.objects.values_list("full_name", flat=True))
    assert {"Орёл Семён", "Ёлкина Алёна", "Пьеха Эдита Станиславовна"} <= names


def test_op7_badge_codes_are_unguessable_not_sequential(venue):
    codes = list(Accreditation.objects.order_by("pk").values_list("code", flat=True))
    assert len(set(codes)) == len(codes) == 5
    assert all(len(c) == 16 and domain.normalise_code(c) == c for c in codes)
    # 80 random bits: no two codes share their first half, as sequential or id-derived codes would
    assert len({c[:8] for c in codes}) == len(codes)
    # the audit log is read widely: it never holds a badge's code (a credential)
    entries = AuditEntry.objects.filter(object_type__icontains="accreditation")
    assert entries.count() == 5
    assert not any(code in str(e.after) for e in entries for code in codes)


def test_op7_unknown_badge_code_refused_and_nothing_written(venue):
    for raw in ("", "AAAA", "ZZZZZZZZZZZZZZZZ", "x" * 600, "A\x00B"):
        refusal = _refusal(venue, raw)
        assert refusal.code == "unknown"
        assert "Код не найден" in refusal.message
    assert CheckIn.objects.count() == 0


def test_op6_team_without_its_mentor_is_refused_then_admitted(venue):
    """003 §19.4: no mentor on site → the team is not admitted."""
    pupil = venue.badge("participant")
    refusal = _refusal(venue, pupil.code)
    assert refusal.code == "mentor_absent"
    assert "Наставник команды не отметился" in refusal.message
    assert CheckIn.objects.count() == 0
    mentor = domain.check_in(venue.competency, venue.badge("mentor").code, by=venue.venue_admin)
    assert mentor.already is False
    outcome = domain.check_in(venue.competency, pupil.display_code.lower(), by=venue.venue_admin)
    assert outcome.accreditation == pupil and outcome.already is False
    assert [f.title for f in outcome.flows] in (["Поток 1"], [])
    again = domain.check_in(venue.competency, pupil.code, by=venue.venue_admin)
    assert again.already is True and CheckIn.objects.filter(accreditation=pupil).count() == 1


def test_op7_the_qr_link_is_read_as_the_code(venue):
    mentor = venue.badge("mentor")
    url = badges.badge_url(mentor.code)
    assert url.endswith(f"/checkin/b/{mentor.code}/")
    assert domain.normalise_code(url) == mentor.code
    assert domain.check_in(venue.competency, url, by=venue.venue_admin).accreditation == mentor


def test_op7_wrong_competency_refused(venue):
    refusal = _refusal(venue, venue.badge("mentor").code, competency=venue.other_competency)
    assert refusal.code == "wrong_competency"
    assert "Кондитерское дело" in refusal.message


def test_op7_wrong_day_refused(venue):
    venue.team.competition_date = timezone.localdate() + dt.timedelta(days=3)
    venue.team.save(update_fields=["competition_date"])
    refusal = _refusal(venue, venue.badge("mentor").code)
    assert refusal.code == "wrong_day"
    assert "Не тот день" in refusal.message


def test_op7_revoked_access_refused(venue):
    mentor = venue.badge("mentor")
    domain.revoke_access(mentor, reason="Окончательное отстранение", by=venue.chief)
    refusal = _refusal(venue, mentor.code)
    assert refusal.code == "revoked" and "Окончательное отстранение" in refusal.message
    with pytest.raises(TransitionError):
        domain.revoke_access(mentor, reason="ещё раз", by=venue.chief)
    with pytest.raises(DomainError):
        domain.revoke_access(venue.badge("participant"), reason="  ", by=venue.chief)


def test_x5_nul_in_the_reason_is_dropped_and_the_rest_saved(venue):
    """X-5: a NUL pasted into the reason (PostgreSQL cannot store it) no longer refuses the revocation: the NUL is
    dropped and the reason kept as written."""
    mentor = domain.revoke_access(venue.badge("mentor"), reason=" Окончательное\x00 отстранение ", by=venue.chief)
    assert mentor.revoked_at is not None and mentor.revoke_reason == "Окончательное отстранение"


def test_op7_press_enters_only_after_the_safety_briefing(venue):
    """003 §24.4: staff, press and volunteers are admitted individually after a safety briefing."""
    today = domain.today(venue.championship)
    press = domain.admit_individually(venue.competency, kind="press", full_name="Корреспондентова Жанна",
                                      organisation="ТАСС", valid_from=today, valid_to=today, by=venue.chief)
    refusal = _refusal(venue, press.code)
    assert refusal.code == "no_briefing" and "Инструктаж" in refusal.message
    domain.record_briefing(press, note="Инструктаж по ОТ и ТБ", by=venue.chief)
    assert domain.check_in(venue.competency, press.code, by=venue.venue_admin).accreditation == press
    with pytest.raises(TransitionError):
        domain.record_briefing(press, by=venue.chief)


def test_op7_individual_admission_bad_input(venue):
    today = domain.today(venue.championship)
    with pytest.raises(DomainError, match="Индивидуально"):
        domain.admit_individually(venue.competency, kind="participant", full_name="Кто-то", valid_from=today,
                                  valid_to=today, by=venue.chief)
    with pytest.raises(DomainError, match="раньше"):
        domain.admit_individually(venue.competency, kind="staff", full_name="Кто-то", valid_from=today,
                                  valid_to=today - dt.timedelta(days=1), by=venue.chief)
    with pytest.raises(DomainError):
        domain.admit_individually(venue.competency, kind="staff", full_name=" ", valid_from=today, valid_to=today,
                                  by=venue.chief)
    assert not Accreditation.objects.filter(kind="staff").exists()


def test_op6_non_appearance_protocol_generated(venue):
    document = domain.record_non_appearance(venue.competency, flow=venue.flow, applications=[venue.team],
                                            by=venue.chief)
    assert document.doc_type == DocumentType.NON_APPEARANCE and document.generator == "checkin.non_appearance"
    assert [s.user for s in document.required_signers.order_by("order")] == [venue.chief, venue.expert]
    rows = next(v for k, v in document.data.items() if isinstance(v, list))
    assert "Орёл Семён" in rows[0]["Не явились"] and rows[0]["Наставник на площадке"] == "нет"
    assert NonAppearance.objects.get().document == document
    with pytest.raises(TransitionError):
        domain.record_non_appearance(venue.competency, flow=venue.flow, applications=[venue.team], by=venue.chief)
    assert generators.generator_for(document.generator) is not None
    with pytest.raises(DomainError, match="не изменились"):
        regenerate_document(document, by=venue.chief, reason="проверка")


def test_op6_non_appearance_bad_input(venue):
    venue.flow.starts_at = timezone.now() + dt.timedelta(hours=1)
    with pytest.raises(DomainError, match="ещё не начался"):
        domain.record_non_appearance(venue.competency, flow=venue.flow, applications=[venue.team], by=venue.chief)
    venue.flow.starts_at = timezone.now() - dt.timedelta(minutes=5)
    with pytest.raises(DomainError, match="Отметьте"):
        domain.record_non_appearance(venue.competency, flow=venue.flow, applications=[], by=venue.chief)
    assert NonAppearance.objects.count() == 0


def test_op7_badges_pdf_renders(venue):
    pdf = badges.badges_pdf(Accreditation.objects.filter(competency=venue.competency))
    assert pdf.startswith(b"%PDF")
    data = badges.badge_data(venue.badge("mentor"))
    assert data["qr"].startswith("<svg") and data["url"].endswith(f"/checkin/b/{venue.badge('mentor').code}/")
