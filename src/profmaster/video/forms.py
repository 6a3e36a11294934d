"""Forms of the video pages: plain forms whose cleaned data go to :mod:`.domain` (which validates again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.accounts.models import User
from profmaster.championships.models import Competency
from profmaster.core.forms import DATE_WIDGET, DATETIME_WIDGET, BootstrapFormMixin

from .domain import Group
from .models import Invitation, ProviderKind, VideoProvider, VideoSession


class SessionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), choices=VideoSession.Kind.choices)
    competency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Компетенция"), queryset=Competency.objects.none(), required=False,
                                        help_text=_("Для инструктажа, видеосвязи с экспертами, оценки и заседания "
                                                    "экспертной группы — обязательно."))
    title = forms.CharField(label=_("Название"), max_length=300)
    starts_at = forms.DateTimeField(label=_("Начало"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Окончание"), widget=DATETIME_WIDGET)
    provider_kind = forms.ChoiceField(label=_("Видеосервис"), choices=ProviderKind.choices, initial=ProviderKind.BBB)
    provider: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Сервер"), queryset=VideoProvider.objects.none(), required=False,
                                      help_text=_("Не выбран — сервер платформы из настроек."))
    link_url = forms.URLField(label=_("Ссылка на видеовстречу (для другого сервиса)"), required=False,
                              max_length=1000, assume_scheme="https")
    record = forms.BooleanField(label=_("Вести видеозапись"), required=False,
                                help_text=_("Видеосвязь участника с экспертами записывается всегда."))
    description = forms.CharField(label=_("Описание"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, championship: Any, competencies: Any, zone_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = competencies  # type: ignore[attr-defined]
        self.fields["provider"].queryset = championship.video_providers.all()  # type: ignore[attr-defined]
        if zone_label:
            for name in ("starts_at", "ends_at"):
                self.fields[name].help_text = _("Время чемпионата: %(zone)s") % {"zone": zone_label}


class InviteForm(BootstrapFormMixin, forms.Form):
    users = forms.ModelMultipleChoiceField(label=_("Кого пригласить"), queryset=User.objects.none(), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 8}))
    group = forms.ChoiceField(label=_("Или всю группу"), required=False,
                              choices=[("", "—"), *[(k, _(v)) for k, v in Group.CHOICES]])
    role = forms.ChoiceField(label=_("Роль"), choices=Invitation.Role.choices, initial=Invitation.Role.PARTICIPANT)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = people  # type: ignore[attr-defined]


class RetentionForm(BootstrapFormMixin, forms.Form):
    until = forms.DateField(label=_("Хранить до"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Основание"), max_length=2000)
