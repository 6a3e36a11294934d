"""Technical support of every event of the contest (SPEC RM-6, 000 §13).

A support request belongs to one championship (the event) and says who asks (a signed-in person, or a name and
an e-mail from the public form of someone who cannot sign in), what about and from which page. It is answered
by the event's on-duty staff, whom the Directorate puts on the duty roster; each reply is a record of its own.
The time to the first answer is kept on the request. A short FAQ per event answers the usual questions. Thin:
workflows live in :mod:`.domain`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DutyAssignment(models.Model):
    """One person on the event's support duty roster (set by the Directorate)."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="support_duty", verbose_name=_("чемпионат"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_duties",
                             verbose_name=_("дежурный"))
    note = models.CharField(_("что ведёт"), max_length=200, blank=True,
                            help_text=_("Например: «Онлайн-экзамен, вход на платформу»"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("назначил"))
    added_at = models.DateTimeField(_("назначен"), auto_now_add=True)

    class Meta:
        verbose_name = _("дежурный поддержки")
        verbose_name_plural = _("график дежурств поддержки")
        ordering = ["championship", "user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "user"], name="support_duty_unique",
                                    violation_error_message=_("Этот человек уже в графике дежурств поддержки.")),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.championship}"


class SupportRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Новое")
        IN_WORK = "in_work", _("В работе")
        ANSWERED = "answered", _("Дан ответ")
        CLOSED = "closed", _("Закрыто")

    class Channel(models.TextChoices):
        SIGNED_IN = "signed_in", _("Из личного кабинета")
        PUBLIC = "public", _("Открытая форма (без входа)")
        API = "api", _("API")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="support_requests", verbose_name=_("мероприятие"))
    number = models.PositiveIntegerField(_("номер"))
    channel = models.CharField(_("как подано"), max_length=16, choices=Channel.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="support_requests", verbose_name=_("автор"))
    author_name = models.CharField(_("имя автора"), max_length=300)
    author_email = models.EmailField(_("e-mail автора"), max_length=254, blank=True)
    subject = models.CharField(_("тема"), max_length=200)
    text = models.TextField(_("описание проблемы"))
    page_url = models.CharField(_("страница"), max_length=500, blank=True)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="support_assigned", verbose_name=_("ответственный"))
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    first_answer_at = models.DateTimeField(_("первый ответ"), null=True, blank=True)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)

    class Meta:
        verbose_name = _("обращение в поддержку")
        verbose_name_plural = _("обращения в поддержку")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "number"], name="support_request_number_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="support_request_has_text",
                                   violation_error_message=_("Опишите, что случилось.")),
            models.CheckConstraint(condition=Q(author__isnull=False) | ~Q(author_email=""),
                                   name="support_request_has_reply_address",
                                   violation_error_message=_("Укажите e-mail: на него придёт ответ.")),
            models.CheckConstraint(condition=Q(first_answer_at__isnull=True) | Q(first_answer_at__gte=F("created_at")),
                                   name="support_request_answer_after_creation"),
            models.CheckConstraint(condition=(Q(status="closed") & Q(closed_at__isnull=False))
                                   | (~Q(status="closed") & Q(closed_at__isnull=True)),
                                   name="support_request_closed_has_time"),
            models.CheckConstraint(condition=~Q(status="answered") | Q(first_answer_at__isnull=False),
                                   name="support_request_answered_has_answer"),
        ]
        indexes = [models.Index(fields=["championship", "status"], name="support_request_status_idx")]

    def __str__(self) -> str:
        return f"№ {self.number}. {self.subject}"

    @property
    def is_public(self) -> bool:
        return self.author_id is None

    @property
    def reply_address(self) -> str:
        return self.author.email if self.author is not None else self.author_email


class SupportReply(models.Model):
    """One message on a request: an answer of the on-duty staff or a follow-up of its author."""

    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="replies",
                                verbose_name=_("обращение"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("кто написал"))
    author_name = models.CharField(_("кто написал"), max_length=300)
    from_staff = models.BooleanField(_("ответ поддержки"))
    text = models.TextField(_("текст"))
    created_at = models.DateTimeField(_("написано"), default=timezone.now)

    class Meta:
        verbose_name = _("сообщение по обращению")
        verbose_name_plural = _("сообщения по обращениям")
        ordering = ["request", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="support_reply_has_text",
                                   violation_error_message=_("Напишите текст сообщения.")),
        ]

    def __str__(self) -> str:
        return f"{self.request}: {self.author_name}"


class FaqEntry(models.Model):
    """A question and its answer in the event's short FAQ (the Directorate writes it; everybody reads)."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="support_faq", verbose_name=_("мероприятие"))
    question = models.CharField(_("вопрос"), max_length=300)
    answer = models.TextField(_("ответ"))
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("изменил"))
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("вопрос и ответ")
        verbose_name_plural = _("частые вопросы")
        ordering = ["championship", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "question"], name="support_faq_question_unique",
                                    violation_error_message=_("Такой вопрос уже есть в списке.")),
            models.CheckConstraint(condition=~Q(question="") & ~Q(answer=""), name="support_faq_filled",
                                   violation_error_message=_("Заполните вопрос и ответ.")),
        ]

    def __str__(self) -> str:
        return self.question
