"""OP-5 on the pages and the API: an incident with a photo, the evidence streamed only after the permission
check, a too-large file refused with a clear message, a final removal that check-in then refuses."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profmaster.checkin.models import Accreditation
from profmaster.incidents.models import Evidence, Incident

from ..api.conftest import ApiClient

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _report(client, venue, **extra):
    return client.post(reverse("incidents:list", args=[venue.competency.pk]), {
        "kind": "safety", "accreditation": venue.badge("participant").pk,
        "occurred_at": (timezone.localtime() - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "description": "Без перчаток у плиты", "witnesses": "Орлова А. П.", **extra})


def test_op5_incident_with_photo_and_streamed_evidence(venue, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = _report(_client(venue.expert), venue, file=SimpleUploadedFile("photo.png", PNG, "image/png"))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incidents:detail", args=[incident.pk])
    evidence = Evidence.objects.get()
    streamed = _client(venue.chief).get(reverse("incidents:evidence", args=[evidence.pk]))
    assert streamed.status_code == 200 and b"".join(streamed.streaming_content) == PNG
    assert streamed["Content-Type"] == "image/png" and streamed["X-Content-Type-Options"] == "nosniff"
    assert _client(venue.venue_admin).get(reverse("incidents:evidence", args=[evidence.pk])).status_code == 403
    assert _client(venue.mentor_user).get(reverse("incidents:evidence", args=[evidence.pk])).status_code == 403


def test_op5_too_large_evidence_clear_message_nothing_saved(venue, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PROFMASTER = {**settings.PROFMASTER, "INCIDENT_EVIDENCE_MAX_BYTES": 1024}
    response = _report(_client(venue.expert), venue, file=SimpleUploadedFile("video.mp4", b"0" * 4096, "video/mp4"))
    assert response.status_code == 400
    assert "больше допустимых 1024 байт" in response.content.decode()
    assert Incident.objects.count() == 0 and Evidence.objects.count() == 0
    # a body far over the limit (a 200 MB video) is refused before it is read
    big = _client(venue.expert).post(reverse("incidents:list", args=[venue.competency.pk]), {"kind": "safety"},
                                     CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert big.status_code == 413 and "Ничего не сохранено" in big.content.decode()
    assert Incident.objects.count() == 0


def test_op5_final_removal_on_the_page_then_check_in_refuses(venue):
    _report(_client(venue.expert), venue)
    incident = Incident.objects.get()
    chief = _client(venue.chief)
    assert _client(venue.venue_admin).post(reverse("incidents:remove", args=[incident.pk]),
                                           {"kind": "final", "reason": "x"}).status_code == 403
    chief.post(reverse("incidents:remove", args=[incident.pk]), {"kind": "final", "reason": "Нарушение ОТ и ТБ"})
    twice = chief.post(reverse("incidents:remove", args=[incident.pk]), {"kind": "final", "reason": "ещё"},
                       follow=True)
    assert "уже окончательно отстранён" in twice.content.decode()
    pupil = Accreditation.objects.get(pk=venue.badge("participant").pk)
    refused = _client(venue.venue_admin).post(reverse("checkin:venue", args=[venue.competency.pk]),
                                              {"code": pupil.code})
    assert refused.status_code == 409 and 'data-reason="revoked"' in refused.content.decode()


def test_op5_api_incident_and_final_removal(venue):
    api = ApiClient(venue.expert)
    created = api.post(f"/competencies/{venue.competency.pk}/incidents", {
        "kind": "intoxication", "description": "Запах алкоголя", "occurred_at": timezone.now().isoformat(),
        "accreditation_id": venue.badge("mentor").pk})
    assert created.status_code == 201, created.content
    incident_id = created.json()["id"]
    assert ApiClient(venue.expert).post(f"/incidents/{incident_id}/removals",
                                        {"kind": "final", "reason": "x"}).status_code == 403
    removed = ApiClient(venue.chief).post(f"/incidents/{incident_id}/removals",
                                          {"kind": "final", "reason": "Отказ от освидетельствования"})
    assert removed.status_code == 201 and removed.json()["access_revoked"] is True
    again = ApiClient(venue.chief).post(f"/incidents/{incident_id}/removals", {"kind": "final", "reason": "ещё"})
    assert again.status_code == 409
