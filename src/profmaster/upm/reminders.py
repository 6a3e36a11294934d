"""Notices of a lesson that go out once (X-6, UPM-6), run by Celery beat (``upm.send_lesson_notices``, every 15
minutes) and ``manage.py send_upm_notices``.

* The reminder the day before: due from the start of the day before the lesson's date on the festival's wall
  clocks until the lesson starts; to the confirmed children's parents and the schools' coordinators.
* The flag of equipment not confirmed two days before: due once the delivery deadline (the end of the day two
  days before the lesson's date, festival's zone) has passed and some school of a lesson that needs equipment has
  not confirmed receipt; to the venue's people and the regional operator. The pages show the same flag
  (:func:`profmaster.upm.selectors.delivery_overdue`) whether or not the e-mail went out.

Each (lesson, notice) is sent once: a :class:`~.models.LessonNotice` row, unique in the database, is written in
the same transaction as the e-mails are queued.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from profmaster.championships import timezones
from profmaster.organisations.models import Organisation

from . import notify, selectors
from .models import EquipmentDelivery, Lesson, LessonNotice

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    lesson_id: int
    kind: str
    recipients: int


def reminder_opens(lesson: Lesson) -> dt.datetime:
    """The start of the day before the lesson's date, festival's zone."""
    return timezones.start_of_local_day(selectors.lesson_date(lesson) - dt.timedelta(days=1),
                                        selectors.zone_of_lesson(lesson))


def _once(lesson: Lesson, kind: str, send: Callable[[], int]) -> int | None:
    """Record the notice and queue its e-mails in one transaction; None when it was already sent."""
    try:
        with transaction.atomic():
            LessonNotice.objects.create(lesson=lesson, kind=kind)
            return send()
    except IntegrityError:  # another run sent it a moment ago
        return None


def send_lesson_notices(*, now: dt.datetime | None = None) -> list[Sent]:
    """Queue every reminder and every overdue-delivery flag that is due now and was not sent yet."""
    now = now or timezone.now()
    sent: list[Sent] = []
    # the widest zone difference is under a day: two days ahead covers «tomorrow» in every zone
    upcoming = (Lesson.objects.filter(cancelled_at__isnull=True, starts_at__gt=now,
                                      starts_at__lte=now + dt.timedelta(days=selectors.DELIVERY_DAYS_BEFORE + 2))
                .select_related("festival__championship", "venue", "competency").order_by("starts_at", "pk"))
    done = set(LessonNotice.objects.filter(lesson__in=upcoming).values_list("lesson_id", "kind"))
    for lesson in selectors.with_equipment_flag(upcoming):
        if (lesson.pk, LessonNotice.Kind.REMINDER) not in done and now >= reminder_opens(lesson):
            count = _once(lesson, LessonNotice.Kind.REMINDER, partial(notify.lesson_reminder, lesson))
            if count is not None:
                sent.append(Sent(lesson.pk, LessonNotice.Kind.REMINDER, count))
        needs = getattr(lesson, "needs_equipment", False)
        if (needs and (lesson.pk, LessonNotice.Kind.DELIVERY_OVERDUE) not in done
                and now > selectors.delivery_deadline(lesson)):
            schools = selectors.lesson_school_ids(lesson)
            received = set(EquipmentDelivery.objects.filter(lesson=lesson, received_at__isnull=False)
                           .values_list("school_id", flat=True))
            missing = sorted(str(o) for o in Organisation.objects.filter(pk__in=schools - received))
            if not missing:
                continue
            count = _once(lesson, LessonNotice.Kind.DELIVERY_OVERDUE, partial(
                notify.delivery_overdue, lesson, missing=missing, deadline=selectors.delivery_deadline(lesson)))
            if count is not None:
                sent.append(Sent(lesson.pk, LessonNotice.Kind.DELIVERY_OVERDUE, count))
    if sent:
        logger.info("УПМ lesson notices queued: %s", len(sent))
    return sent
