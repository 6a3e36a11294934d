"""Forms of the venue's pages (OP-4, OP-7)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Accreditation


class AdmitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Категория"), choices=[
        (k.value, k.label) for k in Accreditation.Kind if k in Accreditation.INDIVIDUAL])
    full_name = forms.CharField(label=_("ФИО"), max_length=450)
    organisation = forms.CharField(label=_("Организация"), max_length=300, required=False)
    valid_from = forms.DateField(label=_("Допуск с"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Допуск по"), widget=forms.DateInput(attrs={"type": "date"}))
