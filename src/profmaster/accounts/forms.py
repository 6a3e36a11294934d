"""Forms of the accounts pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from profmaster.core.forms import BootstrapFormMixin

from .login import normalise_username
from .models import Gender


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), max_length=254,
                                widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))
    password = forms.CharField(label=_("Пароль"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def clean_username(self) -> str:
        return normalise_username(self.cleaned_data.get("username"))

    error_messages = {
        "invalid_login": _("Неверный e-mail или пароль. После нескольких неудачных попыток вход "
                           "временно блокируется."),
        "inactive": _("Эта учётная запись отключена."),
    }


class ResetForm(BootstrapFormMixin, PasswordResetForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class NewPasswordForm(BootstrapFormMixin, SetPasswordForm):
    pass


class TokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Название токена"), max_length=100,
                           help_text=_("Например, «Выгрузка в 1С». Токен покажем один раз."))


class GenderForm(BootstrapFormMixin, forms.Form):
    """AW-6: asked where the patronymic does not tell how the person's name declines in diplomas."""

    gender = forms.ChoiceField(label=_("Пол"), required=False, choices=[("", _("не указан")), *Gender.choices],
                               help_text=_("Нужен, чтобы верно склонять ФИО в дипломах, если нет отчества."))
