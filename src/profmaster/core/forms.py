"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .errors import DomainError
from .numbers import normalise_decimal_input


def localize_number_field(field: forms.Field) -> None:
    """A decimal field shown in the locale's format («3,5» in Russian) and accepting «3,5» and «3.5» in any
    language (issue 13 §3). A text input: the browser's number input refuses a comma in some locales."""
    attrs = {k: v for k, v in field.widget.attrs.items() if k not in ("step", "min", "max")}
    attrs["inputmode"] = "decimal"
    field.localize = True
    field.widget = forms.TextInput(attrs=attrs)
    field.widget.is_localized = True
    to_python = field.to_python
    field.to_python = lambda value: to_python(normalise_decimal_input(value))  # type: ignore[method-assign]


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes so templates stay simple; decimal fields read and show the
    locale's decimal comma."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.DecimalField | forms.FloatField):
                localize_number_field(field)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Причина"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


def apply_error(form: forms.BaseForm, exc: ValidationError | DomainError) -> None:
    """Attach a domain refusal or a model validation error to the form, at the field it names."""
    if isinstance(exc, DomainError):
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target if target != NON_FIELD_ERRORS else None, error)
    else:
        form.add_error(None, exc)


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
