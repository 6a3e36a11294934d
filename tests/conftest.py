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


def _flush_past_the_append_only_triggers() -> None:
    """X-2: the audit log and the marks ledger refuse TRUNCATE on PostgreSQL, and Django empties the test
    database between transactional tests (browser tests) with TRUNCATE. The test database's superuser lets
    that one statement past every trigger (``session_replication_role``, which only a superuser may set);
    outside the tests ``manage.py flush`` stays refused."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    plain = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = plain(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush


_flush_past_the_append_only_triggers()


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
