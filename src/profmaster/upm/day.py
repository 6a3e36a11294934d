"""Equipment and the day of a lesson (SPEC UPM-6, UPM-7; seed 001 VI–VII). One function per state change
(validate, write in one transaction, audit, queue e-mails); pages, API, admin and commands all call them.

* :func:`record_delivery` — the venue records that the infrastructure-list items reached a school, at the latest
  two calendar days before the lesson's date in the festival's zone (later: refused with the date it was due).
* :func:`confirm_receipt` — the school's coordinator confirms the receipt.
* :func:`record_check` — an item of the lesson's checklist: the mentor at the venue, the video link with a school
  tested in advance (when and by whom), the school's representative in the class.
* :func:`take_attendance` — the venue (every pupil) or a coordinator (their school's) marks confirmed pupils
  present or absent; a present pupil's lesson is recorded as their professional trial (one per pupil, a DB
  constraint); a correction to absent removes the trial this lesson gave.

Who may call them is decided by :mod:`profmaster.permissions` (``upm.*``); the functions check the rules of the
records themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.core.errors import DomainError, TransitionError
from profmaster.organisations.models import Organisation

from . import notify, selectors
from .models import Attendance, Confirmation, EquipmentDelivery, Lesson, LessonCheck, ProfessionalTrial

NOTE_MAX = 300
ITEMS_MAX = 4000


def _zone_label(lesson: Lesson, at: dt.datetime | None = None) -> str:
    return timezones.zone_label(selectors.zone_of_lesson(lesson), at)


def _not_cancelled(lesson: Lesson) -> None:
    if lesson.cancelled_at is not None:
        raise TransitionError(_("Урок отменён: отмечать по нему ничего нельзя."))


def _lock(lesson: Lesson) -> Lesson:
    return Lesson.objects.select_for_update().select_related("festival__championship", "venue", "competency").get(
        pk=lesson.pk)


# --- Equipment (UPM-6) -------------------------------------------------------------------------------------


def record_delivery(lesson: Lesson, school: Organisation, *, items: str = "", by: Any,
                    now: dt.datetime | None = None) -> EquipmentDelivery:
    """The venue delivered the infrastructure-list items to ``school`` for ``lesson``: at the latest two days before
    the lesson's date (festival's zone). A later record is refused with the date by which it was due."""
    now = now or timezone.now()
    items = str(items or "").strip()
    if len(items) > ITEMS_MAX:
        raise DomainError(_("Перечень доставленного длиннее %(n)s знаков.") % {"n": ITEMS_MAX}, field="items")
    if not selectors.needs_equipment(lesson):
        raise DomainError(_("Для этой компетенции инфраструктурный лист не требует доставки в школу."))
    if school.pk not in selectors.lesson_school_ids(lesson):
        raise DomainError(_("Эта школа не участвует в уроке."), field="school")
    deadline = selectors.delivery_deadline(lesson)
    if now > deadline:
        raise DomainError(_("Доставку оборудования нужно было записать не позднее %(date)s — за %(days)s дня до "
                            "урока %(lesson_date)s (%(zone)s). Срок прошёл, запись не сохранена.") % {
            "date": selectors.delivery_due_date(lesson).strftime("%d.%m.%Y"),
            "days": selectors.DELIVERY_DAYS_BEFORE,
            "lesson_date": selectors.lesson_date(lesson).strftime("%d.%m.%Y"),
            "zone": _zone_label(lesson, lesson.starts_at)}, field="delivered_at", code="too_late")
    with transaction.atomic():
        lesson = _lock(lesson)
        _not_cancelled(lesson)
        if EquipmentDelivery.objects.filter(lesson=lesson, school=school).exists():
            raise TransitionError(_("Доставка в эту школу к этому уроку уже записана."))
        delivery = EquipmentDelivery.objects.create(lesson=lesson, school=school, items=items, delivered_at=now,
                                                    recorded_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=delivery, after=snapshot(delivery),
               championship=lesson.festival.championship)
        notify.delivery_recorded(delivery)
    return delivery


def confirm_receipt(delivery: EquipmentDelivery, *, by: Any, now: dt.datetime | None = None) -> EquipmentDelivery:
    """The school's coordinator confirms the equipment arrived. Once; not after the lesson was cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        stored = EquipmentDelivery.objects.select_for_update().select_related(
            "lesson__festival__championship", "school").get(pk=delivery.pk)
        _not_cancelled(stored.lesson)
        if stored.received_at is not None:
            raise TransitionError(_("Получение оборудования уже подтверждено %(when)s.") % {
                "when": timezones.format_local(stored.received_at, selectors.zone_of_lesson(stored.lesson))})
        before = snapshot(stored)
        stored.received_at, stored.received_by = now, by
        stored.save(update_fields=["received_at", "received_by"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=stored, before=before, after=snapshot(stored),
               championship=stored.lesson.festival.championship)
    return stored


# --- The checklist (UPM-7) ---------------------------------------------------------------------------------


def record_check(lesson: Lesson, item: str, *, school: Organisation | None = None, done_at: dt.datetime | None = None,
                 note: str = "", by: Any, now: dt.datetime | None = None) -> LessonCheck:
    """Tick an item of the lesson's checklist. The video link is tested in advance (before the lesson starts) and
    the record says when and by whom; the mentor and the school's representative are there on the lesson's day."""
    now = now or timezone.now()
    if item not in LessonCheck.Item.values:
        raise DomainError(_("Выберите пункт чек-листа."), field="item")
    per_school = item in LessonCheck.PER_SCHOOL
    if per_school and school is None:
        raise DomainError(_("Укажите школу."), field="school")
    if not per_school:
        school = None
    if school is not None and school.pk not in selectors.lesson_school_ids(lesson):
        raise DomainError(_("Эта школа не участвует в уроке."), field="school")
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("Примечание длиннее %(n)s знаков.") % {"n": NOTE_MAX}, field="note")
    done_at = done_at or now
    if not isinstance(done_at, dt.datetime) or timezone.is_naive(done_at):
        raise DomainError(_("Укажите дату и время."), field="done_at")
    if done_at > now + dt.timedelta(minutes=5):
        raise DomainError(_("Время отметки не может быть в будущем."), field="done_at")
    zone = selectors.zone_of_lesson(lesson)
    if item == LessonCheck.Item.LINK_TESTED:
        if done_at >= lesson.starts_at:
            raise DomainError(_("Связь проверяют заранее — до начала урока %(start)s.") % {
                "start": timezones.format_local(lesson.starts_at, zone)}, field="done_at")
    elif timezones.local_date(done_at, zone) != selectors.lesson_date(lesson):
        raise DomainError(_("Присутствие отмечают в день урока — %(date)s (%(zone)s).") % {
            "date": selectors.lesson_date(lesson).strftime("%d.%m.%Y"), "zone": _zone_label(lesson, lesson.starts_at)},
            field="done_at")
    with transaction.atomic():
        lesson = _lock(lesson)
        _not_cancelled(lesson)
        if LessonCheck.objects.filter(lesson=lesson, item=item, school=school).exists():
            raise TransitionError(_("Этот пункт чек-листа уже отмечен."))
        check = LessonCheck.objects.create(lesson=lesson, item=item, school=school, done_at=done_at, note=note,
                                           done_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=check, after=snapshot(check),
               championship=lesson.festival.championship)
    return check


