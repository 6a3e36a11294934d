"""Appeals and the appeal commission (SPEC AP-2, AP-3; 003 §7.4, §8.1–8.10, §6.20).

* :class:`Commission` — the championship's appeal commission: at least five of the Directorate's people,
  approved by the Directorate at least two days before the remote stage and then published on the public
  page of regulating documents; its chair is elected at the first meeting (:class:`ChairElection`).
* :class:`Appeal` — filed by the team's mentor after a decided dispute on the same question (one appeal per
  dispute), on the day the problem arose, with the scanned signed form; heard and decided by the commission
  (:class:`Hearing`, :class:`HearingNote`, :class:`HearingVote`); the decision is final.

Thin: every workflow lives in :mod:`.domain`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from profmaster.registration.models import private_scan_storage


class Commission(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Состав формируется")
        APPROVED = "approved", _("Состав утверждён")

    championship = models.OneToOneField("championships.Championship", on_delete=models.PROTECT,
                                        related_name="appeal_commission", verbose_name=_("чемпионат"))
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("утвердил"))
    approved_at = models.DateTimeField(_("утверждён"), null=True, blank=True)
    approval_basis = models.CharField(_("основание утверждения"), max_length=300, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("председатель"))
    chair_elected_at = models.DateTimeField(_("председатель избран"), null=True, blank=True)

    class Meta:
        verbose_name = _("апелляционная комиссия")
        verbose_name_plural = _("апелляционные комиссии")
        constraints = [
            models.CheckConstraint(
                condition=(Q(state="approved", approved_at__isnull=False, approved_by__isnull=False))
                | (Q(state="draft", approved_at__isnull=True)),
                name="commission_approval_recorded"),
            models.CheckConstraint(condition=Q(chair__isnull=True) | Q(state="approved"),
                                   name="commission_chair_after_approval",
                                   violation_error_message=_("Председателя избирают после утверждения состава.")),
        ]

    def __str__(self) -> str:
        return str(_("Апелляционная комиссия: %(championship)s") % {"championship": self.championship})

    @property
    def is_approved(self) -> bool:
        return self.state == self.State.APPROVED


class CommissionMember(models.Model):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="members",
                                   verbose_name=_("комиссия"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeal_memberships",
                             verbose_name=_("член комиссии"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("включён"), auto_now_add=True)

    class Meta:
        verbose_name = _("член апелляционной комиссии")
        verbose_name_plural = _("члены апелляционной комиссии")
        ordering = ["commission", "user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "user"], name="commission_member_unique",
                                    violation_error_message=_("Этот человек уже в составе комиссии.")),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def championship(self) -> Any:
        return self.commission.championship


class ChairElection(models.Model):
    """A recorded vote of the first meeting (003 §8.5): a simple majority of all members elects the chair.
    A round in which nobody reached the majority once every member voted ends without a result; a new
    round may then be held."""

    class State(models.TextChoices):
        OPEN = "open", _("Идёт голосование")
        ELECTED = "elected", _("Председатель избран")
        FAILED = "failed", _("Большинства нет")

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="elections",
                                   verbose_name=_("комиссия"))
    round = models.PositiveSmallIntegerField(_("тур"), default=1)
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("открыто"), auto_now_add=True)
    closed_at = models.DateTimeField(_("завершено"), null=True, blank=True)
    elected = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("избран"))

    class Meta:
        verbose_name = _("выборы председателя")
        verbose_name_plural = _("выборы председателя")
        ordering = ["commission", "round"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "round"], name="chair_election_round_unique"),
            models.UniqueConstraint(fields=["commission"], condition=Q(state="open"),
                                    name="chair_election_one_open",
                                    violation_error_message=_("Голосование о председателе уже идёт.")),
            models.UniqueConstraint(fields=["commission"], condition=Q(state="elected"),
                                    name="chair_election_one_elected",
                                    violation_error_message=_("Председатель уже избран.")),
            models.CheckConstraint(condition=Q(state="elected", elected__isnull=False)
                                   | (~Q(state="elected") & Q(elected__isnull=True)),
                                   name="chair_election_elected_named"),
        ]

    def __str__(self) -> str:
        return str(_("Выборы председателя, тур %(round)s") % {"round": self.round})

    @property
    def championship(self) -> Any:
        return self.commission.championship


class ChairBallot(models.Model):
    election = models.ForeignKey(ChairElection, on_delete=models.PROTECT, related_name="ballots",
                                 verbose_name=_("выборы"))
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("голосовал"))
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("за кого"))
    cast_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("голос за председателя")
        verbose_name_plural = _("голоса за председателя")
        ordering = ["election", "cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["election", "voter"], name="chair_ballot_one_per_member",
                                    violation_error_message=_("Вы уже проголосовали в этом туре.")),
        ]

    def __str__(self) -> str:
        return f"{self.voter} → {self.candidate}"


def appeal_scan_upload_to(instance: Appeal, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"appeal-scans/{instance.championship_id}/{uuid.uuid4().hex}.{suffix}"


class Appeal(models.Model):
    """An appeal of a decided dispute (003 §8.2–8.4). Pending (filed, then heard) until the commission's
    final decision; a pending appeal holds the competency's results from publication and its marks from
    the lock (003 §8.6)."""

    class State(models.TextChoices):
        FILED = "filed", _("Подана")
        HEARING = "hearing", _("Рассматривается")
        DECIDED = "decided", _("Решение принято")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Апелляция удовлетворена")
        REJECTED = "rejected", _("В удовлетворении апелляции отказано")

    PENDING_STATES = (State.FILED, State.HEARING)

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="appeals", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="appeals",
                                   verbose_name=_("компетенция"))
    number = models.PositiveIntegerField(_("номер"))
    dispute = models.ForeignKey("disputes.Dispute", on_delete=models.PROTECT, related_name="appeals",
                                verbose_name=_("спорный вопрос"))
    team = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="appeals",
                             verbose_name=_("команда"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("подал наставник"))
    filed_at = models.DateTimeField(_("подана"))
    persons = models.TextField(_("Ф. И. О. всех вовлечённых в спор лиц"))
    respondent = models.CharField(_("ответчик"), max_length=450, blank=True)
    claim = models.TextField(_("описание претензии"))
    scan = models.FileField(_("скан подписанной апелляции"), upload_to=appeal_scan_upload_to,
                            storage=private_scan_storage)
    scan_name = models.CharField(_("имя файла"), max_length=255)
    scan_type = models.CharField(_("тип файла"), max_length=64)
    scan_size = models.PositiveIntegerField(_("размер, байт"))
    #: The dispute's protocol, attached at filing (003 §8.2).
    dispute_protocol = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("протокол спорного вопроса"))
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.FILED)
    outcome = models.CharField(_("решение"), max_length=16, choices=Outcome.choices, blank=True)
    decision = models.TextField(_("решение комиссии"), blank=True)
    reasons = models.TextField(_("обоснование"), blank=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    decided_by_chair = models.BooleanField(_("решил дополнительный голос председателя"), default=False)
    protocol = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("итоговый протокол"))

    class Meta:
        verbose_name = _("апелляция")
        verbose_name_plural = _("апелляции")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "number"], name="appeal_number_unique"),
            models.UniqueConstraint(fields=["dispute"], name="appeal_one_per_dispute",
                                    violation_error_message=_("По этому спорному вопросу апелляция уже подана: "
                                                              "повторная апелляция не принимается.")),
            models.CheckConstraint(condition=~Q(claim=""), name="appeal_has_claim",
                                   violation_error_message=_("Опишите претензию.")),
            models.CheckConstraint(condition=~Q(persons=""), name="appeal_names_persons",
                                   violation_error_message=_("Укажите Ф. И. О. всех вовлечённых в спор лиц.")),
            models.CheckConstraint(condition=~Q(scan=""), name="appeal_has_scan",
                                   violation_error_message=_("Приложите скан подписанной апелляции.")),
            models.CheckConstraint(
                condition=(Q(state="decided", decided_at__isnull=False, protocol__isnull=False)
                           & ~Q(outcome="") & ~Q(reasons=""))
                | (~Q(state="decided") & Q(decided_at__isnull=True, outcome="")),
                name="appeal_decided_has_outcome",
                violation_error_message=_("Решение по апелляции принимается с обоснованием и протоколом.")),
        ]

    def __str__(self) -> str:
        return str(_("Апелляция № %(number)s") % {"number": self.number})

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES

    @property
    def is_decided(self) -> bool:
        return self.state == self.State.DECIDED


class Hearing(models.Model):
    """The commission's closed meeting on one appeal (003 §8.10)."""

    appeal = models.OneToOneField(Appeal, on_delete=models.PROTECT, related_name="hearing",
                                  verbose_name=_("апелляция"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("открыл"))
    opened_at = models.DateTimeField(_("заседание открыто"))
    #: The chair's additional vote on a tie (003 §8.10): «for» or «against» upholding the appeal.
    chair_extra = models.CharField(_("дополнительный голос председателя"), max_length=16, blank=True)
    chair_extra_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("заседание закрыто"), null=True, blank=True)

    class Meta:
        verbose_name = _("заседание апелляционной комиссии")
        verbose_name_plural = _("заседания апелляционной комиссии")
        constraints = [
            models.CheckConstraint(condition=Q(chair_extra__in=["", "for", "against"]),
                                   name="hearing_chair_extra_side",
                                   violation_error_message=_("Дополнительный голос — «за» или «против».")),
        ]

    def __str__(self) -> str:
        return str(_("Заседание по апелляции № %(number)s") % {"number": self.appeal.number})

    @property
    def championship(self) -> Any:
        return self.appeal.championship


