"""Fixtures of the registration tests: a «Мастерята» championship with its three categories, two Moscow
schools, a mentor, and helpers that build valid teams."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from profmaster.accounts.models import Role
from profmaster.championships.domain import create_default_age_categories
from profmaster.registration import domain
from profmaster.registration.models import Application, TeamMember

from ..factories import ChampionshipFactory, CompetencyFactory, OrganisationFactory, UserFactory, give_role


class Reg:
    """One championship with everything an application needs."""

    def __init__(self) -> None:
        self.director = UserFactory(last_name="Дирекцияева", email="dir@example.ru")
        self.championship = ChampionshipFactory(starts_on=dt.date(2023, 2, 1), ends_on=dt.date(2023, 4, 30))
        give_role(self.director, Role.DIRECTORATE, self.championship)
        categories = create_default_age_categories(self.championship, by=self.director)
        self.cat12, self.cat34, self.family = categories
        self.competency = CompetencyFactory(championship=self.championship, name="Кондитерское дело")
        self.competency2 = CompetencyFactory(championship=self.championship, name="Робототехника")
        for c in (self.competency, self.competency2):
            c.age_categories.set(categories)
        self.school = OrganisationFactory(name="ГБОУ Школа № 1", short_name="Школа № 1")
        self.school2 = OrganisationFactory(name="ГБОУ Школа № 2", short_name="Школа № 2")
        self.tver = OrganisationFactory(name="Тверская школа № 5", short_name="Школа № 5 (Тверь)", region="Тверь")
        self.mentor_user = UserFactory(last_name="Наставникова", email="mentor@example.ru")
        give_role(self.mentor_user, Role.MENTOR, self.championship, organisation=self.school)
        self.chief = UserFactory(last_name="Главэкспертов", email="chief@example.ru")
        give_role(self.chief, Role.CHIEF_EXPERT, self.championship, self.competency)

    def application(self, *, category: Any = None, competency: Any = None, organisation: Any = None,
                    by: Any = None, siblings: bool = False) -> Application:
        return domain.create_application(
            championship=self.championship, competency=competency or self.competency,
            age_category=category or self.cat12, organisation=organisation or self.school,
            by=by or self.mentor_user, participants_are_siblings=siblings)

    def add(self, application: Application, kind: str, *, by: Any = None, **fields: Any) -> TeamMember:
        defaults: dict[str, Any] = {"last_name": "Иванов", "first_name": "Пётр", "patronymic": ""}
        if kind == "participant":
            defaults.update(grade=1, birth_date=dt.date(2015, 5, 1), organisation=application.organisation,
                            clothing_size="128")
        elif kind == "mentor":
            defaults.update(last_name="Наставникова", first_name="Нина", email="mentor@example.ru",
                            phone="+7 900 000-00-00", position="Учитель технологии",
                            organisation=application.organisation, user=self.mentor_user)
        elif kind == "relative":
            defaults.update(last_name="Родная", first_name="Мария", relation="mother")
        defaults.update(fields)
        member = TeamMember(application=application, kind=kind, **defaults)
        return domain.save_member(member, by=by or self.mentor_user)

    def valid_team(self, application: Application | None = None, *, grades: tuple[int, int] = (1, 2),
                   names: tuple[str, str] = ("Алексеев", "Борисова")) -> Application:
        application = application or self.application()
        self.add(application, "participant", last_name=names[0], first_name="Алексей", grade=grades[0])
        self.add(application, "participant", last_name=names[1], first_name="Вера", grade=grades[1])
        self.add(application, "mentor")
        return application


@pytest.fixture
def reg(db) -> Reg:
    return Reg()
