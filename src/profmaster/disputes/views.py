"""Pages of disputes (AP-1) and their sanctions (AP-4). Thin: permission, then :mod:`.domain` / :mod:`.sanctions`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.checkin.models import Accreditation
from profmaster.core.errors import DomainError
from profmaster.marking.models import Aspect, Criterion, MarksReview
from profmaster.marking.review import record_review
from profmaster.permissions import has_perm, require
from profmaster.registration.models import Application, TeamMember

from . import domain, sanctions
from .models import Dispute, Explanation, Vote

SANCTION_KINDS = [
    ("deduction", _("Вычет баллов")), ("part_zeroing", _("Обнуление части результата")),
    ("zero_result", _("Обнуление всего результата")), ("removal", _("Удаление с площадки")),
    ("suspension", _("Отстранение участника на время апелляции")),
]


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _competency(pk: int) -> Competency:
    return get_object_or_404(Competency.objects.select_related("championship"), pk=pk)


def _dispute(pk: int) -> Dispute:
    return get_object_or_404(Dispute.objects.select_related(
        "competency__championship", "championship", "team__organisation", "criterion", "raised_by",
        "on_behalf_of", "protocol"), pk=pk)


def _crumbs(competency: Competency) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [
        (competency.championship.name, reverse("championships:detail", args=[competency.championship_id])),
        (competency.name, reverse("championships:competency", args=[competency.championship_id, competency.pk]))]
    return crumbs + [(_("Спорные вопросы"), reverse("disputes:list", args=[competency.pk]))]


def _may_list(user: Any, competency: Competency) -> bool:
    return has_perm(user, "disputes.view_disputes", competency) or bool(domain.mentored_teams(user, competency))


@login_required
def disputes(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """The competency's disputes (a mentor sees those of their teams) and the form to raise one."""
    competency = _competency(competency_pk)
    user = request.user
    if not _may_list(user, competency):
        raise PermissionDenied
    teams = domain.mentored_teams(user, competency)
    can_raise = has_perm(user, "disputes.raise_dispute", competency) and (
        bool(teams) or domain.is_venue_admin(user, competency))
    error, status, posted = "", 200, {}
    if request.method == "POST":
        if not can_raise:
            raise PermissionDenied
        posted = request.POST.dict()
        team = Application.objects.filter(pk=_int(posted.get("team")), competency=competency).first()
        if posted.get("team") and team is None:
            error, status = _("Команда не участвует в этой компетенции."), 400
        else:
            member = TeamMember.objects.filter(pk=_int(posted.get("on_behalf_of")), application=team).first() \
                if team is not None and posted.get("on_behalf_of") else None
            criterion = Criterion.objects.filter(pk=_int(posted.get("criterion")),
                                                 scheme__competency=competency).first()
            try:
                if posted.get("on_behalf_of") and member is None:
                    raise DomainError(_("От имени участника вопрос поднимает наставник его команды."))
                dispute = domain.raise_dispute(
                    competency, question=posted.get("question", ""), concerns=posted.get("concerns", ""),
                    circumstances=posted.get("circumstances", ""), team=team, criterion=criterion,
                    on_behalf_of=member, by=user)
            except DomainError as exc:
                error, status = exc.message, 400
            else:
                messages.success(request, _("Спорный вопрос № %(n)s записан; главный эксперт получил уведомление.")
                                 % {"n": dispute.number})
                return redirect("disputes:detail", dispute.pk)
    items = Dispute.objects.filter(competency=competency).select_related("team__organisation", "raised_by")
    if not has_perm(user, "disputes.view_disputes", competency):
        items = items.filter(team__in=teams) | items.filter(raised_by_id=user.pk)
    return render(request, "disputes/list.html", {
        "competency": competency, "items": items.distinct(), "can_raise": can_raise, "error": error,
        "posted": posted, "teams": teams if not domain.is_venue_admin(user, competency) else
        list(Application.objects.filter(competency=competency, status="approved").select_related("organisation")),
        "participants": TeamMember.objects.filter(application__in=teams, kind="participant", state="active"),
        "criteria": Criterion.objects.filter(scheme__competency=competency).select_related("scheme"),
        "breadcrumbs": _crumbs(competency)[:2] + [(_("Спорные вопросы"), None)],
    }, status=status)


