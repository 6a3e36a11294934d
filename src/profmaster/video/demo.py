"""Demo video sessions (RM-3, RM-6): a scheduled session on «another service» by plain link and a technical-support
consultation, so a newcomer can open «Мои видеосессии», the session page and the join link with the demo users.

``load(championship, ...)`` is idempotent (it adds nothing when the championship already has video sessions).
The links point to a public meeting address that needs no server of ours; BigBlueButton and Jitsi are configured
per championship or from the environment (README).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency

from . import domain
from .models import Invitation, ProviderKind, VideoSession

DEMO_LINK = "https://meet.jit.si/profmaster-demo-instruction"
DEMO_CONSULTATION_LINK = "https://meet.jit.si/profmaster-demo-support"


def _people(championship: Championship, *roles: str, competency: Competency | None = None) -> list[Any]:
    rows = RoleAssignment.objects.filter(championship=championship, role__in=roles).select_related("user")
    if competency is not None:
        rows = rows.filter(competency=competency)
    return [r.user for r in rows if r.user.is_active]


def load(championship: Championship, *, by: Any, competency: Competency | None = None,
         starts_at: dt.datetime | None = None) -> list[VideoSession]:
    """An instruction of the competency's contestants tomorrow at 10:00 (championship time), hosted by its chief
    expert with its panel and contestants invited, and a consultation of technical support the day after."""
    if VideoSession.objects.filter(championship=championship).exists():
        return list(VideoSession.objects.filter(championship=championship))
    competency = competency or championship.competencies.order_by("pk").first()  # type: ignore[attr-defined]
    zone = timezones.zone_of(championship)
    tomorrow = timezones.local(timezone.now(), zone).date() + dt.timedelta(days=1)
    starts_at = starts_at or dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=zone)
    sessions = []
    if competency is not None:
        chiefs = _people(championship, Role.CHIEF_EXPERT, competency=competency)
        instruction = domain.schedule_session(
            championship, kind=VideoSession.Kind.INSTRUCTION, competency=competency,
            title=f"Инструктаж участников — {competency.name}", starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=45), provider_kind=ProviderKind.LINK, link_url=DEMO_LINK,
            description="Правила выполнения задания на рабочем месте, проверка камеры и звука (п. 5 "
                        "информационного письма).", hosts=chiefs or [by], by=by)
        domain.invite(instruction, _people(championship, Role.EXPERT, competency=competency), by=by)
        contestants = _people(championship, Role.PARTICIPANT)
        if contestants:
            domain.invite(instruction, contestants, by=by)
        sessions.append(instruction)
    consultation_start = starts_at + dt.timedelta(days=1, hours=4)
    consultation = domain.schedule_session(
        championship, kind=VideoSession.Kind.CONSULTATION, title="Консультация технической поддержки: "
        "видеосвязь, онлайн-экзамен и подписание протоколов", starts_at=consultation_start,
        ends_at=consultation_start + dt.timedelta(hours=1), provider_kind=ProviderKind.LINK,
        link_url=DEMO_CONSULTATION_LINK, hosts=_people(championship, Role.DIRECTORATE) or [by], by=by)
    invited = _people(championship, Role.PARTICIPANT, Role.CHIEF_EXPERT, Role.EXPERT, Role.REGIONAL_COMMISSION)
    if invited:
        domain.invite(consultation, invited, role=Invitation.Role.PARTICIPANT, by=by)
    sessions.append(consultation)
    return sessions
