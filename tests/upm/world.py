"""A festival of professions to test УПМ on (UPM-1…UPM-5): a championship in Vladivostok's zone (so the deadlines'
edges are not the server's midnight), two competencies — «Кондитерское дело» with an infrastructure list (equipment
is delivered) and «Графический дизайн» without — one venue with its person, a school 20 minutes away and one 45
minutes away, both of which agreed «Графический дизайн» and the near one «Кондитерское дело», their coordinators,
a published diagnostic exam and families: Орлова with her son Пьеха (eligible), Шевчук with her daughter (no
diagnostic test yet) and Ёлкин with his son (who has already taken a professional trial)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.championships.models import InfrastructureItem
from profmaster.exams.models import Attempt, Exam, QuestionBank
from profmaster.organisations.models import Organisation
from profmaster.upm import domain
from profmaster.upm.models import FamilyLink, ProfessionalTrial

from ..factories import ChampionshipFactory, CompetencyFactory, OrganisationFactory, UserFactory, VenueFactory, give_role

ZONE = "Asia/Vladivostok"


@dataclass
class UpmWorld:
    people: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def pass_diagnostic(world: UpmWorld, pupil: Any, *, passed: bool = True) -> Attempt:
    """A finished, graded attempt of the festival's diagnostic test (the exams app's own records)."""
    now = timezone.now()
    number = Attempt.all_objects.filter(exam=world.exam, user=pupil).count() + 1
    return Attempt.all_objects.create(exam=world.exam, user=pupil, number=number, status=Attempt.Status.FINISHED,
                                      seed=1, started_at=now, finished_at=now, score=Decimal(5),
                                      max_score=Decimal(5), passed=passed)


def lesson_start(days_ahead: int, hour: int = 10) -> dt.datetime:
    from zoneinfo import ZoneInfo

    today = timezone.now().astimezone(ZoneInfo(ZONE)).date()
    return dt.datetime.combine(today + dt.timedelta(days=days_ahead), dt.time(hour, 0), tzinfo=ZoneInfo(ZONE))


def build(*, capacity: int = 20) -> UpmWorld:
    w = UpmWorld()
    champ = ChampionshipFactory(name="Фестиваль профессий Приморья", time_zone=ZONE)
    operator = UserFactory(email="operator@example.ru", last_name="Операторова")
    give_role(operator, Role.UPM_OPERATOR, champ)
    festival = domain.create_festival(champ, name="Фестиваль профессий «Билет в будущее»", region="Приморский край",
                                      by=operator)
    konditer = CompetencyFactory(championship=champ, name="Кондитерское дело")
    InfrastructureItem.objects.create(competency=konditer, name="Миксер планетарный", quantity=Decimal(1))
    design = CompetencyFactory(championship=champ, name="Графический дизайн")
    fc_konditer = domain.add_competency(festival, konditer, by=operator)
    fc_design = domain.add_competency(festival, design, by=operator)
    venue = domain.add_venue(festival, VenueFactory(name="Колледж сервиса № 3"), competencies=[fc_konditer, fc_design],
                             by=operator)
    venue_person = UserFactory(email="venue@example.ru", last_name="Площадкина")
    domain.add_venue_person(venue, venue_person, by=operator)
    near = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name="МБОУ «Школа № 12»", short_name="Школа № 12")
    far = OrganisationFactory(kind=Organisation.Kind.SCHOOL, name="МБОУ «Школа № 80»", short_name="Школа № 80")
    near_link = domain.add_venue_school(venue, near, travel_minutes=20, travel_source="entered", by=operator)
    far_link = domain.add_venue_school(venue, far, travel_minutes=45, travel_source="estimated",
                                       travel_note="Яндекс Карты, будний день 9:00", by=operator)
    coordinator = UserFactory(email="coordinator@example.ru", last_name="Координаторова")
    give_role(coordinator, Role.SCHOOL_COORDINATOR, champ, organisation=near)
    coordinator_far = UserFactory(email="coordinator80@example.ru", last_name="Дальняя")
    give_role(coordinator_far, Role.SCHOOL_COORDINATOR, champ, organisation=far)
    for link, competency, side_user in ((near_link, fc_konditer, coordinator), (near_link, fc_design, coordinator),
                                        (far_link, fc_design, coordinator_far)):
        agreement = domain.propose_competency(link, competency, side="venue", by=venue_person)
        domain.decide_agreement(agreement, accept=True, side="school", by=side_user)
    bank = QuestionBank.objects.create(championship=champ, name="Профориентация")
    exam = Exam.objects.create(championship=champ, bank=bank, title="Онлайн-диагностика: мои интересы",
                               status=Exam.Status.PUBLISHED, pass_mark=Decimal(1))
    festival.diagnostic_exams.add(exam)
    w.objects = {"championship": champ, "festival": festival, "konditer": fc_konditer, "design": fc_design,
                 "venue": venue, "near": near, "far": far, "near_link": near_link, "far_link": far_link, "exam": exam}
    w.people = {"operator": operator, "venue": venue_person, "coordinator": coordinator,
                "coordinator_far": coordinator_far}
    families = (("orlova", "Орлова", "Алёна", "pyekha", "Пьеха", "Лев"),
                ("shevchuk", "Шевчук", "Дарья", "shevchuk_child", "Шевчук", "Мила"),
                ("yolkin", "Ёлкин", "Пётр", "yolkin_child", "Ёлкин", "Фёдор"))
    for parent_key, p_last, p_first, child_key, c_last, c_first in families:
        parent = UserFactory(email=f"{parent_key}@example.ru", last_name=p_last, first_name=p_first)
        child = UserFactory(email=f"{child_key}@example.ru", last_name=c_last, first_name=c_first)
        give_role(parent, Role.PARENT, champ)
        give_role(child, Role.PUPIL, champ, organisation=near)
        FamilyLink.objects.create(parent=parent, child=child, status=FamilyLink.Status.CONFIRMED,
                                  requested_by=coordinator, decided_by=coordinator, decided_at=timezone.now())
        w.people[parent_key], w.people[child_key] = parent, child
    pass_diagnostic(w, w.people["pyekha"])
    pass_diagnostic(w, w.people["yolkin_child"])
    ProfessionalTrial.objects.create(pupil=w.people["yolkin_child"], taken_on=dt.date(2024, 11, 20),
                                     source="Билет в будущее, 2024: профпроба «Сварщик»", recorded_by=operator)
    w.objects["lesson"] = domain.create_lesson(venue, competency=fc_konditer, starts_at=lesson_start(10),
                                               capacity=capacity, format="in_person", by=venue_person)
    return w
