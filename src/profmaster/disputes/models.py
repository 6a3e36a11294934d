"""Disputes inside a competency (SPEC AP-1, 003 §7): a question raised at the venue and decided by a vote of
the competency's panel, recorded in a protocol signed by the chief expert and all the experts. An appeal
(AP-2) is filed only after such a dispute is decided, on the day the problem arose."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Dispute(models.Model):
    """A disputed question: open (the chief expert consults) → voting → decided (or open again after a vote
    without a majority, for a revote with a recorded reason)."""

    class State(models.TextChoices):
        OPEN = "open", _("Открыт")
        VOTING = "voting", _("Идёт голосование")
        DECIDED = "decided", _("Решён")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Предложение принято")
        REJECTED = "rejected", _("Предложение отклонено")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="disputes", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="disputes",
                                   verbose_name=_("компетенция"))
    number = models.PositiveIntegerField(_("номер"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("кто поднял вопрос"))
    #: The participant on whose behalf their mentor raised the question, if any.
    on_behalf_of = models.ForeignKey("registration.TeamMember", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("от имени участника"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="disputes", verbose_name=_("команда"))
    criterion = models.ForeignKey("marking.Criterion", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("критерий"))
    concerns = models.CharField(_("кого касается"), max_length=500)
    question = models.TextField(_("вопрос"))
    circumstances = models.TextField(_("причины и обстоятельства"), blank=True)
    #: The day the problem arose, in the championship's time zone: an appeal is filed until its end (003 §8.4).
    arose_on = models.DateField(_("день возникновения вопроса"))
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.OPEN)
    outcome = models.CharField(_("решение"), max_length=16, choices=Outcome.choices, blank=True)
    decision = models.TextField(_("решение и его обоснование"), blank=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    protocol = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("протокол"))
    raised_at = models.DateTimeField(_("поднят"), auto_now_add=True)

    class Meta:
        verbose_name = _("спорный вопрос")
        verbose_name_plural = _("спорные вопросы")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "number"], name="dispute_number_unique"),
            models.CheckConstraint(condition=~Q(question=""), name="dispute_has_question",
                                   violation_error_message=_("Сформулируйте вопрос.")),
            models.CheckConstraint(condition=~Q(concerns=""), name="dispute_has_concerns",
                                   violation_error_message=_("Укажите, кого касается вопрос.")),
            models.CheckConstraint(
                condition=(Q(state="decided", decided_at__isnull=False) & ~Q(outcome=""))
                | (~Q(state="decided") & Q(decided_at__isnull=True, outcome="")),
                name="dispute_decided_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}. {self.question[:60]}"

    @property
    def is_decided(self) -> bool:
        return self.state == self.State.DECIDED

    @property
    def scope(self) -> Any:
        return self.competency
