"""The regional stage of «Лучший по профессии» (000; REG-1, RM-4, RM-7): nominations with their admission
conditions, the contestant's data, venues' equipment checklists and small groups, and the personal-data
access log. Thin: fields and database constraints; state changes live in :mod:`.domain`.

A nomination stands where 003's age category stands: it owns one ``championships.AgeCategory`` row (one
contestant, no mentor, no relative), so an application of this contest is an ordinary
``registration.Application`` of its employer with one participant, and everything downstream (exams, marks,
results per competency and category, lists) works unchanged.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Education(models.TextChoices):
    """Levels of education, lowest first (a condition «не ниже» compares their order)."""

    BASIC_GENERAL = "basic_general", _("Основное общее")
    SECONDARY_GENERAL = "secondary_general", _("Среднее общее")
    VOCATIONAL_TRAINING = "vocational_training", _("Профессиональное обучение")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("Среднее профессиональное")
    HIGHER = "higher", _("Высшее")


EDUCATION_ORDER = [level.value for level in Education]


class ProfessionNomination(models.Model):
    """A nomination (profession) of the contest with the admission conditions its organiser set (000 §1)."""

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                     related_name="profession_nominations", verbose_name=_("чемпионат"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT,
                                   related_name="profession_nominations", verbose_name=_("компетенция"))
    category = models.OneToOneField("championships.AgeCategory", on_delete=models.PROTECT,
                                    related_name="profession_nomination", verbose_name=_("категория заявок"))
    name = models.CharField(_("номинация"), max_length=200)
    profession = models.CharField(_("профессия (должность)"), max_length=200, blank=True)
    min_age = models.PositiveSmallIntegerField(_("возраст не менее, лет"), default=18)
    max_age = models.PositiveSmallIntegerField(_("возраст не более, лет"), null=True, blank=True)
    min_years_of_service = models.DecimalField(_("стаж по профессии не менее, лет"), max_digits=4, decimal_places=1,
                                               default=Decimal(0))
    min_education = models.CharField(_("образование не ниже"), max_length=24, choices=Education.choices, blank=True)
    conditions_note = models.TextField(_("другие условия допуска"), blank=True,
                                       help_text=_("Что работодатель подтверждает, заявляя участника."))

    class Meta:
        verbose_name = _("номинация конкурса")
        verbose_name_plural = _("номинации конкурса")
        ordering = ["championship", "name"]
        constraints = [
            models.UniqueConstraint(fields=["championship", "name"], name="profession_nomination_name_unique",
                                    violation_error_message=_("Номинация с таким названием уже есть.")),
            models.CheckConstraint(condition=Q(min_age__gte=18), name="profession_nomination_adults",
                                   violation_error_message=_("Участники конкурса — взрослые: возраст не менее 18 лет.")),
            models.CheckConstraint(condition=Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
                                   name="profession_nomination_age_range",
                                   violation_error_message=_("Наибольший возраст не может быть меньше наименьшего.")),
            models.CheckConstraint(condition=Q(min_years_of_service__gte=0, min_years_of_service__lte=60),
                                   name="profession_nomination_service_range",
                                   violation_error_message=_("Стаж — от 0 до 60 лет.")),
        ]

    def __str__(self) -> str:
        return self.name


class ContestantProfile(models.Model):
    """What the contest collects about a contestant besides the registration record (000 §1, REG-5)."""

    member = models.OneToOneField("registration.TeamMember", on_delete=models.CASCADE,
                                  related_name="contestant_profile", verbose_name=_("участник"))
    years_of_service = models.DecimalField(_("стаж по профессии, лет"), max_digits=4, decimal_places=1)
    education = models.CharField(_("образование"), max_length=24, choices=Education.choices)
    conditions_confirmed = models.BooleanField(_("работодатель подтвердил другие условия допуска"), default=False)

    class Meta:
        verbose_name = _("данные участника конкурса")
        verbose_name_plural = _("данные участников конкурса")
        constraints = [
            models.CheckConstraint(condition=Q(years_of_service__gte=0, years_of_service__lte=70),
                                   name="contestant_service_range",
                                   violation_error_message=_("Стаж — от 0 до 70 лет.")),
        ]

    def __str__(self) -> str:
        return str(self.member)

    @property
    def championship(self) -> Any:
        return self.member.application.championship


class PrivateContestStorage(FileSystemStorage):
    """Contestants' scans and venues' equipment photos: under MEDIA_ROOT/private, with no URL; streamed only by
    this app's permission-checked views (X-1)."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name: str | None) -> str:
        raise ValueError("A private file has no public URL; serve it through a permission-checked view.")


