"""Reminders of the application deadline (X-6, REG-1): a mentor whose application is still a draft, or was
returned and not yet resubmitted, is told some days before the submission deadline closes.

The reminder «N days before» is due from the deadline's wall-clock time in the championship's own zone minus
N calendar days (so «3 days before 1 March 23:59 in Vladivostok» is 26 February 23:59 there, whatever the
server's zone or a change of summer time) until the deadline itself. Only the nearest reminder that is due is
sent — an application created the day before the deadline gets the one-day reminder, not both. Each
(application, reminder) is sent once: a :class:`~.models.DeadlineReminder` row, unique in the database, is
written in the same transaction as the e-mail is queued (:func:`~profmaster.notifications.domain.queue_email`).

Run by Celery beat (``registration.send_deadline_reminders``, hourly) and ``manage.py send_deadline_reminders``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from profmaster.championships import timezones
from profmaster.championships.models import Championship
from profmaster.notifications.domain import queue_email, usable_addresses

from . import workflow
from .models import Application, DeadlineReminder, TeamMember

logger = logging.getLogger(__name__)

#: Days before the deadline a reminder goes out (nearest first is what :func:`due_reminder` looks for).
REMINDER_DAYS: tuple[int, ...] = (3, 1)
TEMPLATE = "application_deadline_reminder"


@dataclass(frozen=True)
class Sent:
    application_id: int
    days_before: int
    to: tuple[str, ...]


def reminder_moment(deadline: dt.datetime, days_before: int, zone: dt.tzinfo) -> dt.datetime:
    """When the reminder «``days_before`` days before» is due: the same wall-clock time there, N days earlier."""
    local = timezone.localtime(deadline, zone)
    wall = local.replace(tzinfo=None) - dt.timedelta(days=days_before)
    return timezone.make_aware(wall, zone)  # type: ignore[arg-type]


def due_reminder(deadline: dt.datetime, now: dt.datetime, zone: dt.tzinfo,
                 days: Sequence[int] = REMINDER_DAYS) -> int | None:
    """The nearest reminder due at ``now`` (a number of days), or None (too early, or the deadline passed)."""
    if now >= deadline:
        return None
    due = [d for d in days if reminder_moment(deadline, d, zone) <= now]
    return min(due) if due else None


def _recipients(application: Application) -> list[str]:
    emails = [application.created_by.email]
    emails += [m.email for m in application.members.all()
               if m.kind == TeamMember.Kind.MENTOR and m.state == TeamMember.State.ACTIVE and m.email]
    return sorted(usable_addresses(emails))


def send_deadline_reminders(*, now: dt.datetime | None = None) -> list[Sent]:
    """Queue every reminder that is due now and was not sent yet; returns what was queued."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=max(REMINDER_DAYS) + 1)
    sent: list[Sent] = []
    championships = Championship.objects.filter(registration_deadline__gt=now, registration_deadline__lte=horizon)
    for championship in championships:
        deadline = championship.registration_deadline
        assert deadline is not None
        zone = timezones.zone_of(championship)
        days = due_reminder(deadline, now, zone)
        if days is None:
            continue
        waiting = (Application.objects.filter(championship=championship, status__in=workflow.EDITABLE, reopened=False)
                   .exclude(deadline_reminders__days_before=days)
                   .select_related("created_by", "organisation", "competency", "age_category")
                   .prefetch_related("members").order_by("pk"))
        for application in waiting:
            recipients = _recipients(application)
            if not recipients:
                continue
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(application=application, days_before=days, deadline=deadline)
                    queue_email(TEMPLATE, {
                        "application": application, "days": days, "deadline": deadline,
                        "returned": application.status == workflow.RETURNED,
                        "path": reverse("registration:detail", args=[application.pk])},
                        to=recipients, championship=championship, related=application)
            except IntegrityError:  # another run sent it a moment ago
                continue
            sent.append(Sent(application.pk, days, tuple(recipients)))
    if sent:
        logger.info("deadline reminders queued: %s", len(sent))
    return sent
