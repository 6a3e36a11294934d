"""A stage whose marks are locked (two teams, a chief expert and two experts) and a regional commission of two."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from profmaster.accounts.models import Role
from profmaster.marking import marks

from ..factories import UserFactory, give_role
from ..marking.conftest import make_locked_scheme, make_team, mark_everything


@dataclass
class Stage:
    championship: Any
    competency: Any
    scheme: Any
    chief: Any
    experts: list[Any]
    commission: list[Any]
    teams: list[Any]


def make_stage(competency: Any, *, lock: bool = True) -> Stage:
    championship = competency.championship
    chief = UserFactory(last_name="Сладкова", first_name="Мария", email="chief.stage@example.ru")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    experts = [UserFactory(last_name=name, email=f"expert{i}.stage@example.ru")
               for i, name in enumerate(("Орлова", "Шевчук"))]
    for expert in experts:
        give_role(expert, Role.EXPERT, championship, competency)
    commission = [UserFactory(last_name=name, email=f"commission{i}@example.ru")
                  for i, name in enumerate(("Комиссарова", "Пьеха"))]
    for member in commission:
        give_role(member, Role.REGIONAL_COMMISSION, championship)
    scheme = make_locked_scheme(competency, chief)
    teams = [make_team(competency), make_team(competency)]
    if lock:
        mark_everything(scheme, teams, chief, value=2)
        marks.lock_marks(scheme, by=chief)
    return Stage(championship, competency, scheme, chief, experts, commission, teams)


@pytest.fixture
def stage(competency):
    return make_stage(competency)
