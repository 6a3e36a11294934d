"""The appeals' places in other pages: the cabinet's card (the mentor's appeals and the disputes they may still
appeal; the commission's workspace for its members), the championship page's links, and the link a decided
dispute shows to its team's mentor."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.championships.models import Championship
from profmaster.permissions import has_perm

from .. import domain
from ..models import Appeal, CommissionMember

register = template.Library()


@register.inclusion_tag("appeals/_cabinet.html", takes_context=True)
def appeals_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    commissions = [m.commission.championship for m in CommissionMember.objects.filter(
        user=user, commission__state="approved").select_related("commission__championship")]
    waiting = Appeal.objects.filter(championship__in=commissions, state=Appeal.State.HEARING).exclude(
        hearing__votes__member=user).count() if commissions else 0
    return {"appeals": domain.appeals_of_mentor(user), "disputes": domain.appealable_disputes(user),
            "commissions": commissions, "waiting": waiting}


@register.inclusion_tag("appeals/_links.html", takes_context=True)
def appeals_links(context: Any, championship: Championship) -> dict[str, Any]:
    user = context["request"].user
    return {"championship": championship,
            "can_workspace": has_perm(user, "appeals.view_workspace", championship),
            "can_register": has_perm(user, "appeals.view_register", championship)}


@register.inclusion_tag("appeals/_dispute_link.html", takes_context=True)
def appeal_link(context: Any, dispute: Any) -> dict[str, Any]:
    """On a dispute's page: its appeal (for whoever may see it) or the mentor's «Подать апелляцию»."""
    user = context["request"].user
    appeal = Appeal.objects.filter(dispute=dispute).first()
    return {"dispute": dispute, "appeal": appeal if appeal and has_perm(user, "appeals.view_appeal", appeal) else None,
            "can_file": appeal is None and has_perm(user, "appeals.file_appeal", dispute),
            "refusal": domain.appeal_refusal(dispute, user) if appeal is None else None}
