"""A competition day at the venue for the checkin and incidents tests (OP-4…OP-7): an approved team of two
participants and a mentor, the competency's chief expert and expert, the venue's technical administrator,
the Directorate, and a flow that started an hour ago."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.championships.models import ProgrammeSlot
from profmaster.checkin import domain as checkin
from profmaster.checkin.models import Accreditation
from profmaster.registration.models import Application, TeamMember

from .factories import (
    AgeCategoryFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    give_role,
)


@dataclass
class Venue:
    championship: Any
    competency: Any
    other_competency: Any
    team: Any
    flow: Any
    chief: Any
    expert: Any
    venue_admin: Any
    directorate: Any
    mentor_user: Any

    def badge(self, member_kind: str, index: int = 0) -> Accreditation:
        return list(Accreditation.objects.filter(application=self.team, kind=member_kind).order_by("pk"))[index]


def make_venue(*, toolbox: bool = True) -> Venue:
    championship = ChampionshipFactory()
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело", toolbox_allowed=toolbox)
    other = CompetencyFactory(championship=championship, name="Электроника")
    stage = StageFactory(championship=championship)
    category = AgeCategoryFactory(championship=championship)
    chief = UserFactory(last_name="Пьеха", first_name="Эдита", patronymic="Станиславовна", email="chief@example.ru")
    expert = UserFactory(last_name="Орлова", first_name="Алёна", patronymic="Петровна", email="expert@example.ru")
    venue_admin = UserFactory(last_name="Площадкин", first_name="Пётр", email="venue@example.ru")
    directorate = UserFactory(last_name="Дирекцияева", first_name="Дарья", email="dir@example.ru")
    mentor_user = UserFactory(last_name="Наставникова", first_name="Нина", email="mentor@example.ru")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    give_role(expert, Role.EXPERT, championship, competency)
    give_role(venue_admin, Role.VENUE_ADMIN, championship)
    give_role(directorate, Role.DIRECTORATE, championship)
    give_role(mentor_user, Role.MENTOR, championship)
    organisation = OrganisationFactory(short_name="Школа № 1")
    team = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                      organisation=organisation, created_by=mentor_user, status="approved")
    for last, first in (("Орёл", "Семён"), ("Ёлкина", "Алёна")):
        TeamMember.objects.create(application=team, kind="participant", last_name=last, first_name=first,
                                  birth_date=dt.date(2015, 3, 1), grade=1, organisation=organisation)
    TeamMember.objects.create(application=team, kind="mentor", last_name="Наставникова", first_name="Нина",
                              email="mentor@example.ru", user=mentor_user, organisation=organisation)
    now = timezone.now()
    flow = ProgrammeSlot.objects.create(championship=championship, stage=stage, competency=competency,
                                        kind=ProgrammeSlot.Kind.FLOW, title="Поток 1",
                                        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2))
    checkin.issue_accreditations(competency, by=directorate)
    return Venue(championship, competency, other, team, flow, chief, expert, venue_admin, directorate, mentor_user)
