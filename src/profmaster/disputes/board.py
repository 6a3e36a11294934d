"""The disputes panel of the chief expert's day board: open questions and votes going on, and the marks of
removed experts waiting for the chief expert's review (AP-1, AP-4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from profmaster.marking.models import MarksReview
from profmaster.permissions import has_perm
from profmaster.timekeeping.board import BoardPanel

from . import domain
from .models import Dispute


def disputes_panel(competency: Any, day: dt.date, user: Any) -> BoardPanel | None:
    if not has_perm(user, "disputes.view_disputes", competency):
        return None
    items = []
    for dispute in Dispute.objects.filter(competency=competency).exclude(state=Dispute.State.DECIDED).select_related(
            "team__organisation"):
        current = domain.open_round(dispute)
        items.append({"dispute": dispute, "round": current, "tally": domain.tally(current) if current else None,
                      "not_voted": domain.not_voted(current) if current else []})
    decided_today = list(Dispute.objects.filter(competency=competency, state=Dispute.State.DECIDED,
                                                arose_on=day).select_related("protocol"))
    return BoardPanel(key="disputes", title=_("Спорные вопросы"), template="disputes/_board_panel.html", order=35,
                      context={"competency": competency, "items": items, "decided": decided_today,
                               "reviews": list(MarksReview.objects.filter(competency=competency,
                                                                          reviewed_at__isnull=True)
                                               .select_related("expert")),
                               "can_review": has_perm(user, "disputes.manage_dispute", competency)})
