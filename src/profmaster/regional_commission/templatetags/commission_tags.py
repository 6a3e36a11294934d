"""The cabinet's card of RM-5: the regional commission's workspace, and the summary sheets of the panel's
competencies whose marks are locked."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.marking.models import MarkingScheme, SchemeMarking
from profmaster.permissions import assignments, championships_where, has_perm

register = template.Library()


@register.inclusion_tag("regional_commission/_cabinet.html", takes_context=True)
def commission_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    workspaces = [c for c in championships_where(user, Role.REGIONAL_COMMISSION).order_by("name")
                  if has_perm(user, "regional_commission.view_workspace", c)]
    competencies = {comp for role, _ch, comp in assignments(user)
                    if role in (Role.CHIEF_EXPERT, Role.EXPERT) and comp is not None}
    schemes = [s for s in MarkingScheme.objects.filter(
        competency_id__in=competencies, marking__status=SchemeMarking.Status.LOCKED)
        .select_related("competency__championship").order_by("competency__name", "title")
        if has_perm(user, "regional_commission.view_summary", s)]
    return {"workspaces": workspaces, "schemes": schemes}
