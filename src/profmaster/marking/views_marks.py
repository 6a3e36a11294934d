"""Pages of the assessment (SC-1…SC-9): the panel, the keyboard-first mark entry grid with autosave,
the panel's results and progress board, the lock/unlock of marks and a team's own marks."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from profmaster.championships.middleware import no_championship_zone
from profmaster.championships.models import Championship, Competency
from profmaster.core.db import retry_instead_of_health_check
from profmaster.core.errors import DomainError
from profmaster.core.forms import BootstrapFormMixin
from profmaster.permissions import has_perm, may_view_team_marks, own_teams_with_locked_marks, require
from profmaster.registration.models import Application

from . import calculation, marks, sheets
from . import panel as panels
from . import views as scheme_views
from .models import JudgingRole, Mark, MarkingScheme, Panel, SchemeMarking, Sheet, SubCriterion


class PanelForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Panel
        fields = ["four_eyes", "blind", "exclude_own_organisation"]


class JudgingRoleForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Член жюри"), queryset=get_user_model().objects.none())
    duty = forms.CharField(label=gettext_lazy("Судейская роль"), max_length=200)
    team = forms.ModelChoiceField(label=gettext_lazy("Команда (если роль — оценка команды)"),
                                  queryset=Application.objects.none(), required=False)

    def __init__(self, *args: Any, competency: Competency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = [u for u, _label in panels.panel_signers(competency)]
        self.fields["user"].queryset = get_user_model().objects.filter(pk__in=[u.pk for u in members])  # type: ignore[attr-defined]
        self.fields["team"].queryset = Application.objects.filter(  # type: ignore[attr-defined]
            competency=competency, status=Application.Status.APPROVED)


def _error_text(exc: DomainError) -> str:
    return exc.message


def _competency(request: HttpRequest, championship_pk: int, competency_pk: int, perm: str) -> Competency:
    competency = get_object_or_404(Competency.objects.select_related("championship"), pk=competency_pk,
                                   championship_id=championship_pk)
    require(request.user, perm, competency)
    return competency


def _scheme(request: HttpRequest, scheme_pk: int, perm: str) -> MarkingScheme:
    scheme = get_object_or_404(MarkingScheme.objects.select_related("competency__championship", "stage"),
                               pk=scheme_pk)
    require(request.user, perm, scheme)
    return scheme


def _crumbs(competency: Competency) -> list[tuple[str, str | None]]:
    championship = competency.championship
    return [(championship.name, reverse("championships:detail", args=[championship.pk])),
            (competency.name, reverse("championships:competency", args=[championship.pk, competency.pk])),
            (_("Схемы оценки"), reverse("marking:list", args=[championship.pk, competency.pk]))]


# --- SC-8 the panel ----------------------------------------------------------------------------------


@login_required
def panel_page(request: HttpRequest, pk: int, competency_pk: int) -> HttpResponse:
    competency = _competency(request, pk, competency_pk, "marking.view_marks")
    can_manage = has_perm(request.user, "marking.manage_panel", competency)
    panel = panels.panel_of(competency)
    panel_form = PanelForm(instance=panel)
    role_form = JudgingRoleForm(competency=competency)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "settings":
                panel_form = PanelForm(request.POST, instance=panel)
                if panel_form.is_valid():
                    panels.save_panel(panel_form.instance, by=request.user)
                    messages.success(request, _("Настройки жюри сохранены."))
                    return redirect("marking:panel", pk=pk, competency_pk=competency_pk)
            elif action == "role":
                role_form = JudgingRoleForm(request.POST, competency=competency)
                if role_form.is_valid():
                    panels.add_judging_role(competency, role_form.cleaned_data["user"], role_form.cleaned_data["duty"],
                                            team=role_form.cleaned_data["team"], by=request.user)
                    messages.success(request, _("Судейская роль назначена."))
                    return redirect("marking:panel", pk=pk, competency_pk=competency_pk)
            elif action == "protocol":
                document = panels.roles_protocol(competency, by=request.user)
                messages.success(request, _("Протокол распределения судейских ролей создан и ждёт подписей."))
                return redirect("documents:detail", document.pk)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
    experts = panels.experts_of(competency)
    teams = list(Application.objects.filter(competency=competency, status=Application.Status.APPROVED)
                 .select_related("organisation", "work_code"))
    conflicts = [(e, t, reason) for e in experts for t in teams if (reason := panels.conflict_of(e, t, panel))]
    return render(request, "marking/panel.html", {
        "competency": competency, "panel": panel, "chief": panels.chief_of(competency), "experts": experts,
        "warnings": panels.warnings(competency), "roles": JudgingRole.objects.filter(competency=competency)
        .select_related("user", "team__organisation"), "conflicts": conflicts, "can_manage": can_manage,
        "can_view_package": has_perm(request.user, "marking.view_package", competency),
        "panel_form": panel_form, "role_form": role_form, "breadcrumbs": _crumbs(competency)[:2] + [(_("Жюри"), None)],
    })


# --- SC-4/SC-5 progress board and results ----------------------------------------------------------


@login_required
def marks_board(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.view_marks")
    marking = marks.marking_of(scheme)
    aspects = marks.aspects_of(scheme)
    teams = list(marks.teams_of(scheme).select_related("work_code"))
    scores = marks.scheme_scores(scheme, teams, aspects)
    subs = list(SubCriterion.objects.filter(criterion__scheme=scheme).select_related("criterion")
                .order_by("criterion__order", "criterion__code", "order", "code"))
    done: dict[int, int] = defaultdict(int)
    for team_id in Sheet.objects.filter(scheme=scheme).values_list("team_id", flat=True):
        done[team_id] += 1
    rows = []
    for score in scores:
        partial = marks.partial_totals(scheme, score.team, aspects)
        rows.append({
            "team": score.team, "label": marks.team_label(score.team), "score": score,
            "sheets_done": done.get(score.team.pk, 0),
            "by_criterion": partial.rounded(partial.by_criterion),
            "by_sub": partial.rounded(partial.by_sub_criterion),
        })
    criteria = list(scheme.criteria.order_by("order", "code"))
    return render(request, "marking/board.html", {
        "scheme": scheme, "marking": marking, "rows": rows, "criteria": criteria, "subs": subs,
        "sheet_count": len(subs) * (1 if scheme.competency.mark_entry_mode == marks.IN_PERSON
                                    else max(len(panels.experts_of(scheme.competency)), 1)),
        "problems": marks.lock_problems(scheme) if not marking.is_locked else [],
        "can_lock": has_perm(request.user, "marking.lock_marks", scheme),
        "can_approve": has_perm(request.user, "marking.approve_unlock", scheme),
        "can_enter": has_perm(request.user, "marking.enter_marks", scheme),
        "can_view_package": has_perm(request.user, "marking.view_package", scheme),
        "limit": marks.rules_for(scheme.competency.championship).judgement_spread_limit,
        "breadcrumbs": _crumbs(scheme.competency) + [(scheme.title, reverse("marking:detail", args=[scheme.pk])),
                                                     (_("Оценки"), None)],
    })


@login_required
def pdf_status(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.view_marks")
    return render(request, "marking/_pdf_status.html", {"scheme": scheme, "marking": marks.marking_of(scheme)})


@login_required
def sheets_pdf(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    """SC-5: the PDF of all teams' marked sheets, rendered in the background at the lock."""
    scheme = _scheme(request, scheme_pk, "marking.view_marks")
    marking = marks.marking_of(scheme)
    if marking.pdf_status != SchemeMarking.PdfStatus.READY or not marking.pdf:
        raise Http404
    response = HttpResponse(bytes(marking.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sheets-{scheme.pk}.pdf"'
    return response


@login_required
def blank_sheets(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    """SC-1: printable blank sheets (one per sub-criterion and team) for handwritten marking."""
    scheme = _scheme(request, scheme_pk, "marking.view_marks")
    teams = list(marks.teams_of(scheme))
    team = request.GET.get("team", "")
    if team.isdigit():
        teams = [t for t in teams if t.pk == int(team)]
    data = sheets.sheets_data(scheme, teams, with_marks=False, label=marks.team_label)
    response = HttpResponse(sheets.render_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="blank-sheets-{scheme.pk}.pdf"'
    return response


def _act(request: HttpRequest, scheme: MarkingScheme, action: Any, success: str) -> HttpResponse:
    return scheme_views._act(request, scheme, action, success, then="marking:board")


@login_required
@require_POST
def lock(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.lock_marks")
    return _act(request, scheme, lambda: marks.lock_marks(scheme, by=request.user),
                _("Оценки заблокированы. Каждый эксперт подписывает форму принятия блокировки."))


@login_required
@require_POST
def unlock_request(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.lock_marks")
    reason = request.POST.get("reason", "")[:2000]
    return _act(request, scheme, lambda: marks.request_marks_unlock(scheme, by=request.user, reason=reason),
                _("Протокол разблокировки оценок создан и ждёт подписей."))


@login_required
@require_POST
def unlock(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.approve_unlock")
    return _act(request, scheme, lambda: marks.unlock_marks(scheme, by=request.user),
                _("Разблокировка одобрена: главный эксперт может исправить оценки и заблокировать снова."))


@login_required
@require_POST
def resolve(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.lock_marks")
    aspect, team = request.POST.get("aspect", ""), request.POST.get("team", "")
    if not (aspect.isdigit() and team.isdigit()):
        messages.error(request, _("Не указан аспект или команда."))
        return redirect("marking:board", scheme_pk=scheme.pk)
    return _act(request, scheme, lambda: marks.resolve_spread(scheme, int(aspect), int(team), by=request.user,
                                                              reason=request.POST.get("reason", "")),
                _("Расхождение оставлено с основанием."))


# --- SC-2/SC-3 the entry grid --------------------------------------------------------------------


def _entry_context(request: HttpRequest, scheme: MarkingScheme, team: Application, check: bool) -> dict[str, Any]:
    mode = scheme.competency.mark_entry_mode
    me = request.user
    chief = has_perm(me, "marking.lock_marks", scheme)
    experts = marks.judging_experts(scheme, team)
    if mode == marks.REMOTE and not chief:
        experts = [e for e in experts if e.pk == me.pk]
    current = {(m.aspect_id, m.expert_id): m for m in Mark.objects.filter(scheme=scheme, team=team)}
    done = set(Sheet.objects.filter(scheme=scheme, team=team).values_list("sub_criterion_id", "expert_id"))
    discrepancies = marks.discrepancies(scheme, team)
    groups = []
    for sub in SubCriterion.objects.filter(criterion__scheme=scheme).select_related("criterion").order_by(
            "criterion__order", "criterion__code", "order", "code"):
        rows = []
        for aspect in sub.aspects.order_by("order", "code"):
            judgement = aspect.kind == calculation.JUDGEMENT
            cells = []
            for expert in (experts if judgement else [None]):
                mark = current.get((aspect.pk, expert.pk if expert else None))
                shown = None if mark is None else (mark.check_value if check else mark.value)
                cells.append({"expert": expert, "value": "" if shown is None else shown,
                              "mismatch": bool(mark and mark.check_value is not None and mark.check_value != mark.value)})
            rows.append({"aspect": aspect, "cells": cells, "judgement": judgement,
                         "discrepancy": discrepancies.get(aspect.pk, ""),
                         "max_value": 3 if judgement else (1 if aspect.kind == calculation.BINARY
                                                           else max(marks.level_count(aspect) - 1, 0))})
        own = me.pk if mode == marks.REMOTE and not chief else None
        groups.append({"sub": sub, "rows": rows, "complete": (sub.pk, own) in done})
    return {"scheme": scheme, "team": team, "label": marks.team_label(team), "experts": experts, "groups": groups,
            "check": check, "locked": marks.marking_of(scheme).is_locked,
            "four_eyes": panels.panel_of(scheme.competency).four_eyes, "mode": mode,
            "teams": [(t.pk, marks.team_label(t)) for t in marks.teams_of(scheme).select_related("work_code")],
            "breadcrumbs": _crumbs(scheme.competency) + [(scheme.title, reverse("marking:detail", args=[scheme.pk])),
                                                         (_("Оценки"), reverse("marking:board", args=[scheme.pk])),
                                                         (marks.team_label(team), None)]}


def _team(scheme: MarkingScheme, team_pk: int) -> Application:
    team = marks.teams_of(scheme).filter(pk=team_pk).first()
    if team is None:
        raise Http404
    return team


@login_required
def entry(request: HttpRequest, scheme_pk: int, team_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.enter_marks")
    team = _team(scheme, team_pk)
    check = request.GET.get("check") == "1"
    return render(request, "marking/entry.html", _entry_context(request, scheme, team, check))


def _expert_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


# reads and idempotent writes only, so a dropped connection is retried once (and found by the first statement,
# not by a health check of its own)
@retry_instead_of_health_check
@login_required
@require_POST
@no_championship_zone  # it stores UTC and shows no time: the zone's query is not needed
def save(request: HttpRequest, scheme_pk: int, team_pk: int) -> JsonResponse:
    """Autosave of one grid cell: JSON in, JSON out; a refusal is a 4xx with the reason to show.

    The hottest request of a national final: the scheme (with its competency), the team, the expert, the
    user's roles and the expert's panel facts are one read (:func:`marks.entry_target`) passed down, and the
    discrepancy badge comes from the save's own reads (:func:`marks.enter_mark`).
    """
    expert_value = request.POST.get("expert", "")
    target = marks.entry_target(scheme_pk, team_pk, request.user, _expert_id(expert_value))
    if target is None:
        raise Http404
    scheme = target.scheme
    require(request.user, "marking.enter_marks", scheme)
    team = target.team
    if team is None:
        raise Http404
    aspect = request.POST.get("aspect", "")
    try:
        if not aspect.isdigit():
            raise DomainError(_("Не указан аспект."), field="aspect")
        expert = target.expert
        if expert_value and expert is None:
            raise DomainError(_("Неизвестный эксперт."), field="expert")
        if request.POST.get("check") == "1":
            mark = marks.check_mark(scheme, int(aspect), team, request.POST.get("value", ""), expert=expert,
                                    by=request.user)
            return JsonResponse({"ok": True, "value": mark.check_value, "mismatch": mark.check_value != mark.value})
        entered = marks.enter_mark(scheme, int(aspect), team, request.POST.get("value", ""), expert=expert,
                                   by=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return JsonResponse({"ok": False, "error": exc.message, "field": exc.field}, status=exc.status_code)
    # the row's discrepancy badge follows the marks as they are now (SC-4): it goes when re-marked
    return JsonResponse({"ok": True, "value": entered.mark.value, "discrepancy": entered.discrepancy})


@login_required
@require_POST
def complete(request: HttpRequest, scheme_pk: int, team_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.enter_marks")
    team = _team(scheme, team_pk)
    sub = request.POST.get("sub_criterion", "")
    try:
        if not sub.isdigit():
            raise DomainError(_("Не указан субкритерий."))
        expert = request.user if scheme.competency.mark_entry_mode == marks.REMOTE and not has_perm(
            request.user, "marking.lock_marks", scheme) else None
        marks.complete_sheet(scheme, team, int(sub), by=request.user, expert=expert)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Ведомость завершена."))
    return redirect("marking:entry", scheme_pk=scheme.pk, team_pk=team.pk)


# --- SC-5/SC-9 a team's own marks -------------------------------------------------------------------


@login_required
def team_marks(request: HttpRequest, scheme_pk: int, team_pk: int) -> HttpResponse:
    scheme = get_object_or_404(MarkingScheme.objects.select_related("competency__championship"), pk=scheme_pk)
    team = get_object_or_404(Application.objects.select_related("organisation"), pk=team_pk)
    if not may_view_team_marks(request.user, scheme, team):
        raise PermissionDenied
    aspects = marks.aspects_of(scheme)
    values: dict[int, list[int]] = defaultdict(list)
    for aspect_id, value in Mark.objects.filter(scheme=scheme, team=team).order_by("expert_id").values_list(
            "aspect_id", "value"):
        values[aspect_id].append(value)
    totals = marks.partial_totals(scheme, team, aspects)
    rows = [{"aspect": a, "marks": values.get(a.pk, []),
             "points": calculation.exact_half_up(totals.by_aspect[a.code]) if a.code in totals.by_aspect else None}
            for a in aspects]
    criteria = list(scheme.criteria.order_by("order", "code"))
    by_criterion = totals.rounded(totals.by_criterion)
    return render(request, "marking/team_marks.html", {
        "scheme": scheme, "team": team, "label": marks.team_label(team), "rows": rows,
        "total": totals.rounded_total, "chart": [{"code": c.code, "points": str(by_criterion.get(c.code, 0))}
                                                 for c in criteria],
        "by_sub": totals.rounded(totals.by_sub_criterion), "by_criterion": by_criterion,
        "breadcrumbs": [(scheme.competency.championship.name, None), (scheme.title, None)],
    })


@login_required
def my_marks(request: HttpRequest, pk: int) -> HttpResponse:
    """The teams whose marks the person may see as mentor or participant (after the lock)."""
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "championships.view_championship", championship)
    items = []
    for scheme in MarkingScheme.objects.filter(competency__championship=championship,
                                               marking__status=SchemeMarking.Status.LOCKED).select_related(
                                                   "competency"):
        for team_id in sorted(own_teams_with_locked_marks(request.user, scheme)):
            team = Application.objects.select_related("organisation").get(pk=team_id)
            items.append({"scheme": scheme, "team": team})
    return render(request, "marking/my_marks.html", {"championship": championship, "items": items,
                                                     "breadcrumbs": [(championship.name, None)]})
