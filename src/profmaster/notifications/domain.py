"""E-mail notifications (X-6, issue 13 §6): render, record, queue, send in batches, retry.

Every e-mail of the platform goes through :func:`queue_email`::

    from profmaster.notifications.domain import Attachment, queue_email

    queue_email("application_submitted", {"application": app, "link": absolute_url(...)},
                to=["mentor@example.ru"], championship=app.championship, related=app)

It renders ``notifications/<template>.subject.txt``, ``<template>.txt`` and (when present) ``<template>.html``
in the recipient's language (Russian unless told otherwise) and in the championship's time zone, writes one
:class:`~.models.OutboundEmail` per recipient inside the caller's transaction and, once that transaction
commits, enqueues the sending job. Nothing is sent for a change that was rolled back; nothing is lost when
SMTP fails: :func:`send_due` takes due e-mails in batches, sends each batch over one SMTP connection, marks
each e-mail sent or failed, and a failed one is tried again later (backoff) up to :data:`MAX_ATTEMPTS` times.
Links in a template are absolute and come from :mod:`profmaster.core.links` (``{{ path|absolute }}``).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.links import site_url
from profmaster.core.queue import enqueue_once_on_commit, enqueue_soon_on_commit

from .models import OutboundAttachment, OutboundEmail

logger = logging.getLogger(__name__)

#: The job that sends whatever is due (also run every minute by Celery beat and by ``send_queued_emails``).
SEND_TASK = "notifications.send_queued_emails"
#: E-mails sent over one SMTP connection.
BATCH_SIZE = 100
#: Attempts before an e-mail is left failed for a person to resend from the championship's e-mail page.
MAX_ATTEMPTS = 5
#: Wait after the n-th failure: 1, 4, 16, 64 minutes.
RETRY_BASE = dt.timedelta(minutes=1)
#: A worker holds the e-mails it took this long; if it dies, they become due again (sent at least once).
LEASE = dt.timedelta(minutes=10)

#: Errors of one message; the connection stays usable for the rest of the batch.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                  smtplib.SMTPNotSupportedError, UnicodeError, ValueError)


@dataclass(frozen=True)
class Attachment:
    """A file to attach: either ``content`` (stored once with the e-mail) or ``stored_name``, a file already in
    the default storage (a diploma's PDF), referenced rather than copied."""

    filename: str
    mimetype: str = "application/octet-stream"
    content: bytes | None = None
    stored_name: str = ""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    batches: int = 0
    failed_ids: list[int] = field(default_factory=list)


# --- Rendering -----------------------------------------------------------------------------------------------


def _render(name: str, context: Mapping[str, Any], *, autoescape: bool) -> str:
    template = get_template(name)
    # Plain text is not HTML: «Кремова & Co» stays as typed (the Django backend escapes by default).
    return template.template.render(Context(dict(context), autoescape=autoescape))  # type: ignore[attr-defined]


def render_email(template: str, context: Mapping[str, Any], *, language: str | None = None,
                 championship: Any = None) -> Rendered:
    """The subject, text and HTML of ``template`` in ``language`` and in the championship's zone."""
    language = language or settings.LANGUAGE_CODE
    full = {"site_url": site_url(), "championship": championship, **context}
    with translation.override(language), timezone.override(timezones.zone_of(championship)):
        subject = " ".join(_render(f"notifications/{template}.subject.txt", full, autoescape=False).split())
        text = _render(f"notifications/{template}.txt", full, autoescape=False).strip() + "\n"
        try:
            html = _render(f"notifications/{template}.html", full, autoescape=True).strip()
        except TemplateDoesNotExist:
            html = ""
    return Rendered(subject=subject[:255], text=text, html=html)


# --- Addresses -----------------------------------------------------------------------------------------------


def clean_address(value: Any) -> str:
    """One recipient's address, trimmed and checked; a clear Russian message when there is none or it is wrong."""
    address = str(getattr(value, "email", value) or "").strip()
    if not address:
        raise DomainError(_("Не указан адрес e-mail получателя."), field="to", code="no_address")
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError(_("Адрес e-mail «%(address)s» указан неверно.") % {"address": address[:254]},
                          field="to", code="bad_address") from None
    return address


def usable_addresses(values: Iterable[Any]) -> list[str]:
    """The valid, distinct addresses among ``values`` (for notifications that go to whoever can get them)."""
    seen: dict[str, str] = {}
    for value in values:
        try:
            address = clean_address(value)
        except DomainError:
            continue
        seen.setdefault(address.lower(), address)
    return list(seen.values())


# --- Queueing ------------------------------------------------------------------------------------------------


def queue_email(template: str, context: Mapping[str, Any], to: Any, *, championship: Any = None,
                related: models.Model | None = None, attachments: Sequence[Attachment] = (),
                language: str | None = None) -> list[OutboundEmail]:
    """Render and record one e-mail per recipient now, in the caller's transaction; send after the commit.

    ``to`` is an address, a user, or a list of them. Each e-mail is written in ``language`` when the caller
    gives one, else in the recipient's preferred language (X-6: ``User.language``, set on the profile page;
    a bare address is matched to the user with that e-mail, case-insensitively), else in Russian. Refuses
    with :class:`DomainError` when there is no recipient or an address is wrong, before anything is written.
    """
    recipients = [to] if isinstance(to, str) or not isinstance(to, Iterable) else list(to)
    if not recipients:
        raise DomainError(_("Не указан адрес e-mail получателя."), field="to", code="no_address")
    targets: dict[str, tuple[str, Any]] = {}
    for recipient in recipients:
        address = clean_address(recipient)
        targets.setdefault(address.lower(), (address, recipient if hasattr(recipient, "email") else None))
    for attachment in attachments:
        if not attachment.filename or (attachment.content is None and not attachment.stored_name):
            raise DomainError(_("Вложение письма без имени или без содержимого."), field="attachments")
    now = timezone.now()
    created: list[OutboundEmail] = []
    with transaction.atomic():
        stored = [a.stored_name or default_storage.save(f"outbound/{now:%Y/%m}/{a.filename}",
                                                        ContentFile(a.content or b""))
                  for a in attachments]
        preferred = _preferred_languages([address for address, user in targets.values() if user is None])
        for address, user in targets.values():
            lang = language or getattr(user, "language", None) or preferred.get(address.lower()) \
                or settings.LANGUAGE_CODE
            rendered = render_email(template, context, language=lang, championship=championship)
            email = OutboundEmail.objects.create(
                championship=championship, to=address, recipient=user if getattr(user, "pk", None) else None,
                language=lang, template=template, subject=rendered.subject or template, body_text=rendered.text,
                body_html=rendered.html, related_type=related._meta.label if related is not None else "",
                related_id=str(related.pk) if related is not None else "", next_attempt_at=now)
            OutboundAttachment.objects.bulk_create([
                OutboundAttachment(email=email, filename=a.filename, mimetype=a.mimetype, file=name,
                                   size=len(a.content) if a.content is not None else _size(name))
                for a, name in zip(attachments, stored, strict=True)])
            created.append(email)
        enqueue_soon_on_commit(SEND_TASK)
    return created


def _preferred_languages(addresses: Sequence[str]) -> dict[str, str]:
    """The preferred e-mail language of the users with these addresses (lower-cased address → language)."""
    if not addresses:
        return {}
    wanted = {address.lower() for address in addresses}
    users = get_user_model()._default_manager.annotate(address=Lower("email")).filter(address__in=wanted)
    return {address: lang for address, lang in users.values_list("address", "language") if lang}


def _size(name: str) -> int:
    try:
        return int(default_storage.size(name))
    except OSError:
        return 0


# --- Sending -------------------------------------------------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    return Q(status__in=[OutboundEmail.Status.QUEUED, OutboundEmail.Status.FAILED], next_attempt_at__lte=now)


def _claim(limit: int, now: dt.datetime) -> list[OutboundEmail]:
    """Take up to ``limit`` due e-mails for this worker: counted as an attempt and held for :data:`LEASE`, so
    two workers never send the same e-mail and a crashed worker's e-mails come back."""
    with transaction.atomic():
        rows = list(OutboundEmail.objects.select_for_update(skip_locked=True).filter(_due(now))
                    .order_by("next_attempt_at", "pk")[:limit])
        OutboundEmail.objects.filter(pk__in=[r.pk for r in rows]).update(attempts=F("attempts") + 1,
                                                                         next_attempt_at=now + LEASE)
    for row in rows:
        row.attempts += 1
    return rows


def _message(email: OutboundEmail, connection: Any) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(email.subject, email.body_text, None, [email.to], connection=connection,
                                     headers={"X-Profmaster-Email": str(email.pk)})
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments.all():
        with default_storage.open(attachment.file.name, "rb") as handle:
            message.attach(attachment.filename, handle.read(), attachment.mimetype)
    return message


def _mark_sent(email: OutboundEmail) -> None:
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now(),
                                                     next_attempt_at=None, last_error="")


