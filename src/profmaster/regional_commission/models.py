"""The expert working group's protocol and the regional contest commission (SPEC RM-5, DOC-2, 000 §11–12).

The stage's summary sheet is read from the locked marks of a marking scheme (the competency or nomination of
that stage). The expert working group's protocol is a generated document formed from it and signed by the
competency's chief expert and experts; once every signature is given it is passed to the regional contest
commission — the transfer is a record of who passed it and when, and what the commission received is exactly
the set of transfers. The commission's own protocol is another generated document, formed from what it
received and signed by its members. Thin: workflows live in :mod:`.domain`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpertGroupProtocol(models.Model):
    """The protocol of one stage's expert working group: one per marking scheme."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("компетенция (номинация)"))
    scheme = models.OneToOneField("marking.MarkingScheme", on_delete=models.PROTECT,
                                  related_name="expert_group_protocol", verbose_name=_("схема оценки этапа"))
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT,
                                    related_name="expert_group_protocol", verbose_name=_("протокол"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("сформировал"))
    created_at = models.DateTimeField(_("сформирован"), auto_now_add=True)

    class Meta:
        verbose_name = _("протокол экспертной рабочей группы")
        verbose_name_plural = _("протоколы экспертных рабочих групп")
        ordering = ["championship", "competency__name", "pk"]

    def __str__(self) -> str:
        return str(self.document)


class ProtocolTransfer(models.Model):
    """The expert group's signed protocol passed to the regional contest commission: who, when, which content."""

    protocol = models.OneToOneField(ExpertGroupProtocol, on_delete=models.PROTECT, related_name="transfer",
                                    verbose_name=_("протокол экспертной группы"),
                                    error_messages={"unique": _("Этот протокол уже передан в комиссию.")})
    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="commission_transfers", verbose_name=_("чемпионат"))
    passed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("передал"))
    passed_at = models.DateTimeField(_("передан"))
    content_hash = models.CharField(_("переданный хеш (SHA-256)"), max_length=64)
    document_version = models.PositiveIntegerField(_("редакция"))
    note = models.TextField(_("сопроводительная записка"), blank=True)

    class Meta:
        verbose_name = _("передача протокола в региональную комиссию")
        verbose_name_plural = _("передачи протоколов в региональную комиссию")
        ordering = ["championship", "passed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.protocol} → {self.passed_at:%Y-%m-%d %H:%M}"


class CommissionProtocol(models.Model):
    """The regional contest commission's protocol of the championship's stage: one per championship."""

    championship = models.OneToOneField("championships.Championship", on_delete=models.PROTECT,
                                        related_name="commission_protocol", verbose_name=_("чемпионат"))
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="commission_protocol",
                                    verbose_name=_("протокол"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("сформировал"))
    created_at = models.DateTimeField(_("сформирован"), auto_now_add=True)

    class Meta:
        verbose_name = _("протокол региональной конкурсной комиссии")
        verbose_name_plural = _("протоколы региональной конкурсной комиссии")

    def __str__(self) -> str:
        return str(self.document)
