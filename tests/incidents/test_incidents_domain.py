"""OP-5, OP-6 (003 §11.2–11.3, §17, §24.5): incidents with evidence, removals that revoke venue access, the
return after illness, and decisions on points that reach the results as their own line."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from decimal import Decimal

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from profmaster.checkin import domain as checkin
from profmaster.checkin.models import Accreditation
from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.models import DocumentType
from profmaster.incidents import domain
from profmaster.incidents.models import Evidence, Removal
from profmaster.marking.models import MarkingScheme, TeamResult
from profmaster.notifications.models import OutboundEmail
from profmaster.results import computation
from profmaster.results.domain import _results_protocol_content
from profmaster.results.models import ResultDecision

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _incident(venue, kind="safety", who=None):
    who = who or venue.badge("participant")
    return domain.report_incident(venue.competency, kind=kind, description="Работал без перчаток у плиты",
                                  occurred_at=timezone.now() - dt.timedelta(minutes=10), accreditation=who,
                                  witnesses="Орлова А. П.", by=venue.expert)


def test_op5_incident_with_photo_is_stored_privately(venue, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    incident = _incident(venue)
    assert incident.number == 1 and incident.application == venue.team
    assert incident.person_name == venue.badge("participant").full_name
    evidence = domain.add_evidence(incident, SimpleUploadedFile("photo.png", PNG, "image/png"), by=venue.expert)
    assert evidence.content_type == "image/png" and evidence.size == len(PNG)
    assert evidence.file.path.startswith(os.path.join(str(tmp_path), "private"))
    with pytest.raises(ValueError):
        evidence.file.url  # noqa: B018 — no public URL at all


def test_op5_200_mb_evidence_refused_nothing_saved(venue, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    incident = _incident(venue)
    with tempfile.NamedTemporaryFile(suffix=".mp4") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
        with pytest.raises(DomainError) as caught:
            domain.add_evidence(incident, File(handle, name="video.mp4"), by=venue.expert)
    assert caught.value.code == "too_large"
    assert "200 МБ" in caught.value.message and "Ничего не сохранено" in caught.value.message
    assert Evidence.objects.count() == 0
    assert not (tmp_path / "private").exists() or not any((tmp_path / "private").rglob("*.mp4"))


def test_op5_evidence_must_be_a_photo_or_video(venue, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    incident = _incident(venue)
    with pytest.raises(DomainError, match="фото или видео"):
        domain.add_evidence(incident, SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream"),
                            by=venue.expert)
    with pytest.raises(DomainError, match="пустой"):
        domain.add_evidence(incident, SimpleUploadedFile("empty.png", b"", "image/png"), by=venue.expert)
    assert Evidence.objects.count() == 0


def test_op5_final_removal_revokes_access_at_once_and_twice_is_refused(venue):
    pupil = venue.badge("participant")
    checkin.check_in(venue.competency, venue.badge("mentor").code, by=venue.venue_admin)
    checkin.check_in(venue.competency, pupil.code, by=venue.venue_admin)
    incident = _incident(venue)
    removal = domain.remove_person(incident, kind="final", reason="Повторное нарушение ОТ и ТБ", by=venue.chief)
    assert removal.kind == Removal.Kind.FINAL
    pupil.refresh_from_db()
    assert pupil.revoked_at is not None and "Внештатная ситуация № 1" in pupil.revoke_reason
    with pytest.raises(checkin.CheckInRefused) as caught:
        checkin.check_in(venue.competency, pupil.code, by=venue.venue_admin)
    assert caught.value.code == "revoked"
    with pytest.raises(TransitionError, match="уже окончательно отстранён"):
        domain.remove_person(incident, kind="final", reason="ещё раз", by=venue.chief)
    assert Removal.objects.count() == 1
    assert OutboundEmail.objects.filter(template="incident_event", to="dir@example.ru").exists()


def test_op6_illness_temporary_removal_and_return_with_written_readiness(venue):
    incident = _incident(venue, kind="illness")
    # 003 §17.1: the Directorate, the chief expert and the mentor are told at once
    assert sorted(OutboundEmail.objects.filter(template="incident_event").values_list("to", flat=True)) == [
        "chief@example.ru", "dir@example.ru", "mentor@example.ru"]
    domain.remove_person(incident, kind="temporary", reason="Плохое самочувствие", by=venue.chief)
    with pytest.raises(TransitionError, match="уже временно"):
        domain.remove_person(incident, kind="temporary", reason="ещё раз", by=venue.chief)
    with pytest.raises(DomainError):
        domain.confirm_readiness(incident, participant_name="Орёл Семён", mentor_name=" ", statement="Готов",
                                 by=venue.chief)
    domain.confirm_readiness(incident, participant_name="Орёл Семён", mentor_name="Наставникова Нина",
                             statement="Готов продолжить работу", by=venue.chief)
    assert Removal.objects.get().ended_at is not None
    assert venue.badge("participant").revoked_at is None
    with pytest.raises(DomainError, match=r"17\.2"):
        domain.decide_points(incident, kind="point_loss", points="1", reason="нет", by=venue.chief)


def _locked_total(venue, total):
    from ..factories import StageFactory

    scheme = MarkingScheme.objects.create(competency=venue.competency, stage=StageFactory(
        championship=venue.championship, name="Финал"), title="Схема финала")
    return TeamResult.objects.create(scheme=scheme, team=venue.team, total=Decimal(total), locked_at=timezone.now())


def test_op5_point_loss_is_its_own_line_in_results_and_protocol_marks_untouched(venue):
    result = _locked_total(venue, "40.50")
    incident = _incident(venue)
    domain.decide_points(incident, kind="point_loss", points="2,5".replace(",", "."),
                         reason="Пункт 5.2 технического описания", by=venue.chief)
    row = computation.competency_results(venue.competency)["groups"][0]["rows"][0]
    assert row["total"] == "38.00" and row["marks_total"] == "40.50"
    assert row["decisions"] == [{"number": 1, "kind": "point_loss", "label": "Потеря баллов", "points": "2.50",
                                 "scope": "", "reason": "Пункт 5.2 технического описания", "basis": "Внештатная ситуация № 1"}]
    result.refresh_from_db()
    assert result.total == Decimal("40.50")  # never by editing marks
    _title, data = _results_protocol_content(venue.competency, "final")
    line = next(v for k, v in data.items() if isinstance(v, list))[0]
    assert line["Балл"] == "38,00" and line["Баллы по оценкам"] == "40,50"
    assert "Потеря баллов 2,50 — Внештатная ситуация № 1" in line["Решения о баллах"]


def test_op5_annulment_only_for_intoxication_and_once(venue):
    _locked_total(venue, "40.50")
    safety = _incident(venue)
    with pytest.raises(DomainError, match=r"24\.5"):
        domain.decide_points(safety, kind="annulment", reason="нет", by=venue.chief)
    drunk = _incident(venue, kind="intoxication")
    assert OutboundEmail.objects.filter(template="incident_event", to="dir@example.ru").count() == 1
    domain.decide_points(drunk, kind="annulment", reason="Отказ от освидетельствования", by=venue.chief)
    row = computation.competency_results(venue.competency)["groups"][0]["rows"][0]
    assert row["total"] == "0.00" and row["decisions"][0]["kind"] == "annulment"
    with pytest.raises(TransitionError, match="уже аннулированы"):
        domain.decide_points(drunk, kind="annulment", reason="ещё раз", by=venue.chief)
    assert ResultDecision.objects.count() == 1
    with pytest.raises(DomainError):
        domain.decide_points(safety, kind="point_loss", points="-3", reason="минус", by=venue.chief)


def test_op5_incident_protocol_signed_by_the_panel_and_formed_again(venue):
    incident = _incident(venue)
    document = domain.create_incident_protocol(incident, by=venue.chief)
    assert document.doc_type == DocumentType.INCIDENT and document.generator == "incidents.incident_protocol"
    assert [s.user for s in document.required_signers.order_by("order")] == [venue.chief, venue.expert]
    domain.remove_person(incident, kind="final", reason="Нарушение ОТ и ТБ", by=venue.chief)
    again = domain.create_incident_protocol(incident, by=venue.chief)
    assert again.pk == document.pk and again.version == 2
    assert "Отстранение" in again.data


def test_op5_report_bad_input(venue):
    with pytest.raises(DomainError):
        domain.report_incident(venue.competency, kind="fire", description="x", occurred_at=timezone.now(),
                               person_name="Кто-то", by=venue.expert)
    with pytest.raises(DomainError, match="будущем"):
        domain.report_incident(venue.competency, kind="other", description="x",
                               occurred_at=timezone.now() + dt.timedelta(days=1), person_name="Кто-то",
                               by=venue.expert)
    other = Accreditation.objects.filter(competency=venue.competency).first()
    other.competency = venue.other_competency
    with pytest.raises(DomainError, match="другую компетенцию"):
        domain.report_incident(venue.competency, kind="other", description="x", occurred_at=timezone.now(),
                               accreditation=other, by=venue.expert)
    without_person = domain.report_incident(venue.competency, kind="other", description="Пролит сироп",
                                            occurred_at=timezone.now(), person_name="Гость", by=venue.expert)
    with pytest.raises(DomainError, match="аккредитованного"):
        domain.remove_person(without_person, kind="final", reason="x", by=venue.chief)


def test_op5_results_page_shows_the_decision_line(venue):
    from django.test import Client
    from django.urls import reverse

    _locked_total(venue, "40.50")
    domain.decide_points(_incident(venue), kind="point_loss", points="2.5", reason="Пункт 5.2 технического описания",
                         by=venue.chief)
    client = Client()
    client.force_login(venue.directorate)
    page = client.get(reverse("results:competency", args=[venue.competency.pk])).content.decode()
    assert 'class="result-decision text-danger" data-kind="point_loss"' in page
    assert "Пункт 5.2 технического описания" in page and "Внештатная ситуация № 1" in page
