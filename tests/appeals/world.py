"""An appeal world (AP-2, AP-3): a championship in a chosen zone with a remote stage, a competency whose approved
team has a mentor, a decided dispute of that team, the Directorate and five of its people for the commission."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.appeals import domain
from profmaster.disputes.models import Dispute
from profmaster.documents.domain import create_generated_document
from profmaster.registration.models import Application, TeamMember

from ..factories import (
    AgeCategoryFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    give_role,
)

PDF = b"%PDF-1.4\n% signed appeal form\n" + b"0" * 200
MEMBER_NAMES = (("Шевчук", "Юрий"), ("Пьеха", "Эдита"), ("Орлова", "Алёна"), ("Ёлкин", "Семён"), ("Грачёв", "Пётр"))


def pdf(name: str = "appeal.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


@dataclass
class World:
    championship: Any
    competency: Any
    stage: Any
    team: Any
    mentor: Any
    other_mentor: Any
    directorate: Any
    chief: Any
    members: list[Any]
    disputes: list[Any] = field(default_factory=list)

    def dispute(self, *, arose_on: dt.date | None = None, state: str = "decided", team: Any = "same") -> Dispute:
        number = len(self.disputes) + 1
        decided = state == "decided"
        protocol = create_generated_document(
            championship=self.championship, competency=self.competency, doc_type="other",
            title=f"Протокол спорного вопроса № {number}", data={"text": "Решено голосованием жюри."},
            signers=[(self.chief, "Главный эксперт")], by=self.chief, generator="demo") if decided else None
        dispute = Dispute.objects.create(
            championship=self.championship, competency=self.competency, number=number, raised_by=self.mentor,
            team=self.team if team == "same" else team, concerns="Команда школы № 1, критерий B",
            question="Оценка аспекта B1.2 занижена", arose_on=arose_on or timezone.localdate(
                timezone=domain.timezones.zone_of(self.championship)),
            state=state, outcome="rejected" if decided else "", decision="Оценку оставить" if decided else "",
            decided_at=timezone.now() if decided else None, protocol=protocol)
        self.disputes.append(dispute)
        return dispute

    def approve(self, *, elect: int | None = 0) -> Any:
        """Compose the commission of the five members, approve it before the deadline, elect member ``elect``."""
        for user in self.members:
            domain.add_member(self.championship, user=user, by=self.directorate)
        commission = domain.approve_commission(self.championship, by=self.directorate,
                                               now=domain.approval_deadline(self.championship) - dt.timedelta(hours=1))
        if elect is not None:
            domain.open_election(self.championship, by=self.members[0])
            for voter in self.members[:3]:
                domain.cast_ballot(self.championship, candidate=self.members[elect], by=voter)
            commission.refresh_from_db()
        return commission

    @property
    def chair(self) -> Any:
        return self.members[0]

    def file(self, dispute: Dispute | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("persons", "Наставникова Нина Ивановна; Пьеха Эдита Станиславовна (главный эксперт)")
        kwargs.setdefault("claim", "Аспект B1.2 оценён без учёта оформления изделия")
        kwargs.setdefault("scan", pdf())
        return domain.file_appeal(dispute or self.dispute(), by=kwargs.pop("by", self.mentor), **kwargs)


def make_world(zone: str = "Europe/Moscow") -> World:
    championship = ChampionshipFactory(time_zone=zone)
    competency = CompetencyFactory(championship=championship, name="Кондитерское дело")
    stage = StageFactory(championship=championship, kind="remote", name="Дистанционный этап",
                         starts_on=timezone.localdate() + dt.timedelta(days=30),
                         ends_on=timezone.localdate() + dt.timedelta(days=40))
    category = AgeCategoryFactory(championship=championship)
    directorate = UserFactory(last_name="Дирекцияева", first_name="Дарья", email="dir@example.ru")
    give_role(directorate, Role.DIRECTORATE, championship)
    chief = UserFactory(last_name="Пьеха", first_name="Эдита", email="chief@example.ru")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    mentor = UserFactory(last_name="Наставникова", first_name="Нина", email="mentor@example.ru")
    other_mentor = UserFactory(last_name="Чужой", first_name="Наставник", email="other.mentor@example.ru")
    for user in (mentor, other_mentor):
        give_role(user, Role.MENTOR, championship)
    organisation = OrganisationFactory(short_name="Школа № 1")
    team = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                      organisation=organisation, created_by=mentor, status="approved")
    TeamMember.objects.create(application=team, kind="participant", last_name="Орёл", first_name="Семён",
                              birth_date=dt.date(2015, 3, 1), grade=1, organisation=organisation)
    TeamMember.objects.create(application=team, kind="mentor", last_name="Наставникова", first_name="Нина",
                              email=mentor.email, user=mentor, organisation=organisation)
    other_team = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                            organisation=OrganisationFactory(short_name="Школа № 2"),
                                            created_by=other_mentor, status="approved")
    TeamMember.objects.create(application=other_team, kind="mentor", last_name="Чужой", first_name="Наставник",
                              email=other_mentor.email, user=other_mentor)
    members = []
    for index, (last, first) in enumerate(MEMBER_NAMES):
        user = UserFactory(last_name=last, first_name=first, email=f"appeal{index}@example.ru")
        give_role(user, Role.APPEAL_MEMBER if index else Role.DIRECTORATE, championship)
        members.append(user)
    return World(championship, competency, stage, team, mentor, other_mentor, directorate, chief, members)
