"""Lists of participants, mentors and experts (REG-14) and the registration protocol (REG-15).

Rows are plain dicts with Russian headers, built once and shown on screen, written to xlsx (openpyxl) and
to PDF (WeasyPrint with the bundled fonts). Participants are minors: whoever builds their list has their
records' access logged (X-1) — a screen view and an export alike.
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.championships import timezones
from profmaster.championships.models import Championship
from profmaster.core.spreadsheets import safe_row
from profmaster.documents.rendering import font_dir, html_to_pdf

from . import domain, workflow
from .models import TeamMember

PARTICIPANT, MENTOR, EXPERT = "participant", "mentor", "expert"


def _title(kind: str) -> str:
    return {PARTICIPANT: _("Список участников"), MENTOR: _("Список наставников"),
            EXPERT: _("Список экспертов")}[kind]


def member_rows(user: Any, championship: Championship, kind: str,
                filters: dict[str, Any]) -> tuple[list[str], list[list[str]], list[TeamMember]]:
    """Active people of one kind from the applications ``user`` may read, with the filters applied."""
    applications = domain.applications_visible_to(user, championship)
    status = filters.get("status")
    applications = applications.filter(status=status) if status else applications.filter(status__in=workflow.LIVE)
    for name in ("competency", "age_category", "organisation"):
        if filters.get(name):
            applications = applications.filter(**{name: filters[name]})
    members = list(TeamMember.objects.filter(application__in=applications.values("pk"), kind=kind,
                                             state=TeamMember.State.ACTIVE)
                   .select_related("organisation", "application__competency", "application__age_category",
                                   "application__organisation", "application__championship")
                   .order_by("application__competency__name", "application__age_category__order", "last_name",
                             "first_name", "pk"))
    if kind == PARTICIPANT:
        headers = [_("ФИО"), _("Дата рождения"), _("Класс"), _("Организация"), _("Компетенция"), _("Категория"),
                   _("Заявка"), _("Размер одежды")]
        rows = [[m.full_name, m.birth_date.strftime("%d.%m.%Y") if m.birth_date else "", str(m.grade or ""),
                 str(m.organisation or ""), str(m.application.competency), str(m.application.age_category),
                 f"№ {m.application_id}", m.clothing_size] for m in members]
    else:
        headers = [_("ФИО"), _("Должность"), _("Организация"), _("Телефон"), _("E-mail"), _("Компетенция"),
                   _("Категория"), _("Заявка")]
        rows = [[m.full_name, m.position, str(m.organisation or ""), m.phone, m.email, str(m.application.competency),
                 str(m.application.age_category), f"№ {m.application_id}"] for m in members]
    return headers, rows, members


def expert_rows(championship: Championship, filters: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    assignments = (RoleAssignment.objects.filter(championship=championship, role__in=[Role.CHIEF_EXPERT, Role.EXPERT])
                   .select_related("user", "competency", "organisation")
                   .order_by("competency__name", "role", "user__last_name", "user__first_name", "pk"))
    if filters.get("competency"):
        assignments = assignments.filter(competency=filters["competency"])
    if filters.get("organisation"):
        assignments = assignments.filter(organisation=filters["organisation"])
    headers = [_("ФИО"), _("Роль"), _("Компетенция"), _("Организация"), _("Телефон"), _("E-mail")]
    rows = [[a.user.full_name, str(a.get_role_display()), str(a.competency or ""), str(a.organisation or ""),
             a.user.phone, a.user.email] for a in assignments]
    return headers, rows


def build(user: Any, championship: Championship, kind: str, filters: dict[str, Any], *,
          channel: str) -> tuple[list[str], list[list[str]]]:
    """The list's headers and rows; for participants every record shown is logged as an access (X-1)."""
    if kind == EXPERT:
        return expert_rows(championship, filters)
    headers, rows, members = member_rows(user, championship, kind, filters)
    domain.log_personal_data_access(user, members, what=_("%(list)s (%(channel)s)")
                                    % {"list": _title(kind), "channel": channel})
    return headers, rows


def to_xlsx(title: str, headers: list[str], rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    for index, header in enumerate(headers, start=1):
        width = max([len(header), *(len(str(r[index - 1])) for r in rows)])
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf(title: str, championship: Championship, headers: list[str], rows: list[list[str]]) -> bytes:
    fonts = font_dir()
    html = render_to_string("registration/people_pdf.html", {
        "title": title, "championship": championship, "headers": headers, "rows": rows,
        "made_at": timezones.format_local(timezone.now(), timezones.zone_of(championship)),
        "fonts": {"regular": (fonts / "DejaVuSans.ttf").as_uri(), "bold": (fonts / "DejaVuSans-Bold.ttf").as_uri()},
    })
    return html_to_pdf(html)


def protocol_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the registration protocol formed again from the championship's approved applications."""
    from django.utils import translation

    with translation.override("ru"):
        return (_("Протокол регистрации экспертов, наставников и участников"),
                protocol_data(document.championship, by))


def protocol_data(championship: Championship, by: Any) -> dict[str, Any]:
    """REG-15: the registration protocol's content — experts, mentors and participants of approved teams."""
    filters = {"status": workflow.APPROVED}
    _eh, experts = expert_rows(championship, {})
    _mh, mentors, _m = member_rows(by, championship, MENTOR, filters)
    _ph, participants, members = member_rows(by, championship, PARTICIPANT, filters)
    domain.log_personal_data_access(by, members, what=_("Протокол регистрации"))
    return {
        "text": _("Зарегистрированы эксперты, наставники и участники чемпионата «%(name)s» (команды с одобренными "
                  "заявками) на %(at)s.") % {"name": championship.name,
                                              "at": timezones.format_local(timezone.now(),
                                                                           timezones.zone_of(championship))},
        _("Эксперты"): [{"ФИО": r[0], "Роль": r[1], "Компетенция": r[2]} for r in experts] or [_("нет")],
        _("Наставники"): [{"ФИО": r[0], "Организация": r[2], "Компетенция": r[5], "Категория": r[6]}
                          for r in mentors] or [_("нет")],
        _("Участники"): [{"ФИО": r[0], "Организация": r[3], "Компетенция": r[4], "Категория": r[5]}
                         for r in participants] or [_("нет")],
    }
