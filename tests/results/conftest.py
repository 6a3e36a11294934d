"""Fixtures of the results tests: locked team totals are created directly as ``marking.TeamResult`` rows
(the marks lock that writes them belongs to marking)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.championships.models import Stage
from profmaster.marking.models import MarkingScheme, TeamResult
from profmaster.registration.models import Application, TeamMember

from ..factories import AgeCategoryFactory, OrganisationFactory, StageFactory, UserFactory, give_role


class Results:
    def __init__(self, competency):
        self.competency = competency
        self.championship = competency.championship
        self.category = AgeCategoryFactory(championship=self.championship, code="r-5-7", name="5–7 класс",
                                           grade_min=5, grade_max=7)
        competency.age_categories.add(self.category)
        self.final = StageFactory(championship=self.championship, name="Финал", kind=Stage.Kind.FINAL, order=2)
        self.remote = StageFactory(championship=self.championship, name="Дистанционный этап",
                                   kind=Stage.Kind.REMOTE, order=1, starts_on=dt.date(2023, 3, 1),
                                   ends_on=dt.date(2023, 3, 5))
        self.schemes = {}
        self.applicant = UserFactory(last_name="Заявителев")
        self.teams = []

    def scheme(self, stage):
        if stage.pk not in self.schemes:
            self.schemes[stage.pk] = MarkingScheme.objects.create(competency=self.competency, stage=stage,
                                                                  title=f"Схема {stage.name}")
        return self.schemes[stage.pk]

    def team(self, *, out=False, barred=False, organisation=None, mentor=None, participants=("Иванов Иван Иванович",)):
        organisation = organisation or OrganisationFactory()
        team = Application.objects.create(
            championship=self.championship, competency=self.competency, age_category=self.category,
            organisation=organisation, created_by=self.applicant, status="approved",
            out_of_competition=out, barred_from_next_stage=barred,
            out_of_competition_reason="Нарушение п. 3.3" if out or barred else "")
        for full in participants:
            last, first, *rest = full.split()
            TeamMember.objects.create(application=team, kind="participant", last_name=last, first_name=first,
                                      patronymic=rest[0] if rest else "", birth_date=dt.date(2011, 1, 1), grade=6,
                                      organisation=organisation)
        if mentor is not None:
            TeamMember.objects.create(application=team, kind="mentor", last_name=mentor.last_name,
                                      first_name=mentor.first_name, patronymic=mentor.patronymic,
                                      email=mentor.email, user=mentor, organisation=organisation)
        self.teams.append(team)
        return team

    def lock(self, stage, totals):
        """TeamResult rows for (team, total) pairs, as the marks lock would write them."""
        scheme = self.scheme(stage)
        for team, total in totals:
            TeamResult.objects.update_or_create(scheme=scheme, team=team, defaults={
                "total": Decimal(total), "locked_at": timezone.now(),
                "criteria": [{"code": "A", "title": "Критерий", "points": str(total)}]})


@pytest.fixture
def results(competency):
    return Results(competency)


@pytest.fixture
def mentor(championship):
    user = UserFactory(last_name="Наставникова", first_name="Ольга", patronymic="Петровна",
                       email="mentor@example.ru")
    give_role(user, Role.MENTOR, championship)
    return user
