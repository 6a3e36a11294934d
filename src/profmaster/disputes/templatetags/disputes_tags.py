"""The disputes card of the personal cabinet (AP-1): a mentor's questions and where to raise one, the votes
an expert has to cast, the chief expert's open questions, the explanations asked of the person."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.championships.models import Competency
from profmaster.permissions import assignments
from profmaster.registration.models import Application, TeamMember

from ..models import Dispute, Explanation, VoteRound

register = template.Library()


@register.inclusion_tag("disputes/_cabinet.html", takes_context=True)
def disputes_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    if not getattr(user, "is_authenticated", False):
        return {"any": False}
    team_ids = list(TeamMember.objects.filter(user=user, kind=TeamMember.Kind.MENTOR, state=TeamMember.State.ACTIVE,
                                              application__status=Application.Status.APPROVED)
                    .values_list("application_id", flat=True))
    mentor_competencies = list(Competency.objects.filter(applications__in=team_ids).select_related("championship")
                               .distinct().order_by("name")) if team_ids else []
    venue: set[int] = set()
    venue_whole: set[int] = set()
    chief: set[int] = set()
    for role, ch_id, comp_id in assignments(user):
        if role == Role.VENUE_ADMIN and ch_id is not None:
            (venue.add(comp_id) if comp_id else venue_whole.add(ch_id))
        elif role == Role.CHIEF_EXPERT and comp_id is not None:
            chief.add(comp_id)
    venue_competencies = list((Competency.objects.filter(pk__in=venue) | Competency.objects.filter(
        championship_id__in=venue_whole)).select_related("championship").distinct().order_by("name"))
    mine = list(Dispute.objects.filter(team_id__in=team_ids).select_related("competency").order_by("-raised_at")[:20]) \
        if team_ids else []
    rounds = [r for r in VoteRound.objects.filter(closed_at__isnull=True).select_related("dispute__competency")
              if user.pk in r.panel and not r.votes.filter(expert=user).exists()]
    open_for_chief = list(Dispute.objects.filter(competency_id__in=chief).exclude(state=Dispute.State.DECIDED)
                          .select_related("competency")) if chief else []
    asked = list(Explanation.objects.filter(person=user, answered_at__isnull=True).select_related("dispute"))
    return {"any": bool(mentor_competencies or venue_competencies or rounds or open_for_chief or asked or mine),
            "mentor_competencies": mentor_competencies, "venue_competencies": venue_competencies, "mine": mine,
            "rounds": rounds, "open_for_chief": open_for_chief, "asked": asked}


@register.inclusion_tag("disputes/_register_link.html", takes_context=True)
def disputes_register_link(context: Any, championship: Any) -> dict[str, Any]:
    """The championship page's link to the register of its disputes, for those who may read it."""
    from profmaster.permissions import has_perm

    return {"championship": championship,
            "show": has_perm(context["request"].user, "disputes.view_register", championship)}
