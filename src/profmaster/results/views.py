"""Results pages (AW-1…AW-7, DOC-4): the competency's results (public after publication, working state
for the Directorate, quality control and the panel), the medal table with cups, published versions,
decisions, publication, quality control. Every ranking shown goes through
``results.visibility.visible_results``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.core.errors import DomainError
from profmaster.core.spreadsheets import CSV_CONTENT_TYPE
from profmaster.permissions import has_perm, require
from profmaster.registration.models import Application

from . import computation, diplomas, domain, exports, names
from . import quality as quality_domain
from .medals import allocate_medals
from .models import (
    VIOLATIONS,
    Diploma,
    DiplomaBatch,
    GroupDecision,
    Nomination,
    QualityCheck,
    QualityFinding,
    QualityRequest,
    ResultsVersion,
    UnscrupulousExpert,
)
from .visibility import visible_results

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REASON_MAX = 2000


def _competency(pk: int) -> Competency:
    return get_object_or_404(Competency.objects.select_related("championship"), pk=pk)


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _act(request: HttpRequest, back: str, action: Any, success: str, *, anchor: str = "") -> HttpResponse:
    try:
        action()
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, success)
    return redirect(back + (f"#{anchor}" if anchor else ""))


def _text(request: HttpRequest, name: str, limit: int = REASON_MAX) -> str:
    return request.POST.get(name, "")[:limit]


def competency_results(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """Public once published; the working state (with decisions) for those the visibility rule allows."""
    competency = _competency(competency_pk)
    view = visible_results(request.user, competency)
    user = request.user
    context: dict[str, Any] = {"competency": competency, "championship": competency.championship, "view": view,
                               "data": view.data}
    if view.live:
        context.update({
            "can_propose": has_perm(user, "results.propose_medals", competency),
            "can_decide": has_perm(user, "results.decide", competency),
            "can_nominate": has_perm(user, "results.propose_nomination", competency),
            "can_publish": has_perm(user, "results.publish", competency),
            "can_protocol": has_perm(user, "results.create_protocol", competency),
            "decisions": GroupDecision.objects.filter(competency=competency).select_related(
                "proposed_by", "decided_by", "stage", "age_category"),
            "nominations": Nomination.objects.filter(competency=competency).select_related("team__organisation"),
            "candidates": _candidates(competency),
            "categories": competency.age_categories.all(),
        })
    context["breadcrumbs"] = [(competency.championship.name, reverse("results:championship",
                                                                      args=[competency.championship_id])),
                              (competency.name, None)]
    return render(request, "results/competency.html", context)


def _candidates(competency: Competency) -> list[dict[str, Any]]:
    """Undecided places with their candidate teams, for the chief expert's proposal form."""
    rules = computation.rules_for(competency.championship)
    found = []
    for group in computation.groups_of(competency):
        if group.stage.kind != "final":
            continue
        allocation = allocate_medals(group.entries(), window=rules.medal_window, cap=rules.medal_cap)
        place = allocation.undecided_place
        if place is None:
            continue
        automatic = allocation.medals()
        teams = [(r.team_id, str(r.team.organisation), r.total, automatic.get(r.team_id, ""))
                 for r in sorted(group.results, key=lambda r: -r.total) if not r.team.out_of_competition]
        found.append({"group": group, "place": place, "teams": teams})
    return found


