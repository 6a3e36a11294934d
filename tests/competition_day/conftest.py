"""A competency ready for its draws (OP-1): flows in the programme, workplaces at the base venue, approved teams
with mentors (one mentor leads two teams, REG-11), the chief expert."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from profmaster.accounts.models import Role
from profmaster.championships.models import ProgrammeSlot
from profmaster.registration.models import Application, TeamMember

from ..factories import (
    AgeCategoryFactory,
    BaseVenueFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    WorkplaceFactory,
    give_role,
)

_days = itertools.count(1)


@dataclass
class Day:
    championship: Any
    competency: Any
    chief: Any
    flows: list[Any]
    teams: list[Any]
    mentors: list[Any]
    users: dict[str, Any] = field(default_factory=dict)


def add_team(championship: Any, competency: Any, category: Any, mentor: Any, *, name: str) -> Application:
    organisation = OrganisationFactory(name=f"ГБОУ «{name}» ({championship.slug})", short_name=name)
    application = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                             organisation=organisation, created_by=mentor,
                                             status=Application.Status.APPROVED)
    TeamMember.objects.create(application=application, kind=TeamMember.Kind.MENTOR, last_name=mentor.last_name,
                              first_name=mentor.first_name, email=mentor.email, user=mentor)
    return application


def make_day(*, teams: int = 5, flows: int = 2, workplaces: int = 3, gap_hours: int = 3) -> Day:
    n = next(_days)
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    stage = StageFactory(championship=championship)
    venue = BaseVenueFactory(championship=championship)
    for number in range(1, workplaces + 1):
        WorkplaceFactory(base_venue=venue, competency=competency, number=number)
    start = dt.datetime(2023, 4, 3, 7, 0, tzinfo=dt.UTC)
    slots = [ProgrammeSlot.objects.create(
        championship=championship, stage=stage, competency=competency, base_venue=venue, kind=ProgrammeSlot.Kind.FLOW,
        title=f"Поток {i + 1}", starts_at=start + dt.timedelta(hours=gap_hours * i),
        ends_at=start + dt.timedelta(hours=gap_hours * i + 2)) for i in range(flows)]
    chief = UserFactory(email=f"chief{n}@example.ru", last_name="Пьеха", first_name="Эдита")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    category = AgeCategoryFactory(championship=championship)
    mentors = []
    for i in range(max(1, teams - 1)):
        mentor = UserFactory(email=f"mentor{n}.{i}@example.ru", last_name=["Орлова", "Ёлкин", "Соколов", "Щукина"][i % 4],
                             first_name="Алёна")
        give_role(mentor, Role.MENTOR, championship)
        mentors.append(mentor)
    apps = [add_team(championship, competency, category, mentors[min(i, len(mentors) - 1)], name=f"Школа № {i + 1}")
            for i in range(teams)]
    return Day(championship=championship, competency=competency, chief=chief, flows=slots, teams=apps,
               mentors=mentors)


@pytest.fixture
def day(db) -> Day:
    return make_day()
