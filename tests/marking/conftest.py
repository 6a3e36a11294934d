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


# --- Marks (SC-2…SC-7, X-2) -------------------------------------------------------------------------


def make_team(competency, *, organisation=None, by=None, mentor=None):
    """An approved application of the competency: a team the marks are for."""
    from profmaster.registration.models import Application, TeamMember

    from ..factories import AgeCategoryFactory, OrganisationFactory

    category = competency.age_categories.first()
    if category is None:
        category = AgeCategoryFactory(championship=competency.championship)
        competency.age_categories.add(category)
    team = Application.objects.create(
        championship=competency.championship, competency=competency, age_category=category,
        organisation=organisation or OrganisationFactory(), status=Application.Status.APPROVED,
        created_by=by or UserFactory())
    if mentor is not None:
        TeamMember.objects.create(application=team, kind=TeamMember.Kind.MENTOR, last_name=mentor.last_name,
                                  first_name=mentor.first_name, email=mentor.email, user=mentor)
    return team


@pytest.fixture
def locked_scheme(scheme, panel):
    """The fixture scheme with its criteria locked: marks may be entered."""
    chief, _ = panel
    domain.lock_scheme(scheme, by=chief)
    scheme.refresh_from_db()
    return scheme


@pytest.fixture
def teams(competency):
    return [make_team(competency), make_team(competency)]


def mark_everything(scheme, teams, chief, value=2):
    """Every judgement mark of every expert, every sheet complete."""
    from profmaster.marking import marks
    from profmaster.marking.models import SubCriterion

    for team in teams:
        for aspect in marks.aspects_of(scheme):
            for expert in marks.judging_experts(scheme, team):
                marks.save_mark(scheme, aspect, team, value, expert=expert, by=chief)
        for sub in SubCriterion.objects.filter(criterion__scheme=scheme):
            marks.complete_sheet(scheme, team, sub, by=chief)


def make_locked_scheme(competency, chief):
    """A criteria-locked three-criterion scheme built through the domain, as the chief expert's pages do —
    for browser tests, which cannot use the ``scheme`` fixture's transaction."""
    scheme = domain.save_scheme_part(MarkingScheme(competency=competency, title="Схема оценки финала",
                                                   stage=StageFactory(championship=competency.championship)), by=chief)
    section = competency.skill_sections.create(number=1, title="Организация работы")
    for letter in "ABC":
        criterion = domain.save_scheme_part(Criterion(scheme=scheme, code=letter, title=f"Критерий {letter}"),
                                            by=chief, m2m={"skill_sections": [section]})
        sub = domain.save_scheme_part(SubCriterion(criterion=criterion, code=f"{letter}1", title=f"Суб {letter}"),
                                      by=chief)
        domain.save_scheme_part(Aspect(sub_criterion=sub, code=f"{letter}1.1", kind="judgement",
                                       description=f"Аккуратность {letter}", max_points=Decimal("2.00"),
                                       descriptors=["Нет", "Да", "Хорошо", "Отлично"]), by=chief)
    domain.lock_scheme(scheme, by=chief)
    return MarkingScheme.objects.get(pk=scheme.pk)
