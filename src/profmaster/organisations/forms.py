"""Forms of the organisations pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.championships.forms import time_zone_field
from profmaster.core.forms import BootstrapFormMixin

from .models import ContactPerson, Organisation, Venue


class OrganisationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["kind", "name", "short_name", "inn", "region", "address", "email", "phone"]

    def clean_inn(self) -> str:
        inn = self.cleaned_data.get("inn", "").strip()
        if inn and (not inn.isdigit() or len(inn) not in (10, 12)):
            raise forms.ValidationError(_("ИНН — 10 или 12 цифр."))
        return inn


class VenueForm(BootstrapFormMixin, forms.ModelForm):
    time_zone = time_zone_field(blank_label=_("— пояс чемпионата —"),
                                help_text=_("Пусто — время на площадке в поясе чемпионата."))

    class Meta:
        model = Venue
        fields = ["name", "address", "organisation", "description", "time_zone"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ContactPersonForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["full_name", "position", "phone", "email"]


class OrganisationFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Поиск"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Тип"), required=False, choices=[("", _("Все"))] + Organisation.Kind.choices)
    region = forms.CharField(label=_("Регион"), required=False, max_length=100)
