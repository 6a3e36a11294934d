"""HTTP API of accounts (mounted under /api/v1/): who am I, and my personal API tokens."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import current_user, get_or_404
from profmaster.api.types import Id
from profmaster.permissions import require

from .domain import create_api_token, revoke_api_token
from .models import ApiToken, Role
from .schemas import MeOut, TokenCreatedOut, TokenIn, TokenOut

router = Router(tags=["Учётная запись"])


@router.get("/me", response={200: MeOut, **READ_ERRORS}, url_name="me", summary="Текущий пользователь")
def me(request: HttpRequest) -> Any:
    """Кто выполняет запрос: ФИО, e-mail и роли с их областью (чемпионат, компетенция, организация)."""
    user = current_user(request)
    roles = [
        {"role": a.role, "role_label": str(Role(a.role).label), "championship_id": a.championship_id,
         "competency_id": a.competency_id, "organisation_id": a.organisation_id}
        for a in user.role_assignments.order_by("championship_id", "role", "competency_id", "pk")
    ]
    return {"id": user.pk, "email": user.email, "last_name": user.last_name, "first_name": user.first_name,
            "patronymic": user.patronymic, "full_name": user.full_name, "roles": roles}


@router.get("/me/tokens", response={200: list[TokenOut], **READ_ERRORS}, url_name="token_list",
            summary="Мои API-токены")
def token_list(request: HttpRequest) -> Any:
    """Ваши токены, новые первыми. Секреты не возвращаются никогда — только начало ключа."""
    return ApiToken.objects.filter(user=current_user(request)).order_by("-created_at", "-pk")


@router.post("/me/tokens", response={201: TokenCreatedOut, **WRITE_ERRORS}, url_name="token_create",
             summary="Создать API-токен")
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """Создаёт токен для интеграции. Секрет (`secret`) возвращается только в этом ответе.

    Передавайте его в заголовке `Authorization: Bearer <secret>`.
    """
    token, secret = create_api_token(current_user(request), name=payload.name)
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "secret": secret})


@router.delete("/me/tokens/{token_id}", response={204: None, **WRITE_ERRORS}, url_name="token_revoke",
               summary="Отозвать API-токен")
def token_revoke(request: HttpRequest, token_id: Id) -> Any:
    """Отзывает ваш токен; запросы с ним сразу перестают проходить. Чужие токены не видны (404)."""
    user = current_user(request)
    token = get_or_404(ApiToken.objects.filter(user=user), token_id, _("Токен не найден."))
    require(user, "accounts.manage_token", token)
    revoke_api_token(token, by=user)
    return Status(204, None)
