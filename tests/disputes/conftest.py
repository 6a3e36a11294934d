"""The disputes world (AP-1, AP-4): the venue of the incidents tests with a panel of three experts (the chief
expert does not vote), a second team with its own mentor, everyone accredited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from profmaster.accounts.models import Role
from profmaster.checkin import domain as checkin
from profmaster.registration.models import Application, TeamMember

from ..factories import OrganisationFactory, UserFactory, give_role
from ..venue_world import Venue, make_venue


@dataclass
class World:
    venue: Venue
    experts: list[Any]
    other_team: Any
    other_mentor: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.venue, name)


def make_world() -> World:
    venue = make_venue()
    experts = [venue.expert]
    for last, first, email in (("Шевчук", "Юрий", "shevchuk"), ("Ёжикова", "Марина", "yozhikova")):
        user = UserFactory(last_name=last, first_name=first, email=f"{email}@example.ru")
        give_role(user, Role.EXPERT, venue.championship, venue.competency)
        experts.append(user)
    other_mentor = UserFactory(last_name="Чужая", first_name="Вера", email="other.mentor@example.ru")
    give_role(other_mentor, Role.MENTOR, venue.championship)
    other = Application.objects.create(championship=venue.championship, competency=venue.competency,
                                       age_category=venue.team.age_category,
                                       organisation=OrganisationFactory(short_name="Школа № 2"),
                                       created_by=other_mentor, status="approved")
    TeamMember.objects.create(application=other, kind="participant", last_name="Пьеха", first_name="Илья",
                              birth_date=dt.date(2015, 5, 1), grade=1, organisation=other.organisation)
    TeamMember.objects.create(application=other, kind="mentor", last_name="Чужая", first_name="Вера",
                              email=other_mentor.email, user=other_mentor, organisation=other.organisation)
    checkin.issue_accreditations(venue.competency, by=venue.directorate)
    return World(venue, experts, other, other_mentor)


@pytest.fixture
def world(db):
    return make_world()
