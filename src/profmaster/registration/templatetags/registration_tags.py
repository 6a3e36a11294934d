"""Registration's pieces on other apps' pages: the cabinet card and the championship page's link."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from profmaster.accounts.models import Role
from profmaster.permissions import championships_where, has_perm

from .. import workflow
from ..models import Application, TeamMember

register = template.Library()


@register.inclusion_tag("registration/cabinet.html", takes_context=True)
def registration_cabinet(context: Any) -> dict[str, Any]:
    """The applicant's applications with their states; for the Directorate, how many await review."""
    user = context["request"].user
    mine = (Application.objects.filter(Q(created_by=user) | Q(members__user=user, members__kind=TeamMember.Kind.MENTOR,
                                                              members__state=TeamMember.State.ACTIVE))
            .select_related("championship", "competency", "age_category").distinct().order_by("-pk")[:50])
    awaiting = (championships_where(user, Role.DIRECTORATE)
                .annotate(n=Count("applications", filter=Q(applications__status__in=workflow.AWAITING_REVIEW)))
                .filter(n__gt=0).order_by("-starts_on"))
    return {"my_applications": list(mine), "awaiting_review": [(ch, ch.n) for ch in awaiting]}


@register.simple_tag(takes_context=True)
def returned_applications(context: Any) -> list[dict[str, Any]]:
    """Applications of this applicant returned for changes, with the Directorate's open remarks: the first
    thing the cabinet shows them to do (issue 13 §3)."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    returned = (Application.objects.filter(Q(created_by=user) | Q(members__user=user,
                                                                  members__kind=TeamMember.Kind.MENTOR,
                                                                  members__state=TeamMember.State.ACTIVE),
                                           status=workflow.RETURNED)
                .select_related("championship", "competency", "age_category").distinct().order_by("-pk"))
    result = []
    for application in returned:
        if not has_perm(user, "registration.change_application", application):
            continue
        remarks = [(r.member.full_name if r.member else "", r.text)
                   for r in application.remarks.filter(resolved_at__isnull=True).select_related("member")]
        result.append({"application": application, "remarks": remarks})
    return result


@register.inclusion_tag("registration/links.html", takes_context=True)
def registration_links(context: Any, championship: Any) -> dict[str, Any]:
    user = context["request"].user
    can_list = has_perm(user, "registration.list_applications", championship)
    return {"can_list": can_list, "championship": championship}
