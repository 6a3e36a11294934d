"""Pages of RM-5: the stage's summary sheet with the expert group's protocol and its transfer, and the regional
contest commission's workspace. Thin: permission, then :mod:`.domain`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.marking.models import MarkingScheme
from profmaster.permissions import has_perm, require

from . import domain
from .models import CommissionProtocol, ExpertGroupProtocol, ProtocolTransfer


def _scheme(pk: int) -> MarkingScheme:
    return get_object_or_404(MarkingScheme.objects.select_related("competency__championship", "stage",
                                                                  "age_category"), pk=pk)


def _crumbs(championship: Championship) -> list[tuple[str, str | None]]:
    return [(championship.name, reverse("championships:detail", args=[championship.pk]))]


@login_required
def summary(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    """The stage's summary sheet, its expert group's protocol and whether it was passed to the commission."""
    scheme = _scheme(scheme_pk)
    require(request.user, "regional_commission.view_summary", scheme)
    try:
        sheet, refusal = domain.summary_sheet(scheme), ""
    except DomainError as exc:
        sheet, refusal = None, exc.message
    protocol = ExpertGroupProtocol.objects.filter(scheme=scheme).select_related("document").first()
    transfer = ProtocolTransfer.objects.filter(protocol=protocol).select_related("passed_by").first() if protocol else None
    competency = scheme.competency
    return render(request, "regional_commission/summary.html", {
        "scheme": scheme, "competency": competency, "sheet": sheet, "refusal": refusal, "protocol": protocol,
        "state": domain.state_of(protocol.document) if protocol else None, "transfer": transfer,
        "can_create": has_perm(request.user, "regional_commission.create_group_protocol", scheme),
        "can_transfer": has_perm(request.user, "regional_commission.transfer_protocol", scheme),
        "breadcrumbs": [*_crumbs(competency.championship),
                        (competency.name, reverse("championships:competency",
                                                  args=[competency.championship_id, competency.pk])),
                        (_("Сводная ведомость: %(scheme)s") % {"scheme": scheme.title}, None)],
    })


def _act(request: HttpRequest, action: Any, success: str, target: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(target)


@login_required
@require_POST
def create_group_protocol(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(scheme_pk)
    require(request.user, "regional_commission.view_summary", scheme)
    require(request.user, "regional_commission.create_group_protocol", scheme)
    return _act(request, lambda: domain.create_expert_group_protocol(scheme, by=request.user),
                _("Протокол экспертной рабочей группы сформирован и отправлен на подпись членам группы."),
                reverse("regional_commission:summary", args=[scheme.pk]))


@login_required
@require_POST
def transfer(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(scheme_pk)
    require(request.user, "regional_commission.view_summary", scheme)
    require(request.user, "regional_commission.transfer_protocol", scheme)
    protocol = ExpertGroupProtocol.objects.filter(scheme=scheme).first()
    target = reverse("regional_commission:summary", args=[scheme.pk])
    if protocol is None:
        messages.error(request, _("Сначала сформируйте и подпишите протокол экспертной рабочей группы."))
        return redirect(target)
    return _act(request, lambda: domain.transfer_protocol(protocol, by=request.user,
                                                          note=request.POST.get("note", "")),
                _("Протокол передан в региональную конкурсную комиссию."), target)


@login_required
def workspace(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The regional contest commission's workspace: what it received and when, and its own protocol."""
    championship = get_object_or_404(Championship, pk=championship_pk)
    require(request.user, "regional_commission.view_workspace", championship)
    transfers = domain.received(championship)
    protocol = CommissionProtocol.objects.filter(championship=championship).select_related("document").first()
    pending = []
    if has_perm(request.user, "documents.view_register", championship):
        pending = list(ExpertGroupProtocol.objects.filter(championship=championship, transfer__isnull=True)
                       .select_related("document", "competency", "scheme"))
    return render(request, "regional_commission/workspace.html", {
        "championship": championship, "transfers": [{"transfer": t, "state": domain.state_of(t.protocol.document)}
                                                     for t in transfers],
        "protocol": protocol, "state": domain.state_of(protocol.document) if protocol else None,
        "stale": domain.needs_reforming(protocol, transfers), "pending": pending,
        "members": domain.commission_members(championship),
        "can_form": has_perm(request.user, "regional_commission.create_commission_protocol", championship),
        "breadcrumbs": [*_crumbs(championship), (_("Региональная конкурсная комиссия"), None)],
    })


@login_required
@require_POST
def create_commission_protocol(request: HttpRequest, championship_pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=championship_pk)
    require(request.user, "regional_commission.view_workspace", championship)
    require(request.user, "regional_commission.create_commission_protocol", championship)
    return _act(request, lambda: domain.create_commission_protocol(championship, by=request.user),
                _("Протокол комиссии сформирован и отправлен на подпись её членам."),
                reverse("regional_commission:workspace", args=[championship.pk]))
