"""The cabinet's card of video sessions: the person's next sessions and a link to «Мои видеосессии»; the
championship pages' link to the schedule."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from profmaster.permissions import has_perm

from .. import domain

register = template.Library()


@register.inclusion_tag("video/_cabinet.html", takes_context=True)
def video_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    now = timezone.now()
    sessions = domain.sessions_of(user).filter(ends_at__gte=now - domain.JOIN_LATE, status="scheduled")
    upcoming = list(sessions[:5])
    return {"rows": [{"session": s, "when": domain.when(s)} for s in upcoming], "count": sessions.count(),
            "any": domain.sessions_of(user).exists()}


@register.simple_tag(takes_context=True)
def may_view_video_schedule(context: Any, championship: Any) -> bool:
    return has_perm(context["request"].user, "video.view_schedule", championship)
