"""The cabinet's card of the lesson's day (UPM-6, UPM-7): the festivals where the person follows lessons."""

from __future__ import annotations

from typing import Any

from django import template

from profmaster.permissions import has_perm
from profmaster.upm.selectors import festivals_of

register = template.Library()


@register.inclusion_tag("upm/day/_cabinet.html", takes_context=True)
def upm_day_cabinet(context: Any) -> dict[str, Any]:
    user = context["request"].user
    festivals = [f for f in festivals_of(user) if has_perm(user, "upm.view_own_report", f)]
    return {"festivals": festivals}
