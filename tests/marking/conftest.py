"""Fixtures of the marking tests: a competency's panel and a valid three-criterion scheme."""

from __future__ import annotations

from decimal import Decimal

import pytest

from profmaster.accounts.models import Role
from profmaster.marking import domain
from profmaster.marking.models import Aspect, Criterion, MarkingScheme, SubCriterion

from ..factories import StageFactory, UserFactory, give_role

DESCRIPTORS = ["Не выполнено", "Выполнено частично", "Выполнено хорошо", "Выполнено отлично"]


@pytest.fixture
def panel(competency):
    chief = UserFactory(last_name="Сладкова")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    experts = [UserFactory(last_name=f"Экспертова{i}") for i in range(2)]
    for expert in experts:
        give_role(expert, Role.EXPERT, competency.championship, competency)
    return chief, experts


@pytest.fixture
def scheme(competency, panel):
    chief, _ = panel
    scheme = MarkingScheme(competency=competency, stage=StageFactory(championship=competency.championship),
                           title="Схема оценки финала")
    domain.save_scheme_part(scheme, by=chief)
    section = competency.skill_sections.create(number=1, title="Организация работы")
    for letter in "ABC":
        criterion = domain.save_scheme_part(Criterion(scheme=scheme, code=letter, title=f"Критерий {letter}"),
                                            by=chief, m2m={"skill_sections": [section]})
        sub = domain.save_scheme_part(SubCriterion(criterion=criterion, code=f"{letter}1", title="Суб"), by=chief)
        domain.save_scheme_part(Aspect(sub_criterion=sub, code=f"{letter}1.1", kind="judgement",
                                       description="Аккуратность", max_points=Decimal("2.00"),
                                       descriptors=DESCRIPTORS), by=chief)
    return scheme
