"""Incidents, removals and illness at the venue (SPEC OP-5, OP-6; 003 §11, §17, §24.5).

One incident record says who, what, when, who witnessed it and which photos or videos show it. The chief
expert's decisions that follow — a temporary or final removal, a return after illness with the written
readiness of participant and mentor, a decision on points — are records of their own. Thin: workflows live
in :mod:`.domain`.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Incident(models.Model):
    class Kind(models.TextChoices):
        SAFETY = "safety", _("Нарушение правил ОТ и ТБ")
        INTOXICATION = "intoxication", _("Подозрение на алкогольное (наркотическое) опьянение")
        ILLNESS = "illness", _("Болезнь или несчастный случай")
        OTHER = "other", _("Другое")

    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT,
                                     related_name="incidents", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="incidents",
                                   verbose_name=_("компетенция"))
    number = models.PositiveIntegerField(_("номер"))
    kind = models.CharField(_("что произошло"), max_length=16, choices=Kind.choices)
    accreditation = models.ForeignKey("checkin.Accreditation", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="incidents", verbose_name=_("с кем (аккредитация)"))
    application = models.ForeignKey("registration.Application", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="incidents", verbose_name=_("команда"))
    person_name = models.CharField(_("с кем"), max_length=450)
    occurred_at = models.DateTimeField(_("когда"))
    description = models.TextField(_("описание"))
    witnesses = models.TextField(_("свидетели"), blank=True)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("протокол согласования внештатной ситуации"))
    #: Decisions on points taken on this incident (OP-5); they reach the results only as such decisions.
    result_decisions = models.ManyToManyField("results.ResultDecision", blank=True, related_name="incidents",
                                              verbose_name=_("решения о баллах"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("зафиксировал"))
    reported_at = models.DateTimeField(_("зафиксировано"), auto_now_add=True)

    class Meta:
        verbose_name = _("внештатная ситуация")
        verbose_name_plural = _("внештатные ситуации")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "number"], name="incident_number_unique"),
            models.CheckConstraint(condition=~Q(description=""), name="incident_has_description",
                                   violation_error_message=_("Опишите, что произошло.")),
            models.CheckConstraint(condition=~Q(person_name=""), name="incident_has_person",
                                   violation_error_message=_("Укажите, с кем произошла ситуация.")),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}. {self.get_kind_display()}: {self.person_name}"


class PrivateEvidenceStorage(FileSystemStorage):
    """Photos and videos of incidents: under MEDIA_ROOT/private, with no URL; streamed only by the
    permission-checked view ``incidents:evidence``."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name: str | None) -> str:
        raise ValueError("Evidence has no public URL; serve it through incidents:evidence.")


def private_evidence_storage() -> PrivateEvidenceStorage:
    return PrivateEvidenceStorage()


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"incident-evidence/{instance.incident.championship_id}/{uuid.uuid4().hex}.{suffix}"


class Evidence(models.Model):
    """A photo or video of an incident (003 §11.2), stored privately."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence",
                                 verbose_name=_("внештатная ситуация"))
    file = models.FileField(_("файл"), upload_to=evidence_upload_to, storage=private_evidence_storage)
    original_name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(_("тип"), max_length=100)
    size = models.PositiveBigIntegerField(_("размер, байт"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("доказательство")
        verbose_name_plural = _("доказательства")
        ordering = ["incident", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def championship(self) -> Any:
        return self.incident.championship

    @property
    def competency_id(self) -> int:
        return self.incident.competency_id

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")


class Removal(models.Model):
    """A temporary or final removal from the championship (003 §11.2); a final one revokes venue access.

    Decided on an incident (OP-5), or as a sanction (AP-4, 003 §8.11) of a decided dispute or an appeal: then
    ``incident`` is empty and ``basis`` names the decision («Спорный вопрос № 2»)."""

    class Kind(models.TextChoices):
        TEMPORARY = "temporary", _("Временное отстранение")
        FINAL = "final", _("Окончательное отстранение")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="removals", null=True, blank=True,
                                 verbose_name=_("внештатная ситуация"))
    basis = models.CharField(_("основание (решение)"), max_length=300, blank=True,
                             help_text=_("Решение по спорному вопросу или апелляции, если отстранение — санкция."))
    accreditation = models.ForeignKey("checkin.Accreditation", on_delete=models.PROTECT, related_name="removals",
                                      verbose_name=_("кто отстранён"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("основание"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("решение принял"))
    decided_at = models.DateTimeField(_("решение принято"))
    ended_at = models.DateTimeField(_("возвращён к работе"), null=True, blank=True)

    class Meta:
        verbose_name = _("отстранение")
        verbose_name_plural = _("отстранения")
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["accreditation"], condition=Q(kind="final"),
                                    name="removal_one_final_per_person",
                                    violation_error_message=_("Этот человек уже окончательно отстранён.")),
            models.UniqueConstraint(fields=["accreditation"], condition=Q(ended_at__isnull=True),
                                    name="removal_one_open_per_person",
                                    violation_error_message=_("Этот человек уже отстранён.")),
            models.CheckConstraint(condition=~Q(kind="final") | Q(ended_at__isnull=True),
                                   name="removal_final_never_ends"),
            models.CheckConstraint(condition=~Q(reason=""), name="removal_has_reason",
                                   violation_error_message=_("Укажите основание отстранения.")),
            models.CheckConstraint(condition=Q(incident__isnull=False) | ~Q(basis=""), name="removal_has_basis",
                                   violation_error_message=_("Отстранение решается по внештатной ситуации или "
                                                             "решением по спорному вопросу (апелляции).")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.accreditation}"


class Readiness(models.Model):
    """The written readiness to return to work after illness or an accident, confirmed by the participant and
    the mentor (003 §17.3)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="readiness",
                                 verbose_name=_("внештатная ситуация"))
    participant_name = models.CharField(_("подтвердил участник"), max_length=450)
    mentor_name = models.CharField(_("подтвердил наставник"), max_length=450)
    statement = models.TextField(_("текст подтверждения"))
    confirmed_at = models.DateTimeField(_("подтверждено"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("подтверждение готовности")
        verbose_name_plural = _("подтверждения готовности")
        ordering = ["incident", "confirmed_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(participant_name="") & ~Q(mentor_name=""),
                                   name="readiness_confirmed_by_both",
                                   violation_error_message=_("Готовность подтверждают участник и наставник.")),
        ]

    def __str__(self) -> str:
        return f"{self.incident}: {self.participant_name}"
