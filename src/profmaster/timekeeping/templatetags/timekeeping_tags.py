"""The cabinet's card of the competition day: a link to the day board of every competency the person runs."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.championships.models import Competency
from profmaster.permissions import assignments, has_perm

register = template.Library()


@register.inclusion_tag("timekeeping/_cabinet.html", takes_context=True)
def timekeeping_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    ids = {comp for role, _ch, comp in assignments(user) if role in (Role.CHIEF_EXPERT, Role.EXPERT) and comp}
    competencies = [c for c in Competency.objects.filter(pk__in=ids).select_related("championship")
                    .order_by("championship__name", "name") if has_perm(user, "timekeeping.view_board", c)]
    return {"competencies": competencies}
