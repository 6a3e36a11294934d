"""E-mail queue (X-6 notifications; issue 13 §6 «E-mail», X-5 faults): translatable templates, one SMTP connection
per batch, retries that never lose or repeat a message, links from SITE_URL, and clear refusals of bad input."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError
from profmaster.notifications import domain
from profmaster.notifications.models import OutboundEmail

from ..factories import ChampionshipFactory, UserFactory
from .backends import CountingBackend

pytestmark = pytest.mark.django_db

SITE = "https://profmaster.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "SITE_URL": SITE}


@pytest.fixture
def counting(settings):
    CountingBackend.reset()
    settings.EMAIL_BACKEND = "tests.notifications.backends.CountingBackend"
    yield CountingBackend
    CountingBackend.reset()


def _application(label: str = "Кондитерское дело — ГБОУ «Школа № 1»", pk: int = 7) -> SimpleNamespace:
    return SimpleNamespace(label=label, pk=pk)


def _queue(to, **kwargs):
    return domain.queue_email("application_submitted", {"application": _application(),
                                                        "path": "/registration/applications/7/"}, to, **kwargs)


def _pass_time() -> None:
    """As if the backoff had passed: every e-mail waiting for a retry is due now."""
    OutboundEmail.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1))


# --- Templates ----------------------------------------------------------------------------------------------


def test_x6_templates_render_in_russian_by_default_and_in_english():
    context = {"application": _application('«Ромашка" & Co'), "path": "/registration/applications/7/"}
    ru = domain.render_email("application_submitted", context)
    assert ru.subject == "Заявка подана"
    assert ru.text.startswith("Здравствуйте!\n\nЗаявка подана и ждёт рассмотрения Дирекцией.\n\n")
    assert 'Заявка: «Ромашка" & Co\nhttps://profmaster.example/registration/applications/7/' in ru.text  # not escaped
    assert '<a href="https://profmaster.example/registration/applications/7/">«Ромашка&quot; &amp; Co</a>' in ru.html
    assert '<html lang="ru">' in ru.html

    en = domain.render_email("application_submitted", context, language="en")
    assert en.subject == "Application submitted"
    assert "The application has been submitted and is awaiting review by the" in en.text
    assert "Application: «Ромашка\" & Co" in en.text
    assert '<html lang="en">' in en.html


def test_x6_every_registration_template_renders_in_both_languages():
    """Each decision the registration e-mails report has its subject, text and HTML, in ru and en."""
    context = {"application": _application(), "path": "/x/", "reason": "Школа не из Москвы", "remarks": ["Дата"],
               "out_of_competition": True, "barred": False, "approved": True, "outgoing": "Первый П.",
               "incoming": "Второй В."}
    subjects = {}
    for name in ["submitted", "resubmitted", "returned", "approved", "rejected", "team_status", "substitution"]:
        for language in ("ru", "en"):
            rendered = domain.render_email(f"application_{name}", context, language=language)
            assert rendered.subject and rendered.text.strip() and rendered.html.startswith("<!DOCTYPE html>")
            subjects[name, language] = rendered.subject
    assert subjects["rejected", "ru"] == "Заявка отклонена" and subjects["rejected", "en"] == "Application rejected"
    team = domain.render_email("application_team_status", context)
    assert "вне зачёта — да, к следующему этапу не допускается — нет. Основание: Школа не из Москвы" in team.text
    substitution = domain.render_email("application_substitution", context, language="en")
    assert "Substitution approved: Первый П. → Второй В." in substitution.text


def _all_templates() -> list[str]:
    from pathlib import Path

    from django.apps import apps

    names = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates" / "notifications"
        names.update(p.name.removesuffix(".subject.txt") for p in folder.glob("*.subject.txt"))
    return sorted(names)


def test_x6_every_email_template_has_subject_text_and_html_in_both_languages():
    """Every e-mail of the platform (found on disk, so a new one is checked too) renders in ru and en."""
    names = _all_templates()
    assert {"application_submitted", "diploma_electronic", "password_reset"} <= set(names)
    context = {"application": _application(), "path": "/x/", "email": "a@example.ru", "kind": "Диплом участника",
               "full_name": "Иванов Иван", "verify_url": f"{SITE}/results/verify/X/", "remarks": ["Дата"],
               "days": 3, "deadline": dt.datetime(2023, 3, 1, 20, 59, tzinfo=dt.UTC)}
    for name in names:
        for language in ("ru", "en"):
            rendered = domain.render_email(name, context, language=language)
            assert rendered.subject and rendered.text.strip(), (name, language)
            assert rendered.html.startswith("<!DOCTYPE html>") and f'lang="{language}"' in rendered.html, name
    reset = domain.render_email("password_reset", context, language="en")
    assert reset.subject == "Profmaster: password change"
    assert f"{SITE}/x/" in reset.text and f'href="{SITE}/x/"' in reset.html


def test_x6_link_in_the_email_comes_from_site_url():
    [email] = _queue("mentor@example.ru")
    assert f"{SITE}/registration/applications/7/" in email.body_text
    assert "127.0.0.1" not in email.body_text + email.body_html


# --- Queueing in the caller's transaction -----------------------------------------------------------------


def test_x6_email_is_recorded_in_the_transaction_and_sent_after_the_commit(django_capture_on_commit_callbacks):
    championship = ChampionshipFactory()
    user = UserFactory(email="mentor@example.ru")
    with django_capture_on_commit_callbacks(execute=True):
        [email] = _queue([user, "MENTOR@example.ru"], championship=championship,
                         related=championship)
        assert mail.outbox == []  # nothing leaves before the commit
        assert OutboundEmail.objects.get().status == "queued"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.to, email.recipient, email.championship, email.template,
            email.related_type, email.related_id) == (
        "sent", 1, "mentor@example.ru", user, championship, "application_submitted", "championships.Championship",
        str(championship.pk))
    assert email.sent_at is not None and email.next_attempt_at is None
    [message] = mail.outbox  # the same address twice (another case) is one e-mail
    assert (message.subject, message.to, message.body) == ("Заявка подана", ["mentor@example.ru"], email.body_text)
    assert message.alternatives[0][1] == "text/html"


def test_x6_nothing_is_recorded_or_sent_for_a_change_rolled_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _queue("mentor@example.ru")
        raise RuntimeError("the change fails after its e-mail was queued")
    assert OutboundEmail.objects.count() == 0 and mail.outbox == []


def test_x6_many_emails_in_one_transaction_enqueue_one_sending_job(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(5):
            _queue(f"p{n}@example.ru")
    assert len(callbacks) == 1


# --- Batches over one connection, failures, retries -------------------------------------------------------


def test_x6_one_smtp_connection_per_batch(counting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for n in range(7):
            _queue(f"p{n}@example.ru")
    assert counting.connections == 1
    assert sorted(m.to[0] for m in counting.sent) == [f"p{n}@example.ru" for n in range(7)]
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}

    counting.reset()
    for n in range(7):
        _queue(f"q{n}@example.ru")  # the test's transaction never commits: sent by hand below
    report = domain.send_due(batch_size=3)
    assert (report.sent, report.failed, report.batches, counting.connections) == (7, 0, 3, 3)


def test_x6_refused_recipient_fails_alone_is_retried_later_and_the_sent_are_not_sent_again(counting):
    for name in ["a", "b", "c", "d"]:
        _queue(f"{name}@example.ru")
    counting.refuse = {"c@example.ru"}
    report = domain.send_due()
    assert (report.sent, report.failed, counting.connections) == (3, 1, 1)
    failed = OutboundEmail.objects.get(to="c@example.ru")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "SMTPRecipientsRefused" in failed.last_error and "No such user" in failed.last_error
    assert timezone.now() < failed.next_attempt_at <= timezone.now() + domain.RETRY_BASE

    assert domain.send_due().sent == 0  # not due yet: no connection is even opened
    assert counting.connections == 1

    counting.refuse = set()
    _pass_time()
    assert domain.send_due().sent == 1
    assert sorted(m.to[0] for m in counting.sent) == ["a@example.ru", "b@example.ru", "c@example.ru", "d@example.ru"]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 2, "")


def test_x6_connection_dropped_mid_batch_loses_nothing_and_repeats_nothing(counting):
    for name in ["a", "b", "c", "d", "e"]:
        _queue(f"{name}@example.ru")
    counting.break_after = 2
    report = domain.send_due()
    assert (report.sent, report.failed) == (2, 1)
    states = dict(OutboundEmail.objects.values_list("to", "status"))
    assert states == {"a@example.ru": "sent", "b@example.ru": "sent", "c@example.ru": "failed",
                      "d@example.ru": "queued", "e@example.ru": "queued"}
    # the two after the break were never tried: no attempt counted against them
    assert dict(OutboundEmail.objects.values_list("to", "attempts"))["d@example.ru"] == 0

    counting.break_after = None
    _pass_time()
    assert domain.send_due().sent == 3
    assert sorted(m.to[0] for m in counting.sent) == [f"{n}@example.ru" for n in "abcde"]  # each exactly once
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}


def test_x6_unreachable_server_fails_the_batch_then_gives_up_after_max_attempts(counting):
    [email] = _queue("a@example.ru")
    counting.unreachable = True
    for attempt in range(1, domain.MAX_ATTEMPTS + 1):
        _pass_time()
        assert domain.send_due().failed == 1
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("failed", attempt)
        assert "Connection refused" in email.last_error
    assert email.next_attempt_at is None  # no more automatic attempts: the page offers a resend
    _pass_time()
    assert domain.send_due().batches == 0


def test_x6_resend_of_a_failed_email_starts_again_and_is_audited(counting):
    directorate = UserFactory()
    [email] = _queue("a@example.ru", championship=ChampionshipFactory())
    counting.refuse = {"a@example.ru"}
    domain.send_due()
    counting.refuse = set()
    domain.resend_email(email, by=directorate)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("queued", 0)
    entry = AuditEntry.objects.get(object_type="notifications.OutboundEmail")
    assert (entry.actor, entry.before["status"], entry.after["status"]) == (directorate, "failed", "queued")
    domain.send_due()
    email.refresh_from_db()
    assert email.status == "sent"
    with pytest.raises(TransitionError, match="только письмо, которое не удалось отправить"):
        domain.resend_email(email, by=directorate)


def test_x6_missing_attachment_file_fails_that_email_only(counting):
    _queue("a@example.ru", attachments=[domain.Attachment("gone.pdf", "application/pdf", stored_name="nowhere/gone.pdf")])
    _queue("b@example.ru")
    report = domain.send_due()
    assert (report.sent, report.failed) == (1, 1)
    assert OutboundEmail.objects.get(to="a@example.ru").status == "failed"


def test_x6_send_queued_emails_command_sends_what_is_due(counting):
    _queue("a@example.ru")
    out = StringIO()
    call_command("send_queued_emails", stdout=out)
    assert out.getvalue().startswith("sent 1, failed 0 in 1 batch(es)")
    assert OutboundEmail.objects.get().status == "sent"


def test_x6_sending_job_is_registered_and_scheduled():
    from profmaster.celery import app
    from profmaster.notifications import tasks

    assert domain.SEND_TASK in app.tasks and tasks.send_queued_emails_task.name == domain.SEND_TASK
    tasks._schedule(sender=app)  # what Celery runs when it finalizes the app in the beat process
    entry = app.conf.beat_schedule["notifications: send e-mails"]
    assert (entry["task"], entry["schedule"]) == (domain.SEND_TASK, 60.0)


# --- Bad input: a clear message, nothing written ----------------------------------------------------------


@pytest.mark.parametrize(("to", "message"), [
    ("", "Не указан адрес e-mail получателя."),
    ([], "Не указан адрес e-mail получателя."),
    ("   ", "Не указан адрес e-mail получателя."),
    (None, "Не указан адрес e-mail получателя."),
    ("не адрес", "Адрес e-mail «не адрес» указан неверно."),
    ("a@example.ru\nBcc: all@example.ru", "указан неверно"),
])
def test_x6_no_or_bad_address_is_refused_clearly(to, message):
    with pytest.raises(DomainError, match=message):
        _queue(to)
    assert OutboundEmail.objects.count() == 0


def test_x6_database_refuses_an_email_without_recipient_or_a_sent_one_without_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundEmail.objects.create(to="", subject="Тема", body_text="Текст", template="t",
                                     next_attempt_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundEmail.objects.create(to="a@example.ru", subject="Тема", body_text="Текст", template="t", status="sent")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundEmail.objects.create(to="a@example.ru", subject="Тема", body_text="Текст", template="t")  # never due
