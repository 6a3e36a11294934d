"""Accreditation and venue access (SPEC OP-7, OP-6, 003 §19.4, §24) and toolbox checks (OP-4, 003 §14).

Thin: fields and database constraints. The workflows (issuing badges, admitting staff and press after a
safety briefing, checking in, revoking access, recording non-appearance and toolbox checks) live in
:mod:`.domain`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Accreditation(models.Model):
    """A person's right to enter the base venue for one competency, carried by an unguessable badge code.

    People of the registration protocol (REG-15: participants, close relatives and mentors of approved
    applications, the competency's chief expert and experts) are accredited from the records; staff,
    press, volunteers and interpreters are admitted individually by the chief expert and enter only after
    the safety briefing is recorded (003 §24.1, §24.4).
    """

    class Kind(models.TextChoices):
        PARTICIPANT = "participant", _("Участник")
        RELATIVE = "relative", _("Близкий родственник")
        MENTOR = "mentor", _("Наставник")
        CHIEF_EXPERT = "chief_expert", _("Главный эксперт")
        EXPERT = "expert", _("Эксперт")
        STAFF = "staff", _("Персонал")
        PRESS = "press", _("Пресса")
        VOLUNTEER = "volunteer", _("Волонтёр")
        INTERPRETER = "interpreter", _("Переводчик")

    #: Kinds admitted individually by the chief expert after a safety briefing (003 §24.4).
    INDIVIDUAL = frozenset({Kind.STAFF, Kind.PRESS, Kind.VOLUNTEER, Kind.INTERPRETER})
    #: Kinds of a team (their team is refused without its mentor on site, 003 §19.4).
    TEAM = frozenset({Kind.PARTICIPANT, Kind.RELATIVE, Kind.MENTOR})

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="accreditations", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT,
                                   related_name="accreditations", verbose_name=_("компетенция"))
    kind = models.CharField(_("категория"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("код бейджа"), max_length=32, unique=True)
    full_name = models.CharField(_("ФИО"), max_length=450)
    organisation = models.CharField(_("организация"), max_length=300, blank=True)
    application = models.ForeignKey("registration.Application", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="accreditations", verbose_name=_("команда"))
    member = models.ForeignKey("registration.TeamMember", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="accreditations", verbose_name=_("член команды"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="accreditations", verbose_name=_("учётная запись"))
    valid_from = models.DateField(_("допуск с"), null=True, blank=True)
    valid_to = models.DateField(_("допуск по"), null=True, blank=True)
    briefed_at = models.DateTimeField(_("инструктаж по ОТ и ТБ пройден"), null=True, blank=True)
    briefed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("инструктаж провёл"))
    briefing_note = models.CharField(_("об инструктаже"), max_length=500, blank=True)
    revoked_at = models.DateTimeField(_("доступ отозван"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("доступ отозвал"))
    revoke_reason = models.TextField(_("основание отзыва доступа"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("аккредитовал"))
    created_at = models.DateTimeField(_("аккредитован"), auto_now_add=True)

    class Meta:
        verbose_name = _("аккредитация")
        verbose_name_plural = _("аккредитации")
        ordering = ["competency", "kind", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "competency"], condition=Q(member__isnull=False),
                                    name="accreditation_one_per_member",
                                    violation_error_message=_("Этот член команды уже аккредитован.")),
            models.UniqueConstraint(fields=["user", "competency", "kind"],
                                    condition=Q(user__isnull=False, member__isnull=True),
                                    name="accreditation_one_per_expert",
                                    violation_error_message=_("Этот эксперт уже аккредитован.")),
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                                   name="accreditation_revocation_has_reason",
                                   violation_error_message=_("Отзыв доступа требует основания.")),
            models.CheckConstraint(
                condition=~Q(kind__in=["staff", "press", "volunteer", "interpreter"])
                | Q(valid_from__isnull=False, valid_to__isnull=False, valid_from__lte=models.F("valid_to")),
                name="accreditation_individual_has_days",
                violation_error_message=_("Для персонала, прессы и волонтёров укажите дни допуска.")),
            models.CheckConstraint(condition=~Q(code=""), name="accreditation_code_set"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_kind_display()})"

    @property
    def is_individual(self) -> bool:
        return self.kind in self.INDIVIDUAL

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def display_code(self) -> str:
        """The code in groups of four for people to read and type («K7QF 3MZD …»)."""
        return " ".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))


class CheckIn(models.Model):
    """A person let in on one competition day (one record per person and day)."""

    accreditation = models.ForeignKey(Accreditation, on_delete=models.PROTECT, related_name="checkins",
                                      verbose_name=_("аккредитация"))
    day = models.DateField(_("день"))
    checked_in_at = models.DateTimeField(_("время прохода"))
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("отметил"))

    class Meta:
        verbose_name = _("отметка о проходе")
        verbose_name_plural = _("отметки о проходе")
        ordering = ["-checked_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["accreditation", "day"], name="checkin_once_a_day",
                                    violation_error_message=_("Этот человек уже отмечен сегодня.")),
        ]

    def __str__(self) -> str:
        return f"{self.accreditation} {self.day}"

    @property
    def championship(self) -> Any:
        return self.accreditation.championship


class NonAppearance(models.Model):
    """A team (or its mentor) that did not appear at the start of its flow (OP-6, 003 §20.1)."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT,
                                   related_name="non_appearances", verbose_name=_("компетенция"))
    application = models.ForeignKey("registration.Application", on_delete=models.PROTECT,
                                    related_name="non_appearances", verbose_name=_("команда"))
    flow = models.ForeignKey("championships.ProgrammeSlot", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("поток"))
    day = models.DateField(_("день"))
    absent = models.JSONField(_("не явились"), default=list)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("протокол"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("зафиксировано"))

    class Meta:
        verbose_name = _("неявка")
        verbose_name_plural = _("неявки")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "day"], name="non_appearance_once_a_day",
                                    violation_error_message=_("Неявка этой команды в этот день уже зафиксирована.")),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.day}"

    @property
    def championship(self) -> Any:
        return self.competency.championship


