"""Links into the exams from other apps' pages (championship page, cabinet) without touching their views."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.permissions import has_perm

register = template.Library()


@register.inclusion_tag("exams/_championship_links.html", takes_context=True)
def exams_links(context: Any, championship: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"championship": championship, "can_view": has_perm(user, "exams.view_exams", championship)}


@register.inclusion_tag("exams/_cabinet.html", takes_context=True)
def exams_cabinet(context: Any) -> dict[str, Any]:
    """The person's exams to take and tasks handed out to them."""
    from profmaster.exams.views import my_exams, my_handouts

    user = context["request"].user
    return {"exams": my_exams(user), "handouts": my_handouts(user)}
