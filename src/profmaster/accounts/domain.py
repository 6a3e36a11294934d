"""State changes of accounts: people, scoped roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.audit.domain import delete_audited, record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError

from .models import COMPETENCY_ROLES, ApiToken, Gender, Language, Role, RoleAssignment, User

TOKEN_PREFIX = "pm_"

#: Rules of other apps that may refuse a person's assignment to a panel, each returning the message or
#: None. The results app adds the register of unscrupulous experts (DOC-4) in its ``AppConfig.ready``;
#: accounts does not import results.
PANEL_ASSIGNMENT_CHECKS: list[Callable[[Any], str | None]] = []


def panel_assignment_refusal(user: Any) -> str | None:
    """Why this person may not join a panel (chief expert, expert, a judging duty), or None."""
    for check in PANEL_ASSIGNMENT_CHECKS:
        message = check(user)
        if message:
            return message
    return None


def create_user(
    *,
    email: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    phone: str = "",
    password: str | None = None,
    by: Any = None,
    championship: Any = None,
) -> User:
    """Create a person. Without a password the account can only be entered via password reset."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("Пользователь с адресом %(email)s уже есть.") % {"email": email}, field="email")
    user = User(email=email, last_name=last_name.strip(), first_name=first_name.strip(),
                patronymic=patronymic.strip(), phone=phone.strip())
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    save_audited(user, by=by, championship=championship)
    return user


def assign_role(
    *,
    user: User,
    role: str,
    championship: Any,
    competency: Any = None,
    organisation: Any = None,
    by: Any,
    reason: str = "",
) -> RoleAssignment:
    """Give a person a role in a championship (and competency for the panel roles)."""
    if role not in Role.values:
        raise DomainError(_("Неизвестная роль."), field="role")
    if competency is not None and competency.championship_id != getattr(championship, "pk", None):
        raise DomainError(_("Компетенция относится к другому чемпионату."), field="competency")
    if role in COMPETENCY_ROLES and competency is None:
        raise DomainError(_("Для роли «%(role)s» укажите компетенцию.") % {"role": Role(role).label},
                          field="competency")
    if role in COMPETENCY_ROLES:
        refusal = panel_assignment_refusal(user)
        if refusal:
            raise DomainError(refusal, field="email")
    assignment = RoleAssignment(user=user, role=role, championship=championship, competency=competency,
                                organisation=organisation)
    save_audited(assignment, by=by, reason=reason, championship=championship)
    return assignment


def revoke_role(assignment: RoleAssignment, *, by: Any, reason: str = "") -> None:
    delete_audited(assignment, by=by, reason=reason, championship=assignment.championship)


def set_gender(user: User, gender: str, *, by: Any) -> User:
    """Record a person's gender (AW-6: asked where the patronymic does not tell how the name declines)."""
    if gender not in ("", *Gender.values):
        raise DomainError(_("Выберите пол из списка."), field="gender")
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=user.pk)
        if stored.gender == gender:
            return stored
        User.objects.filter(pk=user.pk).update(gender=gender)
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=stored, before={"gender": stored.gender},
               after={"gender": gender})
    user.gender = gender
    return user


def set_language(user: User, language: str, *, by: Any) -> User:
    """The language the person's e-mails are written in (X-6), audited."""
    if language not in Language.values:
        raise DomainError(_("Выберите язык писем из списка."), field="language")
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=user.pk)
        if stored.language == language:
            return stored
        User.objects.filter(pk=user.pk).update(language=language)
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=stored, before={"language": stored.language},
               after={"language": language})
    user.language = language
    return user


def _hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """Create a token for integrations. Returns the token and its secret, shown to the person once."""
    name = name.strip()
    if not name:
        raise DomainError(_("Назовите токен, чтобы потом его узнать."), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=secret[:10], key_hash=_hash_key(secret))
        record(actor=user, action=AuditEntry.Action.CREATE, instance=token, after=snapshot(token))
    return token, secret


def revoke_api_token(token: ApiToken, *, by: Any) -> ApiToken:
    if token.revoked_at is not None:
        raise DomainError(_("Токен уже отозван."))
    with transaction.atomic():
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=token, before=before, after=snapshot(token))
    return token


def authenticate_token(secret: str) -> User | None:
    """The active user owning an unrevoked token with this secret, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(key_hash=_hash_key(secret), revoked_at__isnull=True, user__is_active=True).first())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
