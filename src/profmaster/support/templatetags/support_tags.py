"""The «Поддержка» link every page carries (RM-6) and the support card of the personal cabinet.

``{% support_url %}`` is the address of the request form with the page being read and its event attached:
the event is found among the page's own objects (a championship, competency, exam, document…), so a page
never has to pass it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.db.models import Count
from django.urls import reverse

from profmaster.permissions import has_perm, scope_of

register = template.Library()

#: Context names whose object tells the page's event, in the order they are tried.
EVENT_SOURCES = ("championship", "competency", "exam", "attempt", "document", "scheme", "incident", "application",
                 "handout", "item", "flow", "draw")


def page_event(context: Any) -> int | None:
    for name in EVENT_SOURCES:
        obj = context.get(name)
        if obj is None or not hasattr(obj, "_meta"):
            continue
        try:
            championship_id = scope_of(obj)[0]
        except AttributeError:
            continue
        if championship_id is not None:
            return int(championship_id)
    return None


@register.simple_tag(takes_context=True)
def support_url(context: Any) -> str:
    request = context.get("request")
    params: dict[str, Any] = {}
    if request is not None:
        params["page"] = request.get_full_path()[:500]
    event = page_event(context)
    if event is not None:
        params["championship"] = event
    # an error page rendered before the authentication middleware (a foreign Host) has no user: the public form
    signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
    base = reverse("support:new" if signed_in else "support:public")
    return f"{base}?{urlencode(params)}" if params else base


@register.inclusion_tag("support/_cabinet.html", takes_context=True)
def support_cabinet(context: Any) -> dict[str, Any]:
    from profmaster.support.models import DutyAssignment, SupportRequest

    user = context["request"].user
    duties = [d for d in DutyAssignment.objects.filter(user=user).select_related("championship")
              if has_perm(user, "support.view_desk", d.championship)]
    waiting = {row["championship"]: row["n"] for row in SupportRequest.objects.filter(
        championship__in=[d.championship_id for d in duties]).exclude(status__in=["answered", "closed"])
        .values("championship").order_by().annotate(n=Count("pk"))}
    mine = SupportRequest.objects.filter(author=user)
    return {"duties": [{"duty": d, "waiting": waiting.get(d.championship_id, 0)} for d in duties],
            "mine_total": mine.count(), "mine_answered": mine.filter(status="answered").count()}