def _round_view(vote_round: Any, user: Any, can_manage: bool) -> dict[str, Any]:
    votes = list(vote_round.votes.select_related("expert"))
    return {"round": vote_round, "tally": domain.tally(vote_round), "votes": votes,
            "not_voted": domain.not_voted(vote_round) if can_manage or has_perm(user, "disputes.vote",
                                                                                vote_round.dispute) else [],
            "mine": next((v for v in votes if v.expert_id == user.pk), None)}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    user = request.user
    require(user, "disputes.view_dispute", dispute)
    competency = dispute.competency
    zone = timezones.zone_of(dispute.championship)
    can_manage = has_perm(user, "disputes.manage_dispute", dispute)
    can_sanction = (has_perm(user, "disputes.apply_sanction", dispute) and dispute.is_decided
                    and dispute.outcome == Dispute.Outcome.ADOPTED)
    rounds = [_round_view(r, user, can_manage) for r in dispute.rounds.order_by("number")]
    current = domain.open_round(dispute)
    explanations = list(dispute.explanations.select_related("person", "requested_by"))
    return render(request, "disputes/detail.html", {
        "dispute": dispute, "competency": competency, "zone_label": timezones.zone_label(zone),
        "raised_at": timezones.format_local(dispute.raised_at, zone),
        "decided_at": timezones.format_local(dispute.decided_at, zone) if dispute.decided_at else "",
        "rounds": rounds, "current": current, "can_manage": can_manage,
        "can_vote": current is not None and user.pk in current.panel
        and not current.votes.filter(expert_id=user.pk).exists(),
        "can_sanction": can_sanction, "sanction_kinds": SANCTION_KINDS,
        "can_investigate": has_perm(user, "disputes.investigate", dispute),
        "explanations": explanations, "explainers": domain.explainers(dispute),
        "my_questions": [e for e in explanations if e.person_id == user.pk and e.answered_at is None],
        "decisions": dispute.result_decisions.select_related("team__organisation").order_by("number"),
        "removals": dispute.removals.select_related("accreditation"),
        "suspensions": dispute.suspensions.select_related("member"),
        "teams": Application.objects.filter(competency=competency, status="approved").select_related("organisation"),
        "criteria": Criterion.objects.filter(scheme__competency=competency).select_related("scheme"),
        "aspects": Aspect.objects.filter(sub_criterion__criterion__scheme__competency=competency),
        "people": Accreditation.objects.filter(competency=competency, kind__in=sorted(sanctions.REMOVABLE),
                                               revoked_at__isnull=True).order_by("kind", "full_name"),
        "participants": TeamMember.objects.filter(application__competency=competency, kind="participant",
                                                  state="active", application__status="approved"),
        "choices": Vote.Choice.choices,
        "breadcrumbs": [*_crumbs(competency), (dispute.label, None)],
    })


def _act(request: HttpRequest, dispute: Dispute, action: Any, success: str, *, to: str = "") -> HttpResponse:
    try:
        with transaction.atomic():
            action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(to or reverse("disputes:detail", args=[dispute.pk]))


