"""Documents and simple electronic signatures (SPEC DOC-2, DOC-3).

A document is data (a JSON payload) rendered through an HTML template to PDF. Its content hash
is the SHA-256 of its canonical content; a signature binds a signer to that hash. When content
changes, earlier signatures are voided (kept, marked with the reason) and must be given again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    """Protocols of 003 §20.1 (DOC-1) and the other documents the platform signs."""

    VENUE_ACCEPTANCE = "venue_acceptance", _("Протокол приёма площадки")
    REGISTRATION = "registration", _("Протокол регистрации экспертов, наставников и участников")
    FAMILIARISATION = "familiarisation", _(
        "Протокол об ознакомлении (рабочие места, документация, ОТ и ТБ, жюри, жеребьёвка)")
    NON_APPEARANCE = "non_appearance", _("Протокол неявки участников/наставника")
    INCIDENT = "incident", _("Протокол согласования внештатной ситуации")
    JUDGING_ROLES = "judging_roles", _("Протокол распределения судейских ролей")
    SCORE_SHEETS_FAMILIARISATION = "score_sheets_familiarisation", _("Протокол об ознакомлении с ведомостями оценки")
    TOOLBOX_CHECK = "toolbox_check", _("Протокол проверки тулбокса участника")
    TIMEKEEPING = "timekeeping", _("Протокол учёта времени")
    DRAW = "draw", _("Протокол жеребьёвки")
    UNLOCK = "unlock", _("Протокол разблокировки оценок/критериев")
    CRITERIA_LOCK = "criteria_lock", _("Протокол блокировки критериев")
    MARKS_LOCK = "marks_lock", _("Протокол сверки и блокировки оценок")
    HANDWRITTEN_SHEETS = "handwritten_sheets", _("Рукописные оценочные ведомости")
    REMOTE_RESULTS = "remote_results", _("Протокол результатов дистанционного этапа")
    FINAL_RESULTS = "final_results", _("Протокол результатов финала")
    QUALITY_REPORT = "quality_report", _("Отчёт о проверке качества проведения чемпионата")
    APPEAL_DECISION = "appeal_decision", _("Итоговый протокол заседания апелляционной комиссии")
    # RM-5 (000 §11–12): the expert working group's protocol of a stage, passed to the regional contest
    # commission, and the commission's own protocol
    EXPERT_GROUP_PROTOCOL = "expert_group_protocol", _("Протокол экспертной рабочей группы")
    COMMISSION_PROTOCOL = "commission_protocol", _("Протокол региональной конкурсной комиссии")
    DISPUTE = "dispute", _("Протокол рассмотрения спорного вопроса")
    OTHER = "other", _("Другой документ")


#: Kinds whose content only the platform writes, from its records (DOC-2): nobody types them in, and
#: their content is never edited, only formed again from the records (``domain.regenerate_document``).
GENERATED_TYPES = frozenset({
    DocumentType.REGISTRATION, DocumentType.JUDGING_ROLES, DocumentType.CRITERIA_LOCK, DocumentType.MARKS_LOCK,
    DocumentType.UNLOCK, DocumentType.REMOTE_RESULTS, DocumentType.FINAL_RESULTS, DocumentType.QUALITY_REPORT,
    # the venue's protocols of the competition day (OP-4, OP-5, OP-6): checkin and incidents
    DocumentType.NON_APPEARANCE, DocumentType.TOOLBOX_CHECK, DocumentType.INCIDENT,
    DocumentType.DRAW,
    DocumentType.TIMEKEEPING, DocumentType.FAMILIARISATION,
    # the appeal commission's final protocol (AP-3, 003 §8.8): the decision recorded once, never edited
    DocumentType.APPEAL_DECISION,
    # the remote stage's expert group and regional commission (RM-5): regional_commission
    DocumentType.EXPERT_GROUP_PROTOCOL, DocumentType.COMMISSION_PROTOCOL,
    # AP-1: the panel's decision on a disputed question (003 §7.1–7.3)
    DocumentType.DISPUTE,
})


class Document(models.Model):
    class RenderStatus(models.TextChoices):
        PENDING = "pending", _("Ожидает формирования")
        READY = "ready", _("Сформирован")
        FAILED = "failed", _("Ошибка формирования")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="documents", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="documents_signed", verbose_name=_("компетенция"))
    doc_type = models.CharField(_("вид документа"), max_length=40, choices=DocumentType.choices)
    number = models.PositiveIntegerField(_("номер"))
    title = models.CharField(_("заголовок"), max_length=300)
    data = models.JSONField(_("содержание"), default=dict)
    content_hash = models.CharField(_("хеш содержания (SHA-256)"), max_length=64)
    version = models.PositiveIntegerField(_("редакция"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("составил"))
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/", blank=True)
    # "<content hash>:<ids of the valid signatures stamped>"; unbounded because a protocol may have
    # many signers (a 64-character hash leaves no room for ids in a short column).
    pdf_version = models.TextField(blank=True,
                                   help_text="content hash + valid signature ids the stored PDF was rendered from")
    render_status = models.CharField(_("формирование PDF"), max_length=16, choices=RenderStatus.choices,
                                     default=RenderStatus.PENDING)
    render_error = models.TextField(blank=True)
    #: Which records the content is formed from (a key of ``generators.GENERATORS``); blank for a document
    #: a person typed in. A generated document's content is read-only.
    generator = models.CharField(_("формируется из"), max_length=60, blank=True)
    #: What the generator needs to form the content again (ids of the records), e.g. ``{"scheme": 3}``.
    source = models.JSONField(_("источник"), default=dict, blank=True)

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        ordering = ["championship", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "number"], name="document_number_unique"),
            models.CheckConstraint(condition=~Q(doc_type__in=sorted(GENERATED_TYPES)) | ~Q(generator=""),
                                   name="document_generated_type_has_generator",
                                   violation_error_message=_("Документ этого вида формируется только системой.")),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}. {self.title}"

    @property
    def is_generated(self) -> bool:
        """Whether the content comes from the records (read-only) rather than from a person's typing."""
        return bool(self.generator)


