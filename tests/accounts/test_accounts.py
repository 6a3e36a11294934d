"""Accounts: login by e-mail, lockout, password reset, scoped roles and API tokens (SPEC §0)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from profmaster import settings as production_settings
from profmaster.accounts import domain
from profmaster.accounts.models import ApiToken, Role, RoleAssignment
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError
from profmaster.notifications.models import OutboundEmail
from profmaster.permissions import has_perm

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_production():
    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_login_by_email_is_case_insensitive(client):
    UserFactory(email="mentor@school.ru")
    response = client.post("/accounts/login/", {"username": "MENTOR@School.ru", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/cabinet/"


def test_wrong_password_shows_russian_message(client):
    UserFactory(email="mentor@school.ru")
    response = client.post("/accounts/login/", {"username": "mentor@school.ru", "password": "не тот"})
    assert response.status_code == 200
    assert "Неверный e-mail или пароль" in response.content.decode()


def test_lockout_after_repeated_failed_logins(client, settings):
    UserFactory(email="mentor@school.ru")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "mentor@school.ru", "password": "не тот"})
    response = client.post("/accounts/login/", {"username": "mentor@school.ru", "password": PASSWORD})
    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()


def test_password_reset_by_email_sets_a_new_password(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="expert@school.ru")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "expert@school.ru"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Профмастер: смена пароля"
    assert OutboundEmail.objects.get().recipient == user  # recorded like every e-mail
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "Новый-пароль-2024", "new_password2": "Новый-пароль-2024"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Новый-пароль-2024")


def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@school.ru"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_x6_password_reset_with_the_mail_server_down_is_no_500_and_sent_later(client, settings,
                                                                           django_capture_on_commit_callbacks):
    """X-5/X-6: SMTP used to run inside the request; now the e-mail waits in the queue for the retry."""
    from profmaster.notifications.domain import send_due

    from ..notifications.backends import CountingBackend

    CountingBackend.reset()
    settings.EMAIL_BACKEND = "tests.notifications.backends.CountingBackend"
    CountingBackend.unreachable = True
    UserFactory(email="expert@school.ru")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "expert@school.ru"})
    assert response.status_code == 302
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts, email.template) == ("failed", 1, "password_reset")
    CountingBackend.unreachable = False
    OutboundEmail.objects.update(next_attempt_at=email.created_at)
    assert send_due().sent == 1
    assert "/accounts/reset/" in CountingBackend.sent[0].body
    CountingBackend.reset()


def test_full_name_has_patronymic():
    user = UserFactory(last_name="Иванова", first_name="Мария", patronymic="Петровна")
    assert user.full_name == "Иванова Мария Петровна"
    assert user.short_name == "Иванова М.П."


def test_roles_are_scoped_to_a_championship():
    """SPEC §0: a role outside a championship is only the platform-wide Directorate."""
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.EXPERT, championship=None)
    RoleAssignment.objects.create(user=user, role=Role.DIRECTORATE, championship=None)


def test_one_chief_expert_per_competency():
    competency = CompetencyFactory()
    director = UserFactory()
    domain.assign_role(user=UserFactory(), role=Role.CHIEF_EXPERT, championship=competency.championship,
                       competency=competency, by=director)
    with pytest.raises(Exception, match="главный эксперт"):
        domain.assign_role(user=UserFactory(), role=Role.CHIEF_EXPERT, championship=competency.championship,
                           competency=competency, by=director)


def test_panel_roles_need_a_competency_of_the_same_championship():
    competency = CompetencyFactory()
    other = ChampionshipFactory()
    with pytest.raises(DomainError, match="укажите компетенцию"):
        domain.assign_role(user=UserFactory(), role=Role.EXPERT, championship=competency.championship, by=None)
    with pytest.raises(DomainError, match="другому чемпионату"):
        domain.assign_role(user=UserFactory(), role=Role.EXPERT, championship=other, competency=competency, by=None)


def test_role_in_one_championship_grants_nothing_in_another():
    mine, theirs = ChampionshipFactory(), ChampionshipFactory()
    user = UserFactory()
    give_role(user, Role.DIRECTORATE, mine)
    assert has_perm(user, "championships.manage_championship", mine)
    assert not has_perm(user, "championships.manage_championship", theirs)
    assert not has_perm(user, "championships.add_championship")


def test_expert_permissions_are_limited_to_their_competency():
    championship = ChampionshipFactory()
    c1, c2 = CompetencyFactory(championship=championship), CompetencyFactory(championship=championship)
    user = UserFactory()
    give_role(user, Role.CHIEF_EXPERT, championship, c1)
    assert has_perm(user, "documents.add_document", c1)
    assert not has_perm(user, "documents.add_document", c2)


def test_unknown_permission_and_inactive_user_are_denied():
    championship = ChampionshipFactory()
    user = UserFactory()
    give_role(user, Role.DIRECTORATE, None)
    assert not has_perm(user, "championships.launch_rockets", championship)
    user.is_active = False
    assert not has_perm(user, "championships.manage_championship", championship)


def test_role_assignment_is_audited():
    competency = CompetencyFactory()
    director = UserFactory()
    assignment = domain.assign_role(user=UserFactory(), role=Role.EXPERT, championship=competency.championship,
                                    competency=competency, by=director)
    entry = AuditEntry.objects.get(object_type="accounts.RoleAssignment", object_id=str(assignment.pk))
    assert (entry.action, entry.actor, entry.championship) == ("create", director, competency.championship)
    assert entry.after["role"] == "expert"


def test_api_token_secret_is_shown_once_and_stored_hashed():
    user = UserFactory()
    token, secret = domain.create_api_token(user, name="Интеграция")
    assert secret.startswith("pm_")
    assert secret not in token.key_hash
    assert domain.authenticate_token(secret) == user
    domain.revoke_api_token(token, by=user)
    assert domain.authenticate_token(secret) is None
    with pytest.raises(DomainError, match="уже отозван"):
        domain.revoke_api_token(token, by=user)


def test_token_page_creates_and_revokes(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/accounts/profile/", {"name": "Выгрузка в 1С"})
    secret = re.search(r'id="new-token">(pm_[^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert domain.authenticate_token(secret) == user
    client.post(f"/accounts/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_page_refuses_empty_and_foreign_tokens(client):
    user, stranger = UserFactory(), UserFactory()
    foreign, _ = domain.create_api_token(stranger, name="чужой")
    client.force_login(user)
    response = client.post("/accounts/profile/", {"name": ""})
    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode()
    assert client.post(f"/accounts/profile/tokens/{foreign.pk}/revoke/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_x1_chief_expert_does_not_reach_championship_wide_documents():
    """A chief expert reads their competency's documents, not championship-wide ones (e.g. registration)."""
    from profmaster.documents.domain import create_generated_document

    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship)
    chief, director = UserFactory(), UserFactory()
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    give_role(director, Role.DIRECTORATE, championship)
    own = create_generated_document(championship=championship, competency=competency, doc_type="judging_roles",
                                    title="Роли", data={"text": "…"}, signers=[(director, "Дирекция")], by=director,
                                    generator="marking.judging_roles")
    wide = create_generated_document(championship=championship, doc_type="registration", title="Регистрация",
                                     data={"text": "…"}, signers=[(director, "Дирекция")], by=director,
                                     generator="registration.protocol")
    assert has_perm(chief, "documents.view_document", own)
    assert not has_perm(chief, "documents.view_document", wide)
    assert not has_perm(chief, "documents.change_document", wide)