def competency_export(request: HttpRequest, competency_pk: int, fmt: str = "xlsx") -> HttpResponse:
    """X-5: the results as xlsx, or as CSV for Excel (``fmt="csv"``): the same rows, what the person may see."""
    competency = _competency(competency_pk)
    view = visible_results(request.user, competency)
    title = f"{competency.championship.name} — {competency.name}"
    if fmt == "csv":
        response = HttpResponse(exports.results_csv(view.data, title=title), content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.results_xlsx(view.data, title=title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="results-{competency.pk}.{fmt}"'
    return response


def championship_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: the competencies with their published state, the medal table with cups and a chart."""
    championship = get_object_or_404(Championship, pk=pk)
    competencies = []
    for comp in championship.competencies.order_by("name"):
        version = domain.latest_version(comp)
        competencies.append({"competency": comp, "version": version,
                             "live": has_perm(request.user, "results.view_working", comp)})
    standings = domain.published_standings(championship)
    chart = {"labels": [r["organisation"] for r in standings[:15]], "gold": [r["gold"] for r in standings[:15]],
             "silver": [r["silver"] for r in standings[:15]], "bronze": [r["bronze"] for r in standings[:15]]}
    return render(request, "results/championship.html", {
        "championship": championship, "competencies": competencies, "standings": standings, "chart": chart,
        "versions": ResultsVersion.objects.filter(championship=championship).only("number", "published_at",
                                                                                  "competency_ids"),
        "can_publish": has_perm(request.user, "results.publish", championship),
        "can_quality": has_perm(request.user, "results.view_quality", championship),
        "can_diplomas": has_perm(request.user, "results.manage_diplomas", championship),
        "breadcrumbs": [(championship.name, None)],
    })


def standings_export(request: HttpRequest, pk: int, fmt: str = "xlsx") -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    standings = domain.published_standings(championship)
    if fmt == "csv":
        response = HttpResponse(exports.standings_csv(standings, title=championship.name),
                                content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.standings_xlsx(standings, title=championship.name), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="medal-table-{championship.pk}.{fmt}"'
    return response


def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A published version stays readable after corrections (SC-9)."""
    version = get_object_or_404(ResultsVersion.objects.select_related("championship", "competency"),
                                 championship_id=pk, number=number)
    return render(request, "results/version.html", {
        "version": version, "championship": version.championship,
        "breadcrumbs": [(version.championship.name, reverse("results:championship", args=[pk])),
                        (_("Версия %(number)s") % {"number": version.number}, None)],
    })


# --- Decisions ---------------------------------------------------------------------------------------


def _back(competency: Competency) -> str:
    return reverse("results:competency", args=[competency.pk])


def _distribution_from(request: HttpRequest) -> dict[int, str]:
    found: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("medal_"):
            team = _int(key[len("medal_"):])
            if team is not None and value:
                found[team] = value[:16]
    return found


@login_required
@require_POST
def propose_medals(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "results.propose_medals", competency)
    return _act(request, _back(competency), lambda: domain.propose_medals(
        competency, stage_id=_int(request.POST.get("stage")) or 0, category_id=_int(request.POST.get("category")) or 0,
        distribution=_distribution_from(request), reason=_text(request, "reason"), by=request.user),
        _("Предложение направлено Дирекции."))


@login_required
@require_POST
def decide_medals(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "results.decide", competency)
    distribution = None if request.POST.get("approve_proposal") else _distribution_from(request)
    return _act(request, _back(competency), lambda: domain.decide_medals(
        competency, stage_id=_int(request.POST.get("stage")) or 0, category_id=_int(request.POST.get("category")) or 0,
        distribution=distribution, reason=_text(request, "reason"), by=request.user),
        _("Решение о медалях записано."))


@login_required
@require_POST
def decide_qualification(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "results.decide", competency)
    qualified = [t for t in (_int(v) for v in request.POST.getlist("qualified")) if t]
    return _act(request, _back(competency), lambda: domain.decide_qualification(
        competency, stage_id=_int(request.POST.get("stage")) or 0, category_id=_int(request.POST.get("category")) or 0,
        qualified=qualified, reason=_text(request, "reason"), by=request.user), _("Решение о выходе в финал записано."))


@login_required
@require_POST
def set_quota(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "results.decide", competency)
    category = competency.age_categories.filter(pk=_int(request.POST.get("category")) or 0).first()
    quota = _int(request.POST.get("quota"))
    if request.POST.get("quota") == "0":
        quota = 0

    def act() -> Any:
        if category is None or quota is None:
            raise DomainError(_("Укажите категорию и квоту (целое число)."))
        return domain.set_quota(competency, category, quota, by=request.user)
    return _act(request, _back(competency), act, _("Квота сохранена."))


@login_required
@require_POST
def propose_nomination(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "results.propose_nomination", competency)
    team = Application.objects.filter(pk=_int(request.POST.get("team")) or 0, competency=competency).first()

    def act() -> Any:
        if team is None:
            raise DomainError(_("Выберите команду."))
        return domain.propose_nomination(competency, team=team, title=_text(request, "title"),
                                         reason=_text(request, "reason"), by=request.user)
    return _act(request, _back(competency), act, _("Номинация предложена."))


@login_required
@require_POST
def decide_nomination(request: HttpRequest, nomination_pk: int) -> HttpResponse:
    nomination = get_object_or_404(Nomination.objects.select_related("competency__championship"), pk=nomination_pk)
    require(request.user, "results.decide", nomination.competency)
    return _act(request, _back(nomination.competency), lambda: domain.decide_nomination(
        nomination, approve=request.POST.get("approve") == "1", reason=_text(request, "reason"), by=request.user),
        _("Решение по номинации записано."))


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "results.publish", championship)
    competency = None
    if request.POST.get("competency"):
        competency = championship.competencies.filter(pk=_int(request.POST.get("competency")) or 0).first()
        if competency is None:
            raise Http404
    back = _back(competency) if competency else reverse("results:championship", args=[pk])
    return _act(request, back, lambda: domain.publish_results(championship, competency=competency, by=request.user,
                                                              changelog=_text(request, "changelog")),
                _("Итоги опубликованы."))


@login_required
@require_POST
def create_protocol(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "results.create_protocol", competency)
    stage_kind = request.POST.get("stage_kind", "")[:16]
    try:
        document = domain.create_results_protocol(competency, stage_kind=stage_kind, by=request.user)
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
        return redirect(_back(competency))
    messages.success(request, _("Протокол создан и ждёт подписей."))
    return redirect("documents:detail", pk=document.pk)


# --- Quality control (DOC-4) ---------------------------------------------------------------------------


@login_required
def quality(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "results.view_quality", championship)
    checks = {(c.competency_id, c.violation): c for c in QualityCheck.objects.filter(
        competency__championship=championship).select_related("checked_by")}
    history: dict[int, list[QualityFinding]] = {}
    for finding in QualityFinding.objects.filter(item__competency__championship=championship).select_related(
            "checked_by").order_by("-checked_at", "-pk"):
        history.setdefault(finding.item_id, []).append(finding)
    requests: dict[int, list[QualityRequest]] = {}
    for item in QualityRequest.objects.filter(competency__championship=championship).select_related(
            "asked_by", "answered_by").order_by("-asked_at", "-pk"):
        requests.setdefault(item.competency_id, []).append(item)
    reports: dict[int | None, list[Any]] = {}
    from profmaster.documents.models import Document, DocumentType

    for document in Document.objects.filter(championship=championship, doc_type=DocumentType.QUALITY_REPORT) \
            .order_by("-number"):
        reports.setdefault(document.competency_id, []).append(document)
    rows = []
    for comp in championship.competencies.order_by("name").select_related("invalidation"):
        suggested = quality_domain.suggestions(comp)
        items = []
        for code, label in VIOLATIONS:
            check = checks.get((comp.pk, code))
            suggestion = suggested.get(code)
            items.append({"code": code, "label": label, "check": check, "suggestion": suggestion,
                          "history": history.get(check.pk, []) if check else [],
                          "differs": bool(check and suggestion and check.outcome != suggestion.outcome)})
        rows.append({"competency": comp, "items": items, "invalidation": getattr(comp, "invalidation", None),
                     "requests": requests.get(comp.pk, []), "reports": reports.get(comp.pk, [])})
    experts = RoleAssignment.objects.filter(championship=championship, role__in=[Role.CHIEF_EXPERT, Role.EXPERT]) \
        .select_related("user", "competency").order_by("user__last_name")
    return render(request, "results/quality.html", {
        "championship": championship, "rows": rows, "outcomes": QualityCheck.Outcome.choices,
        "register": UnscrupulousExpert.objects.select_related("expert", "competency", "championship", "lifted_by"),
        "experts": experts, "can_check": has_perm(request.user, "results.check_quality", championship),
        "can_invalidate": has_perm(request.user, "results.invalidate", championship),
        "can_request": has_perm(request.user, "results.request_information", championship),
        "can_report": has_perm(request.user, "results.create_quality_report", championship),
        "championship_reports": reports.get(None, []),
        "counts": quality_domain.open_counts(championship),
        "breadcrumbs": [(championship.name, reverse("results:championship", args=[pk])),
                        (_("Контроль качества"), None)],
    })


@login_required
@require_POST
def quality_check(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = _competency(competency_pk)
    require(request.user, "results.check_quality", competency)
    back = reverse("results:quality", args=[competency.championship_id])
    return _act(request, back, lambda: domain.record_quality_check(
        competency, violation=request.POST.get("violation", "")[:32], outcome=request.POST.get("outcome", "")[:16],
        finding=_text(request, "finding", 4001), evidence=_text(request, "evidence", 4001), by=request.user),
        _("Пункт проверки записан."), anchor=f"quality-{competency.pk}")


def _due_at(request: HttpRequest, competency: Competency) -> Any:
    """The due time typed on the championship's wall clock (``datetime-local``), as an aware moment."""
    import datetime as dt

    raw = request.POST.get("due_at", "").strip()[:40]
    if not raw:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Срок ответа не распознан: укажите дату и время."), field="due_at") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezones.zone_of(competency.championship))
    return moment


@login_required
@require_POST
def quality_request(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """003 §10.3: quality control asks the chief expert for information, by a due time."""
    competency = _competency(competency_pk)
    require(request.user, "results.request_information", competency)
    back = reverse("results:quality", args=[competency.championship_id])
    return _act(request, back, lambda: quality_domain.ask_information(
        competency, text=_text(request, "text", 4001), due_at=_due_at(request, competency), by=request.user),
        _("Запрос направлен главному эксперту."), anchor=f"requests-{competency.pk}")


def _quality_request(pk: int) -> QualityRequest:
    return get_object_or_404(QualityRequest.objects.select_related("competency__championship"), pk=pk)


def _after_answer(request: HttpRequest, item: QualityRequest) -> str:
    if has_perm(request.user, "results.view_quality", item.competency):
        return reverse("results:quality", args=[item.competency.championship_id]) + f"#requests-{item.competency_id}"
    return reverse("cabinet") + "#quality-requests"


@login_required
@require_POST
def quality_request_answer(request: HttpRequest, request_pk: int) -> HttpResponse:
    """The chief expert answers a request of quality control."""
    item = _quality_request(request_pk)
    require(request.user, "results.answer_quality_request", item)
    return _act(request, _after_answer(request, item), lambda: quality_domain.answer_request(
        item, answer=_text(request, "answer", 4001), by=request.user), _("Ответ отправлен контролю качества."))


@login_required
@require_POST
def quality_request_refuse(request: HttpRequest, request_pk: int) -> HttpResponse:
    """The refusal to give the information is recorded (by the chief expert or by quality control)."""
    item = _quality_request(request_pk)
    require(request.user, "results.refuse_quality_request", item)
    return _act(request, _after_answer(request, item), lambda: quality_domain.refuse_request(
        item, reason=_text(request, "reason", 4001), by=request.user), _("Отказ записан."))


@login_required
@require_POST
def quality_report(request: HttpRequest, pk: int) -> HttpResponse:
    """003 §10.6: the check report, formed from the checks and requests, to be signed."""
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "results.create_quality_report", championship)
    competency = None
    raw = request.POST.get("competency", "")
    if raw:
        competency = championship.competencies.filter(pk=_int(raw) or 0).first()
        if competency is None:
            messages.error(request, _("Компетенция этого чемпионата не найдена."))
            return redirect("results:quality", pk=pk)
    try:
        document = quality_domain.create_check_report(championship, competency=competency, by=request.user)
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("results:quality", pk=pk)
    messages.success(request, _("Отчёт о проверке сформирован; подпишите его."))
    return redirect("documents:detail", pk=document.pk)


@login_required
def invalidate(request: HttpRequest, competency_pk: int) -> HttpResponse:
    """DOC-4: the confirmation step names what will change (medals, cups, diplomas) and the violations the
    decision rests on; only the confirmed POST declares the results invalid, publishing at once."""
    competency = _competency(competency_pk)
    require(request.user, "results.invalidate", competency)
    back = reverse("results:quality", args=[competency.championship_id])
    if request.method == "POST" and request.POST.get("confirm") == "1":
        violations = [v for v in (_int(x) for x in request.POST.getlist("violations")) if v]
        try:
            domain.invalidate_results(competency, reason=_text(request, "reason"), violations=violations,
                                      by=request.user)
        except (DomainError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Итоги компетенции признаны недействительными; новая версия итогов "
                                        "опубликована, дипломы победителей, призёров и номинаций аннулированы."))
            return redirect(back)
    preview = domain.invalidation_preview(competency)
    return render(request, "results/invalidate.html", {
        "competency": competency, "championship": competency.championship, "preview": preview,
        "already": hasattr(competency, "invalidation"), "reason": _text(request, "reason"),
        "chosen": {v for v in (_int(x) for x in request.POST.getlist("violations")) if v},
        "breadcrumbs": [(competency.championship.name, reverse("results:championship",
                                                               args=[competency.championship_id])),
                        (_("Контроль качества"), back), (competency.name, None)],
    })


@login_required
@require_POST
def register_add(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "results.invalidate", championship)
    assignment = RoleAssignment.objects.filter(championship=championship, role__in=[Role.CHIEF_EXPERT, Role.EXPERT],
                                               user_id=_int(request.POST.get("expert")) or 0).first()

    def act() -> Any:
        if assignment is None:
            raise DomainError(_("Выберите эксперта чемпионата."))
        return domain.register_unscrupulous_expert(championship, expert=assignment.user,
                                                   competency=assignment.competency,
                                                   decision=_text(request, "decision"), by=request.user)
    return _act(request, reverse("results:quality", args=[pk]), act, _("Эксперт внесён в реестр."))


@login_required
@require_POST
def register_lift(request: HttpRequest, entry_pk: int) -> HttpResponse:
    entry = get_object_or_404(UnscrupulousExpert.objects.select_related("championship"), pk=entry_pk)
    require(request.user, "results.invalidate", entry.championship)
    return _act(request, reverse("results:quality", args=[entry.championship_id]),
                lambda: domain.lift_unscrupulous_expert(entry, decision=_text(request, "decision"), by=request.user),
                _("Запись исключена из реестра."))


@login_required
@require_POST
def diploma_revoke(request: HttpRequest, diploma_pk: int) -> HttpResponse:
    diploma = get_object_or_404(Diploma.objects.select_related("championship"), pk=diploma_pk)
    require(request.user, "results.manage_diplomas", diploma.championship)
    return _act(request, reverse("results:diplomas", args=[diploma.championship_id]),
                lambda: domain.revoke_diploma(diploma, reason=_text(request, "reason"), by=request.user),
                _("Диплом аннулирован."))


# --- Diplomas (AW-6) ---------------------------------------------------------------------------------------


@login_required
def diplomas_page(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "results.manage_diplomas", championship)
    if request.method == "POST":
        return _act(request, reverse("results:diplomas", args=[pk]),
                    lambda: diplomas.start_batch(championship, by=request.user),
                    _("Формирование дипломов запущено."))
    issued = Diploma.objects.filter(championship=championship).select_related("competency")
    return render(request, "results/diplomas.html", {
        "problems": diplomas.readiness_problems(championship),
        "championship": championship, "batch": DiplomaBatch.objects.filter(championship=championship).first(),
        "diplomas": issued[:500], "count": issued.count(),
        "breadcrumbs": [(championship.name, reverse("results:championship", args=[pk])), (_("Дипломы"), None)],
    })


@login_required
def diploma_names(request: HttpRequest, pk: int) -> HttpResponse:
    """AW-6: before diplomas are issued, the Directorate reviews every declined name (doubtful ones first)
    and corrects one; the correction is kept on the person and printed by every diploma after it."""
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "results.manage_diplomas", championship)
    back = reverse("results:diploma_names", args=[pk])
    if request.method == "POST":
        key = request.POST.get("person", "")[:40]
        person = names.person_by_key(championship, key)
        if person is None:
            messages.error(request, _("Человек не найден среди получателей дипломов этого чемпионата."))
            return redirect(back)
        return _act(request, f"{back}#name-{key}",
                    lambda: names.correct_name(person, dative=request.POST.get("dative", "")[:REASON_MAX],
                                               gender=request.POST.get("gender", "")[:8], by=request.user,
                                               championship=championship),
                    _("ФИО «%(name)s» сохранено для дипломов.") % {"name": person})
    rows = names.review(championship)
    return render(request, "results/names.html", {
        "championship": championship, "rows": rows, "doubtful": sum(1 for r in rows if r.doubtful),
        "genders": names.Gender.choices,
        "breadcrumbs": [(championship.name, reverse("results:championship", args=[pk])),
                        (_("Дипломы"), reverse("results:diplomas", args=[pk])), (_("Склонение ФИО"), None)],
    })