class DocumentRevision(models.Model):
    """An earlier редакция of a document, kept when its content is replaced (edited or formed again)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField(_("редакция"))
    title = models.CharField(_("заголовок"), max_length=300)
    data = models.JSONField(_("содержание"), default=dict)
    content_hash = models.CharField(_("хеш содержания (SHA-256)"), max_length=64)
    replaced_at = models.DateTimeField(_("заменена"))
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("заменил(а)"))
    reason = models.TextField(_("причина замены"))
    regenerated = models.BooleanField(_("сформирован заново из записей"), default=False)

    class Meta:
        verbose_name = _("прежняя редакция документа")
        verbose_name_plural = _("прежние редакции документов")
        ordering = ["document", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} — {self.version}"


class RequiredSigner(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="required_signers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents_to_sign",
                             verbose_name=_("подписант"))
    role_label = models.CharField(_("в качестве"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["document", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="required_signer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role_label})"


class Signature(models.Model):
    """A simple electronic signature: the signer re-entered their password and agreed to this hash."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures",
                               verbose_name=_("подписант"))
    role_label = models.CharField(_("в качестве"), max_length=200)
    signed_at = models.DateTimeField(_("подписано"))
    content_hash = models.CharField(_("подписанный хеш"), max_length=64)
    document_version = models.PositiveIntegerField(_("редакция"))
    voided_at = models.DateTimeField(_("аннулирована"), null=True, blank=True)
    void_reason = models.TextField(_("причина аннулирования"), blank=True)

    class Meta:
        verbose_name = _("подпись")
        verbose_name_plural = _("подписи")
        ordering = ["document", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "signer"], condition=Q(voided_at__isnull=True),
                                    name="one_valid_signature_per_signer"),
        ]

    def __str__(self) -> str:
        return f"{self.signer} {self.signed_at:%Y-%m-%d %H:%M}"

    @property
    def is_valid(self) -> bool:
        return self.voided_at is None
