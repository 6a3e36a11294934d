"""factory_boy factories for the foundation's models."""

from __future__ import annotations

import datetime as dt

import factory

from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.championships.models import AgeCategory, BaseVenue, Championship, Competency, Stage, Workplace
from profmaster.organisations.models import Organisation, Venue

PASSWORD = "Секрет-пароль-2024"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.ru")
    last_name = "Иванов"
    first_name = factory.Sequence(lambda n: f"Иван{n}")
    patronymic = "Иванович"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"ГБОУ Школа № {1000 + n}")
    short_name = factory.Sequence(lambda n: f"Школа № {1000 + n}")
    region = "Москва"


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Колледж № {n}")
    address = factory.Sequence(lambda n: f"Москва, ул. Примерная, д. {n}")


class ChampionshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Championship

    name = "Московский детский чемпионат «Мастерята»"
    slug = factory.Sequence(lambda n: f"masteryata-{n}")
    season = "2022/2023"
    starts_on = dt.date(2023, 2, 1)
    ends_on = dt.date(2023, 4, 30)
    status = Championship.Status.ACTIVE


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    championship = factory.SubFactory(ChampionshipFactory)
    name = factory.Sequence(lambda n: f"Этап {n}")
    kind = Stage.Kind.FINAL
    starts_on = dt.date(2023, 4, 1)
    ends_on = dt.date(2023, 4, 10)


class AgeCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgeCategory

    championship = factory.SubFactory(ChampionshipFactory)
    code = factory.Sequence(lambda n: f"cat-{n}")
    name = "1–2 класс"
    grade_min = 1
    grade_max = 2


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    championship = factory.SubFactory(ChampionshipFactory)
    name = factory.Sequence(lambda n: f"Компетенция {n}")
    expert_count = 4


class BaseVenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaseVenue

    championship = factory.SubFactory(ChampionshipFactory)
    venue = factory.SubFactory(VenueFactory)


class WorkplaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workplace

    base_venue = factory.SubFactory(BaseVenueFactory)
    competency = factory.SubFactory(CompetencyFactory)
    number = factory.Sequence(lambda n: n + 1)


def give_role(user: User, role: str, championship: Championship | None, competency: Competency | None = None,
              organisation: Organisation | None = None) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=role, championship=championship, competency=competency,
                                         organisation=organisation)


__all__ = ["PASSWORD", "Role", "give_role"]
