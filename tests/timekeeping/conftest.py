"""A final's competency day: a flow of two teams, a module of the marking scheme, the panel (OP-2, OP-3)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from profmaster.accounts.models import Role
from profmaster.championships.models import ProgrammeSlot
from profmaster.marking.models import Criterion, JudgingRole, MarkingScheme
from profmaster.registration.models import Application, TeamMember

from ..factories import AgeCategoryFactory, OrganisationFactory, StageFactory, UserFactory, give_role

DAY = dt.date(2023, 4, 21)
#: 10:00 in Moscow on the day of the flow
FLOW_START = dt.datetime(2023, 4, 21, 7, 0, tzinfo=dt.UTC)


def make_team(championship, competency, category, *, school: str, participant, mentor, status="approved"):
    team = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                      organisation=OrganisationFactory(name=school, short_name=school),
                                      created_by=mentor, status=status)
    TeamMember.objects.create(application=team, kind="participant", last_name=participant.last_name,
                              first_name=participant.first_name, grade=1, birth_date=dt.date(2015, 5, 1),
                              user=participant)
    TeamMember.objects.create(application=team, kind="mentor", last_name=mentor.last_name,
                              first_name=mentor.first_name, user=mentor, email=mentor.email)
    return team


@pytest.fixture
def day(championship, competency):
    return build_day(championship, competency)


def build_day(championship, competency) -> SimpleNamespace:
    championship.time_zone = "Europe/Moscow"
    championship.save()
    stage = StageFactory(championship=championship)
    category = AgeCategoryFactory(championship=championship)
    chief = UserFactory(email="chief@example.ru", last_name="Пекарева", first_name="Анна")
    keeper = UserFactory(email="keeper@example.ru", last_name="Орлова", first_name="Алёна")
    expert = UserFactory(email="expert@example.ru", last_name="Кремов", first_name="Олег")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    give_role(keeper, Role.EXPERT, championship, competency)
    give_role(expert, Role.EXPERT, championship, competency)
    JudgingRole.objects.create(competency=competency, user=keeper, duty="Контроль времени")
    JudgingRole.objects.create(competency=competency, user=expert, duty="Оценка модуля А")
    flow = ProgrammeSlot.objects.create(championship=championship, stage=stage, competency=competency,
                                        kind=ProgrammeSlot.Kind.FLOW, title="Поток 1", starts_at=FLOW_START,
                                        ends_at=FLOW_START + dt.timedelta(hours=4))
    scheme = MarkingScheme.objects.create(competency=competency, stage=stage, title="Схема финала")
    module = Criterion.objects.create(scheme=scheme, code="A", title="Торт «Пьеха»")
    pupils = [UserFactory(email=f"pupil{i}@example.ru", last_name=name, first_name="Ёжик")
              for i, name in enumerate(["Пьеха", "Орёл"])]
    mentors = [UserFactory(email=f"mentor{i}@example.ru", last_name=name, first_name="Пётр")
               for i, name in enumerate(["Семёнов", "Лёвин"])]
    for user in pupils:
        give_role(user, Role.PARTICIPANT, championship)
    for user in mentors:
        give_role(user, Role.MENTOR, championship)
    teams = [make_team(championship, competency, category, school=f"Школа № {n}", participant=p, mentor=m)
             for n, p, m in zip((1, 2), pupils, mentors, strict=True)]
    return SimpleNamespace(championship=championship, competency=competency, stage=stage, flow=flow, module=module,
                           chief=chief, keeper=keeper, expert=expert, teams=teams, pupils=pupils, mentors=mentors,
                           category=category, scheme=scheme)
