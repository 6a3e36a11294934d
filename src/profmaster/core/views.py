"""Landing pages, the personal cabinet, error pages and the form-page helper every app uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role
from profmaster.championships.models import Championship, Competency
from profmaster.documents.selectors import documents_awaiting_signature
from profmaster.permissions import assignments, has_perm

from .errors import DomainError
from .forms import apply_error


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("cabinet")
    return redirect("accounts:login")


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    """«Личный кабинет»: what this person has to do now, by role."""
    by_championship: dict[int | None, list[tuple[str, int | None]]] = {}
    for role, ch_id, comp_id in assignments(request.user):
        by_championship.setdefault(ch_id, []).append((role, comp_id))
    championships = Championship.objects.in_bulk([k for k in by_championship if k is not None])
    competencies = Competency.objects.in_bulk(
        [comp for roles in by_championship.values() for _, comp in roles if comp is not None])
    role_cards = []
    for ch_id, roles in by_championship.items():
        role_cards.append({
            "championship": championships.get(ch_id) if ch_id else None,
            "roles": [(Role(role).label, competencies.get(comp) if comp else None) for role, comp in roles],
        })
    role_cards.sort(key=lambda card: (card["championship"] is not None, str(card["championship"] or "")))
    return render(request, "core/cabinet.html", {
        "role_cards": role_cards,
        "to_sign": documents_awaiting_signature(request.user),
        "can_add_championship": has_perm(request.user, "championships.add_championship"),
    })


def form_page(
    request: HttpRequest,
    *,
    form: forms.BaseForm,
    on_valid: Callable[[Any], Any],
    success_url: str | Callable[[Any], str],
    title: str,
    breadcrumbs: Sequence[tuple[str, str | None]] = (),
    cancel_url: str | None = None,
    success_message: str | None = None,
    template: str = "core/form.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show a form; on a valid POST call the domain function. Its refusals land on the form.

    ``on_valid(form)`` returns the saved object; nothing already saved is lost on refusal because
    the domain function's transaction rolls back and the person's input is shown again.
    """
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                result = on_valid(form)
        except (DomainError, ValidationError) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, success_message or _("Сохранено."))
            return redirect(success_url(result) if callable(success_url) else success_url)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": title, "breadcrumbs": list(breadcrumbs) + [(title, None)],
               "cancel_url": cancel_url, **(extra or {})}
    return render(request, template, context, status=status)


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):  # integrators get the API's JSON shape, not an HTML page
        return JsonResponse({"detail": str(message)}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Неверный запрос"), _("Запрос не удалось разобрать. Проверьте введённые данные."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Нет доступа"), _("У вас нет прав на эту страницу или действие."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Страница не найдена"), _("Такой страницы нет или она была удалена."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Ошибка сервера"), _("Что-то пошло не так. Мы уже знаем об этом."))