def test_x3_russian_by_default_even_for_english_browsers(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "ru"
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.get("/accounts/login/").headers["Content-Language"] == "en"


def test_forged_session_cookie_is_no_session_not_a_500(client):
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/cabinet/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("variants", [
    ["MENTOR@school.ru", "Mentor@School.RU", " mentor@school.ru", "mentor@school.ru  ", "MENTOR@SCHOOL.RU "],
    ["mentor@school.ru", "mentor@ｓchool.ru", "\tMentor@school.ru", "mentor@SCHOOL.ru", "mentor@school.RU"],
])
def test_x5_lockout_counts_case_and_space_variants_as_one_name(client, settings, variants):
    """X-5 (issue 13 §6): changing the e-mail's case or adding spaces does not buy more guesses."""
    UserFactory(email="mentor@school.ru")
    assert len(variants) == settings.AXES_FAILURE_LIMIT
    for variant in variants:
        client.post("/accounts/login/", {"username": variant, "password": "не тот"})
    for variant in ("mentor@school.ru", "Mentor@School.ru "):
        response = client.post("/accounts/login/", {"username": variant, "password": PASSWORD})
        assert response.status_code == 429, variant
        assert "Вход временно заблокирован" in response.content.decode()


def test_x5_lockout_of_one_name_leaves_another_alone(client, settings):
    UserFactory(email="mentor@school.ru")
    UserFactory(email="expert@school.ru")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "MENTOR@school.ru", "password": "не тот"})
    response = client.post("/accounts/login/", {"username": "Expert@School.ru", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/cabinet/")
