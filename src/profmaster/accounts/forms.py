"""Forms of the accounts pages."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from profmaster.core.errors import DomainError
from profmaster.core.forms import BootstrapFormMixin
from profmaster.notifications.domain import queue_email

from .login import normalise_username
from .models import Gender, Language


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


logger = logging.getLogger(__name__)


class ResetForm(BootstrapFormMixin, PasswordResetForm):
    email = forms.EmailField(label=_("E-mail"), max_length=254)

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        """X-6: through the e-mail queue (recorded, retried, sent after the response), not SMTP inside the
        request — an unreachable mail server no longer turns the reset page into a 500. The link comes from
        profmaster.core.links (SITE_URL), not from the request's Host header."""
        path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        try:
            queue_email("password_reset", {"email": to_email, "path": path}, to=context["user"])
        except DomainError:  # a stored address that is not one: the page reveals nothing either way
            logger.warning("Password reset not e-mailed: unusable address of user %s", context["user"].pk)


class NewPasswordForm(BootstrapFormMixin, SetPasswordForm):
    pass


class TokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Название токена"), max_length=100,
                           help_text=_("Например, «Выгрузка в 1С». Токен покажем один раз."))


class GenderForm(BootstrapFormMixin, forms.Form):
    """AW-6: asked where the patronymic does not tell how the person's name declines in diplomas."""

    gender = forms.ChoiceField(label=_("Пол"), required=False, choices=[("", _("не указан")), *Gender.choices],
                               help_text=_("Нужен, чтобы верно склонять ФИО в дипломах, если нет отчества."))


class LanguageForm(BootstrapFormMixin, forms.Form):
    """X-6: the language of the e-mails the platform sends this person."""

    language = forms.ChoiceField(label=_("Язык писем"), choices=Language.choices,
                                 help_text=_("На этом языке платформа пишет вам письма."))
