"""The venue's card in the personal cabinet: check-in, badges, toolboxes and incidents per competency."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.championships.models import Competency
from profmaster.permissions import assignments, has_perm

register = template.Library()


@register.inclusion_tag("checkin/_cabinet.html", takes_context=True)
def venue_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    whole: set[int] = set()
    single: set[int] = set()
    for role, ch_id, comp_id in assignments(user):
        if role == Role.VENUE_ADMIN and ch_id is not None:
            (single.add(comp_id) if comp_id else whole.add(ch_id))
        elif role == Role.CHIEF_EXPERT and comp_id is not None:
            single.add(comp_id)
    competencies = (Competency.objects.filter(championship_id__in=whole) | Competency.objects.filter(pk__in=single))
    cards = [{"competency": c,
              "can_badges": has_perm(user, "checkin.print_badges", c),
              "can_toolbox": c.toolbox_allowed and has_perm(user, "checkin.view_toolbox", c),
              "can_incidents": has_perm(user, "incidents.view_incidents", c)}
             for c in competencies.distinct().select_related("championship").order_by("championship__name", "name")
             if has_perm(user, "checkin.view_venue", c)]
    return {"cards": cards}
