"""Fixtures of the results tests: locked team totals are created directly as ``marking.TeamResult`` rows
(the marks lock that writes them belongs to marking)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.championships.models import Stage
from profmaster.documents.models import GENERATED_TYPES, Document, DocumentType, RequiredSigner, Signature
from profmaster.marking.models import MarkingScheme, SchemeMarking, TeamResult
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

    def protocol(self, doc_type, *, signers, signed):
        """A lock protocol with its required signers; the first ``signed`` of them have signed it."""
        number = (Document.objects.filter(championship=self.championship).count() or 0) + 1
        document = Document.objects.create(championship=self.championship, competency=self.competency,
                                           doc_type=doc_type, number=number, title=f"Протокол {number}",
                                           data={}, content_hash=f"{number:064d}", created_by=signers[0],
                                           generator="legacy" if doc_type in GENERATED_TYPES else "")
        for order, user in enumerate(signers):
            RequiredSigner.objects.create(document=document, user=user, role_label="Эксперт", order=order)
        for user in signers[:signed]:
            Signature.objects.create(document=document, signer=user, role_label="Эксперт", signed_at=timezone.now(),
                                     content_hash=document.content_hash, document_version=1)
        return document

    def lock_protocols(self, stage, *, criteria_signed=None, marks_signed=None, signers=None):
        """The criteria-lock protocol and the marks-lock acceptance form of the stage's scheme (SC-7),
        signed by all signers unless told how many signed."""
        scheme = self.scheme(stage)
        signers = signers or [UserFactory(last_name=f"Подписантов{i}") for i in range(4)]
        count = len(signers)
        scheme.lock_document = self.protocol(DocumentType.CRITERIA_LOCK, signers=signers,
                                             signed=count if criteria_signed is None else criteria_signed)
        scheme.status = MarkingScheme.Status.LOCKED
        scheme.save(update_fields=["lock_document", "status"])
        form = self.protocol(DocumentType.MARKS_LOCK, signers=signers,
                             signed=count if marks_signed is None else marks_signed)
        SchemeMarking.objects.update_or_create(scheme=scheme, defaults={
            "status": SchemeMarking.Status.LOCKED, "locked_at": timezone.now(), "lock_document": form})
        return scheme

    def lock(self, stage, totals, *, signed=True):
        """TeamResult rows for (team, total) pairs, as the marks lock would write them, with the lock
        protocols signed (``signed=False``: left for the test to create)."""
        scheme = self.scheme(stage)
        if signed and scheme.lock_document_id is None:
            self.lock_protocols(stage)
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
