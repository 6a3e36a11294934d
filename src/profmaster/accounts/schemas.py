"""API schemas of accounts: the current person, their roles and their API tokens."""

# Field types built by functions (Text(100), Choice(...)) are Annotated types mypy cannot see as such.
# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from profmaster.api.types import Choice, Text

from .models import Role


class RoleOut(Schema):
    role: Choice(Role)
    role_label: str
    championship_id: int | None
    competency_id: int | None
    organisation_id: int | None


class MeOut(Schema):
    id: int
    email: str
    last_name: str
    first_name: str
    patronymic: str
    full_name: str
    roles: list[RoleOut]


class TokenIn(Schema):
    name: Text(100, min_length=1) = Field(description="Название, по которому вы узнаете токен, например «1С».")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="Начало секрета: по нему токен можно узнать, не раскрывая его.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    is_active: bool


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Секрет токена. Показывается один раз: сохраните его сразу.")
