"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from hypothesis import settings

from profmaster.accounts.models import Role

from .factories import ChampionshipFactory, CompetencyFactory, UserFactory, give_role

# Properties are checked on a shared 2-core machine running the suite in parallel: a slow example is load,
# not a failure, so there is no per-example deadline (the number of examples stays bounded).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


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


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """The shared cache (files or Redis) outlives a test's transaction: each test starts with it empty."""
    from django.conf import settings
    from django.core.cache import caches

    yield
    if settings.CACHES["shared"]["BACKEND"].endswith("FileBasedCache"):  # never empty a real Redis
        caches["shared"].clear()