def private_contest_storage() -> PrivateContestStorage:
    return PrivateContestStorage()


def _suffix(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"


def scan_upload_to(instance: ContestantDocument, filename: str) -> str:
    return f"contestant-scans/{instance.profile.member.application.championship_id}/{uuid.uuid4().hex}.{_suffix(filename)}"


class ContestantDocument(models.Model):
    """A scan the employer attached for a contestant (e.g. the education diploma), kept until its retention date,
    then erased by the scheduled job; the row stays as the record of the erasure (RM-7, X-1)."""

    class Kind(models.TextChoices):
        EDUCATION = "education", _("Документ об образовании")
        EMPLOYMENT = "employment", _("Справка с места работы (стаж)")
        OTHER = "other", _("Другой документ")

    profile = models.ForeignKey(ContestantProfile, on_delete=models.CASCADE, related_name="documents",
                                verbose_name=_("участник"))
    kind = models.CharField(_("документ"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("скан"), upload_to=scan_upload_to, storage=private_contest_storage, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)
    retain_until = models.DateField(_("хранится до"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(_("удалён"), null=True, blank=True)

    class Meta:
        verbose_name = _("скан документа участника")
        verbose_name_plural = _("сканы документов участников")
        ordering = ["profile", "kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(erased_at__isnull=True) | Q(file=""), name="contestant_scan_erased_empty",
                                   violation_error_message=_("Удалённый скан не хранит файл.")),
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.get_kind_display()}"

    @property
    def championship(self) -> Any:
        return self.profile.member.application.championship

    @property
    def competency_id(self) -> int:
        return self.profile.member.application.competency_id


# --- RM-4: equipment checklists and small groups per venue ----------------------------------------------


class VenueChecklist(models.Model):
    """The competency's infrastructure list as one venue of a stage confirms it, item by item (000 §9)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Заполняется")
        CONFIRMED = "confirmed", _("Площадка готова")

    stage = models.ForeignKey("championships.Stage", on_delete=models.CASCADE, related_name="venue_checklists",
                              verbose_name=_("этап"))
    base_venue = models.ForeignKey("championships.BaseVenue", on_delete=models.CASCADE, related_name="checklists",
                                   verbose_name=_("площадка"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.CASCADE,
                                   related_name="venue_checklists", verbose_name=_("компетенция"))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.OPEN)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("подтвердил"))
    confirmed_at = models.DateTimeField(_("подтверждено"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("чек-лист оснащения площадки")
        verbose_name_plural = _("чек-листы оснащения площадок")
        ordering = ["stage", "competency", "base_venue"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "base_venue", "competency"], name="venue_checklist_unique",
                                    violation_error_message=_("Чек-лист этой площадки по компетенции уже есть.")),
            models.CheckConstraint(
                condition=Q(status="open") | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="venue_checklist_confirmed_by_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.base_venue} — {self.competency}"

    @property
    def championship(self) -> Any:
        return self.stage.championship


def photo_upload_to(instance: VenueChecklistItem, filename: str) -> str:
    return f"venue-checklists/{instance.checklist.competency.championship_id}/{uuid.uuid4().hex}.{_suffix(filename)}"


class VenueChecklistItem(models.Model):
    """One infrastructure item at one venue: how many are required and how many the venue has, with a photo."""

    checklist = models.ForeignKey(VenueChecklist, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("чек-лист"))
    item = models.ForeignKey("championships.InfrastructureItem", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("позиция"))
    required_quantity = models.DecimalField(_("требуется"), max_digits=10, decimal_places=2)
    available_quantity = models.DecimalField(_("есть на площадке"), max_digits=10, decimal_places=2, null=True,
                                             blank=True)
    photo = models.FileField(_("фото"), upload_to=photo_upload_to, storage=private_contest_storage, blank=True)
    photo_content_type = models.CharField(max_length=40, blank=True)
    note = models.CharField(_("примечание"), max_length=500, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("позиция чек-листа")
        verbose_name_plural = _("позиции чек-листа")
        ordering = ["checklist", "item__name"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="venue_checklist_item_unique"),
            models.CheckConstraint(condition=Q(available_quantity__isnull=True) | Q(available_quantity__gte=0),
                                   name="venue_checklist_item_quantity_nonnegative",
                                   violation_error_message=_("Количество не может быть отрицательным.")),
        ]

    def __str__(self) -> str:
        return str(self.item)

    @property
    def championship(self) -> Any:
        return self.checklist.stage.championship

    @property
    def competency_id(self) -> int:
        return self.checklist.competency_id

    @property
    def missing(self) -> list[str]:
        """What still keeps this item from being ready (empty: ready)."""
        from django.utils.translation import gettext

        problems = []
        if self.available_quantity is None:
            problems.append(gettext("количество не указано"))
        elif self.available_quantity < self.required_quantity:
            problems.append(gettext("есть %(have)s из %(need)s") % {
                "have": _num(self.available_quantity), "need": _num(self.required_quantity)})
        if self.item.photo_required and not self.photo:
            problems.append(gettext("нет фотографии"))
        return problems


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


class VenueGroup(models.Model):
    """A small group of contestants doing the practical task at one venue at its own time (000 §9)."""

    checklist = models.ForeignKey(VenueChecklist, on_delete=models.CASCADE, related_name="groups",
                                  verbose_name=_("площадка"))
    name = models.CharField(_("группа"), max_length=100)
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    capacity = models.PositiveSmallIntegerField(_("мест"), default=5)

    class Meta:
        verbose_name = _("малая группа площадки")
        verbose_name_plural = _("малые группы площадок")
        ordering = ["checklist", "starts_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "name"], name="venue_group_name_unique",
                                    violation_error_message=_("Группа с таким названием на площадке уже есть.")),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="venue_group_times_ordered",
                                   violation_error_message=_("Окончание должно быть позже начала.")),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venue_group_capacity_positive",
                                   violation_error_message=_("В группе хотя бы одно место.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def championship(self) -> Any:
        return self.checklist.stage.championship

    @property
    def competency_id(self) -> int:
        return self.checklist.competency_id


class VenueGroupMember(models.Model):
    """A contestant (their approved application) assigned to a group; one group per contestant and stage."""

    group = models.ForeignKey(VenueGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("группа"))
    stage = models.ForeignKey("championships.Stage", on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey("registration.Application", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("участник"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("участник группы")
        verbose_name_plural = _("участники групп")
        ordering = ["group", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "application"], name="venue_group_one_per_stage",
                                    violation_error_message=_("Участник уже в группе этого этапа.")),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.application_id}"


# --- RM-7: who read a contestant's personal data -------------------------------------------------------


class PersonalDataAccess(models.Model):
    """One access to one contestant's personal data: who, when, what, through which channel. Append-only."""

    class Channel(models.TextChoices):
        PAGE = "page", _("Страница")
        API = "api", _("API")
        EXPORT = "export", _("Выгрузка")
        FILE = "file", _("Файл (скан)")

    championship = models.ForeignKey("championships.Championship", on_delete=models.CASCADE,
                                     related_name="personal_data_accesses", verbose_name=_("чемпионат"))
    member = models.ForeignKey("registration.TeamMember", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("чьи данные"))
    subject_name = models.CharField(_("участник"), max_length=450)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("кто"))
    at = models.DateTimeField(_("когда"), auto_now_add=True)
    what = models.CharField(_("что"), max_length=500)
    channel = models.CharField(_("канал"), max_length=8, choices=Channel.choices, default=Channel.PAGE)

    class Meta:
        verbose_name = _("доступ к персональным данным")
        verbose_name_plural = _("журнал доступа к персональным данным")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["championship", "-at"], name="pd_access_championship_at")]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.user}: {self.subject_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A personal-data access record is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A personal-data access record is never deleted.")
