"""Pages of registration (REG-1…REG-5, X-1): the applicant's application and team, the Directorate's review.

Every page asks :mod:`profmaster.permissions`; every change goes through :mod:`.domain`. Every view of an
application's people logs the access to minors' records (X-1).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require

from . import domain, forms, workflow
from .models import Application, TeamMember


def _crumbs(championship: Championship, application: Application | None = None) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [
        (_("Чемпионаты"), reverse("championships:list")),
        (championship.name, reverse("championships:detail", args=[championship.pk])),
        (_("Заявки"), reverse("registration:list", args=[championship.pk])),
    ]
    if application is not None:
        crumbs.append((_("Заявка № %(pk)s") % {"pk": application.pk},
                       reverse("registration:detail", args=[application.pk])))
    return crumbs


def _may_list(user: Any, championship: Championship) -> bool:
    return has_perm(user, "registration.list_applications", championship)


def _application(request: HttpRequest, pk: int, perm: str = "registration.view_application") -> Application:
    application = get_object_or_404(Application.objects.select_related(
        "championship", "competency", "age_category", "organisation", "created_by"), pk=pk)
    if not has_perm(request.user, "registration.view_application", application):
        raise PermissionDenied(perm)
    require(request.user, perm, application)
    return application


@login_required
def application_list(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    if not _may_list(request.user, championship):
        raise PermissionDenied
    applications = (domain.applications_visible_to(request.user, championship)
                    .select_related("competency", "age_category", "organisation"))
    filters = forms.FilterForm(request.GET or None, championship=championship)
    if filters.is_valid():
        for name in ("competency", "age_category", "organisation", "status"):
            value = filters.cleaned_data.get(name)
            if value:
                applications = applications.filter(**{name: value})
    applications = applications.order_by("competency__name", "age_category__order", "organisation__short_name", "pk")
    can_review = has_perm(request.user, "registration.review_application", championship)
    return render(request, "registration/list.html", {
        "championship": championship, "applications": applications, "filters": filters,
        "can_review": can_review, "can_apply": has_perm(request.user, "registration.apply", championship),
        "awaiting": workflow.AWAITING_REVIEW,
        "breadcrumbs": _crumbs(championship)[:-1] + [(_("Заявки"), None)],
    })


@login_required
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.apply", championship)
    organisations = forms.applicant_organisations(request.user, championship,
                                                  directorate=domain.is_directorate(request.user, championship))
    form = forms.ApplicationForm(request.POST or None, championship=championship, organisations=organisations)
    return form_page(
        request, form=form, title=_("Новая заявка"), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: domain.create_application(championship=championship, by=request.user, **f.cleaned_data),
        success_url=lambda a: reverse("registration:detail", args=[a.pk]),
        cancel_url=reverse("registration:list", args=[pk]),
        success_message=_("Заявка создана. Добавьте участников и наставника."),
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    members = list(application.members.select_related("organisation").order_by("state", "kind", "pk"))
    domain.log_personal_data_access(request.user, members, what=_("Страница заявки № %(pk)s") % {"pk": application.pk})
    active = [m for m in members if m.state == TeamMember.State.ACTIVE]
    violations = domain.check_application(application, active)
    by_person: dict[str, list[str]] = {}
    team_violations: list[str] = []
    for violation in violations:
        message = domain.violation_message(violation)
        if violation.person:
            by_person.setdefault(violation.person, []).append(message)
        else:
            team_violations.append(message)
    remarks = list(application.remarks.filter(resolved_at__isnull=True))
    rows = [{"member": m, "violations": by_person.get(str(m.pk), []),
             "remarks": [r.text for r in remarks if r.member_id == m.pk]} for m in members]
    can_change = has_perm(request.user, "registration.change_application", application)
    can_review = has_perm(request.user, "registration.review_application", application)
    editable = application.status in workflow.EDITABLE or (can_review and application.status not in (
        workflow.REJECTED, workflow.WITHDRAWN))
    return render(request, "registration/detail.html", {
        "application": application, "championship": application.championship, "rows": rows,
        "team_violations": team_violations, "general_remarks": [r.text for r in remarks if r.member_id is None],
        "can_change": can_change and editable, "can_submit": can_change and application.status in workflow.EDITABLE,
        "can_withdraw": can_change and workflow.can_move(application.status, workflow.WITHDRAWN),
        "can_review": can_review and application.status in workflow.AWAITING_REVIEW,
        "can_decide_later": can_review and application.status == workflow.APPROVED,
        "can_reopen": can_review and domain.deadline_passed(application.championship)
        and application.status not in (workflow.REJECTED, workflow.WITHDRAWN),
        "kinds": [(k, label) for k, label in TeamMember.Kind.choices
                  if k in domain.member_kinds_offered(application.age_category)],
        "rules_ok": not violations,
        # the mentor sees the deadline on the page they submit from, in the championship's zone, named
        "deadline": application.championship.registration_deadline
        if application.status in workflow.EDITABLE and not application.reopened else None,
        "missing_consents": domain.missing_consents(application),
        "can_record_consents": has_perm(request.user, "registration.record_consent", application),
        "can_check_documents": has_perm(request.user, "registration.check_documents", application),
        "can_substitute": application.status == workflow.APPROVED
        and has_perm(request.user, "registration.request_substitution", application),
        "can_decide_substitution": can_review,
        "substitutions": list(application.substitutions.select_related("outgoing", "incoming")),
        "breadcrumbs": _crumbs(application.championship) + [(_("Заявка № %(pk)s") % {"pk": application.pk}, None)],
    })


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.change_application")
    form = forms.ApplicationEditForm(request.POST or None, instance=application)
    back = reverse("registration:detail", args=[pk])
    return form_page(
        request, form=form, title=_("Изменить заявку"), breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.update_application(
            application, by=request.user, participants_are_siblings=f.cleaned_data["participants_are_siblings"]),
        success_url=back, cancel_url=back,
    )


def _member_page(request: HttpRequest, application: Application, member: TeamMember, title: str) -> HttpResponse:
    form = forms.MemberForm(request.POST or None, instance=member, kind=member.kind)
    back = reverse("registration:detail", args=[application.pk])
    return form_page(
        request, form=form, title=title, breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.save_member(f.instance, by=request.user),
        success_url=back + "#team", cancel_url=back,
    )


@login_required
def member_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    application = _application(request, pk, "registration.change_application")
    if kind not in TeamMember.Kind.values:
        raise Http404
    if kind not in domain.member_kinds_offered(application.age_category):
        messages.error(request, domain.relative_refusal(application.age_category))
        return redirect(reverse("registration:detail", args=[pk]) + "#team")
    member = TeamMember(application=application, kind=kind)
    if kind in (TeamMember.Kind.PARTICIPANT, TeamMember.Kind.MENTOR):
        member.organisation = application.organisation
    title = _("Добавить: %(kind)s") % {"kind": TeamMember.Kind(kind).label.lower()}
    return _member_page(request, application, member, title)


@login_required
def member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.change_application")
    member = get_object_or_404(TeamMember, pk=member_pk, application=application)
    return _member_page(request, application, member, _("Изменить: %(name)s") % {"name": member.full_name})


@login_required
@require_POST
def member_delete(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.change_application")
    member = get_object_or_404(TeamMember, pk=member_pk, application=application)
    try:
        domain.remove_member(member, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s удалён(а) из заявки.") % {"name": member.full_name})
    return redirect(reverse("registration:detail", args=[pk]) + "#team")


def _action(request: HttpRequest, pk: int, perm: str, call: Any, success: str) -> HttpResponse:
    application = _application(request, pk, perm)
    try:
        call(application)
    except domain.RulesViolated:
        messages.error(request, _("Заявка не соответствует правилам. Исправьте ошибки, отмеченные ниже у людей и "
                                  "у команды."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("registration:detail", pk=pk)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def submit(application: Application) -> None:
        if application.status == workflow.RETURNED:
            domain.resubmit_application(application, by=request.user)
        else:
            domain.submit_application(application, by=request.user)
    return _action(request, pk, "registration.change_application", submit, _("Заявка подана."))


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "registration.change_application",
                   lambda a: domain.withdraw_application(a, by=request.user, reason=request.POST.get("reason", "")[:2000]),
                   _("Заявка отозвана."))


@login_required
@require_POST
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, "registration.review_application",
                   lambda a: domain.approve_application(a, by=request.user), _("Заявка одобрена."))


@login_required
def application_return(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.review_application")
    members = list(application.members.filter(state=TeamMember.State.ACTIVE).order_by("kind", "pk"))
    form = forms.RemarksForm(request.POST or None, members=members)
    back = reverse("registration:detail", args=[pk])
    return form_page(
        request, form=form, title=_("Вернуть заявку на доработку"),
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.return_application(application, by=request.user, remarks=f.remarks()),
        success_url=back, cancel_url=back, success_message=_("Заявка возвращена на доработку."),
        extra={"submit_label": _("Вернуть на доработку")},
    )


@login_required
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.review_application")
    back = reverse("registration:detail", args=[pk])
    return form_page(
        request, form=forms.RequiredReasonForm(request.POST or None), title=_("Отклонить заявку"),
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.reject_application(application, by=request.user, reason=f.cleaned_data["reason"]),
        success_url=back, cancel_url=back, success_message=_("Заявка отклонена."),
        extra={"submit_label": _("Отклонить")},
    )


@login_required
def application_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.review_application")
    back = reverse("registration:detail", args=[pk])
    return form_page(
        request, form=forms.RequiredReasonForm(request.POST or None), title=_("Открыть заявку для правки после срока"),
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.reopen_application(application, by=request.user, reason=f.cleaned_data["reason"]),
        success_url=back, cancel_url=back, success_message=_("Заявка открыта для правки."),
    )


@login_required
def application_out_of_competition(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.review_application")
    back = reverse("registration:detail", args=[pk])
    form = forms.OutOfCompetitionForm(request.POST or None, initial={
        "out_of_competition": application.out_of_competition, "barred": application.barred_from_next_stage})
    return form_page(
        request, form=form, title=_("Статус «вне зачёта»"), breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.set_out_of_competition(
            application, by=request.user, out_of_competition=f.cleaned_data["out_of_competition"],
            barred=f.cleaned_data["barred"], reason=f.cleaned_data["reason"]),
        success_url=back, cancel_url=back,
    )


@login_required
@require_POST
def bulk_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """First answer: "you are about to approve N applications"; the confirmed POST approves them."""
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.review_application", championship)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit() and len(i) < 19]
    applications = list(Application.objects.filter(championship=championship, pk__in=ids,
                                                   status__in=workflow.AWAITING_REVIEW)
                        .select_related("competency", "age_category", "organisation"))
    back = reverse("registration:list", args=[pk])
    if not applications:
        messages.error(request, _("Отметьте поданные заявки, которые нужно одобрить."))
        return redirect(back)
    if request.POST.get("confirm") != "1":
        return render(request, "registration/bulk_approve.html", {
            "championship": championship, "applications": applications,
            "breadcrumbs": _crumbs(championship) + [(_("Одобрение заявок"), None)],
        })
    approved, refused = domain.bulk_approve(applications, by=request.user)
    if approved:
        messages.success(request, _("Одобрено заявок: %(n)s.") % {"n": len(approved)})
    for application, message in refused:
        messages.error(request, _("Заявка № %(pk)s не одобрена: %(message)s") % {"pk": application.pk,
                                                                               "message": message})
    return redirect(back)
