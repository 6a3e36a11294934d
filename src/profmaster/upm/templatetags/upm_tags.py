"""The УПМ card in the personal cabinet: where the operator, venue, coordinator, parent and pupil go next."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.permissions import assignments

register = template.Library()

UPM_ROLES = {Role.UPM_OPERATOR, Role.UPM_VENUE, Role.SCHOOL_COORDINATOR, Role.PARENT, Role.PUPIL}


@register.inclusion_tag("upm/_cabinet.html", takes_context=True)
def upm_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    roles = {role for role, _, _ in assignments(user) if role in UPM_ROLES}
    pending = 0
    if Role.PUPIL in roles:
        from profmaster.upm.models import FamilyLink

        pending = FamilyLink.objects.filter(child=user, status=FamilyLink.Status.REQUESTED).count()
    return {"show": bool(roles), "family": bool(roles & {Role.PARENT, Role.PUPIL}), "pending": pending,
            "work": bool(roles & {Role.UPM_OPERATOR, Role.UPM_VENUE, Role.SCHOOL_COORDINATOR})}
