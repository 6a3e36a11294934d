"""Forms of the marking scheme editor."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.core.forms import BootstrapFormMixin
from profmaster.core.numbers import format_number

from .models import Aspect, Criterion, MarkingScheme, SubCriterion

MAX_IMPORT_SIZE = 5 * 1024 * 1024


class SchemeForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = MarkingScheme
        fields = ["title", "stage", "age_category"]

    def __init__(self, *args: Any, competency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.competency = competency
        self.fields["stage"].queryset = competency.championship.stages.all()  # type: ignore[attr-defined]
        self.fields["age_category"].queryset = competency.age_categories.all()  # type: ignore[attr-defined]


class CriterionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["code", "title", "order", "skill_sections"]
        widgets = {"skill_sections": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["skill_sections"]
        field.queryset = self.instance.scheme.competency.skill_sections.all()  # type: ignore[attr-defined]
        field.widget.attrs.pop("class", None)


class SubCriterionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SubCriterion
        fields = ["code", "title", "order"]


class AspectForm(BootstrapFormMixin, forms.ModelForm):
    mark_0 = forms.CharField(label=_("Оценка 0 означает"), required=False, max_length=500)
    mark_1 = forms.CharField(label=_("Оценка 1 означает"), required=False, max_length=500)
    mark_2 = forms.CharField(label=_("Оценка 2 означает"), required=False, max_length=500)
    mark_3 = forms.CharField(label=_("Оценка 3 означает"), required=False, max_length=500)
    levels_text = forms.CharField(
        label=_("Уровни шкалы"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Для шкалы уровней: по строке на уровень, «название = баллы», например «полностью = 1,5»."))

    class Meta:
        model = Aspect
        fields = ["code", "kind", "description", "max_points", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        descriptors = list(self.instance.descriptors or []) + [""] * 4
        for mark in range(4):
            self.fields[f"mark_{mark}"].initial = descriptors[mark]
        self.fields["levels_text"].initial = "\n".join(f"{label} = {format_number(points)}"
                                                       for label, points in self.instance.levels or [])

    def clean_levels_text(self) -> list[list[str]]:
        levels = []
        for number, line in enumerate(self.cleaned_data["levels_text"].splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, points = line.rpartition("=")
            try:
                value = Decimal(points.strip().replace(",", "."))
            except InvalidOperation:
                value = None
            if not sep or not label.strip() or value is None or not value.is_finite():
                raise forms.ValidationError(_("Строка %(n)s: запишите уровень как «название = баллы».") % {"n": number})
            levels.append([label.strip(), str(value)])
        return levels

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        descriptors = [data.get(f"mark_{m}", "") for m in range(4)]
        if kind == Aspect.Kind.JUDGEMENT and not all(descriptors):
            raise forms.ValidationError(_("Для судейского аспекта опишите, что означает каждая оценка 0, 1, 2 и 3."))
        if kind == Aspect.Kind.DISCRETE and len(data.get("levels_text") or []) < 2:
            self.add_error("levels_text", _("Для шкалы задайте не меньше двух уровней."))
        max_points = data.get("max_points")
        for label, points in data.get("levels_text") or []:
            if max_points is not None and (Decimal(points) < 0 or Decimal(points) > max_points):
                self.add_error("levels_text", _("Уровень «%(label)s»: баллы от 0 до %(max)s.")
                               % {"label": label, "max": format_number(max_points)})
        self.instance.descriptors = descriptors if kind == Aspect.Kind.JUDGEMENT else []
        self.instance.levels = (data.get("levels_text") or []) if kind == Aspect.Kind.DISCRETE else []
        return data


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Файл xlsx"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Нужен файл .xlsx (Excel)."))
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(_("Файл больше 5 МБ — это не схема оценки."))
        return upload
