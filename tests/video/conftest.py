"""The video tests' world: a Vladivostok championship with two competencies and their people, and a fake
BigBlueButton server on a local port (tests/video/fake_services.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.video import domain
from profmaster.video.models import VideoProvider

from ..factories import ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .fake_services import FakeBBB, start


@pytest.fixture
def bbb() -> Iterator[FakeBBB]:
    fake = start(FakeBBB())
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@dataclass
class VideoWorld:
    championship: Any
    konditer: Any
    robotics: Any
    users: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.users[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@pytest.fixture
def vw(db) -> VideoWorld:
    championship = ChampionshipFactory(name="Лучший по профессии — Приморье", time_zone="Asia/Vladivostok")
    konditer = CompetencyFactory(championship=championship, name="Кондитерское дело")
    robotics = CompetencyFactory(championship=championship, name="Мобильная робототехника")
    users = {
        "directorate": UserFactory(last_name="Дирекцияева", first_name="Дарья", email="dir@example.ru"),
        "chief": UserFactory(last_name="Сладкова", first_name="Елена", email="chief@example.ru"),
        "expert": UserFactory(last_name="Пирожкова", first_name="Анна", email="expert@example.ru"),
        "expert_other": UserFactory(last_name="Шевчук", first_name="Юрий", email="robot@example.ru"),
        "contestant": UserFactory(last_name="Орёл", first_name="Семён", email="orel@example.ru"),
        "contestant_other": UserFactory(last_name="Пьеха", first_name="Эдита", email="pieha@example.ru"),
        "commission": UserFactory(last_name="Комиссаров", first_name="Константин", email="rkk@example.ru"),
        "outsider": UserFactory(last_name="Чужой", first_name="Пётр", email="other@example.ru"),
    }
    give_role(users["directorate"], Role.DIRECTORATE, championship)
    give_role(users["chief"], Role.CHIEF_EXPERT, championship, konditer)
    give_role(users["expert"], Role.EXPERT, championship, konditer)
    give_role(users["expert_other"], Role.EXPERT, championship, robotics)
    give_role(users["contestant"], Role.PARTICIPANT, championship, konditer)
    give_role(users["contestant_other"], Role.PARTICIPANT, championship, robotics)
    give_role(users["commission"], Role.REGIONAL_COMMISSION, championship)
    give_role(users["outsider"], Role.DIRECTORATE, ChampionshipFactory(name="Другой"))
    return VideoWorld(championship, konditer, robotics, users)


def bbb_provider(vw: VideoWorld, fake: FakeBBB) -> VideoProvider:
    return VideoProvider.objects.create(championship=vw.championship, kind="bbb", name="BBB региона",
                                        server_url=fake.base_url + "/bigbluebutton/", secret=fake.secret,
                                        checksum=fake.algorithm)


def contestant_session(vw: VideoWorld, *, provider: VideoProvider | None = None, kind: str = "contestant_expert",
                       starts_in: dt.timedelta = dt.timedelta(minutes=10), **extra: Any) -> Any:
    """A contestant–expert session of Кондитерское дело: the chief hosts, the panel and the contestant invited."""
    starts = timezone.now() + starts_in
    fields: dict[str, Any] = {"provider_kind": "bbb", "provider": provider} if provider else {
        "provider_kind": "link", "link_url": "https://meet.example.ru/room-1"}
    fields.update(extra)
    session = domain.schedule_session(vw.championship, kind=kind, competency=vw.konditer,
                                      title="Видеосвязь с Орлом С.", starts_at=starts,
                                      ends_at=starts + dt.timedelta(minutes=30), hosts=[vw.chief],
                                      by=vw.directorate, **fields)
    domain.invite(session, [vw.expert, vw.contestant], by=vw.chief)
    return session
