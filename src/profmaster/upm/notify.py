"""E-mails of the УПМ steps (X-6, issue 17 §7) to coordinators, parents, venues and the operator, queued through
:func:`profmaster.notifications.domain.queue_email` inside the caller's transaction (nothing is sent for a change
that was rolled back). Templates: ``upm/templates/notifications/upm_*.subject.txt|.txt|.html`` (translatable).

The domain functions of the УПМ call these small functions at each step: the confirmation link sent to a
coordinator, a parent's confirmation counted or refused, the lesson cancelled; the day's own steps (a delivery
to confirm, an overdue delivery) and the reminder the day before (:mod:`.reminders`) call them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.notifications.domain import queue_email, usable_addresses

from .models import Confirmation, EquipmentDelivery, Lesson


def _people(championship_id: int, role: str, organisations: Iterable[int | None] | None = None) -> list[Any]:
    assignments = RoleAssignment.objects.filter(championship_id=championship_id, role=role, user__is_active=True)
    if organisations is not None:
        assignments = assignments.filter(organisation_id__in=[o for o in organisations if o is not None])
    return [a.user for a in assignments.select_related("user").order_by("user_id")]


def coordinators(lesson: Lesson, school_ids: Iterable[int]) -> list[Any]:
    """The coordinators of these schools in the lesson's festival."""
    return _people(lesson.festival.championship_id, Role.SCHOOL_COORDINATOR, school_ids)


def venue_people(lesson: Lesson) -> list[Any]:
    """The people of the lesson's venue (the role held with the venue's organisation)."""
    return _people(lesson.festival.championship_id, Role.UPM_VENUE, [lesson.venue.organisation_id])


def operators(lesson: Lesson) -> list[Any]:
    return _people(lesson.festival.championship_id, Role.UPM_OPERATOR)


def lesson_context(lesson: Lesson) -> dict[str, Any]:
    return {"competency": lesson.competency.name, "venue": lesson.venue.name, "starts_at": lesson.starts_at,
            "format": str(lesson.get_format_display()), "video_link": lesson.video_link,
            "festival": lesson.festival.name}


def _send(template: str, lesson: Lesson, to: Sequence[Any], *, path: str = "", related: Any = None,
          **extra: Any) -> int:
    users = [u for u in to if getattr(u, "email", "")]
    by_address = {u.email.lower(): u for u in users}
    recipients = [by_address.get(a.lower(), a) for a in usable_addresses(u.email for u in users)]
    if not recipients:
        return 0
    queue_email(template, {"lesson": lesson_context(lesson), "path": path or reverse("upm_day:lesson",
                                                                                       args=[lesson.pk]), **extra},
                recipients, championship=lesson.festival.championship, related=related or lesson)
    return len(recipients)


# --- Steps of the confirmation (UPM-4, UPM-5), called by the lesson and confirmation domain ---------------


def link_sent(lesson: Lesson, school: Any, url: str, *, to: Sequence[Any] | None = None) -> int:
    """The venue's confirmation link for ``school`` reached its coordinators (to pass on to the parents)."""
    people = list(to) if to is not None else coordinators(lesson, [school.pk])
    return _send("upm_link_sent", lesson, people, school=str(school), link=url, path=url)


def confirmation_counted(confirmation: Confirmation, *, pupil_name: str | None = None) -> int:
    """The parent's confirmation counted: the parent is told (the school's coordinators follow the count on their
    pages, not by one e-mail per child)."""
    name = pupil_name if pupil_name is not None else confirmation.pupil.full_name
    return _send("upm_confirmation_counted", confirmation.lesson, [confirmation.parent], related=confirmation,
                 pupil=name, school=str(confirmation.school))


def confirmation_refused(lesson: Lesson, *, parent: Any, pupil_name: str, reasons: Sequence[str],
                         path: str = "") -> int:
    """The parent's confirmation did not count: what to do next, in plain words (the reasons the parent saw)."""
    return _send("upm_confirmation_refused", lesson, [parent], path=path, pupil=pupil_name,
                 reasons=[str(r) for r in reasons])


def lesson_cancelled(lesson: Lesson, *, reason: str = "") -> int:
    """The lesson was cancelled: every confirmed child's parent and the schools' coordinators are told."""
    confirmations = list(Confirmation.objects.filter(lesson=lesson).select_related("parent"))
    people = [c.parent for c in confirmations] + coordinators(lesson, {c.school_id for c in confirmations})
    return _send("upm_lesson_cancelled", lesson, people, reason=reason)


# --- The day (UPM-6, UPM-7) --------------------------------------------------------------------------------


def delivery_recorded(delivery: EquipmentDelivery) -> int:
    """The venue recorded a delivery: the school's coordinators are asked to confirm the receipt."""
    return _send("upm_delivery_recorded", delivery.lesson, coordinators(delivery.lesson, [delivery.school_id]),
                 related=delivery, school=str(delivery.school), items=delivery.items)


def delivery_overdue(lesson: Lesson, *, missing: Sequence[str], deadline: Any) -> int:
    """Two days before, a school has not confirmed the equipment: the venue and the operator are told (once)."""
    return _send("upm_delivery_overdue", lesson, [*venue_people(lesson), *operators(lesson)], missing=list(missing),
                 deadline=deadline)


def lesson_reminder(lesson: Lesson) -> int:
    """The day before: the confirmed children's parents and the schools' coordinators."""
    confirmations = list(Confirmation.objects.filter(lesson=lesson).select_related("parent"))
    people = [c.parent for c in confirmations] + coordinators(lesson, {c.school_id for c in confirmations})
    return _send("upm_lesson_reminder", lesson, people)
