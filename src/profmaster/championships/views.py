"""Pages of the championship structure (CH-1…CH-4) for the Directorate and everyone with a role.

Every page asks :mod:`profmaster.permissions`; every change goes through :mod:`.domain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Model, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from profmaster.accounts import domain as accounts_domain
from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.core.errors import DomainError
from profmaster.core.forms import ReasonForm
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require, visible_championships

from . import defaults, domain, forms
from .models import (
    AgeCategory,
    BaseVenue,
    Championship,
    Competency,
    CompetencyDocument,
    InfrastructureItem,
    ProgrammeSlot,
    SkillSection,
    Stage,
    Workplace,
)


def _crumbs(championship: Championship | None = None) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [(_("Чемпионаты"), reverse("championships:list"))]
    if championship is not None:
        crumbs.append((championship.name, reverse("championships:detail", args=[championship.pk])))
    return crumbs


@login_required
def championship_list(request: HttpRequest) -> HttpResponse:
    championships = visible_championships(request.user).select_related("organiser")
    return render(request, "championships/list.html", {
        "championships": championships,
        "can_add": has_perm(request.user, "championships.add_championship"),
    })


@login_required
def championship_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "championships.add_championship")
    form = forms.ChampionshipForm(request.POST or None)
    return form_page(
        request, form=form, title=_("Новый чемпионат"), breadcrumbs=_crumbs(),
        on_valid=lambda f: domain.save_championship(f.instance, by=request.user),
        success_url=lambda ch: reverse("championships:detail", args=[ch.pk]),
        cancel_url=reverse("championships:list"),
    )


def _championship_for(request: HttpRequest, pk: int, perm: str = "championships.view_championship") -> Championship:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, perm, championship)
    return championship


@login_required
def championship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship_for(request, pk)
    can_manage = has_perm(request.user, "championships.manage_championship", championship)
    stages = championship.stages.all()
    context = {
        "championship": championship,
        "can_manage": can_manage,
        "can_view_audit": has_perm(request.user, "audit.view_log", championship),
        "can_view_emails": has_perm(request.user, "notifications.view_emails", championship),
        "can_view_documents": has_perm(request.user, "documents.view_register", championship),
        "can_view_packages": has_perm(request.user, "marking.view_packages", championship),
        "can_view_commission": has_perm(request.user, "regional_commission.view_workspace", championship),
        "can_view_support": has_perm(request.user, "support.view_desk", championship),
        "stages": stages,
        "phase_moves": {s.pk: [(to, dict(Stage.Phase.choices)[to], needs) for to, needs in
                               defaults.allowed_phase_moves(s.phase).items()] for s in stages},
        "age_categories": championship.age_categories.all(),
        "competencies": championship.competencies.prefetch_related("age_categories"),
        "base_venues": championship.base_venues.select_related("venue", "technical_administrator")
        .prefetch_related("competencies", Prefetch("workplaces", Workplace.objects.select_related("competency"))),
        "programme": championship.programme.select_related("stage", "competency", "base_venue__venue"),
        "status_moves": [(to, dict(Championship.Status.choices)[to], needs) for to, needs in
                         defaults.CHAMPIONSHIP_TRANSITIONS.get(championship.status, {}).items()],
        "breadcrumbs": _crumbs() + [(championship.name, None)],
    }
    return render(request, "championships/detail.html", context)


@login_required
def championship_edit(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_championship")
    form = forms.ChampionshipForm(request.POST or None, instance=championship)
    return form_page(
        request, form=form, title=_("Изменить чемпионат"), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: domain.save_championship(f.instance, by=request.user),
        success_url=reverse("championships:detail", args=[pk]),
        cancel_url=reverse("championships:detail", args=[pk]),
    )


@login_required
@require_POST
def championship_status(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_championship")
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите статус из списка."))
    else:
        try:
            domain.change_championship_status(championship, to=form.cleaned_data["to"], by=request.user,
                                              reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Статус чемпионата изменён."))
    return redirect("championships:detail", pk=pk)


@login_required
@require_POST
def stage_phase(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_championship")
    stage = get_object_or_404(Stage, pk=stage_pk, championship=championship)
    form = forms.PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Выберите фазу из списка."))
    else:
        try:
            domain.move_stage_phase(stage, to=form.cleaned_data["to"], by=request.user,
                                    reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Фаза этапа «%(stage)s» изменена.") % {"stage": stage.name})
    return redirect(reverse("championships:detail", args=[pk]) + "#stages")


@login_required
def competency_detail(request: HttpRequest, pk: int, competency_pk: int) -> HttpResponse:
    championship = _championship_for(request, pk)
    competency = get_object_or_404(Competency, pk=competency_pk, championship=championship)
    panel = (RoleAssignment.objects.filter(championship=championship, competency=competency)
             .select_related("user").order_by("role", "user__last_name"))
    return render(request, "championships/competency.html", {
        "championship": championship,
        "competency": competency,
        "can_manage": has_perm(request.user, "championships.manage_championship", championship),
        "can_view_schemes": has_perm(request.user, "marking.view_scheme", competency),
        "can_view_package": has_perm(request.user, "marking.view_package", competency),
        "panel": panel,
        "panel_short": max(0, competency.expert_count - sum(1 for a in panel if a.role == Role.EXPERT)),
        "breadcrumbs": _crumbs(championship) + [(competency.name, None)],
    })


@login_required
def competency_document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    championship = _championship_for(request, pk)
    document = get_object_or_404(CompetencyDocument, pk=document_pk, competency__championship=championship)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


# --- Generic create / edit / delete of the objects inside a championship --------------------------


@dataclass(frozen=True)
class StructureKind:
    model: type[Model]
    form: type[forms.ScopedForm]
    title_new: Any
    title_edit: Any
    anchor: str
    m2m: tuple[str, ...] = ()
    save: Any = None


def _save_competency(instance: Competency, by: Any, m2m: dict[str, Any], reason: str = "") -> Model:
    return domain.save_competency(instance, by=by, reason=reason, age_categories=m2m.get("age_categories"))


KINDS: dict[str, StructureKind] = {
    "stage": StructureKind(Stage, forms.StageForm, gettext_lazy("Новый этап"), gettext_lazy("Изменить этап"),
                           "stages"),
    "age-category": StructureKind(AgeCategory, forms.AgeCategoryForm, gettext_lazy("Новая возрастная категория"),
                                  gettext_lazy("Изменить возрастную категорию"), "age-categories"),
    "competency": StructureKind(Competency, forms.CompetencyForm, gettext_lazy("Новая компетенция"),
                                gettext_lazy("Изменить компетенцию"), "competencies", ("age_categories",),
                                _save_competency),
    "skill-section": StructureKind(SkillSection, forms.SkillSectionForm,
                                   gettext_lazy("Новый раздел спецификации навыков"),
                                   gettext_lazy("Изменить раздел спецификации навыков"), "skills"),
    "infrastructure": StructureKind(InfrastructureItem, forms.InfrastructureItemForm,
                                    gettext_lazy("Новая позиция инфраструктурного листа"),
                                    gettext_lazy("Изменить позицию инфраструктурного листа"), "infrastructure"),
    "competency-document": StructureKind(CompetencyDocument, forms.CompetencyDocumentForm,
                                         gettext_lazy("Новый документ компетенции"),
                                         gettext_lazy("Изменить документ компетенции"), "documents",
                                         save=lambda obj, by, m2m: domain.save_competency_document(obj, by=by)),
    "base-venue": StructureKind(BaseVenue, forms.BaseVenueForm, gettext_lazy("Новая базовая площадка"),
                                gettext_lazy("Изменить базовую площадку"), "venues", ("competencies",)),
    "workplace": StructureKind(Workplace, forms.WorkplaceForm, gettext_lazy("Новое рабочее место"),
                               gettext_lazy("Изменить рабочее место"), "venues"),
    "programme-slot": StructureKind(ProgrammeSlot, forms.ProgrammeSlotForm, gettext_lazy("Новый пункт программы"),
                                    gettext_lazy("Изменить пункт программы"), "programme"),
}


def _scoped_object(kind: StructureKind, championship: Championship, object_pk: int) -> Model:
    model = kind.model
    if model is Workplace:
        return get_object_or_404(Workplace, pk=object_pk, base_venue__championship=championship)
    if model in {SkillSection, InfrastructureItem, CompetencyDocument}:
        return get_object_or_404(model, pk=object_pk, competency__championship=championship)
    return get_object_or_404(model, pk=object_pk, championship=championship)


def _return_url(championship: Championship, kind: StructureKind, instance: Model | None) -> str:
    competency_id = getattr(instance, "competency_id", None) if instance is not None else None
    if competency_id and kind.model is not Workplace and kind.model is not ProgrammeSlot:
        return reverse("championships:competency", args=[championship.pk, competency_id]) + f"#{kind.anchor}"
    return reverse("championships:detail", args=[championship.pk]) + f"#{kind.anchor}"


def _save(kind: StructureKind, form: forms.ScopedForm, by: Any) -> Model:
    instance = form.instance
    m2m = {name: list(form.cleaned_data.get(name) or []) for name in kind.m2m}
    if kind.save is not None:
        return kind.save(instance, by, m2m)
    return domain.save_structure_object(instance, by=by, m2m=m2m or None)


@login_required
def structure_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_championship")
    spec = KINDS[kind]
    initial = {}
    if "competency" in request.GET and request.GET["competency"].isdigit():
        initial["competency"] = int(request.GET["competency"])
    form = spec.form(request.POST or None, request.FILES or None, championship=championship, initial=initial)
    return form_page(
        request, form=form, title=str(spec.title_new), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: _save(spec, f, request.user),
        success_url=lambda obj: _return_url(championship, spec, obj),
        cancel_url=reverse("championships:detail", args=[pk]),
    )


@login_required
def structure_edit(request: HttpRequest, pk: int, kind: str, object_pk: int) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_championship")
    spec = KINDS[kind]
    instance = _scoped_object(spec, championship, object_pk)
    form = spec.form(request.POST or None, request.FILES or None, instance=instance, championship=championship)
    return form_page(
        request, form=form, title=str(spec.title_edit), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: _save(spec, f, request.user),
        success_url=lambda obj: _return_url(championship, spec, obj),
        cancel_url=_return_url(championship, spec, instance),
    )


@login_required
def structure_delete(request: HttpRequest, pk: int, kind: str, object_pk: int) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_championship")
    spec = KINDS[kind]
    instance = _scoped_object(spec, championship, object_pk)
    back = _return_url(championship, spec, instance)
    return form_page(
        request, form=ReasonForm(request.POST or None), title=_("Удаление"), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: domain.delete_structure_object(instance, by=request.user, reason=f.cleaned_data["reason"]),
        success_url=back, cancel_url=back, success_message=_("Удалено."),
        template="core/confirm_delete.html", extra={"object": instance},
    )


# --- People and roles in a championship -----------------------------------------------------------


@login_required
def roles(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_roles")
    form = forms.RoleAssignmentForm(request.POST or None, championship=championship)

    def assign(f: forms.RoleAssignmentForm) -> RoleAssignment:
        data = f.cleaned_data
        with transaction.atomic():
            user = User.objects.filter(email__iexact=data["email"]).first()
            if user is None:
                user = accounts_domain.create_user(
                    email=data["email"], last_name=data["last_name"], first_name=data["first_name"],
                    patronymic=data["patronymic"], by=request.user, championship=championship)
            return accounts_domain.assign_role(
                user=user, role=data["role"], championship=championship, competency=data["competency"],
                organisation=data["organisation"], by=request.user)

    assignments = (RoleAssignment.objects.filter(championship=championship)
                   .select_related("user", "competency", "organisation").order_by("role", "user__last_name"))
    return form_page(
        request, form=form, title=_("Люди и роли"), breadcrumbs=_crumbs(championship),
        on_valid=assign, success_url=reverse("championships:roles", args=[pk]),
        success_message=_("Роль назначена."), template="championships/roles.html",
        extra={"championship": championship, "assignments": assignments},
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    championship = _championship_for(request, pk, "championships.manage_roles")
    assignment = get_object_or_404(RoleAssignment, pk=assignment_pk, championship=championship)
    try:
        accounts_domain.revoke_role(assignment, by=request.user, reason=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Роль снята."))
    return redirect("championships:roles", pk=pk)
