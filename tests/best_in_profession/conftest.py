"""A «Лучший по профессии» championship (Yekaterinburg time) with a nomination, an employer and its
representative, the Directorate, a chief expert and a venue with its technical administrator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.best_in_profession import domain
from profmaster.best_in_profession.models import Education, ProfessionNomination
from profmaster.championships.models import Championship, InfrastructureItem
from profmaster.organisations.models import Organisation

from ..factories import (
    BaseVenueFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    VenueFactory,
    WorkplaceFactory,
    give_role,
)

ZONE = "Asia/Yekaterinburg"


def make_contest(zone: str = ZONE, slug: str = "lpp") -> SimpleNamespace:
    today = timezone.localdate()
    championship = ChampionshipFactory(
        name="Лучший по профессии — Свердловская область", slug=slug, time_zone=zone,
        rules_profile=Championship.RulesProfile.BEST_IN_PROFESSION,
        starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=40))
    competency = CompetencyFactory(championship=championship, name="Сварочные технологии")
    other_competency = CompetencyFactory(championship=championship, name="Поварское дело")
    directorate = UserFactory(email=f"dir-{slug}@example.ru", last_name="Уральцева")
    give_role(directorate, Role.DIRECTORATE, championship)
    suffix = "" if slug == "lpp" else f" ({slug})"
    employer = OrganisationFactory(kind=Organisation.Kind.EMPLOYER, name=f"АО «Уралтяжмаш»{suffix}",
                                   short_name=f"Уралтяжмаш{suffix}", region="Свердловская область")
    other_employer = OrganisationFactory(kind=Organisation.Kind.EMPLOYER, name=f"ООО «Исеть»{suffix}",
                                         short_name=f"Исеть{suffix}")
    school = OrganisationFactory(kind=Organisation.Kind.SCHOOL)
    rep = UserFactory(email=f"rep-{slug}@example.ru", last_name="Шевчук", first_name="Дмитрий")
    give_role(rep, Role.ORG_REPRESENTATIVE, championship, organisation=employer)
    chief = UserFactory(email=f"chief-{slug}@example.ru", last_name="Жаров")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    expert = UserFactory(email=f"expert-{slug}@example.ru", last_name="Искрова")
    give_role(expert, Role.EXPERT, championship, competency)
    nomination = domain.save_nomination(ProfessionNomination(
        championship=championship, competency=competency, name="Лучший сварщик", min_age=18,
        min_years_of_service=Decimal(3), min_education=Education.SECONDARY_VOCATIONAL), by=directorate)
    stage = StageFactory(championship=championship, name="Практический этап", starts_on=today + dt.timedelta(days=5),
                         ends_on=today + dt.timedelta(days=7))
    venue_admin = UserFactory(email=f"venue-{slug}@example.ru", last_name="Станков")
    give_role(venue_admin, Role.VENUE_ADMIN, championship)
    base = BaseVenueFactory(championship=championship, venue=VenueFactory(), technical_administrator=venue_admin)
    base.competencies.add(competency)
    WorkplaceFactory(base_venue=base, competency=competency, number=1)
    WorkplaceFactory(base_venue=base, competency=competency, number=2)
    inverter = InfrastructureItem.objects.create(competency=competency, name="Сварочный инвертор", quantity=Decimal(1),
                                                 photo_required=True)
    mask = InfrastructureItem.objects.create(competency=competency, name="Маска сварщика", quantity=Decimal(1),
                                             per=InfrastructureItem.Per.VENUE)
    return SimpleNamespace(championship=championship, competency=competency, other_competency=other_competency,
                           directorate=directorate, employer=employer, other_employer=other_employer, school=school,
                           rep=rep, chief=chief, expert=expert, nomination=nomination, stage=stage,
                           venue_admin=venue_admin, base=base, inverter=inverter, mask=mask)


@pytest.fixture
def contest(db) -> SimpleNamespace:
    return make_contest()


def data(**changes: Any) -> domain.ContestantData:
    values: dict[str, Any] = {
        "last_name": "Орёл", "first_name": "Семён", "patronymic": "Петрович", "birth_date": dt.date(1990, 5, 14),
        "position": "Электросварщик 5 разряда", "years_of_service": Decimal(8),
        "education": Education.SECONDARY_VOCATIONAL, "email": "orel@example.ru", "phone": "+7 343 000-00-00"}
    values.update(changes)
    return domain.ContestantData(**values)


def enter(c: SimpleNamespace, **changes: Any) -> Any:
    return domain.enter_contestant(c.championship, nomination=c.nomination, organisation=c.employer, by=c.rep,
                                   data=data(**changes))
