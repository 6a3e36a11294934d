"""The HTTP API (SPEC X-4): django-ninja at /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Authentication: the browser session (with CSRF) or a personal token ``Authorization: Bearer pm_…``.
Every route checks permissions through :mod:`profmaster.permissions` and changes state only through
domain functions. Errors are JSON ``{"detail": "…"}`` with a message a person can read.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer

from profmaster.accounts.domain import authenticate_token
from profmaster.api.messages import error_field, error_message
from profmaster.core.errors import DomainError
from profmaster.core.middleware import database_unavailable, database_unavailable_response, forget_broken_connections

logger = logging.getLogger("django.request")


def _chosen_zone(value: dt.datetime) -> bool:
    return isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key != "UTC"


class _LocalTimeEncoder(NinjaJSONEncoder):
    """Moments in ISO 8601 with the offset of the current zone (the championship's, X-6): «…T23:59:00+10:00»."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and timezone.is_aware(o) and not _chosen_zone(o):
            # As read from the database; a schema that chose a zone of its own keeps it.
            return super().default(timezone.localtime(o))
        return super().default(o)


class JSONRenderer(BaseRenderer):
    """JSON with Cyrillic as it is (ninja's default escapes it)."""

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        # A lone surrogate can only sit inside a JSON string, where "\\udXXX" is its valid escape.
        return json.dumps(data, cls=_LocalTimeEncoder, ensure_ascii=False).encode("utf-8", "backslashreplace")


MALFORMED_MULTIPART = "Malformed multipart body"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session; unsafe methods also need the CSRF token, as on the pages.

    A request that presents a token (``Authorization``) or no session cookie at all is not a session
    request: it is not CSRF-checked, so a wrong or revoked token is answered 401 with ``WWW-Authenticate``
    (X-5), not 403 «CSRF». The CSRF check reads a POST body as a form; a body that cannot be parsed as
    one (multipart without a boundary) is the client's error, 400.
    """

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if "HTTP_AUTHORIZATION" in request.META or self.param_name not in request.COOKIES:
            return None
        try:
            return super()._get_key(request)
        except MultiPartParserError as exc:
            raise HttpError(400, MALFORMED_MULTIPART) from exc

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key or not key.isascii() or not key.isprintable():
            return None  # a forged cookie never reaches the session table (PostgreSQL refuses NUL)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


DESCRIPTION = """API платформы «Профмастер»: чемпионаты, компетенции, организации, документы и подписи.

**Вход.** Личный токен в заголовке `Authorization: Bearer pm_…` (создаётся в `POST /api/v1/me/tokens`,
секрет показывается один раз) или сессия браузера; с сессией небезопасные методы требуют заголовок
`X-CSRFToken`.

**Права.** Каждый запрос проверяется по ролям пользователя в чемпионате. Объект чемпионата, в котором
у вас нет роли, отвечает `404`; объект, который вы видите, но не можете менять, — `403`.

**Ошибки.** Всегда JSON `{"detail": "…"}` с понятным сообщением; при неверных данных (`422`) — ещё
`errors: [{field, message}]`, при отказе правил предметной области (`400`, `409`) — `code` и `field`.

**Данные.** Идентификаторы — целые числа; даты — `ГГГГ-ММ-ДД`, время — ISO 8601: без смещения время
читается в часовом поясе чемпионата (поле `time_zone`, пояс IANA, например `Asia/Vladivostok`), ответы
всегда со смещением этого пояса. `PUT` заменяет все поля объекта. Длинные списки постраничные: `?limit=&offset=`,
ответ `{"count", "items"}`.
"""


class ProfmasterAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI operation ids are the routes' url names (``championship_list``), so
    generated clients get short, stable method names."""

    def get_openapi_operation_id(self, operation: Any) -> str:
        url_name = getattr(operation, "url_name", None)
        return url_name or super().get_openapi_operation_id(operation)


def _unescaped_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve /openapi.json with Cyrillic as it is, like every other answer (ninja escapes it there)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.get("Content-Type", "").startswith("application/json"):
            response.content = json.dumps(json.loads(response.content), ensure_ascii=False).encode()
        return response

    return wrapper


api = ProfmasterAPI(
    title="Profmaster API",
    version="1",
    description=DESCRIPTION,
    auth=[TokenAuth(), SessionAuth()],
    renderer=JSONRenderer(),
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=_unescaped_json,
)


def _error(request: HttpRequest, message: str, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": message, **extra}, status=status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [{"field": error_field(error), "message": error_message(error)} for error in exc.errors]
    summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return _error(request, _("Неверные данные: %(errors)s") % {"errors": summary}, 422, errors=errors)


@api.exception_handler(ValidationError)
def on_model_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [{"field": "" if f == NON_FIELD_ERRORS else f, "message": str(m)}
                  for f, msgs in exc.message_dict.items() for m in msgs]
    else:
        errors = [{"field": "", "message": str(m)} for m in exc.messages]
    summary = " ".join(_sentence(e["message"]) for e in errors)
    return _error(request, summary or _("Неверные данные."), 422, errors=errors)


def _sentence(message: str) -> str:
    return message if message.endswith((".", "!", "?", "…")) else message + "."


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra = {"field": exc.field} if exc.field else {}
    return _error(request, exc.message, exc.status_code, code=exc.code, **extra)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, _("Недостаточно прав для этого действия."), 403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer ":  # RFC 6750 §3.1: a bad token
        response = _error(request, _("Токен не действителен: неверный, отозван или истёк."), 401)
        response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
        return response
    response = _error(request, _("Требуется вход: сессия или токен (Authorization: Bearer …)."), 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, _("Не найдено."), 404)


#: ninja's own English refusals, as people should read them.
_NINJA_MESSAGES = {
    "Cannot parse request body": _lazy("Тело запроса не разобрано: ожидается JSON в кодировке UTF-8."),
    MALFORMED_MULTIPART: _lazy("Тело запроса не разобрано: неверный multipart/form-data (нет границы частей)."),
    "CSRF check Failed": _lazy("Не пройдена проверка CSRF: для запросов с сессией передайте заголовок X-CSRFToken."),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc.message)
    for prefix, translated in _NINJA_MESSAGES.items():
        if message.startswith(prefix):
            message = str(translated)
            break
    return _error(request, message, exc.status_code)


@api.exception_handler(MultiPartParserError)
def on_malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return _error(request, str(_NINJA_MESSAGES[MALFORMED_MULTIPART]), 400)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, _("Слишком большой запрос."), 413)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return _error(request, _("Запрос отклонён."), 400)


@api.exception_handler(RawPostDataException)
def on_form_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form or multipart body was already parsed (by the CSRF check of a session request).
    return _error(request, _("Тело запроса должно быть JSON (Content-Type: application/json)."), 415)


@api.exception_handler(DatabaseError)
def on_database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """X-5: a dropped or unreachable database is 503 with Retry-After (the client retries); other
    database errors are bugs (500)."""
    if not database_unavailable(exc):
        return on_unexpected(request, exc)
    logger.warning("Database unavailable: %s (%s: %s)", request.path, type(exc).__name__, exc)
    forget_broken_connections()
    return database_unavailable_response(request)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: logged and signalled like any Django 500 (error reporting, tests), answered in JSON."""
    got_request_exception.send(sender=None, request=request)
    logger.error("Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500,
                                                                                  "request": request})
    response = _error(request, _("Внутренняя ошибка сервера. Мы уже знаем о ней; повторите запрос позже."), 500)
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's log_response: once is enough
    return response


def _register_routers() -> None:
    from profmaster.api import routes

    routes.register(api)


_register_routers()
