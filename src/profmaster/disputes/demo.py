"""The demo's dispute (AP-1): at the «Кондитерское дело» venue the technical administrator raised a question, the
chief expert put it to the vote of the three experts and one has voted — experts 2 and 3 can log in and decide it
(expert2.konditer@… / expert3.konditer@…, the cabinet's «Спорные вопросы» card), the chief expert sees who has not
voted on the day board. Idempotent."""

from __future__ import annotations

from typing import Any

from profmaster.accounts.models import User
from profmaster.championships.models import Competency

from . import domain
from .models import Dispute


def load(championship: Any) -> Dispute | None:
    competency = Competency.objects.filter(championship=championship, name="Кондитерское дело").first()
    if competency is None:
        return None
    existing = Dispute.objects.filter(competency=competency).first()
    if existing is not None:
        return existing
    venue = User.objects.get(email="venue@profmaster.local")
    chief = User.objects.get(email="chief.konditer@profmaster.local")
    expert = User.objects.get(email="expert1.konditer@profmaster.local")
    dispute = domain.raise_dispute(
        competency, question="На рабочих местах 3 и 4 духовые шкафы не набирали заданную температуру (180 °C) "
                             "первые 20 минут модуля Б: засчитать ли потерянное время командам?",
        concerns="Команды на рабочих местах 3 и 4, поток 1",
        circumstances="Запись термометра площадки, акт технического администратора, видео с камеры 2 (10:05–10:25).",
        by=venue)
    domain.put_to_vote(dispute, proposal="Продлить модуль Б на 20 минут командам рабочих мест 3 и 4; "
                                         "санкций не применять.", by=chief)
    domain.cast_vote(dispute, choice="for", by=expert)
    return dispute
