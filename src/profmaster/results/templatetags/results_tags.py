"""Results' pieces of other pages (DOC-4): the «Контроль качества» link with its open counts on the championship
page, and in the cabinet the quality-control expert's championships and the chief expert's requests to answer."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.championships.models import Championship
from profmaster.permissions import assignments, has_perm

from ..models import QualityRequest
from ..quality import open_counts

register = template.Library()


@register.inclusion_tag("results/_quality_link.html", takes_context=True)
def quality_link(context: Any, championship: Championship) -> dict[str, Any]:
    """The link to the quality page, for those who may open it, with what is still open there."""
    user = context["request"].user
    if not has_perm(user, "results.view_quality", championship):
        return {"show": False}
    return {"show": True, "championship": championship, "counts": open_counts(championship)}


@register.simple_tag(takes_context=True)
def quality_work(context: Any) -> dict[str, Any]:
    """For quality control: each championship it checks, with its open items and requests. For a chief
    expert: the requests of quality control awaiting their answer (003 §10.3)."""
    request = context["request"]
    user = request.user
    mine = assignments(user)
    checked = sorted({ch for role, ch, _comp in mine if role == Role.QUALITY_CONTROL and ch is not None})
    cards = [{"championship": c, "counts": open_counts(c)}
             for c in Championship.objects.filter(pk__in=checked).order_by("name")]
    chief_of = {comp for role, _ch, comp in mine if role == Role.CHIEF_EXPERT and comp is not None}
    requests = [r for r in QualityRequest.objects.filter(competency_id__in=chief_of, status=QualityRequest.Status.OPEN)
                .select_related("competency__championship", "asked_by").order_by("due_at", "pk")
                if has_perm(user, "results.answer_quality_request", r)]
    return {"cards": cards, "requests": requests, "any": bool(cards or requests)}