@login_required
@require_POST
def put_to_vote(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    require(request.user, "disputes.manage_dispute", dispute)
    return _act(request, dispute, lambda: domain.put_to_vote(
        dispute, proposal=request.POST.get("proposal", ""), revote_reason=request.POST.get("revote_reason", ""),
        by=request.user), _("Вопрос вынесен на голосование; эксперты получили уведомление."))


@login_required
@require_POST
def close_round(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    require(request.user, "disputes.manage_dispute", dispute)
    return _act(request, dispute, lambda: domain.close_round(dispute, by=request.user), _("Голосование закрыто."))


@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert's voting page (phone friendly): the question, the proposal and three buttons."""
    dispute = _dispute(pk)
    user = request.user
    require(user, "disputes.view_dispute", dispute)
    if request.method == "POST":
        require(user, "disputes.vote", dispute)
        return _act(request, dispute, lambda: domain.cast_vote(dispute, choice=request.POST.get("choice", ""),
                                                               by=user),
                    _("Ваш голос учтён."), to=reverse("disputes:vote", args=[dispute.pk]))
    current = domain.open_round(dispute)
    last = current or dispute.rounds.order_by("-number").first()
    mine = Vote.objects.filter(round=last, expert_id=user.pk).first() if last else None
    return render(request, "disputes/vote.html", {
        "dispute": dispute, "current": current, "last": last, "mine": mine,
        "in_panel": current is not None and user.pk in current.panel,
        "tally": domain.tally(last) if last else None, "choices": Vote.Choice.choices,
        "breadcrumbs": [*_crumbs(dispute.competency), (dispute.label, reverse("disputes:detail", args=[dispute.pk])),
                        (_("Голосование"), None)],
    })


def _decimal_input(value: str) -> str:
    return (value or "").replace(",", ".").replace(" ", "").strip()


@login_required
@require_POST
def sanction(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    user = request.user
    require(user, "disputes.apply_sanction", dispute)
    post = request.POST
    kind, reason = post.get("kind", ""), post.get("reason", "")
    competency = dispute.competency
    team = Application.objects.filter(pk=_int(post.get("team")), competency=competency).first()

    def apply() -> None:
        if kind in ("deduction", "part_zeroing", "zero_result") and team is None:
            raise DomainError(_("Выберите команду этой компетенции."), field="team")
        if kind == "deduction":
            sanctions.deduct_points(team, _decimal_input(post.get("points", "")), reason=reason, by=user,  # type: ignore[arg-type]
                                    dispute=dispute)
        elif kind == "part_zeroing":
            criteria = list(Criterion.objects.filter(pk__in=[_int(v) for v in post.getlist("criteria")],
                                                     scheme__competency=competency).select_related("scheme"))
            aspects = list(Aspect.objects.filter(pk__in=[_int(v) for v in post.getlist("aspects")],
                                                 sub_criterion__criterion__scheme__competency=competency)
                           .select_related("sub_criterion__criterion__scheme"))
            sanctions.zero_part(team, criteria=criteria, aspects=aspects, reason=reason, by=user,  # type: ignore[arg-type]
                                dispute=dispute)
        elif kind == "zero_result":
            sanctions.zero_result(team, reason=reason, by=user, dispute=dispute)  # type: ignore[arg-type]
        elif kind == "removal":
            person = Accreditation.objects.filter(pk=_int(post.get("accreditation")), competency=competency).first()
            if person is None:
                raise DomainError(_("Выберите аккредитованного человека этой компетенции."), field="accreditation")
            sanctions.remove_from_venue(person, reason=reason, by=user, dispute=dispute)
        elif kind == "suspension":
            member = TeamMember.objects.filter(pk=_int(post.get("member")), application__competency=competency,
                                               kind="participant").select_related("application").first()
            if member is None:
                raise DomainError(_("Выберите участника этой компетенции."), field="member")
            sanctions.suspend_participant(member, reason=reason, by=user, dispute=dispute)
        else:
            raise DomainError(_("Выберите санкцию."), field="kind")

    return _act(request, dispute, apply, _("Санкция записана; протокол сформирован заново."))


@login_required
@require_POST
def investigation(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    require(request.user, "disputes.investigate", dispute)
    return _act(request, dispute, lambda: domain.open_investigation(dispute, reason=request.POST.get("reason", ""),
                                                                    by=request.user), _("Расследование назначено."))


@login_required
@require_POST
def request_explanation(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(pk)
    require(request.user, "disputes.investigate", dispute)
    from profmaster.accounts.models import User

    person = User.objects.filter(pk=_int(request.POST.get("person"))).first()
    return _act(request, dispute, lambda: domain.request_explanation(
        dispute, person=person, question=request.POST.get("question", ""), by=request.user),
        _("Пояснение запрошено; человек получил уведомление."))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    explanation = get_object_or_404(Explanation.objects.select_related("dispute__competency__championship"), pk=pk)
    dispute = explanation.dispute
    require(request.user, "disputes.answer_explanation", dispute)
    return _act(request, dispute, lambda: domain.answer_explanation(explanation, answer=request.POST.get("answer", ""),
                                                                    by=request.user),
                _("Пояснение отправлено в Дирекцию."))


@login_required
@require_POST
def marks_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The chief expert records that the marks of a removed expert were checked (AP-4)."""
    review = get_object_or_404(MarksReview.objects.select_related("competency__championship"), pk=pk)
    require(request.user, "disputes.manage_dispute", review.competency)
    try:
        record_review(review, note=request.POST.get("note", ""), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Проверка оценок записана."))
    return redirect(reverse("disputes:list", args=[review.competency_id]))


@login_required
def register(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The Directorate's register of the championship's disputes, with filters."""
    championship = get_object_or_404(Championship, pk=championship_pk)
    require(request.user, "disputes.view_register", championship)
    items = Dispute.objects.filter(championship=championship).select_related("competency", "team__organisation",
                                                                              "protocol")
    state = request.GET.get("state", "")
    if state in Dispute.State.values:
        items = items.filter(state=state)
    competency_id = _int(request.GET.get("competency"))
    if competency_id:
        items = items.filter(competency_id=competency_id)
    since = request.GET.get("since", "")
    try:
        if since:
            items = items.filter(arose_on__gte=dt.date.fromisoformat(since))
    except ValueError:
        since = ""
    return render(request, "disputes/register.html", {
        "championship": championship, "items": items, "states": Dispute.State.choices, "state": state,
        "competencies": championship.competencies.order_by("name"), "competency_id": competency_id, "since": since,
        "breadcrumbs": [(championship.name, reverse("championships:detail", args=[championship.pk])),
                        (_("Спорные вопросы"), None)],
    })
