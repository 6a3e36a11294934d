"""Template helpers of the competition day: the QR code of a draw's verification link, the drawn flows and
workplaces on the competency's page and in the personal cabinet (OP-1, 003 §13.1)."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from django import template
from django.utils.safestring import SafeString, mark_safe

from profmaster.accounts.models import Role
from profmaster.championships.models import Competency
from profmaster.permissions import assignments, has_perm
from profmaster.registration.models import Application, TeamMember

from ..domain import flow_slots, placements
from ..models import Draw

register = template.Library()


@register.filter
def qr_svg(url: str) -> SafeString:
    """The link as an inline SVG QR code (a PDF fetches nothing, so no image file or data URI is needed)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2, mask_pattern=0,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(str(url))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    text = buffer.getvalue().decode("utf-8")
    return mark_safe(text[text.index("<svg"):])  # qrcode wrote it; the URL is data in a path


@register.inclusion_tag("competition_day/_competency_flows.html", takes_context=True)
def competency_flows(context: Any, competency: Competency) -> dict[str, Any]:
    """The competency's flows with their teams and workplaces once drawn (published with the programme)."""
    user = context["request"].user
    drawn = placements([competency.pk])
    teams = {a.pk: a for a in Application.objects.filter(pk__in=list(drawn)).select_related(
        "organisation", "age_category")}
    flows = []
    for slot in flow_slots(competency):
        members = sorted((p for p in drawn.values() if p.flow is not None and p.flow.pk == slot.pk),
                         key=lambda p: (int(p.workplace) if p.workplace.isdigit() else 10**6, p.application_id))
        flows.append({"slot": slot, "teams": [(teams.get(p.application_id), p.workplace) for p in members]})
    return {"flows": flows, "competency": competency,
            "can_draw": has_perm(user, "competition_day.view_draws", competency),
            "drawn": bool(drawn)}


@register.inclusion_tag("competition_day/_cabinet.html", takes_context=True)
def competition_day_cabinet(context: Any) -> dict[str, Any]:
    """The chief expert's draws per competency; a mentor's teams with their flow and workplace once drawn."""
    user = context["request"].user
    ids = {comp for role, _ch, comp in assignments(user) if role == Role.CHIEF_EXPERT and comp is not None}
    chief = []
    for competency in Competency.objects.filter(pk__in=ids).select_related("championship").order_by("name"):
        if has_perm(user, "competition_day.manage_draws", competency):
            states = dict(Draw.objects.filter(competency=competency, kind=Draw.Kind.FLOWS)
                          .exclude(state=Draw.State.SUPERSEDED).values_list("kind", "state"))
            chief.append({"competency": competency, "state": states.get(Draw.Kind.FLOWS, "")})
    teams = []
    if getattr(user, "is_authenticated", False):
        applications = list(Application.objects.filter(
            status=Application.Status.APPROVED, members__user=user, members__kind=TeamMember.Kind.MENTOR,
            members__state=TeamMember.State.ACTIVE).select_related("competency", "organisation", "age_category")
            .distinct().order_by("competency__name", "pk"))
        drawn = placements({a.competency_id for a in applications})
        teams = [{"application": a, "placement": drawn.get(a.pk)} for a in applications]
    return {"chief": chief, "teams": teams, "states": dict(Draw.State.choices)}
