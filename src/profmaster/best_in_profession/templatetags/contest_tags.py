"""Links into the «Лучший по профессии» pages from the championship page and the cabinet."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.accounts.models import Role
from profmaster.permissions import assignments, has_perm

register = template.Library()


@register.inclusion_tag("best_in_profession/_championship_links.html", takes_context=True)
def contest_links(context: Any, championship: Any) -> dict[str, Any]:
    user = context["request"].user
    shown = championship.rules_profile == "best_in_profession" and has_perm(
        user, "best_in_profession.view_nominations", championship)
    return {"championship": championship, "shown": shown}


@register.inclusion_tag("best_in_profession/_cabinet.html", takes_context=True)
def contest_cabinet(context: Any) -> dict[str, Any]:
    """An employer's representative enters contestants; a contestant sees their application and group; a venue's
    administrator their venues' equipment checklists."""
    from profmaster.championships.models import Championship
    from profmaster.registration.models import TeamMember

    from ..domain import groups_of_contestant
    from ..models import VenueChecklist

    user = context["request"].user
    ids = {ch for _role, ch, _comp in assignments(user) if ch}
    contests = list(Championship.objects.filter(pk__in=ids, rules_profile="best_in_profession").order_by("name"))
    employer_of = [c for c in contests if has_perm(user, "best_in_profession.enter_contestant", c)
                   and any(r == Role.ORG_REPRESENTATIVE and ch == c.pk for r, ch, _x in assignments(user))]
    own = [(m.application, groups_of_contestant(m.application)) for m in TeamMember.objects.filter(
        user=user, kind="participant", state="active", application__championship__in=contests
    ).select_related("application__championship", "application__age_category")]
    checklists = list(VenueChecklist.objects.filter(base_venue__technical_administrator=user,
                                                    stage__championship__in=contests)
                      .select_related("base_venue__venue", "competency", "stage__championship"))
    return {"employer_of": employer_of, "own": own, "checklists": checklists}
