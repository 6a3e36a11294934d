"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from profmaster.accounts.models import Role

from .factories import ChampionshipFactory, CompetencyFactory, UserFactory, give_role


@pytest.fixture
def championship(db):
    return ChampionshipFactory()


@pytest.fixture
def competency(championship):
    return CompetencyFactory(championship=championship, name="Кондитерское дело")


@pytest.fixture
def directorate_user(championship):
    user = UserFactory(last_name="Дирекцияева", email="directorate@example.ru")
    give_role(user, Role.DIRECTORATE, championship)
    return user


@pytest.fixture
def platform_directorate(db):
    user = UserFactory(last_name="Главная", email="platform@example.ru")
    give_role(user, Role.DIRECTORATE, None)
    return user


@pytest.fixture
def chief_expert(competency):
    user = UserFactory(last_name="Главэкспертов", email="chief@example.ru")
    give_role(user, Role.CHIEF_EXPERT, competency.championship, competency)
    return user


@pytest.fixture
def expert(competency):
    user = UserFactory(last_name="Экспертов", email="expert@example.ru")
    give_role(user, Role.EXPERT, competency.championship, competency)
    return user
