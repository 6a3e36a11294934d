"""Forms of the support desk (RM-6): thin — the rules are in :mod:`.domain`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from profmaster.championships.models import Championship
from profmaster.core.forms import BootstrapFormMixin

from . import domain


class _RequestFields(BootstrapFormMixin, forms.Form):
    championship: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Мероприятие"), queryset=Championship.objects.none(),
        empty_label=_("— выберите —"), error_messages={"invalid_choice": _("Выберите мероприятие из списка.")})
    subject = forms.CharField(label=_("Тема"), required=False, max_length=domain.SUBJECT_MAX,
                              help_text=_("Коротко: «Не открывается экзамен», «Не приходит письмо»…"))
    text = forms.CharField(label=_("Что случилось"), max_length=domain.TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Что вы делали, что ожидали увидеть и что увидели (текст ошибки)."))
    page = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, championships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["championship"].queryset = championships  # type: ignore[attr-defined]


class RequestForm(_RequestFields):
    """A signed-in person's request: the page and the event come from the link they followed."""


class PublicRequestForm(_RequestFields):
    """The public form for a contestant who cannot sign in; ``website`` is a honeypot people never see."""

    name = forms.CharField(label=_("Фамилия, имя, отчество"), max_length=domain.NAME_MAX)
    email = forms.EmailField(label=_("E-mail для ответа"), max_length=254,
                             error_messages={"invalid": _("Укажите e-mail в виде name@example.ru.")})
    website = forms.CharField(required=False, max_length=200, label=_("Не заполняйте это поле"))

    field_order = ["name", "email", "championship", "subject", "text", "page", "website"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})


class MessageForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Сообщение"), max_length=domain.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class DutyForm(BootstrapFormMixin, forms.Form):
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Дежурный"), queryset=get_user_model().objects.none(), empty_label=_("— выберите —"),
        error_messages={"invalid_choice": _("Выберите человека из списка.")})
    note = forms.CharField(label=_("Что ведёт"), required=False, max_length=domain.NOTE_MAX)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["user"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"  # type: ignore[attr-defined]


class FaqForm(BootstrapFormMixin, forms.Form):
    question = forms.CharField(label=_("Вопрос"), max_length=300)
    answer = forms.CharField(label=_("Ответ"), max_length=domain.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    order = forms.IntegerField(label=_("Порядок"), required=False, min_value=0, max_value=32767, initial=0)