@login_required
def batch_progress(request: HttpRequest, batch_pk: int) -> HttpResponse:
    batch = get_object_or_404(DiplomaBatch.objects.select_related("championship"), pk=batch_pk)
    require(request.user, "results.manage_diplomas", batch.championship)
    return render(request, "results/_batch.html", {"batch": batch})


@login_required
def diploma_pdf(request: HttpRequest, diploma_pk: int) -> HttpResponse:
    """The owner downloads their diploma in the cabinet; the Directorate downloads any of its championship."""
    diploma = get_object_or_404(Diploma.objects.select_related("championship"), pk=diploma_pk)
    own = diplomas.diplomas_of(request.user).filter(pk=diploma.pk).exists()
    if not own and not has_perm(request.user, "results.manage_diplomas", diploma.championship):
        raise Http404
    if not diploma.pdf:
        diplomas.render_diploma(diploma)
    response = FileResponse(diploma.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="diploma-{diploma.code}.pdf"'
    return response


@login_required
def my_diplomas(request: HttpRequest) -> HttpResponse:
    return render(request, "results/my_diplomas.html", {"diplomas": diplomas.diplomas_of(request.user),
                                                        "breadcrumbs": [(_("Мои дипломы"), None)]})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: confirms a diploma is genuine and shows no more than the diploma itself; a revoked diploma
    says «аннулирован» with the date and reason, distinct from an unknown code."""
    diploma = Diploma.objects.select_related("championship", "competency").filter(code=code.upper()[:16]).first()
    if diploma is None:
        return render(request, "results/verify.html", {"found": False}, status=404)
    context = diplomas.diploma_context(diploma)
    return render(request, "results/verify.html", {"found": True, "revoked": diploma.revoked_at is not None,
                                                   "revoked_at": diploma.revoked_at,
                                                   "revoke_reason": diploma.revoke_reason, "d": {
        k: context[k] for k in ("heading", "lead", "name", "body", "championship", "season", "code", "issued")}})
