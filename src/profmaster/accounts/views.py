"""Login, password reset and the person's own settings (roles and API tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.core.errors import DomainError
from profmaster.permissions import require
from profmaster.results.declension import gender_from_patronymic

from . import domain
from .forms import GenderForm, LanguageForm, LoginForm, NewPasswordForm, ResetForm, TokenForm
from .models import ApiToken, Role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ResetForm
    # the e-mail is notifications/password_reset.* sent through the queue (ResetForm.send_mail)
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The person's data, roles and API tokens; a new token's secret is shown exactly once."""
    if request.method == "POST" and request.POST.get("form") == "gender":
        gender_form = GenderForm(request.POST)
        if gender_form.is_valid():
            try:
                domain.set_gender(request.user, gender_form.cleaned_data["gender"], by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Сохранено."))
            return redirect("accounts:profile")
    if request.method == "POST" and request.POST.get("form") == "language":
        language_form = LanguageForm(request.POST)
        if language_form.is_valid():
            try:
                domain.set_language(request.user, language_form.cleaned_data["language"], by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Сохранено."))
            return redirect("accounts:profile")
        messages.error(request, _("Выберите язык писем из списка."))
        return redirect("accounts:profile")
    gender_form = GenderForm(initial={"gender": request.user.gender})
    language_form = LanguageForm(initial={"language": request.user.language})
    form = TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = domain.create_api_token(request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, _("Токен создан. Скопируйте его сейчас: позже его нельзя будет увидеть."))
            form = TokenForm()
    roles = [(Role(a.role).label, a.championship, a.competency)
             for a in request.user.role_assignments.select_related("championship", "competency")]
    return render(request, "accounts/profile.html", {
        "form": form, "new_secret": new_secret, "roles": roles, "gender_form": gender_form,
        "language_form": language_form,
        "gender_from_patronymic": bool(gender_from_patronymic(request.user.patronymic)),
        "tokens": request.user.api_tokens.all(),
    }, status=400 if request.method == "POST" and form.errors else 200)


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    require(request.user, "accounts.manage_token", token)
    try:
        domain.revoke_api_token(token, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Токен «%(name)s» отозван.") % {"name": token.name})
    return redirect("accounts:profile")
