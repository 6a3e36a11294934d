"""Forms of the «Лучший по профессии» pages; the domain decides, forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.core.forms import DATE_WIDGET, DATETIME_WIDGET, BootstrapFormMixin

from .models import ContestantDocument, Education, ProfessionNomination


class NominationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ProfessionNomination
        fields = ["name", "competency", "profession", "min_age", "max_age", "min_years_of_service", "min_education",
                  "conditions_note"]
        widgets = {"conditions_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, championship: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.championship = championship
        self.fields["competency"].queryset = championship.competencies.order_by("name")


class ContestantForm(BootstrapFormMixin, forms.Form):
    nomination = forms.ModelChoiceField(label=_("Номинация"), queryset=ProfessionNomination.objects.none())
    organisation = forms.ModelChoiceField(label=_("Работодатель"), queryset=None)  # type: ignore[arg-type]
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    patronymic = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    birth_date = forms.DateField(label=_("Дата рождения"), widget=DATE_WIDGET)
    position = forms.CharField(label=_("Должность"), max_length=200)
    years_of_service = forms.DecimalField(label=_("Стаж по профессии, лет"), min_value=0, max_value=70,
                                          decimal_places=1, max_digits=4)
    education = forms.ChoiceField(label=_("Образование"), choices=Education.choices)
    email = forms.EmailField(label=_("E-mail участника"), help_text=_("Участник входит в личный кабинет по нему."))
    phone = forms.CharField(label=_("Телефон"), max_length=32, required=False)
    conditions_confirmed = forms.BooleanField(label=_("Работодатель подтверждает другие условия допуска номинации"),
                                              required=False)
    consent_given = forms.BooleanField(label=_("Участник дал согласие на участие и обработку персональных данных"),
                                       required=False)

    def __init__(self, *args: Any, nominations: Any, employers: list[Any], editing: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from profmaster.organisations.models import Organisation

        self.fields["nomination"].queryset = nominations
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in employers])
        if len(employers) == 1:
            self.fields["organisation"].initial = employers[0].pk
        if editing:
            for name in ("nomination", "organisation", "consent_given"):
                del self.fields[name]


class DocumentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Документ"), choices=ContestantDocument.Kind.choices)
    file = forms.FileField(label=_("Скан (PDF, PNG или JPEG до 5 МБ)"))


class ChecklistItemForm(BootstrapFormMixin, forms.Form):
    available_quantity = forms.CharField(label=_("Есть на площадке"), max_length=20)
    photo = forms.FileField(label=_("Фото (JPEG или PNG до 10 МБ)"), required=False)
    note = forms.CharField(label=_("Примечание"), max_length=500, required=False)


class GroupForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Группа"), max_length=100)
    starts_at = forms.DateTimeField(label=_("Начало"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Окончание"), widget=DATETIME_WIDGET)
    capacity = forms.IntegerField(label=_("Мест"), min_value=1, max_value=500, initial=5)
