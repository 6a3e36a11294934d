"""The Directorate's register of all disputes and appeals (AP-1, AP-2; SPEC §6), its filters and xlsx export.

One row per dispute (``disputes.Dispute``) with its appeal, if any. Scoped to the championships where the person
is the Directorate (``permissions.championships_where``); every cell of the export goes through ``safe_row``
(X-5: no user text runs as a formula).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from profmaster.accounts.models import Role
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.core.spreadsheets import safe_row
from profmaster.disputes.models import Dispute
from profmaster.permissions import championships_where

from .models import Appeal

#: The state filter: a dispute's own state, or where its appeal stands.
STATE_CHOICES = [
    ("dispute_open", gettext_lazy("Вопрос открыт")),
    ("dispute_voting", gettext_lazy("Идёт голосование жюри")),
    ("dispute_decided", gettext_lazy("Вопрос решён, апелляции нет")),
    ("appeal_pending", gettext_lazy("Апелляция на рассмотрении")),
    ("appeal_decided", gettext_lazy("По апелляции принято решение")),
]
STATES = {key for key, _label in STATE_CHOICES}
MAX_ROWS = 5000


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass
class Filters:
    championships: list[Championship]
    championship: Championship | None = None
    competency: Competency | None = None
    state: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    competencies: list[Competency] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: Any, user: Any) -> Filters:
        """Filters from the query string; a forged or foreign id is ignored, not an error."""
        allowed = list(championships_where(user, Role.DIRECTORATE).order_by("-starts_on", "name"))
        by_id = {c.pk: c for c in allowed}
        championship = by_id.get(_id(query.get("championship")) or 0)
        competencies = list(Competency.objects.filter(championship__in=[championship] if championship else allowed)
                            .order_by("name"))
        competency = next((c for c in competencies if c.pk == _id(query.get("competency"))), None)
        state = str(query.get("state") or "")
        return cls(allowed, championship, competency, state if state in STATES else "",
                   _date(query.get("from")), _date(query.get("to")), competencies)


@dataclass
class Row:
    dispute: Dispute
    appeal: Appeal | None
    zone: Any

    @property
    def raised(self) -> str:
        return timezones.format_local(self.dispute.raised_at, self.zone)

    @property
    def appeal_filed(self) -> str:
        return timezones.format_local(self.appeal.filed_at, self.zone) if self.appeal else ""

    @property
    def appeal_decided(self) -> str:
        return timezones.format_local(self.appeal.decided_at, self.zone) if self.appeal else ""


def _queryset(filters: Filters) -> QuerySet[Dispute]:
    disputes = Dispute.objects.filter(championship__in=[filters.championship] if filters.championship
                                      else filters.championships)
    if filters.competency is not None:
        disputes = disputes.filter(competency=filters.competency)
    if filters.date_from:
        disputes = disputes.filter(arose_on__gte=filters.date_from)
    if filters.date_to:
        disputes = disputes.filter(arose_on__lte=filters.date_to)
    state = filters.state
    if state in ("dispute_open", "dispute_voting"):
        disputes = disputes.filter(state=state.removeprefix("dispute_"))
    elif state == "dispute_decided":
        disputes = disputes.filter(state=Dispute.State.DECIDED, appeals__isnull=True)
    elif state == "appeal_pending":
        disputes = disputes.filter(appeals__state__in=Appeal.PENDING_STATES)
    elif state == "appeal_decided":
        disputes = disputes.filter(appeals__state=Appeal.State.DECIDED)
    return disputes.select_related("championship", "competency", "team__organisation").order_by(
        "-arose_on", "championship_id", "-number").distinct()


def rows(filters: Filters) -> list[Row]:
    disputes = list(_queryset(filters)[:MAX_ROWS])
    appeals = {a.dispute_id: a for a in Appeal.objects.filter(dispute__in=disputes)}
    return [Row(d, appeals.get(d.pk), timezones.zone_of(d.championship)) for d in disputes]


HEADERS = ["Чемпионат", "Компетенция", "№ вопроса", "День возникновения", "Поднят", "Команда", "Вопрос",
           "Состояние вопроса", "Решение жюри", "№ апелляции", "Подана", "Состояние апелляции",
           "Решение комиссии", "Решение принято", "Часовой пояс"]


def to_xlsx(items: list[Row]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Споры и апелляции"
    sheet.append(HEADERS)
    for row in items:
        d, a = row.dispute, row.appeal
        sheet.append(safe_row([
            d.championship.name, d.competency.name, d.number, d.arose_on, row.raised,
            str(d.team.organisation) if d.team and d.team.organisation_id else "", d.question,
            str(d.get_state_display()), str(d.get_outcome_display()) if d.outcome else "",
            a.number if a else "", row.appeal_filed, str(a.get_state_display()) if a else "",
            str(a.get_outcome_display()) if a and a.outcome else "", row.appeal_decided,
            timezones.zone_label(row.zone),
        ]))
    for column, width in zip("ABCDEFGHIJKLMNO", (30, 22, 10, 14, 24, 22, 50, 18, 22, 12, 24, 20, 30, 24, 20),
                             strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def state_label(row: Row) -> str:
    if row.appeal is not None:
        return str(row.appeal.get_state_display())
    return str(row.dispute.get_state_display())