def _mark_failed(email: OutboundEmail, error: BaseException | str) -> None:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    retry = email.attempts < MAX_ATTEMPTS
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.FAILED, last_error=text[:2000] or "?",
        next_attempt_at=timezone.now() + RETRY_BASE * 4 ** (email.attempts - 1) if retry else None)
    logger.warning("E-mail %s to %s failed (attempt %s): %s", email.pk, email.to, email.attempts, text[:300])


def _release(emails: Sequence[OutboundEmail]) -> None:
    """E-mails of a batch whose connection broke before their turn: not an attempt of theirs, tried later."""
    OutboundEmail.objects.filter(pk__in=[e.pk for e in emails]).update(
        attempts=F("attempts") - 1, next_attempt_at=timezone.now() + RETRY_BASE)


def send_batch(emails: Sequence[OutboundEmail]) -> tuple[SendReport, bool]:
    """Send ``emails`` over one SMTP connection; (what happened, whether the connection broke)."""
    report = SendReport(batches=1)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # the server is unreachable: every e-mail of the batch fails this attempt
        for email in emails:
            _mark_failed(email, exc)
        report.failed, report.failed_ids = len(emails), [e.pk for e in emails]
        return report, True
    try:
        for index, email in enumerate(emails):
            try:
                message = _message(email, connection)
            except Exception as exc:  # a missing attachment file, a broken header: this e-mail only
                _mark_failed(email, exc)
                report.failed += 1
                report.failed_ids.append(email.pk)
                continue
            error: BaseException | str | None = None
            try:
                if not connection.send_messages([message]):
                    error = _("Почтовый сервер не принял письмо.")
            except MESSAGE_ERRORS as exc:  # this recipient or this message: the connection goes on
                error = exc
            except Exception as exc:  # the connection itself broke: stop, the rest wait for the next run
                _mark_failed(email, exc)
                report.failed += 1
                report.failed_ids.append(email.pk)
                _release(emails[index + 1:])
                return report, True
            if error is None:
                _mark_sent(email)
                report.sent += 1
            else:
                _mark_failed(email, error)
                report.failed += 1
                report.failed_ids.append(email.pk)
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not hide what was sent
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return report, False