# --- Attendance (UPM-7) ------------------------------------------------------------------------------------


def attendance_opens(lesson: Lesson) -> dt.datetime:
    """Attendance is taken from the start of the lesson's day (festival's zone)."""
    return timezones.start_of_local_day(selectors.lesson_date(lesson), selectors.zone_of_lesson(lesson))


def take_attendance(lesson: Lesson, marks: Mapping[int, bool], *, by: Any, school_ids: set[int] | None = None,
                    now: dt.datetime | None = None) -> list[Attendance]:
    """Mark confirmed pupils (``{pupil id: present}``) of ``lesson``. ``school_ids`` limits whose pupils the caller
    may mark (a coordinator: their schools; the venue: None, every pupil). All marks are checked before any is
    written: one pupil not confirmed for this lesson refuses the whole submission, nothing changes.

    A present pupil's lesson becomes their professional trial (UPM-7); if they already have one (another lesson,
    or an earlier trial entered with its source), it stays. Marked absent after present: the trial this lesson gave
    is removed."""
    now = now or timezone.now()
    if not marks:
        raise DomainError(_("Отметьте хотя бы одного ученика."), field="marks")
    try:
        wanted = {int(pupil): bool(present) for pupil, present in marks.items()}
    except (TypeError, ValueError):
        raise DomainError(_("Ученик указан неверно."), field="marks") from None
    if now < attendance_opens(lesson):
        raise DomainError(_("Посещаемость отмечают в день урока — %(date)s (%(zone)s).") % {
            "date": selectors.lesson_date(lesson).strftime("%d.%m.%Y"), "zone": _zone_label(lesson, lesson.starts_at)},
            field="marks")
    with transaction.atomic():
        lesson = _lock(lesson)
        _not_cancelled(lesson)
        confirmations = {c.pupil_id: c for c in Confirmation.objects.filter(lesson=lesson, pupil_id__in=wanted)
                         .select_related("pupil")}
        missing = sorted(set(wanted) - set(confirmations))
        if missing:
            raise DomainError(_("Отметить можно только учеников, чьё участие в этом уроке подтверждено. Не "
                                "подтверждены: %(n)s. Ничего не сохранено.") % {"n": len(missing)}, field="marks",
                              code="not_confirmed")
        if school_ids is not None:
            foreign = [c for c in confirmations.values() if c.school_id not in school_ids]
            if foreign:
                raise DomainError(_("Координатор отмечает только учеников своей школы. Ничего не сохранено."),
                                  field="marks", code="other_school")
        existing = {a.confirmation_id: a for a in Attendance.objects.select_for_update().filter(
            confirmation__in=[c.pk for c in confirmations.values()])}
        trials = {t.pupil_id: t for t in ProfessionalTrial.objects.select_for_update().filter(pupil_id__in=wanted)}
        taken_on = selectors.lesson_date(lesson)
        result = []
        for pupil_id in sorted(wanted):
            present = wanted[pupil_id]
            confirmation = confirmations[pupil_id]
            attendance = existing.get(confirmation.pk)
            if attendance is None:
                attendance = Attendance.objects.create(confirmation=confirmation, present=present, recorded_by=by,
                                                       recorded_at=now)
                record(actor=by, action=AuditEntry.Action.CREATE, instance=attendance, after=snapshot(attendance),
                       championship=lesson.festival.championship)
            elif attendance.present != present:
                before = snapshot(attendance)
                attendance.present, attendance.recorded_by, attendance.recorded_at = present, by, now
                attendance.save(update_fields=["present", "recorded_by", "recorded_at"])
                record(actor=by, action=AuditEntry.Action.UPDATE, instance=attendance, before=before,
                       after=snapshot(attendance), championship=lesson.festival.championship)
            trial = trials.get(pupil_id)
            if present and trial is None:
                trial = _record_trial(lesson, confirmation, taken_on, by=by)
                trials[pupil_id] = trial
            elif not present and trial is not None and trial.lesson_id == lesson.pk:
                record(actor=by, action=AuditEntry.Action.DELETE, instance=trial, before=snapshot(trial),
                       reason=_("Отмечен(а) отсутствующим на уроке"), championship=lesson.festival.championship)
                trial.delete()
                del trials[pupil_id]
            result.append(attendance)
    return result


def _record_trial(lesson: Lesson, confirmation: Confirmation, taken_on: dt.date, *, by: Any) -> ProfessionalTrial:
    """The taken lesson as the pupil's professional trial (one per pupil: the database refuses a second)."""
    try:
        with transaction.atomic():
            trial = ProfessionalTrial.objects.create(pupil_id=confirmation.pupil_id, lesson=lesson, taken_on=taken_on,
                                                     recorded_by=by)
    except IntegrityError:  # another lesson's attendance recorded it a moment ago: that one stays
        return ProfessionalTrial.objects.get(pupil_id=confirmation.pupil_id)
    record(actor=by, action=AuditEntry.Action.CREATE, instance=trial, after=snapshot(trial),
           championship=lesson.festival.championship)
    return trial
