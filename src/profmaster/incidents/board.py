"""The incidents panel of the chief expert's day board (issue 14 §8): the day's incidents, those without their
agreement protocol first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from profmaster.championships import timezones
from profmaster.permissions import has_perm
from profmaster.timekeeping.board import BoardPanel

from .models import Incident


def incidents_panel(competency: Any, day: dt.date, user: Any) -> BoardPanel | None:
    if not has_perm(user, "incidents.view_incidents", competency):
        return None
    start = timezones.start_of_local_day(day, timezones.zone_of(competency.championship))
    items = list(Incident.objects.filter(competency=competency, occurred_at__gte=start,
                                         occurred_at__lt=start + dt.timedelta(days=1))
                 .select_related("document").order_by("document_id", "-occurred_at"))
    return BoardPanel(key="incidents", title=_("Внештатные ситуации"), template="incidents/_board_panel.html",
                      order=30, context={"competency": competency, "items": items,
                                         "open": sum(1 for i in items if i.document_id is None)})
