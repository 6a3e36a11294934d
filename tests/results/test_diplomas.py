"""AW-6: diplomas per kind, declined names, verification code and QR, background batch, e-mail of
electronic diplomas to teams that did not reach the final, download in the cabinet."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from profmaster.core.errors import TransitionError
from profmaster.results import diplomas, domain
from profmaster.results.models import Diploma, DiplomaBatch


@pytest.fixture
def published(results, directorate_user, chief_expert, mentor):
    gold = results.team(participants=("Иванов Иван Иванович", "Петрова Мария Сергеевна"), mentor=mentor)
    silver = results.team(participants=("Ким Анна Олеговна",))
    remote_only = results.team(participants=("Шевченко Тарас Григорьевич",), mentor=mentor)
    remote_only.members.filter(kind="participant").update(email="taras@example.ru")
    results.lock(results.remote, [(gold, "80"), (silver, "70"), (remote_only, "10")])
    results.lock(results.final, [(gold, "90"), (silver, "80")])
    domain.set_quota(results.competency, results.category, 2, by=directorate_user)
    domain.publish_results(results.championship, by=directorate_user)
    return {"gold": gold, "silver": silver, "remote_only": remote_only}


def _qr_text(pdf: bytes) -> str:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found on the rendered page"
    return found[0].text


def test_aw6_batch_issues_every_kind_renders_and_emails(published, results, directorate_user, mentor, settings,
                                                       django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DiplomaBatch.objects.create(championship=results.championship, created_by=directorate_user, status="running")
    with pytest.raises(TransitionError):  # one batch at a time
        diplomas.start_batch(results.championship, by=directorate_user)
    DiplomaBatch.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        batch = diplomas.start_batch(results.championship, by=directorate_user)  # eager Celery runs it now
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total, batch.percent) == ("done", batch.total, batch.total, 100)
    kinds = sorted(Diploma.objects.values_list("kind", "full_name"))
    assert ("winner", "Иванов Иван Иванович") in kinds and ("winner", "Петрова Мария Сергеевна") in kinds
    assert ("prize_winner", "Ким Анна Олеговна") in kinds
    assert ("participant", "Шевченко Тарас Григорьевич") in kinds
    assert sum(1 for k, _ in kinds if k == "mentor") == 2
    assert any(k == "chief_expert" for k, _ in kinds)
    electronic = Diploma.objects.filter(electronic=True)
    assert {d.team_id for d in electronic} == {published["remote_only"].pk}
    # e-mailed: the remote-only team's participant (has an e-mail) and its mentor
    assert sorted(m.to[0] for m in mail.outbox) == ["mentor@example.ru", "taras@example.ru"]
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    # running again issues nothing twice
    diplomas.run_batch(DiplomaBatch.objects.create(championship=results.championship,
                                                   created_by=directorate_user).pk)
    assert Diploma.objects.count() == len(kinds)
    assert len(mail.outbox) == 2


def test_aw6_pdf_has_declined_name_and_qr_leads_to_confirmation(published, results):
    member = published["gold"].members.get(last_name="Петрова")
    spec = next(s for s in diplomas.recipients(results.championship)
                if s.member_id == member.pk and s.kind == "winner")
    diploma = diplomas.issue(results.championship, spec)
    pdf = diplomas.render_pdf(diplomas.diploma_context(diploma))
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    # AW-6 / issue 13 §2: after «награждается» the name is in the nominative
    assert "награждается Петрова Мария Сергеевна за I место (золотая медаль) в компетенции «Кондитерское дело»" \
        in text
    assert "ДИПЛОМ ПОБЕДИТЕЛЯ" in text and diploma.code in text
    url = _qr_text(pdf)
    assert url == f"http://127.0.0.1:8000/results/verify/{diploma.code}/"
    page = Client().get(url.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Диплом подлинный" in body and "награждается Петрова Мария Сергеевна за I место" in body
    # nothing more than the diploma shows: no e-mail, no team number, no total
    assert "@" not in body.split("<main")[1] and "90.00" not in body
    assert Client().get("/results/verify/NOSUCHCODE12/").status_code == 404


def test_aw6_owner_downloads_in_cabinet_others_cannot(published, results, mentor, directorate_user):
    diplomas.run_batch(DiplomaBatch.objects.create(championship=results.championship, created_by=directorate_user).pk,
                       send=False)
    own = Diploma.objects.filter(kind="mentor").first()
    assert own.member.user == mentor
    client = Client()
    client.force_login(mentor)
    listing = client.get("/results/my-diplomas/")
    assert own.code in listing.content.decode()
    response = client.get(f"/results/diplomas/{own.pk}/pdf/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    other = Diploma.objects.filter(kind="winner").first()
    assert client.get(f"/results/diplomas/{other.pk}/pdf/").status_code == 404


def test_x5_diploma_qr_and_link_follow_site_url_not_127(published, results, settings):
    """Issue 13 §3: QR codes and verification links pointed to 127.0.0.1:8000 whatever the host; with
    SITE_URL set they use it (one helper, profmaster.core.links, for e-mails, PDFs and QR codes)."""
    settings.PROFMASTER = {**settings.PROFMASTER, "SITE_URL": "https://profmaster.mos.ru/"}
    member = published["gold"].members.get(last_name="Петрова")
    spec = next(s for s in diplomas.recipients(results.championship)
                if s.member_id == member.pk and s.kind == "winner")
    diploma = diplomas.issue(results.championship, spec)
    pdf = diplomas.render_pdf(diplomas.diploma_context(diploma))
    assert _qr_text(pdf) == f"https://profmaster.mos.ru/results/verify/{diploma.code}/"
    assert diplomas.verification_url(diploma.code) == f"https://profmaster.mos.ru/results/verify/{diploma.code}/"
