"""Fixtures of the exam tests: an examinee and a published exam with one question of every kind."""

from __future__ import annotations

import pytest

from profmaster.accounts.models import Role

from ..factories import UserFactory, give_role
from .factories import make_exam


@pytest.fixture
def examinee(championship):
    user = UserFactory(last_name="Участникова", first_name="Анна", email="examinee@example.ru")
    give_role(user, Role.PARTICIPANT, championship)
    return user


@pytest.fixture
def exam(championship, competency, chief_expert):
    return make_exam(championship, competency, chief_expert)
