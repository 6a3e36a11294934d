"""Educational organisations, employers and venues, with their contact people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from profmaster.championships.timezones import validate_time_zone

MOSCOW = "Москва"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", _("Школа")
        COLLEGE = "college", _("Колледж")
        SUPPLEMENTARY = "supplementary", _("Организация дополнительного образования")
        UNIVERSITY = "university", _("Вуз")
        EMPLOYER = "employer", _("Работодатель")
        OTHER = "other", _("Другая")

    kind = models.CharField(_("тип"), max_length=20, choices=Kind.choices, default=Kind.SCHOOL)
    name = models.CharField(_("полное наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=200, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    region = models.CharField(_("регион"), max_length=100, default=MOSCOW)
    address = models.CharField(_("адрес"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "region"], name="organisation_name_region_unique",
                                    violation_error_message=_("Организация с таким наименованием в этом регионе уже есть.")),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_moscow(self) -> bool:
        """Whether the organisation is in Moscow (REG-3 admits pupils of Moscow schools)."""
        return self.region.strip().casefold() in {MOSCOW.casefold(), "г. москва", "город москва"}

    @property
    def is_educational(self) -> bool:
        return self.kind not in {self.Kind.EMPLOYER, self.Kind.OTHER}


class Venue(models.Model):
    """A physical place where competitions or lessons happen (a championship uses it as a base venue)."""

    name = models.CharField(_("название"), max_length=300)
    address = models.CharField(_("адрес"), max_length=500)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="venues",
        verbose_name=_("организация"),
    )
    description = models.TextField(_("описание"), blank=True)
    time_zone = models.CharField(
        _("часовой пояс"), max_length=64, blank=True, validators=[validate_time_zone],
        help_text=_("Пусто — пояс чемпионата, который проводится на площадке."))

    class Meta:
        verbose_name = _("площадка")
        verbose_name_plural = _("площадки")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "address"], name="venue_name_address_unique",
                                    violation_error_message=_("Такая площадка уже есть.")),
        ]

    def __str__(self) -> str:
        return self.name


class ContactPerson(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contacts",
                                     verbose_name=_("организация"))
    full_name = models.CharField(_("ФИО"), max_length=300)
    position = models.CharField(_("должность"), max_length=200, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="contact_roles", verbose_name=_("учётная запись"))

    class Meta:
        verbose_name = _("контактное лицо")
        verbose_name_plural = _("контактные лица")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name
