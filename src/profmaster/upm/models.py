"""«Уроки профессионального мастерства» (SPEC UPM-1…UPM-7, seed 001): a regional festival of professions, the
lessons its venues hold for schools, parents' confirmations of their children and the professional trial
(профпроба) a taken lesson counts as."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Festival(models.Model):
    """A region's festival of professions. Its championship is the scope of the УПМ roles (operator, venue,
    school coordinator, parent, pupil) and gives the festival its time zone."""

    championship = models.OneToOneField("championships.Championship", on_delete=models.PROTECT,
                                        related_name="festival", verbose_name=_("чемпионат (рамка ролей)"))
    name = models.CharField(_("название"), max_length=300)
    region = models.CharField(_("регион"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("фестиваль профессий")
        verbose_name_plural = _("фестивали профессий")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def time_zone(self) -> str:
        return self.championship.time_zone


class Lesson(models.Model):
    """A lesson (УПМ) a venue holds in one competency for the schools it serves (UPM-4)."""

    class Format(models.TextChoices):
        ONLINE = "online", _("Онлайн")
        IN_PERSON = "in_person", _("Очно")

    festival = models.ForeignKey(Festival, on_delete=models.PROTECT, related_name="lessons",
                                 verbose_name=_("фестиваль"))
    venue = models.ForeignKey("organisations.Venue", on_delete=models.PROTECT, related_name="upm_lessons",
                              verbose_name=_("площадка"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="upm_lessons",
                                   verbose_name=_("компетенция"))
    starts_at = models.DateTimeField(_("начало"))
    duration_minutes = models.PositiveSmallIntegerField(_("длительность, минут"), default=45)
    capacity = models.PositiveIntegerField(_("мест"))
    #: Confirmations counted so far; kept with the capacity so that the database refuses an overfull lesson.
    confirmed_count = models.PositiveIntegerField(_("подтверждено"), default=0)
    format = models.CharField(_("формат"), max_length=16, choices=Format.choices)
    video_link = models.URLField(_("ссылка на видеосвязь"), blank=True)
    cancelled_at = models.DateTimeField(_("отменён"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("создал"))
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("урок профессионального мастерства")
        verbose_name_plural = _("уроки профессионального мастерства")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="upm_lesson_capacity_positive",
                                   violation_error_message=_("Укажите число мест.")),
            models.CheckConstraint(condition=Q(confirmed_count__lte=F("capacity")), name="upm_lesson_not_overfull",
                                   violation_error_message=_("Все места на уроке заняты.")),
        ]

    def __str__(self) -> str:
        return f"{self.competency} — {self.venue}"


class Confirmation(models.Model):
    """A parent's confirmation of their child for a lesson (UPM-5); it exists only once it counts."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="confirmations",
                               verbose_name=_("урок"))
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upm_confirmations",
                              verbose_name=_("школьник"))
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("родитель"))
    school = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("школа"))
    confirmed_at = models.DateTimeField(_("подтверждено"), auto_now_add=True)

    class Meta:
        verbose_name = _("подтверждение участия")
        verbose_name_plural = _("подтверждения участия")
        ordering = ["lesson", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "pupil"], name="upm_confirmation_once_per_lesson",
                                    violation_error_message=_("Участие этого ребёнка в уроке уже подтверждено.")),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} — {self.lesson}"


class ProfessionalTrial(models.Model):
    """A professional trial (профпроба) a pupil has taken in the project: a confirmation counts only for a
    pupil who has none (UPM-5). A taken lesson records one (UPM-7); an earlier one is entered with its source."""

    pupil = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upm_trial",
                                 verbose_name=_("школьник"))
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, null=True, blank=True, related_name="trials",
                               verbose_name=_("урок"))
    taken_on = models.DateField(_("дата"))
    source = models.CharField(_("откуда известно"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("записал"))
    recorded_at = models.DateTimeField(_("записано"), auto_now_add=True)

    class Meta:
        verbose_name = _("профессиональная проба")
        verbose_name_plural = _("профессиональные пробы")
        constraints = [
            models.CheckConstraint(condition=Q(lesson__isnull=False) | ~Q(source=""), name="upm_trial_has_source",
                                   violation_error_message=_("Укажите, где и когда ребёнок проходил профпробу.")),
        ]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.taken_on}"
