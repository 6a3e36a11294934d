"""Pages of the lesson's day (UPM-6, UPM-7) and the festival's report. Thin: permission, then :mod:`.day` /
:mod:`.reports`. The attendance page is made for a phone (390 px): one column of pupils, big toggles."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships import timezones
from profmaster.core.actions import act, chosen
from profmaster.core.errors import DomainError
from profmaster.core.spreadsheets import CSV_CONTENT_TYPE, csv_bytes, safe_row
from profmaster.organisations.models import Organisation
from profmaster.permissions import has_perm, require, upm_school_ids, upm_venue_ids

from . import day, reports, selectors
from .models import Attendance, Confirmation, EquipmentDelivery, Festival, Lesson, LessonCheck


def _festival(request: HttpRequest, pk: int, perm: str = "upm.view_own_report") -> Festival:
    festival = get_object_or_404(Festival.objects.select_related("championship"), pk=pk)
    if not has_perm(request.user, perm, festival):
        raise Http404
    return festival


def _lesson(request: HttpRequest, pk: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("festival__championship", "venue", "competency"), pk=pk)
    if not has_perm(request.user, "upm.view_lesson_day", lesson):
        raise Http404
    return lesson


def _crumbs(festival: Festival) -> list[tuple[str, str | None]]:
    return [(festival.name, reverse("upm_day:lessons", args=[festival.pk]))]


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _parse_local(value: str, lesson: Lesson) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(_("Укажите дату и время."), field="done_at") from exc
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=selectors.zone_of_lesson(lesson))
    return moment


@login_required
def lessons(request: HttpRequest, festival_pk: int) -> HttpResponse:
    """The festival's lessons this person follows, with the equipment flag (UPM-6) and the day's progress."""
    festival = _festival(request, festival_pk)
    now = timezone.now()
    rows = []
    for lesson in selectors.with_equipment_flag(selectors.visible_lessons(request.user, festival)):
        needs = getattr(lesson, "needs_equipment", False)
        rows.append({"lesson": lesson, "overdue": needs and selectors.delivery_overdue(lesson, now=now),
                     "due": selectors.delivery_due_date(lesson) if needs else None})
    return render(request, "upm/day/lessons.html", {
        "festival": festival, "rows": rows, "zone_label": timezones.zone_label(timezones.zone_of(festival.championship)),
        "can_report": has_perm(request.user, "upm.view_own_report", festival),
        "breadcrumbs": [(festival.name, None)]})


def _lesson_context(request: HttpRequest, lesson: Lesson) -> dict[str, Any]:
    user = request.user
    festival = lesson.festival
    zone = selectors.zone_of_lesson(lesson)
    is_venue = lesson.venue_id in upm_venue_ids(user, festival)
    my_schools = upm_school_ids(user, festival)
    school_ids = selectors.lesson_school_ids(lesson)
    schools = Organisation.objects.filter(pk__in=school_ids).order_by("short_name", "name")
    deliveries = {d.school_id: d for d in EquipmentDelivery.objects.filter(lesson=lesson).select_related(
        "recorded_by", "received_by")}
    checks = {(c.item, c.school_id): c for c in LessonCheck.objects.filter(lesson=lesson).select_related("done_by")}
    school_rows = []
    for school in schools:
        school_rows.append({
            "school": school, "delivery": deliveries.get(school.pk), "mine": school.pk in my_schools,
            "link": checks.get((LessonCheck.Item.LINK_TESTED, school.pk)),
            "representative": checks.get((LessonCheck.Item.SCHOOL_REPRESENTATIVE, school.pk)),
            "can_link": has_perm(user, "upm.record_check", LessonCheck(lesson=lesson, item="link_tested",
                                                                        school=school)),
            "can_representative": has_perm(user, "upm.record_check", LessonCheck(
                lesson=lesson, item="school_representative", school=school)),
            "can_receive": school.pk in my_schools,
        })
    confirmations = Confirmation.objects.filter(lesson=lesson)
    if not is_venue and not has_perm(user, "upm.view_report", festival):
        confirmations = confirmations.filter(school_id__in=my_schools)
    needs = selectors.needs_equipment(lesson)
    return {
        "lesson": lesson, "festival": festival, "zone_label": timezones.zone_label(zone, lesson.starts_at),
        "needs_equipment": needs, "items": selectors.equipment_items(lesson) if needs else [],
        "due": selectors.delivery_due_date(lesson), "deadline": selectors.delivery_deadline(lesson),
        "overdue": needs and selectors.delivery_overdue(lesson, schools=school_ids),
        "school_rows": school_rows, "mentor": checks.get((LessonCheck.Item.MENTOR_PRESENT, None)),
        "can_record_delivery": has_perm(user, "upm.record_delivery", lesson),
        "can_mentor": has_perm(user, "upm.record_check", LessonCheck(lesson=lesson, item="mentor_present")),
        "confirmed": confirmations.count(),
        "present": Attendance.objects.filter(confirmation__in=confirmations, present=True).count(),
        "can_attend": is_venue or bool(my_schools & school_ids),
        "now": timezones.local(timezone.now(), festival.championship).strftime("%Y-%m-%dT%H:%M"),
        "breadcrumbs": _crumbs(festival) + [(str(lesson), None)],
    }


@login_required
def lesson(request: HttpRequest, pk: int) -> HttpResponse:
    """The lesson's day: equipment per school, the checklist, the attendance's progress."""
    item = _lesson(request, pk)
    return render(request, "upm/day/lesson.html", _lesson_context(request, item))


def _refused(request: HttpRequest, lesson: Lesson, exc: DomainError) -> HttpResponse:
    context = _lesson_context(request, lesson)
    context["error"] = exc.message
    return render(request, "upm/day/lesson.html", context, status=exc.status_code)


@login_required
@require_POST
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    item = _lesson(request, pk)
    require(request.user, "upm.record_delivery", item)
    school = Organisation.objects.filter(pk=_int(request.POST.get("school"))).first()
    return act(request,
               lambda: day.record_delivery(item, chosen(school, _("Эта школа не участвует в уроке."), field="school"),
                                           items=request.POST.get("items", ""), by=request.user),
               success=lambda _delivery: _("Доставка в школу «%(school)s» записана.") % {"school": school},
               back=reverse("upm_day:lesson", args=[item.pk]), refused=lambda exc: _refused(request, item, exc))


@login_required
@require_POST
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    stored = get_object_or_404(EquipmentDelivery.objects.select_related("lesson__festival__championship", "school"),
                               pk=pk)
    if not has_perm(request.user, "upm.view_lesson_day", stored.lesson):
        raise Http404
    require(request.user, "upm.confirm_receipt", stored)
    return act(request, lambda: day.confirm_receipt(stored, by=request.user),
               success=_("Получение оборудования подтверждено."), back=reverse("upm_day:lesson", args=[stored.lesson_id]),
               refused=lambda exc: _refused(request, stored.lesson, exc))


@login_required
@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    item = _lesson(request, pk)
    kind = request.POST.get("item", "")
    school = Organisation.objects.filter(pk=_int(request.POST.get("school"))).first()
    if kind not in LessonCheck.PER_SCHOOL:
        school = None
    require(request.user, "upm.record_check", LessonCheck(lesson=item, item=kind, school=school))
    return act(request, lambda: day.record_check(item, kind, school=school,
                                                 done_at=_parse_local(request.POST.get("done_at", ""), item),
                                                 note=request.POST.get("note", ""), by=request.user),
               success=lambda _check: _("Отмечено: %(item)s.") % {"item": LessonCheck.Item(kind).label},
               back=reverse("upm_day:lesson", args=[item.pk]), refused=lambda exc: _refused(request, item, exc))


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendance of the confirmed pupils, on a phone: the venue marks everyone, a coordinator their school's."""
    item = _lesson(request, pk)
    user = request.user
    is_venue = item.venue_id in upm_venue_ids(user, item.festival)
    my_schools = upm_school_ids(user, item.festival)
    confirmations = Confirmation.objects.filter(lesson=item).select_related("pupil", "school", "attendance").order_by(
        "school__short_name", "pupil__last_name", "pupil__first_name", "pk")
    school_ids = None if is_venue else my_schools
    if school_ids is not None:
        confirmations = confirmations.filter(school_id__in=school_ids)
    may_mark = is_venue or bool(my_schools)
    error, status = "", 200
    if request.method == "POST":
        if not may_mark:
            require(user, "upm.take_attendance", item)  # the operator reads, does not mark
        marks: dict[int, bool] = {}
        for key, value in request.POST.items():
            if key.startswith("pupil-"):
                marks[_int(key.removeprefix("pupil-"))] = value == "present"
        try:
            day.take_attendance(item, marks, by=user, school_ids=school_ids)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            present = sum(marks.values())
            messages.success(request, _("Посещаемость сохранена: присутствовали %(present)s из %(total)s.") % {
                "present": present, "total": len(marks)})
            return redirect("upm_day:attendance", item.pk)
    rows = []
    for c in confirmations:
        stored = getattr(c, "attendance", None) if hasattr(c, "attendance") else None
        rows.append({"confirmation": c, "present": None if stored is None else stored.present})
    return render(request, "upm/day/attendance.html", {
        "lesson": item, "festival": item.festival, "rows": rows, "may_mark": may_mark, "error": error,
        "opens": day.attendance_opens(item), "open": timezone.now() >= day.attendance_opens(item),
        "zone_label": timezones.zone_label(selectors.zone_of_lesson(item), item.starts_at),
        "breadcrumbs": _crumbs(item.festival) + [(str(item), reverse("upm_day:lesson", args=[item.pk])),
                                                 (_("Посещаемость"), None)],
    }, status=status)


