"""A small festival for the day's tests (UPM-6, UPM-7): Владивосток's zone, one venue with its person, two schools
with their coordinators, a lesson that needs equipment and one that does not, confirmed pupils of both schools.

Built through the festival's domain functions (h-upm); confirmations are written directly (their eligibility is
upm's tests' business), with the lesson's counter kept in step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F

from profmaster.accounts.models import Role
from profmaster.championships.models import InfrastructureItem
from profmaster.upm import domain as upm
from profmaster.upm.models import Confirmation, Lesson
from tests.factories import (
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
    give_role,
)

ZONE = ZoneInfo("Asia/Vladivostok")
#: The lesson starts on 20.11.2026 at 10:00 in Vladivostok: delivery by the end of 18.11 there.
LESSON_START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZONE)
CREATED = dt.datetime(2026, 11, 1, 12, 0, tzinfo=ZONE)


@dataclass
class DayWorld:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def confirm_directly(lesson: Lesson, pupil: Any, parent: Any, school: Any) -> Confirmation:
    confirmation = Confirmation.objects.create(lesson=lesson, pupil=pupil, parent=parent, school=school)
    Lesson.objects.filter(pk=lesson.pk).update(confirmed_count=F("confirmed_count") + 1)
    return confirmation


def build(*, pupils_per_school: int = 2) -> DayWorld:
    w = DayWorld()
    champ = ChampionshipFactory(name="Фестиваль профессий Приморья", time_zone="Asia/Vladivostok")
    admin = UserFactory(email="admin.upm@example.ru", last_name="Админов")
    give_role(admin, Role.DIRECTORATE, None)
    festival = upm.create_festival(champ, name="Фестиваль профессий Приморья", region="Приморский край", by=admin)
    cooking = CompetencyFactory(championship=champ, name="Поварское дело")
    design = CompetencyFactory(championship=champ, name="Графический дизайн")
    InfrastructureItem.objects.create(competency=cooking, name="Плита индукционная", quantity=Decimal(2))
    fc_cooking = upm.add_competency(festival, cooking, by=admin)
    fc_design = upm.add_competency(festival, design, by=admin)
    college = OrganisationFactory(name="ГАПОУ «Колледж Орёл»", short_name="Колледж Орёл", kind="college")
    other_college = OrganisationFactory(name="ГАПОУ «Колледж Пьеха»", short_name="Колледж Пьеха", kind="college")
    venue = VenueFactory(name="Колледж Орёл, корпус 1", organisation=college)
    other_venue = VenueFactory(name="Колледж Пьеха", organisation=other_college)
    fv = upm.add_venue(festival, venue, competencies=[fc_cooking, fc_design], by=admin)
    other_fv = upm.add_venue(festival, other_venue, competencies=[fc_cooking, fc_design], by=admin)
    w.users = {
        "admin": admin,
        "operator": UserFactory(email="operator@example.ru", last_name="Операторова"),
        "venue": UserFactory(email="venue@example.ru", last_name="Шевчук", first_name="Юрий"),
        "venue_other": UserFactory(email="venue.other@example.ru", last_name="Пьеха"),
        "coordinator": UserFactory(email="coordinator@example.ru", last_name="Ёлкина", first_name="Алёна"),
        "coordinator_other": UserFactory(email="coordinator.other@example.ru", last_name="Орлова"),
        "parent": UserFactory(email="parent@example.ru", last_name="Родителева"),
        "nobody": UserFactory(email="nobody@example.ru"),
    }
    give_role(w.users["operator"], Role.UPM_OPERATOR, champ)
    upm.add_venue_person(fv, w.users["venue"], by=admin)
    upm.add_venue_person(other_fv, w.users["venue_other"], by=admin)
    school = OrganisationFactory(name="МБОУ «СОШ № 1 г. Владивостока»", short_name="СОШ № 1")
    school2 = OrganisationFactory(name="МБОУ «СОШ № 2 г. Владивостока»", short_name="СОШ № 2")
    give_role(w.users["coordinator"], Role.SCHOOL_COORDINATOR, champ, organisation=school)
    give_role(w.users["coordinator_other"], Role.SCHOOL_COORDINATOR, champ, organisation=school2)
    give_role(w.users["parent"], Role.PARENT, champ)
    for link_school, minutes in ((school, 20), (school2, 25)):
        link = upm.add_venue_school(fv, link_school, travel_minutes=minutes, travel_source="entered", by=admin)
        for fc in (fc_cooking, fc_design):
            agreement = upm.propose_competency(link, fc, side="venue", by=w.users["venue"])
            upm.decide_agreement(agreement, accept=True, side="school", by=admin)
    lesson = upm.create_lesson(fv, competency=fc_cooking, starts_at=LESSON_START, capacity=30, format="online",
                               video_link="https://meet.example.ru/upm-1", by=w.users["venue"], now=CREATED)
    plain = upm.create_lesson(fv, competency=fc_design, starts_at=LESSON_START + dt.timedelta(hours=2), capacity=30,
                              format="online", video_link="https://meet.example.ru/upm-2", by=w.users["venue"],
                              now=CREATED)
    Lesson.objects.filter(pk__in=[lesson.pk, plain.pk]).update(created_at=CREATED)  # created in time, 1 November
    pupils = {}
    names = ["Орёл Семён", "Пьеха Алёна", "Шевчук Фёдор", "Ёжиков Пётр", "Сорокина Майя", "Гусев Лев"]
    for index, (which, target) in enumerate([(s, s_obj) for s, s_obj in (("school", school), ("school2", school2))
                                             for _ in range(pupils_per_school)]):
        last, first = names[index % len(names)].split()
        pupil = UserFactory(email=f"pupil{index}@example.ru", last_name=last, first_name=first)
        give_role(pupil, Role.PUPIL, champ, organisation=target)
        confirm_directly(lesson, pupil, w.users["parent"], target)
        pupils.setdefault(which, []).append(pupil)
    lesson.refresh_from_db()
    w.objects = {"championship": champ, "festival": festival, "lesson": lesson, "plain_lesson": plain,
                 "venue": venue, "other_venue": other_venue, "festival_venue": fv, "school": school,
                 "school2": school2, "pupils": pupils, "fc_cooking": fc_cooking}
    return w
