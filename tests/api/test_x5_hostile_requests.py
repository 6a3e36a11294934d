"""X-5 (issue 13 §6): hostile requests to the API's write routes end in a clean 4xx, never a 500.

Every write route of the published OpenAPI document is tried: a malformed multipart body beside a CSRF
cookie (the session's CSRF check parses the body as a form) and a wrong or revoked Bearer token.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from profmaster.accounts.domain import create_api_token, revoke_api_token

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")


def write_routes() -> list[tuple[str, str, bool]]:
    """(method, concrete path, needs authentication) of every write operation, path ids set to 1."""
    from profmaster.api.api import api

    schema = api.get_openapi_schema()
    routes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in WRITE_METHODS:
                secured = bool(operation.get("security"))
                routes.append((method, re.sub(r"\{[^}]+\}", "1", path), secured))
    return sorted(routes)


ROUTES = write_routes()


def test_x5_every_write_route_is_listed():
    """The lists below are the real API: dozens of write routes, each secured unless it says otherwise."""
    assert len(ROUTES) >= 49
    assert all(path.startswith("/api/v1/") for _m, path, _s in ROUTES)


def _session_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(email="browser@example.ru"))
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    return client, secret


def test_x5_malformed_multipart_with_csrf_cookie_is_400_not_500():
    """X-5: ``multipart/form-data`` without a boundary, with a session and its CSRF cookie and header."""
    client, secret = _session_client()
    wrong = {}
    for method, path, secured in ROUTES:
        response = getattr(client, method)(path, b"--x\r\nnot a part\r\n", content_type="multipart/form-data",
                                           headers={"X-CSRFToken": secret})
        expected = (400, {"detail": "Тело запроса не разобрано: неверный multipart/form-data (нет границы частей)."})
        if not secured:  # the exam autosave reads no session: its JSON body is refused as such
            expected = (400, {"detail": "Тело запроса не разобрано: ожидается JSON в кодировке UTF-8."})
        if response.status_code >= 500 or (method == "post" and (response.status_code, response.json()) != expected):
            wrong[f"{method} {path}"] = (response.status_code, response.content[:200])
    assert wrong == {}


def test_x5_malformed_multipart_with_only_a_csrf_cookie_is_401_not_500():
    """X-5: the same body from someone with a CSRF cookie but no session: not a session request, 401."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = get_random_string(32)
    wrong = {}
    for method, path, secured in ROUTES:
        response = getattr(client, method)(path, b"x", content_type="multipart/form-data")
        if response.status_code >= 500 or (secured and (
                response.status_code, response.get("WWW-Authenticate")) != (401, 'Bearer realm="api"')):
            wrong[f"{method} {path}"] = (response.status_code, response.content[:200])
    assert wrong == {}


def test_x5_wrong_or_revoked_bearer_token_is_401_not_csrf_403():
    """X-5: a token that is wrong or revoked is an authentication failure (401 + WWW-Authenticate)."""
    user = UserFactory(email="integration@example.ru")
    token, revoked = create_api_token(user, name="старый")
    revoke_api_token(token, by=user)
    client = Client(enforce_csrf_checks=True)
    wrong = {}
    for method, path, secured in ROUTES:
        if not secured:
            continue
        for secret in ("pm_wrong", revoked):
            response = getattr(client, method)(path, "{}", content_type="application/json",
                                               headers={"Authorization": f"Bearer {secret}"})
            answer = (response.status_code, response.json(), response.get("WWW-Authenticate"))
            if answer != (401, {"detail": "Токен не действителен: неверный, отозван или истёк."},
                          'Bearer realm="api", error="invalid_token"'):
                wrong[f"{method} {path} {secret[:8]}"] = answer
    assert wrong == {}
