"""The demo's appeal commission (AP-3): five of the Directorate's people — the demo users appeal@ and
appeal.chair@ and three more — approved on 17.02.2023 (two days before the remote stage of 20.02, Moscow time) and
published on «Регламентирующие документы»; at its first meeting appeal.chair@ was elected chair by 3 votes of 5.

No appeal is left pending: it would hold the demo's results publication and marks lock (003 §8.6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from profmaster.accounts import domain as accounts
from profmaster.accounts.models import Role, User
from profmaster.championships import timezones
from profmaster.championships.models import Championship

from . import domain

MEMBERS = (("appeal.member3@profmaster.local", "Шевчук", "Юрий", "Юлианович"),
           ("appeal.member4@profmaster.local", "Пьеха", "Илона", "Эдуардовна"),
           ("appeal.member5@profmaster.local", "Орлова", "Алёна", "Сергеевна"))


def load(championship: Championship, *, by: Any, password: str) -> None:
    if domain.commission_of(championship) is not None:
        return
    people = [User.objects.get(email="appeal@profmaster.local"), User.objects.get(email="appeal.chair@profmaster.local")]
    for email, last, first, patronymic in MEMBERS:
        user = User.objects.filter(email=email).first() or accounts.create_user(
            email=email, last_name=last, first_name=first, patronymic=patronymic, by=by, championship=championship)
        user.set_password(password)
        user.save(update_fields=["password"])
        accounts.assign_role(user=user, role=Role.APPEAL_MEMBER, championship=championship, by=by)
        people.append(user)
    for user in people:
        domain.add_member(championship, user=user, by=by)
    zone = timezones.zone_of(championship)
    domain.approve_commission(championship, by=by, basis="Приказ Дирекции № 12 от 17.02.2023",
                              now=dt.datetime(2023, 2, 17, 12, 0, tzinfo=zone))
    domain.open_election(championship, by=by)
    chair = people[1]
    for voter in people[:3]:
        domain.cast_ballot(championship, candidate=chair, by=voter)
