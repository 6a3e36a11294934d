"""Pages of appeals and the appeal commission (AP-2, AP-3). Thin: permission, then :mod:`.domain`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.accounts.models import User
from profmaster.championships import timezones
from profmaster.championships.models import Championship
from profmaster.core.actions import act, chosen
from profmaster.core.errors import DomainError
from profmaster.disputes.models import Dispute
from profmaster.marking.models import Criterion, SchemeMarking
from profmaster.permissions import has_perm, is_any_directorate, require
from profmaster.registration.models import TeamMember
from profmaster.timekeeping.models import Suspension

from . import domain, register
from .models import Appeal, ChairElection, CommissionMember, HearingNote, HearingVote

#: A body far over the scan limit is refused before it is read.
BODY_LIMIT = 6 * 1024 * 1024


def _championship(pk: int) -> Championship:
    return get_object_or_404(Championship, pk=pk)


def _appeal(pk: int) -> Appeal:
    return get_object_or_404(Appeal.objects.select_related(
        "championship", "competency", "team__organisation", "dispute", "filed_by", "protocol", "dispute_protocol"),
        pk=pk)


def _crumbs(championship: Championship, user: Any) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [
        (championship.name, reverse("championships:detail", args=[championship.pk]))]
    if has_perm(user, "appeals.view_workspace", championship):
        crumbs.append((_("Апелляционная комиссия"), reverse("appeals:workspace", args=[championship.pk])))
    return crumbs


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > BODY_LIMIT
    except ValueError:
        return False


# --- Filing and following (the mentor) ---------------------------------------------------------------------


@login_required
def file(request: HttpRequest, dispute_pk: int) -> HttpResponse:
    """The mentor's appeal of a decided dispute: the persons involved, the claim, the scanned signed form."""
    dispute = get_object_or_404(Dispute.objects.select_related("championship", "competency", "team", "protocol"),
                                pk=dispute_pk)
    require(request.user, "appeals.file_appeal", dispute)
    zone = timezones.zone_of(dispute.championship)
    existing = Appeal.objects.filter(dispute=dispute).first()
    error, status, posted = "", 200, {}
    if request.method == "POST" and existing is None:
        posted = request.POST.dict()
        if _too_big(request):
            error, status = _("Файл больше допустимых 5 МБ. Ничего не сохранено: загрузите скан в PDF, PNG или JPEG "
                              "до 5 МБ."), 413
        else:
            team = domain.Application.objects.filter(pk=_int(posted.get("team"))).first()
            try:
                appeal = domain.file_appeal(dispute, persons=posted.get("persons", ""), claim=posted.get("claim", ""),
                                            respondent=posted.get("respondent", ""), scan=request.FILES.get("scan"),
                                            team=team, by=request.user)
            except DomainError as exc:
                error, status = exc.message, 400
            else:
                messages.success(request, _("Апелляция № %(n)s подана: апелляционная комиссия и Дирекция получили "
                                            "уведомление.") % {"n": appeal.number})
                return redirect("appeals:detail", appeal.pk)
    refusal = None if existing else domain.appeal_refusal(dispute, request.user)
    teams = [] if dispute.team_id else domain._mentored_teams(request.user, dispute.competency_id)
    return render(request, "appeals/file.html", {
        "dispute": dispute, "existing": existing, "refusal": refusal, "error": error, "posted": posted,
        "teams": teams, "deadline": timezones.format_local(domain.filing_deadline(dispute), zone),
        "breadcrumbs": [(dispute.championship.name, reverse("championships:detail", args=[dispute.championship_id])),
                        (_("Апелляция"), None)],
    }, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The appeal: its state and final decision for the appellant; the case file, the hearing and the vote for
    the commission and the Directorate."""
    appeal = _appeal(pk)
    require(request.user, "appeals.view_appeal", appeal)
    user = request.user
    championship = appeal.championship
    zone = timezones.zone_of(championship)
    can_case = has_perm(user, "appeals.view_case", appeal)
    context: dict[str, Any] = {
        "appeal": appeal, "zone_label": timezones.zone_label(zone), "can_case": can_case,
        "filed_at": timezones.format_local(appeal.filed_at, zone),
        "decided_at": timezones.format_local(appeal.decided_at, zone),
        "can_view_protocol": bool(appeal.protocol and has_perm(user, "documents.view_document", appeal.protocol)),
        "breadcrumbs": [*_crumbs(championship, user), (str(appeal), None)],
    }
    if can_case:
        commission = domain.commission_of(championship)
        hearing = getattr(appeal, "hearing", None) if appeal.state != Appeal.State.FILED else None
        votes = list(hearing.votes.select_related("member")) if hearing else []
        members = domain.members_of(commission)
        voted = {v.member_id for v in votes}
        context.update({
            "commission": commission, "hearing": hearing, "votes": votes,
            "not_voted": [m for m in members if m.pk not in voted],
            "tally": domain.tally(appeal) if hearing else None,
            "notes": list(hearing.notes.all()) if hearing else [],
            "is_chair": bool(commission and commission.chair_id == user.pk),
            "can_vote": has_perm(user, "appeals.vote", appeal) and hearing is not None
            and appeal.state == Appeal.State.HEARING and user.pk not in voted,
            "my_vote": next((v for v in votes if v.member_id == user.pk), None),
            "can_conduct": has_perm(user, "appeals.conduct_hearing", appeal),
            "marks": domain.marks_history(appeal), "incidents": domain.linked_incidents(appeal),
            "note_kinds": HearingNote.Kind.choices, "choices": HearingVote.Choice.choices,
            "can_view_dispute_protocol": bool(appeal.dispute_protocol and has_perm(
                user, "documents.view_document", appeal.dispute_protocol)),
            "sanction_kinds": list(domain.SANCTION_KINDS.items()),
            "removable": domain.removable_people(appeal),
            "participants": list(appeal.team.members.filter(kind=TeamMember.Kind.PARTICIPANT)
                                 .order_by("last_name", "first_name")),
            "suspensions": list(Suspension.objects.filter(team_id=appeal.team_id).select_related("member")
                                .order_by("-started_at")),
            "criteria": list(Criterion.objects.filter(scheme__competency_id=appeal.competency_id)
                             .select_related("scheme").order_by("scheme_id", "order", "code")),
            "marks_locked": SchemeMarking.objects.filter(scheme__competency_id=appeal.competency_id,
                                                         status=SchemeMarking.Status.LOCKED).exists(),
        })
    with timezones.activated(championship):  # the ledger's times on the championship's clocks
        return render(request, "appeals/detail.html", context)


def _stream(field: Any, content_type: str, name: str) -> FileResponse:
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, filename=name)
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def scan(request: HttpRequest, pk: int) -> FileResponse:
    """The scanned signed appeal, streamed after the permission check (never a public URL)."""
    appeal = _appeal(pk)
    require(request.user, "appeals.view_scan", appeal)
    return _stream(appeal.scan, appeal.scan_type, appeal.scan_name)


@login_required
def evidence(request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    """A photo or video of an incident of the appealing team, for the case file (the commission, the Directorate)."""
    appeal = _appeal(pk)
    require(request.user, "appeals.view_case", appeal)
    from profmaster.incidents.models import Evidence

    item = get_object_or_404(Evidence, pk=evidence_pk, incident__competency_id=appeal.competency_id,
                             incident__application_id=appeal.team_id)
    return _stream(item.file, item.content_type, item.original_name)


def _act(request: HttpRequest, pk: int, perm: str, action: Any, success: str) -> HttpResponse:
    appeal = _appeal(pk)
    require(request.user, perm, appeal)
    return act(request, lambda: action(appeal), success=success,
               back=reverse("appeals:detail", args=[appeal.pk]) + "#hearing")


@login_required
@require_POST
def hearing_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "appeals.conduct_hearing", lambda a: domain.open_hearing(a, by=request.user),
                _("Заседание открыто. Оно закрытое: ход обсуждения видят только члены комиссии и Дирекция."))


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "appeals.conduct_hearing",
                lambda a: domain.record_note(a, kind=request.POST.get("kind", ""), person=request.POST.get("person", ""),
                                             text=request.POST.get("text", ""), by=request.user),
                _("Выступление записано."))


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "appeals.vote",
                lambda a: domain.cast_vote(a, choice=request.POST.get("choice", ""), by=request.user),
                _("Ваш голос учтён."))


@login_required
@require_POST
def chair_vote(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "appeals.conduct_hearing",
                lambda a: domain.cast_chair_vote(a, choice=request.POST.get("choice", ""), by=request.user),
                _("Дополнительный голос председателя учтён."))


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "appeals.conduct_hearing",
                lambda a: domain.decide_appeal(
                    a, decision=request.POST.get("decision", ""), reasons=request.POST.get("reasons", ""),
                    sanction=domain.sanction_from(request.POST.get("sanction_kind", ""),
                                                  request.POST.get("sanction_points"),
                                                  request.POST.getlist("sanction_criteria"),
                                                  request.POST.get("sanction_accreditation")),
                    by=request.user),
                _("Решение принято и окончательно. Итоговый протокол передан Дирекции, заявитель уведомлён."))


@login_required
@require_POST
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    """003 §8.13: the chair keeps a participant of the appealing team from the task until the decision."""
    def suspend_member(appeal: Appeal) -> Any:
        member = TeamMember.objects.filter(pk=_int(request.POST.get("member")), application_id=appeal.team_id).first()
        return domain.suspend_during_appeal(appeal, chosen(member, _("Выберите участника команды.")),
                                            reason=request.POST.get("reason", ""), by=request.user)

    return _act(request, pk, "appeals.conduct_hearing", suspend_member,
                _("Участник отстранён до решения комиссии. Если апелляцию отклонят, время не компенсируется."))


# --- The commission's workspace ------------------------------------------------------------------------------


@login_required
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    """The commission's list of appeals and hearings, its composition and the chair's election."""
    championship = _championship(pk)
    require(request.user, "appeals.view_workspace", championship)
    commission = domain.commission_of(championship)
    zone = timezones.zone_of(championship)
    election = commission.elections.order_by("-round").first() if commission else None
    members = domain.members_of(commission)
    voted = set(election.ballots.values_list("voter_id", flat=True)) if election else set()
    appeals = list(Appeal.objects.filter(championship=championship).select_related("competency", "team__organisation")
                   .order_by("state", "-filed_at"))
    for appeal in appeals:
        appeal.filed_local = timezones.format_local(appeal.filed_at, zone)  # type: ignore[attr-defined]
    return render(request, "appeals/workspace.html", {
        "championship": championship, "commission": commission, "members": members, "appeals": appeals,
        "election": election, "tally": domain.election_tally(election) if election else [],
        "majority": domain.majority_of(len(members)) if members else 0,
        "voted": voted, "can_ballot": bool(election and election.state == ChairElection.State.OPEN
                                          and request.user.pk in {m.pk for m in members}
                                          and request.user.pk not in voted),
        "can_open_election": bool(commission and commission.is_approved and commission.chair_id is None
                                  and not (election and election.state == ChairElection.State.OPEN)
                                  and has_perm(request.user, "appeals.open_election", championship)),
        "can_manage": has_perm(request.user, "appeals.manage_commission", championship),
        "can_register": has_perm(request.user, "appeals.view_register", championship),
        "breadcrumbs": [(championship.name, reverse("championships:detail", args=[championship.pk])),
                        (_("Апелляционная комиссия"), None)],
    })


@login_required
def commission(request: HttpRequest, pk: int) -> HttpResponse:
    """The Directorate composes the commission from its people and approves it (003 §8.5)."""
    championship = _championship(pk)
    require(request.user, "appeals.manage_commission", championship)
    if request.method == "POST":
        user = User.objects.filter(pk=_int(request.POST.get("user"))).first()
        return act(request, lambda: domain.add_member(championship, user=user, by=request.user),  # type: ignore[arg-type]
                   success=lambda member: _("%(name)s включён(а) в состав.") % {"name": member.user.full_name},
                   back=reverse("appeals:commission", args=[championship.pk]))
    current = domain.commission_of(championship)
    members = list(current.members.select_related("user")) if current else []
    taken = {m.user_id for m in members}
    deadline = domain.approval_deadline(championship)
    zone = timezones.zone_of(championship)
    return render(request, "appeals/commission.html", {
        "championship": championship, "commission": current, "members": members,
        "candidates": [u for u in domain.candidates(championship) if u.pk not in taken],
        "min_members": domain.MIN_MEMBERS, "deadline": timezones.format_local(deadline, zone) if deadline else "",
        "late": bool(deadline and timezone.now() > deadline),
        "approved_at": timezones.format_local(current.approved_at, zone) if current and current.approved_at else "",
        "breadcrumbs": [*_crumbs(championship, request.user), (_("Состав комиссии"), None)],
    })


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    championship = _championship(pk)
    require(request.user, "appeals.manage_commission", championship)
    member = get_object_or_404(CommissionMember, pk=member_pk, commission__championship=championship)
    return act(request, lambda: domain.remove_member(member, by=request.user),
               success=lambda _removed: _("Исключён(а) из состава: %(name)s.") % {"name": member.user.full_name},
               back=reverse("appeals:commission", args=[championship.pk]))


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship(pk)
    require(request.user, "appeals.manage_commission", championship)
    return act(request, lambda: domain.approve_commission(championship, basis=request.POST.get("basis", ""),
                                                          by=request.user),
               success=_("Состав утверждён и опубликован в разделе «Регламентирующие документы»."),
               back=reverse("appeals:commission", args=[championship.pk]))


@login_required
@require_POST
def election_open(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship(pk)
    require(request.user, "appeals.open_election", championship)
    return act(request, lambda: domain.open_election(championship, by=request.user),
               success=_("Голосование о председателе открыто."),
               back=reverse("appeals:workspace", args=[championship.pk]) + "#election")


@login_required
@require_POST
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship(pk)
    require(request.user, "appeals.elect_chair", championship)
    candidate = User.objects.filter(pk=_int(request.POST.get("candidate"))).first()
    return act(request, lambda: domain.cast_ballot(championship, candidate=candidate, by=request.user),
               success=_("Ваш голос учтён."), back=reverse("appeals:workspace", args=[championship.pk]) + "#election")


# --- Public: regulating documents (003 §8.5) ---------------------------------------------------------------------


def regulations(request: HttpRequest, pk: int) -> HttpResponse:
    """«Регламентирующие документы»: the approved composition of the appeal commission, open to everyone."""
    championship = _championship(pk)
    current = domain.commission_of(championship)
    published = current if current and current.is_approved else None
    zone = timezones.zone_of(championship)
    return render(request, "appeals/regulations.html", {
        "championship": championship, "commission": published,
        "members": domain.members_of(published) if published else [],
        "approved_at": timezones.format_local(published.approved_at, zone) if published else "",
        "breadcrumbs": [(championship.name, None), (_("Регламентирующие документы"), None)],
    })


# --- The Directorate's register of disputes and appeals ------------------------------------------------------------


def _register_rows(request: HttpRequest) -> tuple[register.Filters, list[register.Row]]:
    if not is_any_directorate(request.user):
        raise PermissionDenied("appeals.view_register")
    filters = register.Filters.from_query(request.GET, request.user)
    return filters, register.rows(filters)


@login_required
def register_page(request: HttpRequest) -> HttpResponse:
    filters, rows = _register_rows(request)
    return render(request, "appeals/register.html", {
        "filters": filters, "rows": rows, "states": register.STATE_CHOICES, "query": request.GET.urlencode(),
        "breadcrumbs": [(_("Реестр споров и апелляций"), None)],
    })


@login_required
def register_xlsx(request: HttpRequest) -> HttpResponse:
    _filters, rows = _register_rows(request)
    response = HttpResponse(register.to_xlsx(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="disputes-appeals-{dt.date.today():%Y%m%d}.xlsx"'
    return response
