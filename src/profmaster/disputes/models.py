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
    #: How the question was raised: by a mentor of the team, or the venue's technical administrator (003 §7.1).
    raised_as = models.CharField(_("в качестве"), max_length=16, choices=[
        ("mentor", _("Наставник")), ("venue_admin", _("Технический администратор площадки"))], default="mentor")
    #: The sanctions taken on this decision (AP-4): each reaches the results only as its recorded decision.
    result_decisions = models.ManyToManyField("results.ResultDecision", blank=True, related_name="disputes",
                                              verbose_name=_("решения о баллах"))
    removals = models.ManyToManyField("incidents.Removal", blank=True, related_name="disputes",
                                      verbose_name=_("отстранения с площадки"))
    suspensions = models.ManyToManyField("timekeeping.Suspension", blank=True, related_name="disputes",
                                         verbose_name=_("отстранения участников"))
    #: 003 §7.3: the Directorate may open an investigation of the case.
    investigation_opened_at = models.DateTimeField(_("расследование назначено"), null=True, blank=True)
    investigation_opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                                blank=True, related_name="+", verbose_name=_("назначил"))
    investigation_reason = models.TextField(_("предмет расследования"), blank=True)

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
            models.CheckConstraint(
                condition=Q(investigation_opened_at__isnull=True) | ~Q(investigation_reason=""),
                name="dispute_investigation_has_reason",
                violation_error_message=_("Укажите предмет расследования.")),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}. {self.question[:60]}"

    @property
    def is_decided(self) -> bool:
        return self.state == self.State.DECIDED

    @property
    def scope(self) -> Any:
        return self.competency


    @property
    def label(self) -> str:
        return str(_("Спорный вопрос № %(number)s") % {"number": self.number})

    @property
    def investigation_open(self) -> bool:
        return self.investigation_opened_at is not None


class VoteRound(models.Model):
    """One vote of the panel on a dispute (003 §7.2, §22.8). The panel is fixed when the vote opens: every
    expert accredited at the venue then (not removed from it). A round without a majority leaves the question
    open; the next round records why it is voted again."""

    class Result(models.TextChoices):
        ADOPTED = "adopted", _("Предложение принято")
        REJECTED = "rejected", _("Предложение отклонено")
        NO_MAJORITY = "no_majority", _("Большинства нет")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="rounds",
                                verbose_name=_("спорный вопрос"))
    number = models.PositiveSmallIntegerField(_("голосование №"))
    proposal = models.TextField(_("вынесено на голосование"))
    revote_reason = models.TextField(_("причина повторного голосования"), blank=True)
    #: ids of the experts who vote in this round (the panel at the venue when the vote opened)
    panel = models.JSONField(_("состав голосующих"), default=list)
    panel_size = models.PositiveSmallIntegerField(_("экспертов в жюри"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("вынес на голосование"))
    opened_at = models.DateTimeField(_("голосование открыто"))
    closed_at = models.DateTimeField(_("голосование закрыто"), null=True, blank=True)
    result = models.CharField(_("итог"), max_length=16, choices=Result.choices, blank=True)

    class Meta:
        verbose_name = _("голосование жюри")
        verbose_name_plural = _("голосования жюри")
        ordering = ["dispute", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "number"], name="vote_round_number_unique"),
            models.UniqueConstraint(fields=["dispute"], condition=Q(closed_at__isnull=True),
                                    name="vote_round_one_open",
                                    violation_error_message=_("Голосование по этому вопросу уже идёт.")),
            models.CheckConstraint(condition=~Q(proposal=""), name="vote_round_has_proposal",
                                   violation_error_message=_("Сформулируйте, что выносится на голосование.")),
            models.CheckConstraint(condition=Q(number=1) | ~Q(revote_reason=""), name="vote_round_revote_reason",
                                   violation_error_message=_("Повторное голосование — с указанием причины.")),
            models.CheckConstraint(condition=Q(panel_size__gte=1), name="vote_round_has_panel"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True, result="")
                                   | (Q(closed_at__isnull=False) & ~Q(result="")), name="vote_round_closed_has_result"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute}: {self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Vote(models.Model):
    """One expert's vote in one round: once (a database constraint), never changed."""

    class Choice(models.TextChoices):
        FOR = "for", _("За")
        AGAINST = "against", _("Против")
        ABSTAIN = "abstain", _("Воздержался")

    round = models.ForeignKey(VoteRound, on_delete=models.PROTECT, related_name="votes", verbose_name=_("голосование"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("эксперт"))
    choice = models.CharField(_("голос"), max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("голос эксперта")
        verbose_name_plural = _("голоса экспертов")
        ordering = ["round", "cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "expert"], name="vote_once_per_round",
                                    violation_error_message=_("Вы уже проголосовали по этому вопросу.")),
            models.CheckConstraint(condition=Q(choice__in=["for", "against", "abstain"]), name="vote_choice_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.expert_id}: {self.choice}"


class Explanation(models.Model):
    """A written explanation the Directorate asked of an expert, the chief expert or a mentor in its
    investigation of a case (003 §7.3), and the answer given on the case page."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="explanations",
                                verbose_name=_("спорный вопрос"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("у кого запрошено"))
    question = models.TextField(_("что пояснить"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("запросил"))
    requested_at = models.DateTimeField(_("запрошено"), auto_now_add=True)
    answer = models.TextField(_("пояснение"), blank=True)
    answered_at = models.DateTimeField(_("дано"), null=True, blank=True)

    class Meta:
        verbose_name = _("письменное пояснение")
        verbose_name_plural = _("письменные пояснения")
        ordering = ["dispute", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "person"], condition=Q(answered_at__isnull=True),
                                    name="explanation_one_open_per_person",
                                    violation_error_message=_("У этого человека уже запрошено пояснение.")),
            models.CheckConstraint(condition=~Q(question=""), name="explanation_has_question",
                                   violation_error_message=_("Укажите, что нужно пояснить.")),
            models.CheckConstraint(condition=Q(answered_at__isnull=True, answer="")
                                   | (Q(answered_at__isnull=False) & ~Q(answer="")), name="explanation_answered_has_text",
                                   violation_error_message=_("Напишите пояснение.")),
        ]

    def __str__(self) -> str:
        return f"{self.dispute}: {self.person_id}"

    @property
    def championship(self) -> Any:
        return self.dispute.championship
