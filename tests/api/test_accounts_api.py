"""X-4 / §0: the current person, their scoped roles and their API tokens; token and session authentication."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from profmaster.accounts.domain import create_api_token, revoke_api_token
from profmaster.accounts.models import ApiToken, Role
from profmaster.audit.models import AuditEntry

from ..factories import UserFactory, give_role
from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_x4_me_returns_person_and_scoped_roles(world, api_as):
    """§0: one person, several roles in different scopes — all listed with their Russian labels."""
    user = world.users["chief_expert"]
    user.last_name, user.first_name, user.patronymic = "Сидорова", "Мария", "Петровна"
    user.save()
    give_role(user, Role.DIRECTORATE, world.b)

    response = api_as(user).get("/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "chief@example.ru",
        "last_name": "Сидорова",
        "first_name": "Мария",
        "patronymic": "Петровна",
        "full_name": "Сидорова Мария Петровна",
        "roles": [
            {"role": "chief_expert", "role_label": "Главный эксперт", "championship_id": world.a.pk,
             "competency_id": world.competency.pk, "organisation_id": None},
            {"role": "directorate", "role_label": "Дирекция", "championship_id": world.b.pk,
             "competency_id": None, "organisation_id": None},
        ],
    }


def test_x4_me_cyrillic_is_not_escaped_in_raw_body(world, api_as):
    response = api_as(world.users["mentor"]).get("/me")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert '"role_label": "Наставник"' in response.content.decode("utf-8")
    assert b"\\u04" not in response.content


def test_x4_me_anonymous_is_401_with_bearer_challenge(anonymous):
    response = anonymous.get("/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Требуется вход: сессия или токен (Authorization: Bearer …)."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_x4_token_create_returns_secret_once_and_list_hides_it(world, api_as):
    user = world.users["expert"]
    api = api_as(user)

    created = api.post("/me/tokens", {"name": "  Интеграция 1С  "})

    assert created.status_code == 201
    body = created.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert body["secret"].startswith("pm_") and body["secret"][:10] == token.prefix
    assert body == {"id": token.pk, "name": "Интеграция 1С", "prefix": token.prefix,
                    "created_at": body["created_at"], "last_used_at": None, "revoked_at": None,
                    "is_active": True, "secret": body["secret"]}
    listed = api.get("/me/tokens").json()
    assert [t["name"] for t in listed] == ["Интеграция 1С", "tests"]
    assert all("secret" not in t for t in listed)
    # The new secret works on its own.
    assert ApiClient(secret=body["secret"]).get("/me").json()["id"] == user.pk


def test_x4_token_create_refuses_blank_name(world, api_as):
    response = api_as(world.users["expert"]).post("/me/tokens", {"name": "   "})
    assert response.status_code == 422
    assert response.json() == {"detail": "Неверные данные: name: не может быть пустым",
                               "errors": [{"field": "name", "message": "не может быть пустым"}]}


def test_x4_token_list_shows_only_own_tokens(world, api_as):
    create_api_token(world.users["mentor"], name="чужой")
    listed = api_as(world.users["expert"]).get("/me/tokens").json()
    assert [t["name"] for t in listed] == ["tests"]


def test_x4_revoked_token_is_refused(world, api_as):
    user = world.users["expert"]
    spare, spare_secret = create_api_token(user, name="на выброс")
    api = api_as(user)

    response = api.delete(f"/me/tokens/{spare.pk}")

    assert response.status_code == 204
    assert response.content == b""
    spare.refresh_from_db()
    assert spare.revoked_at is not None
    assert AuditEntry.objects.filter(object_type="accounts.ApiToken", object_id=str(spare.pk),
                                     action=AuditEntry.Action.UPDATE).count() == 1
    refused = ApiClient(secret=spare_secret).get("/me")
    assert refused.status_code == 401
    # Revoking twice is a readable refusal, not a silent success.
    again = api.delete(f"/me/tokens/{spare.pk}")
    assert again.status_code == 400
    assert again.json() == {"detail": "Токен уже отозван.", "code": "invalid"}


def test_x4_others_tokens_are_404(world, api_as):
    foreign, _ = create_api_token(world.users["mentor"], name="чужой")
    response = api_as(world.users["expert"]).delete(f"/me/tokens/{foreign.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Токен не найден."}
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_x4_token_of_deactivated_user_is_refused(world):
    user = world.users["expert"]
    client = ApiClient(user)
    user.is_active = False
    user.save()
    assert client.get("/me").status_code == 401


def test_x4_malformed_bearer_tokens_are_401(world):
    for secret in ["pm_wrong", "not-a-token", "pm_" + "x" * 500, "pm_\x00abc"]:
        response = ApiClient(secret=secret).get("/me")
        assert response.status_code == 401, secret
    response = Client().get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


def test_x4_session_auth_reads_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["expert"])
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == "expert@example.ru"


def test_x4_session_auth_needs_csrf_for_unsafe_methods(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["expert"])

    refused = client.post("/api/v1/me/tokens", {"name": "из браузера"}, content_type="application/json")

    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Не пройдена проверка CSRF: для запросов с сессией передайте заголовок X-CSRFToken."}
    assert not ApiToken.objects.filter(name="из браузера").exists()

    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    accepted = client.post("/api/v1/me/tokens", {"name": "из браузера"}, content_type="application/json",
                           headers={"X-CSRFToken": secret})
    assert accepted.status_code == 201
    assert accepted.json()["name"] == "из браузера"


def test_x4_bearer_token_needs_no_csrf(world):
    user = world.users["expert"]
    _, secret = create_api_token(user, name="интеграция")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/me/tokens", {"name": "ещё один"}, content_type="application/json",
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201


def test_x4_forged_session_cookie_is_401_not_500(db):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"  # long enough to reach the session table
    assert client.get("/api/v1/me").status_code == 401


def test_x4_token_revoked_via_domain_is_refused_immediately(db):
    user = UserFactory()
    token, secret = create_api_token(user, name="x")
    client = ApiClient(secret=secret)
    assert client.get("/me").status_code == 200
    revoke_api_token(token, by=user)
    assert client.get("/me").status_code == 401


@pytest.mark.parametrize(("content_type", "status", "detail"), [
    ("multipart/form-data", 415, "Тело запроса должно быть JSON (Content-Type: application/json)."),
    ("application/x-www-form-urlencoded", 400, "Тело запроса не разобрано: ожидается JSON в кодировке UTF-8."),
])
def test_x4_session_form_body_is_4xx_not_500(world, content_type, status, detail):
    """A browser form posted to the API: the CSRF check has already parsed it; it is not JSON either way."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["expert"])
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    if content_type == "multipart/form-data":
        response = client.post("/api/v1/me/tokens", {"name": "форма"}, headers={"X-CSRFToken": secret})
    else:
        response = client.post("/api/v1/me/tokens", "name=forma", content_type=content_type,
                               headers={"X-CSRFToken": secret})
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert not ApiToken.objects.filter(name="форма").exists()
