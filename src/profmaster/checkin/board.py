"""The check-in panel of the chief expert's day board (issue 14 §8): who is in, which teams still wait for
their mentor (003 §19.4), who did not appear."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from profmaster.permissions import has_perm
from profmaster.timekeeping.board import BoardPanel

from .domain import checkins_on, presence


def checkin_panel(competency: Any, day: dt.date, user: Any) -> BoardPanel | None:
    if not has_perm(user, "checkin.view_venue", competency):
        return None
    teams = presence(competency, day)
    return BoardPanel(key="checkin", title=_("Регистрация на площадке"), template="checkin/_board_panel.html",
                      order=20, context={
                          "competency": competency, "teams": teams, "checked_in": checkins_on(competency, day).count(),
                          "waiting_mentor": [t for t in teams if t.people and not t.mentor_present],
                          "absent": [t for t in teams if t.non_appearance is not None]})
