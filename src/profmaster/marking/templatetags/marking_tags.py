"""Marking's piece of the cabinet: the chief expert's and experts' links to the marking scheme and marks."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.championships.models import Competency
from profmaster.permissions import assignments, has_perm

from ..models import MarkingScheme

register = template.Library()


@register.inclusion_tag("marking/_cabinet.html", takes_context=True)
def marking_cabinet(context: Any) -> dict[str, Any]:
    """Per competency the person judges: its marking schemes, the marks of each, the panel and the package."""
    user = context["request"].user
    ids = {comp for role, _ch, comp in assignments(user)
           if role in (Role.CHIEF_EXPERT, Role.EXPERT) and comp is not None}
    cards = []
    competencies = Competency.objects.filter(pk__in=ids).select_related("championship").order_by(
        "championship__name", "name")
    for competency in competencies:
        if not has_perm(user, "marking.view_scheme", competency):
            continue
        schemes = [{"scheme": s, "can_view_marks": has_perm(user, "marking.view_marks", s)}
                   for s in MarkingScheme.objects.filter(competency=competency).select_related("stage")
                   .order_by("stage__order", "pk")]
        cards.append({
            "competency": competency, "schemes": schemes,
            "can_manage_scheme": has_perm(user, "marking.manage_scheme", competency),
            "can_manage_panel": has_perm(user, "marking.manage_panel", competency),
            "can_view_package": has_perm(user, "marking.view_package", competency),
        })
    return {"cards": cards}