def _report_for(request: HttpRequest, festival: Festival) -> reports.Report:
    if has_perm(request.user, "upm.view_report", festival):
        return reports.festival_report(festival)
    venues = upm_venue_ids(request.user, festival)
    if venues:
        return reports.festival_report(festival, venue_ids=venues)
    return reports.festival_report(festival, school_ids=upm_school_ids(request.user, festival))


@login_required
def report(request: HttpRequest, festival_pk: int) -> HttpResponse:
    """The operator's report of the region (a venue or a coordinator: their own share), with charts."""
    festival = _festival(request, festival_pk)
    data = _report_for(request, festival)
    return render(request, "upm/day/report.html", {
        "festival": festival, "report": data, "chart": data.chart(),
        "breadcrumbs": _crumbs(festival) + [(_("Отчёт"), None)]})


@login_required
def report_export(request: HttpRequest, festival_pk: int, fmt: str) -> HttpResponse:
    festival = _festival(request, festival_pk)
    tables = reports.export_tables(_report_for(request, festival))
    stamp = timezones.local(timezone.now(), festival.championship).strftime("%Y-%m-%d")
    if fmt == "csv":
        rows: list[list[Any]] = []
        for title, table in tables:
            rows += [[title], *table, []]
        response = HttpResponse(csv_bytes(rows), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="upm-report-{stamp}.csv"'
        return response
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in tables:
        sheet = workbook.create_sheet(title=title[:31])
        for row in table:
            sheet.append(safe_row(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="upm-report-{stamp}.xlsx"'
    return response