class ToolboxCheck(models.Model):
    """The daily check of one team's toolbox in the participant's presence (OP-4, 003 §14.2–14.3)."""

    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT,
                                   related_name="toolbox_checks", verbose_name=_("компетенция"))
    application = models.ForeignKey("registration.Application", on_delete=models.PROTECT,
                                    related_name="toolbox_checks", verbose_name=_("команда"))
    day = models.DateField(_("день"))
    participant_present = models.CharField(_("в присутствии участника"), max_length=450)
    note = models.TextField(_("примечание"), blank=True)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("протокол"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("проверил"))
    checked_at = models.DateTimeField(_("проверено"))

    class Meta:
        verbose_name = _("проверка тулбокса")
        verbose_name_plural = _("проверки тулбоксов")
        ordering = ["-day", "application"]
        constraints = [
            models.UniqueConstraint(fields=["application", "day"], name="toolbox_check_once_a_day",
                                    violation_error_message=_("Тулбокс этой команды сегодня уже проверен.")),
            models.CheckConstraint(condition=~Q(participant_present=""), name="toolbox_check_participant_present",
                                   violation_error_message=_("Проверка проводится в присутствии участника.")),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.day}"

    @property
    def championship(self) -> Any:
        return self.competency.championship

    @property
    def findings(self) -> list[ToolboxItem]:
        return [i for i in self.items.all() if i.status != ToolboxItem.Status.ALLOWED]


class ToolboxItem(models.Model):
    class Status(models.TextChoices):
        ALLOWED = "allowed", _("Разрешён")
        SUSPICIOUS = "suspicious", _("Подозрительный")
        PROHIBITED = "prohibited", _("Запрещён")

    check_record = models.ForeignKey(ToolboxCheck, on_delete=models.CASCADE, related_name="items",
                                     verbose_name=_("проверка"))
    name = models.CharField(_("предмет"), max_length=300)
    status = models.CharField(_("оценка"), max_length=16, choices=Status.choices, default=Status.ALLOWED)
    explanation = models.TextField(_("объяснение участника и наставника"), blank=True)
    removed = models.BooleanField(_("удалён с площадки"), default=False)

    class Meta:
        verbose_name = _("предмет тулбокса")
        verbose_name_plural = _("предметы тулбокса")
        ordering = ["check_record", "pk"]
        constraints = [
            # 003 §14.4: a prohibited tool is removed from the venue (without a sanction).
            models.CheckConstraint(condition=~Q(status="prohibited") | Q(removed=True),
                                   name="toolbox_prohibited_item_removed",
                                   violation_error_message=_("Запрещённый предмет удаляется с площадки.")),
            models.CheckConstraint(condition=Q(status__in=["allowed", "suspicious", "prohibited"]),
                                   name="toolbox_item_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name
