"""What the platform sent to whom (X-6): one row per e-mail to one recipient, as rendered.

A row is written in the transaction of the change it reports, so an e-mail exists exactly when its change
does; the sending job (``notifications.tasks``) moves it from queued to sent, or to failed with the error and
the time of the next attempt. Attachments are files in the default storage (a diploma's PDF is referenced,
not copied), listed in :class:`OutboundAttachment`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        SENT = "sent", _("Отправлено")
        FAILED = "failed", _("Ошибка отправки")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("чемпионат"))
    to = models.EmailField(_("получатель"), max_length=254)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("пользователь-получатель"))
    language = models.CharField(_("язык"), max_length=8, default="ru")
    template = models.CharField(_("шаблон"), max_length=100)
    subject = models.CharField(_("тема"), max_length=255)
    body_text = models.TextField(_("текст письма"))
    body_html = models.TextField(_("HTML письма"), blank=True)
    #: The object the e-mail is about, as in the audit log: «registration.Application» and its key.
    related_type = models.CharField(_("тип объекта"), max_length=100, blank=True)
    related_id = models.CharField(_("объект"), max_length=64, blank=True)
    status = models.CharField(_("состояние"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("попыток отправки"), default=0)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    #: When the sending job may take the row next: now for a new e-mail, later after a failure (backoff) or
    #: while a worker holds it; empty when it needs nobody (sent, or failed for good until someone resends).
    next_attempt_at = models.DateTimeField(_("следующая попытка"), null=True, blank=True)
    created_at = models.DateTimeField(_("создано"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("исходящее письмо")
        verbose_name_plural = _("исходящие письма")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbound_due"),
            models.Index(fields=["championship", "-created_at"], name="outbound_by_championship"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(to=""), name="outbound_has_recipient"),
            models.CheckConstraint(condition=~Q(subject=""), name="outbound_has_subject"),
            models.CheckConstraint(condition=~Q(template=""), name="outbound_has_template"),
            models.CheckConstraint(condition=Q(status__in=["queued", "sent", "failed"]), name="outbound_status_known"),
            # sent ⇔ it has the moment it was sent; a sent e-mail is never due again
            models.CheckConstraint(condition=(Q(status="sent", sent_at__isnull=False, next_attempt_at__isnull=True)
                                              | (~Q(status="sent") & Q(sent_at__isnull=True))),
                                   name="outbound_sent_has_time"),
            # a queued e-mail is always due at some time: it can never be forgotten
            models.CheckConstraint(condition=~Q(status="queued") | Q(next_attempt_at__isnull=False),
                                   name="outbound_queued_is_due"),
            models.CheckConstraint(condition=~Q(status="failed") | Q(attempts__gt=0) & ~Q(last_error=""),
                                   name="outbound_failed_has_error"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class OutboundAttachment(models.Model):
    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments",
                              verbose_name=_("письмо"))
    filename = models.CharField(_("имя файла"), max_length=255)
    mimetype = models.CharField(_("тип"), max_length=100, default="application/octet-stream")
    file = models.FileField(_("файл"), upload_to="outbound/%Y/%m/", max_length=255)
    size = models.PositiveIntegerField(_("размер, байт"), default=0)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(filename=""), name="outbound_attachment_named"),
            models.CheckConstraint(condition=~Q(file=""), name="outbound_attachment_has_file"),
        ]

    def __str__(self) -> str:
        return self.filename
