"""The competition day (SPEC OP-1): draws of flows and of workplaces, with their commitment, contributions,
secret, seed, algorithm and result kept so that anyone can re-run them (:mod:`.draw` is the pure algorithm)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Draw(models.Model):
    """One draw: of the flows of a competency's teams, or of the workplaces of one flow's teams.

    prepared (commitment published, contributions taken) → performed (seed, result, secret revealed)
    → superseded (by a redraw, which names the reason; this draw and its protocol stay as they were).
    """

    class Kind(models.TextChoices):
        FLOWS = "flows", _("Жеребьёвка потоков")
        WORKPLACES = "workplaces", _("Жеребьёвка рабочих мест")

    class State(models.TextChoices):
        PREPARED = "prepared", _("Подготовлена")
        PERFORMED = "performed", _("Проведена")
        SUPERSEDED = "superseded", _("Заменена пережеребьёвкой")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT, related_name="draws",
                                     verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="draws",
                                   verbose_name=_("компетенция"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    #: The flow whose teams a workplace draw places (none for a draw of flows).
    flow = models.ForeignKey("championships.ProgrammeSlot", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="workplace_draws", verbose_name=_("поток"))
    state = models.CharField(_("состояние"), max_length=16, choices=State.choices, default=State.PREPARED)
    #: The inputs in canonical JSON (:func:`profmaster.core.canonical.canonical_json`), byte for byte as drawn.
    inputs_text = models.TextField(_("исходные данные (канонический JSON)"))
    #: How people read the ids of the inputs (team → organisation, flow → its time); not part of the draw.
    labels = models.JSONField(_("подписи к исходным данным"), default=dict, blank=True)
    commitment = models.CharField(_("обязательство (SHA-256 секрета)"), max_length=64)
    secret = models.CharField(_("секрет сервера"), max_length=64)
    seed = models.CharField(_("зерно"), max_length=64, blank=True)
    algorithm = models.CharField(_("алгоритм"), max_length=64)
    algorithm_version = models.PositiveSmallIntegerField(_("версия алгоритма"))
    #: The result in canonical JSON (team → flow, or team → workplace).
    result_text = models.TextField(_("результат (канонический JSON)"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("подготовил(а)"))
    prepared_at = models.DateTimeField(_("подготовлена"))
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("провёл(а)"))
    performed_at = models.DateTimeField(_("проведена"), null=True, blank=True)
    #: The draw this one replaces (a redraw), with the reason given for it.
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by", verbose_name=_("заменяет"))
    reason = models.TextField(_("причина пережеребьёвки"), blank=True)
    protocol = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("протокол"))

    class Meta:
        verbose_name = _("жеребьёвка")
        verbose_name_plural = _("жеребьёвки")
        ordering = ["championship", "competency", "kind", "flow__starts_at", "-prepared_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["flows", "workplaces"]), name="draw_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=["prepared", "performed", "superseded"]),
                                   name="draw_state_valid"),
            models.CheckConstraint(condition=Q(kind="flows", flow__isnull=True) | Q(kind="workplaces",
                                                                                   flow__isnull=False),
                                   name="draw_flow_only_for_workplaces",
                                   violation_error_message=_("Жеребьёвка рабочих мест проводится для потока.")),
            models.UniqueConstraint(fields=["competency", "kind"], condition=Q(flow__isnull=True)
                                    & Q(state__in=["prepared", "performed"]), name="draw_one_current_flows",
                                    violation_error_message=_("Жеребьёвка потоков этой компетенции уже есть.")),
            models.UniqueConstraint(fields=["competency", "kind", "flow"], condition=Q(flow__isnull=False)
                                    & Q(state__in=["prepared", "performed"]), name="draw_one_current_workplaces",
                                    violation_error_message=_("Жеребьёвка рабочих мест этого потока уже есть.")),
            models.CheckConstraint(condition=~Q(state="performed") | (~Q(seed="") & ~Q(result_text="")
                                                                    & Q(performed_at__isnull=False)),
                                   name="draw_performed_has_result"),
            models.CheckConstraint(condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                                   name="draw_redraw_has_reason",
                                   violation_error_message=_("Пережеребьёвка требует причины.")),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.flow_id:
            return f"{label}: {self.competency}, {self.flow}"
        return f"{label}: {self.competency}"

    @property
    def is_current(self) -> bool:
        return self.state != self.State.SUPERSEDED


class Contribution(models.Model):
    """An entropy string a person present at the draw added to the seed (a mentor, typed at the venue)."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="contributions",
                             verbose_name=_("жеребьёвка"))
    text = models.CharField(_("вклад"), max_length=200)
    #: Who gave it, as the protocol prints it.
    name = models.CharField(_("кто"), max_length=300)
    #: The mentor's account when they have one: they then sign the protocol as present.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("учётная запись"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("внёс(ла)"))
    added_at = models.DateTimeField(_("когда"))

    class Meta:
        verbose_name = _("вклад в зерно жеребьёвки")
        verbose_name_plural = _("вклады в зерно жеребьёвки")
        ordering = ["draw", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "user"], condition=Q(user__isnull=False),
                                    name="contribution_one_per_person",
                                    violation_error_message=_("Этот наставник уже внёс свой вклад.")),
            models.CheckConstraint(condition=~Q(text=""), name="contribution_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.text}"