class HearingNote(models.Model):
    """Who was heard at the hearing and what they said: the appellant, the respondent, a witness (003 §8.10,
    §8.13)."""

    class Kind(models.TextChoices):
        APPELLANT = "appellant", _("Заявитель")
        RESPONDENT = "respondent", _("Ответчик")
        WITNESS = "witness", _("Свидетель")
        OTHER = "other", _("Другое")

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="notes",
                                verbose_name=_("заседание"))
    kind = models.CharField(_("кто"), max_length=16, choices=Kind.choices)
    person = models.CharField(_("Ф. И. О."), max_length=450)
    text = models.TextField(_("что сказано"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("записано"), auto_now_add=True)

    class Meta:
        verbose_name = _("запись заседания")
        verbose_name_plural = _("записи заседания")
        ordering = ["hearing", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(person="") & ~Q(text=""), name="hearing_note_filled",
                                   violation_error_message=_("Укажите, кто выступал и что сказано.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"


class HearingVote(models.Model):
    """One member's vote on upholding the appeal; each member votes once (003 §8.10)."""

    class Choice(models.TextChoices):
        FOR = "for", _("За удовлетворение апелляции")
        AGAINST = "against", _("Против")
        ABSTAIN = "abstain", _("Воздержался")

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="votes",
                                verbose_name=_("заседание"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("член комиссии"))
    choice = models.CharField(_("голос"), max_length=16, choices=Choice.choices)
    cast_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("голос члена комиссии")
        verbose_name_plural = _("голоса членов комиссии")
        ordering = ["hearing", "cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hearing", "member"], name="hearing_vote_one_per_member",
                                    violation_error_message=_("Вы уже проголосовали: каждый член комиссии "
                                                              "голосует один раз.")),
            models.CheckConstraint(condition=Q(choice__in=["for", "against", "abstain"]), name="hearing_vote_choice"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_choice_display()}"
