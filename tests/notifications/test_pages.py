"""The Directorate's page of a championship's e-mails (X-6): times in the championship's zone, status, resend of
failed ones; refused to everyone else; a wrong resend is a clear message, not a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.notifications import domain
from profmaster.notifications.models import OutboundEmail
from profmaster.results import diplomas
from profmaster.results.models import Diploma

from ..factories import ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .backends import CountingBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    championship = ChampionshipFactory(time_zone="Asia/Vladivostok")
    other = ChampionshipFactory(name="Другой")
    directorate = UserFactory(email="dir@example.ru")
    give_role(directorate, Role.DIRECTORATE, championship)
    outsider = UserFactory(email="outsider@example.ru")
    give_role(outsider, Role.DIRECTORATE, other)
    mentor = UserFactory(email="mentor@example.ru")
    give_role(mentor, Role.MENTOR, championship)
    quality = UserFactory(email="quality@example.ru")
    give_role(quality, Role.QUALITY_CONTROL, championship)
    at = dt.datetime(2023, 4, 21, 14, 0, tzinfo=dt.UTC)
    sent = OutboundEmail.objects.create(championship=championship, to="mentor@example.ru",
                                        template="application_approved", subject="Заявка одобрена",
                                        body_text="Дирекция одобрила заявку.", status="sent", attempts=1,
                                        created_at=at, sent_at=at + dt.timedelta(minutes=1))
    failed = OutboundEmail.objects.create(championship=championship, to="nobody@example.ru",
                                          template="application_rejected", subject="Заявка отклонена",
                                          body_text="Дирекция отклонила заявку.", status="failed", attempts=5,
                                          last_error="SMTPRecipientsRefused: 550 No such user", created_at=at)
    foreign = OutboundEmail.objects.create(championship=other, to="x@example.ru", template="t", subject="Чужое",
                                           body_text="Чужое", status="failed", attempts=1, last_error="x")
    return {"championship": championship, "other": other, "directorate": directorate, "outsider": outsider,
            "mentor": mentor, "quality": quality, "sent": sent, "failed": failed, "foreign": foreign}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_x6_directorate_sees_the_emails_of_its_championship_in_its_zone(world):
    page = _client(world["directorate"]).get(reverse("notifications:list", args=[world["championship"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "22.04.2023 00:00 (Владивосток, UTC+10)" in html  # created 14:00 UTC
    assert "22.04.2023 00:01 (Владивосток, UTC+10)" in html  # sent a minute later
    assert "mentor@example.ru" in html and "Заявка одобрена" in html
    assert "SMTPRecipientsRefused: 550 No such user" in html and "автоматических попыток больше не будет" in html
    assert "Чужое" not in html
    assert html.count("Отправить повторно</button>") == 1  # only the failed one
    assert 'id="resend-all"' in html

    only_failed = _client(world["directorate"]).get(reverse("notifications:list", args=[world["championship"].pk]),
                                                   {"status": "failed"})
    assert "Заявка отклонена" in only_failed.content.decode() and "Заявка одобрена" not in only_failed.content.decode()
    bogus = _client(world["directorate"]).get(reverse("notifications:list", args=[world["championship"].pk]),
                                             {"status": "<script>", "page": "x"})
    assert bogus.status_code == 200


def test_x6_championship_page_links_the_emails_for_the_directorate_only(world):
    url = reverse("championships:detail", args=[world["championship"].pk])
    link = reverse("notifications:list", args=[world["championship"].pk])
    assert link in _client(world["directorate"]).get(url).content.decode()
    assert link not in _client(world["mentor"]).get(url).content.decode()


@pytest.mark.parametrize("who", ["mentor", "quality", "outsider"])
def test_x6_emails_page_and_resend_refused_to_others(world, who):
    client = _client(world[who])
    pk = world["championship"].pk
    assert client.get(reverse("notifications:list", args=[pk])).status_code == 403
    assert client.post(reverse("notifications:resend", args=[pk, world["failed"].pk])).status_code == 403
    assert client.post(reverse("notifications:resend_failed", args=[pk])).status_code == 403
    world["failed"].refresh_from_db()
    assert world["failed"].status == "failed"


def test_x6_resend_from_the_page_sends_the_failed_email(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = _client(world["directorate"])
    pk = world["championship"].pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:resend", args=[pk, world["failed"].pk]), {"query": "status=failed"})
    assert response.status_code == 302 and response["Location"].endswith("/emails/?status=failed")
    world["failed"].refresh_from_db()
    assert (world["failed"].status, world["failed"].attempts) == ("sent", 1)
    assert [m.to for m in mail.outbox] == [["nobody@example.ru"]]
    # the foreign championship's failed e-mail was due too, but it is not this page's to resend
    assert OutboundEmail.objects.get(pk=world["foreign"].pk).status == "failed"


def test_x6_resend_of_a_sent_or_foreign_email_is_a_clear_refusal(world):
    client = _client(world["directorate"])
    pk = world["championship"].pk
    response = client.post(reverse("notifications:resend", args=[pk, world["sent"].pk]), follow=True)
    assert response.status_code == 200
    assert "Повторно отправить можно только письмо, которое не удалось отправить" in response.content.decode()
    assert client.post(reverse("notifications:resend", args=[pk, world["foreign"].pk])).status_code == 404
    assert client.post(reverse("notifications:resend", args=[pk, 999999])).status_code == 404
    assert client.get(reverse("notifications:resend", args=[pk, world["failed"].pk])).status_code == 405


def test_x6_resend_all_failed_of_the_championship(world):
    response = _client(world["directorate"]).post(reverse("notifications:resend_failed",
                                                          args=[world["championship"].pk]), follow=True)
    assert "1 письмо поставлено в очередь на повторную отправку." in response.content.decode()
    assert OutboundEmail.objects.get(pk=world["failed"].pk).status == "queued"
    assert OutboundEmail.objects.get(pk=world["foreign"].pk).status == "failed"


# --- Electronic diplomas (003 §25.9) go through the queue with their PDF ------------------------------------


def test_x6_electronic_diplomas_are_emailed_with_their_pdf_over_one_connection(settings,
                                                                             django_capture_on_commit_callbacks):
    CountingBackend.reset()
    settings.EMAIL_BACKEND = "tests.notifications.backends.CountingBackend"
    settings.PROFMASTER = {**settings.PROFMASTER, "SITE_URL": "https://profmaster.example"}
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship)
    issued = []
    for n in range(3):
        diploma = Diploma.objects.create(championship=championship, competency=competency, kind="participant",
                                         code=f"EMAILCODE{n}AB", full_name=f"Участников Иван {n}",
                                         declined_name="Участникову Ивану", email=f"p{n}@example.ru", electronic=True)
        diploma.pdf.save(f"diploma-{diploma.code}.pdf", ContentFile(b"%PDF-1.4 diploma " + bytes([48 + n])))
        issued.append(diploma)
    Diploma.objects.create(championship=championship, competency=competency, kind="participant", code="NOEMAIL23456",
                           full_name="Без Адреса", declined_name="Без Адреса", electronic=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert diplomas.email_electronic(championship) == 3
    assert CountingBackend.connections == 1
    by_address = {m.to[0]: m for m in CountingBackend.sent}
    assert sorted(by_address) == ["p0@example.ru", "p1@example.ru", "p2@example.ru"]
    message = by_address["p1@example.ru"]
    assert message.attachments == [("diploma-EMAILCODE1AB.pdf", b"%PDF-1.4 diploma 1", "application/pdf")]
    assert message.subject == f"Электронный диплом — {championship.name}"
    assert "Направляем электронный диплом: Диплом участника, Участников Иван 1." in message.body
    assert "https://profmaster.example/results/verify/EMAILCODE1AB/" in message.body
    record = OutboundEmail.objects.get(to="p1@example.ru")
    assert (record.status, record.related_type, record.related_id, record.championship) == (
        "sent", "results.Diploma", str(issued[1].pk), championship)
    assert [(a.filename, a.mimetype, a.size) for a in record.attachments.all()] == [
        ("diploma-EMAILCODE1AB.pdf", "application/pdf", 18)]
    assert all(d.emailed_at for d in Diploma.objects.filter(email__startswith="p"))
    # a rerun queues nothing twice
    with django_capture_on_commit_callbacks(execute=True):
        assert diplomas.email_electronic(championship) == 0
    assert len(CountingBackend.sent) == 3
    CountingBackend.reset()


def test_x6_queue_email_refuses_an_attachment_without_content():
    with pytest.raises(domain.DomainError, match="Вложение письма без имени или без содержимого"):
        domain.queue_email("application_submitted", {"application": None, "path": "/"}, "a@example.ru",
                           attachments=[domain.Attachment("empty.pdf")])
    assert OutboundEmail.objects.count() == 0
