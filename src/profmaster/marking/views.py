"""The marking scheme editor (MS-1…MS-5) for the chief expert; read-only for the panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships.models import Competency
from profmaster.core.errors import DomainError
from profmaster.core.forms import ReasonForm
from profmaster.core.spreadsheets import CSV_CONTENT_TYPE
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require

from . import domain, xlsx
from .forms import AspectForm, CriterionForm, ImportForm, SchemeForm, SubCriterionForm
from .models import Aspect, Criterion, MarkingScheme, SubCriterion


def _crumbs(competency: Competency, scheme: MarkingScheme | None = None) -> list[tuple[str, str | None]]:
    championship = competency.championship
    crumbs: list[tuple[str, str | None]] = [
        (championship.name, reverse("championships:detail", args=[championship.pk])),
        (competency.name, reverse("championships:competency", args=[championship.pk, competency.pk])),
        (_("Схемы оценки"), reverse("marking:list", args=[championship.pk, competency.pk])),
    ]
    if scheme is not None:
        crumbs.append((scheme.title, reverse("marking:detail", args=[scheme.pk])))
    return crumbs


@login_required
def scheme_list(request: HttpRequest, pk: int, competency_pk: int) -> HttpResponse:
    competency = get_object_or_404(Competency.objects.select_related("championship"), pk=competency_pk,
                                   championship_id=pk)
    require(request.user, "marking.view_scheme", competency)
    can_manage = has_perm(request.user, "marking.manage_scheme", competency)
    form = SchemeForm(request.POST or None, competency=competency)
    if request.method == "POST":
        require(request.user, "marking.manage_scheme", competency)
    schemes = competency.marking_schemes.select_related("stage", "age_category", "lock_document")
    return form_page(
        request, form=form, title=_("Схемы оценки"), breadcrumbs=_crumbs(competency)[:2],
        on_valid=lambda f: domain.save_scheme_part(f.instance, by=request.user),
        success_url=lambda s: reverse("marking:detail", args=[s.pk]), success_message=_("Схема создана."),
        template="marking/list.html", extra={"competency": competency, "schemes": schemes, "can_manage": can_manage},
    )


def _scheme(request: HttpRequest, scheme_pk: int, perm: str = "marking.view_scheme") -> MarkingScheme:
    scheme = get_object_or_404(MarkingScheme.objects.select_related("competency__championship", "stage",
                                                                    "age_category"), pk=scheme_pk)
    require(request.user, perm, scheme)
    return scheme


@login_required
def scheme_detail(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk)
    criteria = scheme.criteria.prefetch_related("skill_sections", "sub_criteria__aspects")
    return render(request, "marking/detail.html", {
        "scheme": scheme, "criteria": criteria, "problems": domain.validate(scheme),
        "total": domain.total_points(scheme), "rules": domain.rules_for(scheme.competency.championship),
        "can_manage": has_perm(request.user, "marking.manage_scheme", scheme),
        "import_form": ImportForm(), "reason_form": ReasonForm(),
        "breadcrumbs": _crumbs(scheme.competency)[:3] + [(scheme.title, None)],
    })


PARTS: dict[str, tuple[type, type, Any]] = {
    "criterion": (Criterion, CriterionForm, lambda obj: obj.scheme),
    "sub-criterion": (SubCriterion, SubCriterionForm, lambda obj: obj.criterion.scheme),
    "aspect": (Aspect, AspectForm, lambda obj: obj.sub_criterion.criterion.scheme),
}


def _new_part(scheme: MarkingScheme, kind: str, parent_pk: int | None) -> Any:
    if kind == "criterion":
        return Criterion(scheme=scheme, order=scheme.criteria.count() + 1)
    if kind == "sub-criterion":
        criterion = get_object_or_404(Criterion, pk=parent_pk, scheme=scheme)
        return SubCriterion(criterion=criterion, order=criterion.sub_criteria.count() + 1)
    sub = get_object_or_404(SubCriterion, pk=parent_pk, criterion__scheme=scheme)
    return Aspect(sub_criterion=sub, order=sub.aspects.count() + 1)


def _save_part(form: Any, by: Any) -> Any:
    m2m = {"skill_sections": list(form.cleaned_data["skill_sections"])} if "skill_sections" in form.cleaned_data \
        else None
    return domain.save_scheme_part(form.instance, by=by, m2m=m2m)


@login_required
def part_create(request: HttpRequest, scheme_pk: int, kind: str) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.manage_scheme")
    parent = request.GET.get("parent")  # the form posts back to the same URL, query included
    instance = _new_part(scheme, kind, int(parent) if parent and parent.isdigit() else None)
    form = PARTS[kind][1](request.POST or None, instance=instance)
    back = reverse("marking:detail", args=[scheme.pk])
    titles = {"criterion": _("Новый критерий"), "sub-criterion": _("Новый субкритерий"), "aspect": _("Новый аспект")}
    return form_page(request, form=form, title=titles[kind], breadcrumbs=_crumbs(scheme.competency, scheme),
                     on_valid=lambda f: _save_part(f, request.user), success_url=back, cancel_url=back)


def _part(request: HttpRequest, scheme_pk: int, kind: str, part_pk: int) -> tuple[MarkingScheme, Any]:
    scheme = _scheme(request, scheme_pk, "marking.manage_scheme")
    model, _form, scheme_getter = PARTS[kind]
    part = get_object_or_404(model, pk=part_pk)
    if scheme_getter(part).pk != scheme.pk:
        raise Http404
    return scheme, part


@login_required
def part_edit(request: HttpRequest, scheme_pk: int, kind: str, part_pk: int) -> HttpResponse:
    scheme, part = _part(request, scheme_pk, kind, part_pk)
    form = PARTS[kind][1](request.POST or None, instance=part)
    back = reverse("marking:detail", args=[scheme.pk])
    return form_page(request, form=form, title=_("Изменить: %(part)s") % {"part": part},
                     breadcrumbs=_crumbs(scheme.competency, scheme), on_valid=lambda f: _save_part(f, request.user),
                     success_url=back, cancel_url=back)


@login_required
def part_delete(request: HttpRequest, scheme_pk: int, kind: str, part_pk: int) -> HttpResponse:
    scheme, part = _part(request, scheme_pk, kind, part_pk)
    back = reverse("marking:detail", args=[scheme.pk])
    return form_page(request, form=ReasonForm(request.POST or None), title=_("Удаление"),
                     breadcrumbs=_crumbs(scheme.competency, scheme),
                     on_valid=lambda f: domain.delete_scheme_part(part, by=request.user,
                                                                  reason=f.cleaned_data["reason"]),
                     success_url=back, cancel_url=back, success_message=_("Удалено."),
                     template="core/confirm_delete.html", extra={"object": part})


def _act(request: HttpRequest, scheme: MarkingScheme, action: Any, success: str,
         then: str = "marking:detail") -> HttpResponse:
    """Run one domain action from a POST: its refusal or its success as a message, then back to ``then``."""
    try:
        action()
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, success)
    return redirect(then, scheme_pk=scheme.pk)


@login_required
@require_POST
def scheme_lock(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.manage_scheme")
    return _act(request, scheme, lambda: domain.lock_scheme(scheme, by=request.user),
                _("Схема заблокирована. Протокол блокировки критериев ждёт подписей экспертов."))


@login_required
@require_POST
def scheme_unlock_request(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.manage_scheme")
    reason = request.POST.get("reason", "")[:2000]
    return _act(request, scheme, lambda: domain.request_unlock(scheme, by=request.user, reason=reason),
                _("Протокол разблокировки создан и ждёт подписей."))


@login_required
@require_POST
def scheme_unlock(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.manage_scheme")
    return _act(request, scheme, lambda: domain.unlock_scheme(scheme, by=request.user),
                _("Схема разблокирована: это новая редакция, её снова нужно будет заблокировать."))


@login_required
def scheme_export(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk)
    response = HttpResponse(xlsx.export_scheme(domain.drafts(scheme)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="scheme-{scheme.pk}-v{scheme.version}.xlsx"'
    return response


@login_required
def scheme_export_csv(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    """The same rows as the xlsx, as CSV for Russian Excel (X-5)."""
    scheme = _scheme(request, scheme_pk)
    response = HttpResponse(xlsx.export_scheme_csv(domain.drafts(scheme)), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="scheme-{scheme.pk}-v{scheme.version}.csv"'
    return response


@login_required
@require_POST
def scheme_import(request: HttpRequest, scheme_pk: int) -> HttpResponse:
    scheme = _scheme(request, scheme_pk, "marking.manage_scheme")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("marking:detail", scheme_pk=scheme.pk)
    parsed = xlsx.read_scheme(form.cleaned_data["file"].read())
    if parsed.errors:
        for error in parsed.errors[:50]:
            messages.error(request, error)
        messages.error(request, _("Схема не изменена: исправьте ошибки и загрузите файл снова."))
        return redirect("marking:detail", scheme_pk=scheme.pk)
    return _act(request, scheme, lambda: domain.replace_scheme_content(scheme, parsed.criteria, by=request.user),
                _("Схема загружена из файла."))
