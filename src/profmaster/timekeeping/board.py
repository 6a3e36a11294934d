"""The chief expert's day board (issue 14 §8): one page per competency and day, as plain data.

Other apps add their own panels (check-in, incidents) by naming a provider in :data:`PANEL_PROVIDERS`:
``provider(competency, day, user) -> BoardPanel | None`` (None: nothing to show or no right to see it).
The board renders each panel's template with its context inside the live block, in ``order``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from profmaster.championships import timezones
from profmaster.documents.models import Document, DocumentType
from profmaster.documents.selectors import missing_by_document
from profmaster.permissions import has_perm

from .domain import flows_of_day, members_of_flow, teams_of_flow
from .models import DayEvidence, FamiliarisationConfirmation, WorkPhoto
from .selectors import flow_state, screen_token

#: Dotted paths of panel providers: the venue's check-in and the day's incidents.
PANEL_PROVIDERS: list[str] = [
    "profmaster.checkin.board.checkin_panel",
    "profmaster.incidents.board.incidents_panel",
    "profmaster.disputes.board.disputes_panel",
]


@dataclass
class BoardPanel:
    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def panels(competency: Any, day: dt.date, user: Any) -> list[BoardPanel]:
    found = []
    for path in PANEL_PROVIDERS:
        panel = import_string(path)(competency, day, user)
        if panel is not None:
            found.append(panel)
    return sorted(found, key=lambda p: (p.order, p.key))


def _timeline(flows: list[Any], tz: Any) -> dict[str, Any]:
    """Positions of the day's flows on a line from the first start to the last end (percent of the span)."""
    if not flows:
        return {"rows": [], "ticks": []}
    start = min(f.starts_at for f in flows)
    end = max(f.ends_at for f in flows)
    span = max((end - start).total_seconds(), 1)
    rows = [{"flow": f, "left": round((f.starts_at - start).total_seconds() / span * 100, 2),
             "width": max(round((f.ends_at - f.starts_at).total_seconds() / span * 100, 2), 1),
             "label": f"{timezone.localtime(f.starts_at, tz):%H:%M}–{timezone.localtime(f.ends_at, tz):%H:%M}"}
            for f in flows]
    ticks = []
    hour = timezone.localtime(start, tz).replace(minute=0, second=0, microsecond=0)
    while hour <= end:
        if hour >= start:
            ticks.append({"left": round((hour - start).total_seconds() / span * 100, 2), "label": f"{hour:%H:%M}"})
        hour += dt.timedelta(hours=1)
    return {"rows": rows, "ticks": ticks}


def day_board(competency: Any, day: dt.date, user: Any) -> dict[str, Any]:
    championship = competency.championship
    tz = timezones.zone_of(championship)
    flows = list(flows_of_day(competency, day).select_related("championship", "competency"))
    flow_docs: dict[int, list[Document]] = {}
    documents = list(Document.objects.filter(competency=competency, doc_type__in=[
        DocumentType.TIMEKEEPING, DocumentType.FAMILIARISATION]).order_by("number"))
    for document in documents:
        flow_id = (document.source or {}).get("flow")
        if isinstance(flow_id, int):
            flow_docs.setdefault(flow_id, []).append(document)
    waiting = list(Document.objects.filter(competency=competency).order_by("number"))
    missing = missing_by_document(waiting)
    to_sign = [{"document": d, "missing": [r.user.short_name for r in missing.get(d.pk, [])]}
               for d in waiting if missing.get(d.pk)]
    now = timezone.now()
    flow_cards = []
    for flow in flows:
        state = flow_state(flow, now=now)
        members = list(members_of_flow(flow))
        confirmed = set(FamiliarisationConfirmation.objects.filter(flow=flow).values_list("member_id", flat=True))
        flow_cards.append({
            "flow": flow, "state": state, "screen_token": screen_token(flow),
            "teams": list(teams_of_flow(flow)), "members": len(members),
            "confirmed": sum(1 for m in members if m.pk in confirmed),
            "documents": [{"document": d, "missing": [r.user.short_name for r in missing.get(d.pk, [])]}
                          for d in flow_docs.get(flow.pk, [])],
            "status": _flow_status(state),
        })
    package_missing: list[str] = []
    if has_perm(user, "marking.view_package", competency):
        from profmaster.marking.package import document_package

        package_missing = [item.title for item in document_package(competency).items if not item.done][:30]
    return {
        "competency": competency, "championship": championship, "day": day, "zone": timezones.zone_label(tz),
        "flows": flow_cards, "timeline": _timeline(flows, tz), "to_sign": to_sign,
        "package_missing": package_missing,
        "evidence": DayEvidence.objects.filter(competency=competency, day=day).first(),
        "photos": list(WorkPhoto.objects.filter(competency=competency, day=day).select_related("team__organisation")),
        "panels": panels(competency, day, user),
    }


def _flow_status(state: dict[str, Any]) -> str:
    states = {t["state"] for t in state["timers"]}
    if not states:
        return _("Таймеры не заданы")
    if "running" in states:
        return _("Идёт")
    if "paused" in states:
        return _("Пауза")
    if states == {"stopped"}:
        return _("Завершён")
    if "stopped" in states:
        return _("Между этапами")
    return _("Не начат")