def send_due(*, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> SendReport:
    """Send every e-mail that is due, batch by batch, until none is left or the connection breaks."""
    total = SendReport()
    while max_batches is None or total.batches < max_batches:
        emails = _claim(batch_size, timezone.now())
        if not emails:
            break
        report, broken = send_batch(emails)
        total.sent += report.sent
        total.failed += report.failed
        total.batches += 1
        total.failed_ids += report.failed_ids
        if broken:
            break
    return total


# --- What people do on the e-mail page -------------------------------------------------------------------------


def resend_email(email: OutboundEmail, *, by: Any) -> OutboundEmail:
    """Queue a failed e-mail again now, with a fresh set of attempts (audited)."""
    with transaction.atomic():
        locked = OutboundEmail.objects.select_for_update().get(pk=email.pk)
        if locked.status != OutboundEmail.Status.FAILED:
            raise TransitionError(_("Повторно отправить можно только письмо, которое не удалось отправить; "
                                    "это письмо в состоянии «%(state)s».") % {"state": locked.get_status_display()})
        before = {"status": locked.status, "attempts": locked.attempts, "last_error": locked.last_error}
        locked.status, locked.attempts, locked.next_attempt_at = OutboundEmail.Status.QUEUED, 0, timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before,
               after={"status": locked.status, "attempts": 0}, championship=locked.championship,
               reason=_("Повторная отправка письма"))
        enqueue_once_on_commit(SEND_TASK)
    return locked


def resend_failed(championship: Any, *, by: Any) -> int:
    """Queue every failed e-mail of the championship again; the number queued."""
    with transaction.atomic():
        failed = list(OutboundEmail.objects.filter(championship=championship, status=OutboundEmail.Status.FAILED)
                      .values_list("pk", flat=True))
        for pk in failed:
            resend_email(OutboundEmail(pk=pk), by=by)
    return len(failed)
