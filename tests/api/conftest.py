"""Fixtures of the API tests: a JSON client that authenticates with a personal token."""

from __future__ import annotations

import datetime as dt
import functools
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from profmaster.accounts.domain import create_api_token
from profmaster.accounts.models import Role
from profmaster.championships.models import InfrastructureItem, ProgrammeSlot, SkillSection
from profmaster.organisations.models import ContactPerson

from ..factories import (
    AgeCategoryFactory,
    BaseVenueFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    VenueFactory,
    WorkplaceFactory,
    give_role,
)


class ApiClient:
    """Django's test client speaking JSON to /api/v1/, as one user (by token) or anonymously."""

    prefix = "/api/v1"

    def __init__(self, user: Any = None, *, secret: str | None = None) -> None:
        self.client = Client()
        self.user = user
        self.secret = secret
        if user is not None and secret is None:
            _, self.secret = create_api_token(user, name="tests")

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        base = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**base, **(headers or {})}

    def url(self, path: str) -> str:
        return path if path.startswith(self.prefix) else self.prefix + path

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(self.url(path), params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, data: Any = None, *, raw: bytes | str | None = None,
             content_type: str = "application/json", headers: dict[str, str] | None = None) -> Any:
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return getattr(self.client, method)(self.url(path), body, content_type=content_type,
                                            headers=self._headers(headers))

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self.send("post", path, data, **kwargs)

    def put(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self.send("put", path, data, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.send("delete", path, None, **kwargs)


@pytest.fixture
def api_as():
    """``api_as(user)`` → a client authenticated by a fresh token of ``user``; ``api_as(None)`` is anonymous."""

    def make(user: Any) -> ApiClient:
        return ApiClient(user)

    return make


@pytest.fixture
def anonymous(db) -> ApiClient:
    return ApiClient(None)


class World:
    """Two championships: A with one object of every structure kind, B with its own Directorate."""

    def __init__(self) -> None:
        self.organisation = OrganisationFactory(name="ГБОУ Школа № 1234", short_name="Школа № 1234")
        self.contact = ContactPerson.objects.create(organisation=self.organisation, full_name="Петрова Анна Сергеевна",
                                                    position="Завуч", phone="+7 495 000-00-00")
        self.venue = VenueFactory(name="Колледж сферы услуг № 3", address="Москва, ул. Мастеров, д. 1",
                                  organisation=self.organisation)
        self.free_venue = VenueFactory(name="Политехнический колледж", address="Москва, пр. Мира, д. 2")
        self.a = ChampionshipFactory(name="Мастерята — 2023", slug="a")
        self.b = ChampionshipFactory(name="Чужой чемпионат", slug="b")
        self.stage = StageFactory(championship=self.a, name="Финал")
        self.competency = CompetencyFactory(championship=self.a, name="Кондитерское дело")
        self.category = AgeCategoryFactory(championship=self.a, code="1-2")
        self.competency.age_categories.add(self.category)
        self.base_venue = BaseVenueFactory(championship=self.a, venue=self.venue)
        self.base_venue.competencies.add(self.competency)
        self.workplace = WorkplaceFactory(base_venue=self.base_venue, competency=self.competency, number=1)
        self.section = SkillSection.objects.create(competency=self.competency, number=1, title="Организация работы")
        self.item = InfrastructureItem.objects.create(competency=self.competency, name="Миксер",
                                                      quantity=Decimal("1"))
        self.slot = ProgrammeSlot.objects.create(
            championship=self.a, stage=self.stage, competency=self.competency, base_venue=self.base_venue,
            title="Поток 1", starts_at=dt.datetime(2023, 4, 3, 6, tzinfo=dt.UTC),
            ends_at=dt.datetime(2023, 4, 3, 9, tzinfo=dt.UTC))
        self.b_competency = CompetencyFactory(championship=self.b, name="Чужая компетенция")

        self.users = {
            "platform_directorate": UserFactory(email="platform@example.ru"),
            "directorate": UserFactory(email="dir-a@example.ru"),
            "other_directorate": UserFactory(email="dir-b@example.ru"),
            "chief_expert": UserFactory(email="chief@example.ru"),
            "expert": UserFactory(email="expert@example.ru"),
            "mentor": UserFactory(email="mentor@example.ru"),
            "no_role": UserFactory(email="nobody@example.ru"),
        }
        give_role(self.users["platform_directorate"], Role.DIRECTORATE, None)
        give_role(self.users["directorate"], Role.DIRECTORATE, self.a)
        give_role(self.users["other_directorate"], Role.DIRECTORATE, self.b)
        give_role(self.users["chief_expert"], Role.CHIEF_EXPERT, self.a, self.competency)
        give_role(self.users["expert"], Role.EXPERT, self.a, self.competency)
        give_role(self.users["mentor"], Role.MENTOR, self.a, organisation=self.organisation)

    @functools.cached_property
    def application(self) -> Any:
        """A draft application of the mentor, without members yet (REG-1, X-1); made when a test asks.

        Its own competency and category, so the delete cases of the structure still succeed.
        """
        from profmaster.registration.models import Application

        return Application.objects.create(
            championship=self.a, competency=CompetencyFactory(championship=self.a, name="Робототехника"),
            age_category=AgeCategoryFactory(championship=self.a, code="reg"),
            organisation=self.organisation, created_by=self.users["mentor"])


@pytest.fixture
def world(db) -> World:
    return World()
