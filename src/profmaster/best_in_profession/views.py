"""Pages of the «Лучший по профессии» regional stage (REG-1, RM-4, RM-7). Thin: permission, then :mod:`.domain`.

Times are printed in the championship's zone with the zone named (X-6); every page that shows a contestant's
personal data logs the access (RM-7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.championships import timezones
from profmaster.championships.models import Championship, Stage
from profmaster.core.errors import DomainError
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require
from profmaster.registration.models import Application

from . import domain, forms
from .models import (
    ContestantDocument,
    PersonalDataAccess,
    ProfessionNomination,
    VenueChecklist,
    VenueChecklistItem,
    VenueGroup,
    VenueGroupMember,
)


def _championship(pk: int) -> Championship:
    return get_object_or_404(Championship, pk=pk)


def _crumbs(championship: Championship, *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(championship.name, reverse("championships:detail", args=[championship.pk])),
            (_("Конкурс «Лучший по профессии»"), reverse("best_in_profession:overview", args=[championship.pk])),
            *more]


def _application(request: HttpRequest, application_id: int, perm: str) -> Application:
    application = get_object_or_404(Application.objects.select_related("championship", "organisation", "competency",
                                                                       "age_category"), pk=application_id)
    if not domain.is_contest(application.championship):
        raise Http404
    require(request.user, perm, application)
    return application


# --- The contest's page and nominations ------------------------------------------------------------------


@login_required
def overview(request: HttpRequest, championship_pk: int) -> HttpResponse:
    championship = _championship(championship_pk)
    require(request.user, "best_in_profession.view_nominations", championship)
    user = request.user
    return render(request, "best_in_profession/overview.html", {
        "championship": championship, "is_contest": domain.is_contest(championship),
        "nominations": domain.nominations(championship),
        "stages": list(championship.stages.order_by("order", "starts_on")),
        "can_manage": has_perm(user, "best_in_profession.manage_nominations", championship),
        "can_enter": has_perm(user, "best_in_profession.enter_contestant", championship)
        and bool(domain.employers_of(user, championship)),
        "can_list": has_perm(user, "best_in_profession.list_contestants", championship),
        "can_readiness": has_perm(user, "best_in_profession.view_readiness", championship),
        "can_log": has_perm(user, "best_in_profession.view_access_log", championship),
        "breadcrumbs": _crumbs(championship)[:-1] + [(_("Конкурс «Лучший по профессии»"), None)],
    })


def _nomination_page(request: HttpRequest, championship: Championship, instance: ProfessionNomination | None) -> HttpResponse:
    form = forms.NominationForm(request.POST or None, instance=instance, championship=championship)
    back = reverse("best_in_profession:overview", args=[championship.pk])
    return form_page(request, form=form, title=_("Номинация") if instance else _("Новая номинация"),
                     breadcrumbs=_crumbs(championship),
                     on_valid=lambda f: domain.save_nomination(f.instance, by=request.user),
                     success_url=back, cancel_url=back)


@login_required
def nomination_create(request: HttpRequest, championship_pk: int) -> HttpResponse:
    championship = _championship(championship_pk)
    require(request.user, "best_in_profession.manage_nominations", championship)
    return _nomination_page(request, championship, None)


@login_required
def nomination_edit(request: HttpRequest, nomination_id: int) -> HttpResponse:
    nomination = get_object_or_404(ProfessionNomination.objects.select_related("championship", "category"),
                                   pk=nomination_id)
    require(request.user, "best_in_profession.manage_nominations", nomination.championship)
    return _nomination_page(request, nomination.championship, nomination)


# --- Contestants (REG-1) ---------------------------------------------------------------------------------


def _data(cleaned: dict[str, Any]) -> domain.ContestantData:
    return domain.ContestantData(
        last_name=cleaned["last_name"], first_name=cleaned["first_name"], patronymic=cleaned.get("patronymic", ""),
        birth_date=cleaned["birth_date"], position=cleaned["position"], years_of_service=cleaned["years_of_service"],
        education=cleaned["education"], email=cleaned["email"], phone=cleaned.get("phone", ""),
        conditions_confirmed=cleaned.get("conditions_confirmed", False))


@login_required
def contestant_create(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """An employer's representative enters one worker and submits the application (000 §1)."""
    championship = _championship(championship_pk)
    require(request.user, "best_in_profession.enter_contestant", championship)
    employers = domain.employers_of(request.user, championship)
    form = forms.ContestantForm(request.POST or None, nominations=championship.profession_nominations.order_by("name"),
                                employers=employers)

    def enter(f: Any) -> Application:
        return domain.enter_contestant(championship, nomination=f.cleaned_data["nomination"],
                                       organisation=f.cleaned_data["organisation"], data=_data(f.cleaned_data),
                                       by=request.user, consent_given=f.cleaned_data["consent_given"])

    return form_page(request, form=form, title=_("Заявить участника"), breadcrumbs=_crumbs(championship),
                     on_valid=enter, success_url=lambda a: reverse("best_in_profession:contestant", args=[a.pk]),
                     cancel_url=reverse("best_in_profession:overview", args=[championship.pk]),
                     success_message=_("Заявка подана: Дирекция зарегистрирует и рассмотрит её."),
                     extra={"submit_label": _("Подать заявку")})


@login_required
def contestants(request: HttpRequest, championship_pk: int) -> HttpResponse:
    championship = _championship(championship_pk)
    require(request.user, "best_in_profession.list_contestants", championship)
    applications = list(domain.contestant_applications(request.user, championship))
    rows = []
    for application in applications:
        member = domain.contestant_member(application)
        rows.append({"application": application, "member": member,
                     "profile": getattr(member, "contestant_profile", None) if member else None})
    domain.log_access(request.user, applications, what=_("Список участников конкурса"))
    return render(request, "best_in_profession/contestants.html", {
        "championship": championship, "rows": rows,
        "can_enter": has_perm(request.user, "best_in_profession.enter_contestant", championship),
        "breadcrumbs": _crumbs(championship, (_("Участники"), None)),
    })


@login_required
def contestant(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id, "best_in_profession.view_contestant")
    member = domain.contestant_member(application)
    profile = getattr(member, "contestant_profile", None) if member else None
    domain.log_access(request.user, [application], what=_("Данные участника: заявка № %(pk)s") % {"pk": application.pk})
    championship = application.championship
    can_change = has_perm(request.user, "best_in_profession.change_contestant", application)
    return render(request, "best_in_profession/contestant.html", {
        "championship": championship, "application": application, "member": member, "profile": profile,
        "nomination": domain.nomination_of(application),
        "documents": list(profile.documents.all()) if profile else [],
        "groups": domain.groups_of_contestant(application),
        "can_change": can_change and application.status in ("draft", "returned"),
        "can_upload": can_change and profile is not None,
        "can_view_scans": has_perm(request.user, "best_in_profession.view_scan", application),
        "can_review": has_perm(request.user, "registration.view_application", application),
        "document_form": forms.DocumentForm(),
        "breadcrumbs": _crumbs(championship, (_("Участники"), reverse("best_in_profession:contestants",
                                                                      args=[championship.pk])),
                               (member.full_name if member else str(application.pk), None)),
    })


@login_required
def contestant_edit(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id, "best_in_profession.change_contestant")
    member = domain.contestant_member(application)
    profile = getattr(member, "contestant_profile", None) if member else None
    initial = {}
    if member is not None:
        domain.log_access(request.user, [application], what=_("Правка данных участника: заявка № %(pk)s")
                          % {"pk": application.pk})
        initial = {"last_name": member.last_name, "first_name": member.first_name, "patronymic": member.patronymic,
                   "birth_date": member.birth_date, "position": member.position, "email": member.email,
                   "phone": member.phone, "years_of_service": getattr(profile, "years_of_service", None),
                   "education": getattr(profile, "education", ""),
                   "conditions_confirmed": getattr(profile, "conditions_confirmed", False)}
    form = forms.ContestantForm(request.POST or None, initial=initial, nominations=ProfessionNomination.objects.none(),
                                employers=[], editing=True)
    back = reverse("best_in_profession:contestant", args=[application.pk])
    return form_page(request, form=form, title=_("Данные участника"), breadcrumbs=_crumbs(application.championship),
                     on_valid=lambda f: domain.update_contestant(application, data=_data(f.cleaned_data),
                                                                 by=request.user),
                     success_url=back, cancel_url=back)


@login_required
@require_POST
def document_upload(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id, "best_in_profession.change_contestant")
    form = forms.DocumentForm(request.POST, request.FILES)
    back = reverse("best_in_profession:contestant", args=[application.pk])
    if not form.is_valid():
        messages.error(request, _("Выберите вид документа и файл скана."))
        return redirect(back)
    try:
        domain.upload_contestant_document(application, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"],
                                          by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Скан сохранён; он хранится до даты, указанной в списке, и затем удаляется."))
    return redirect(back)


@login_required
def document(request: HttpRequest, scan_pk: int) -> FileResponse:
    """A contestant's private scan, streamed after the permission check; the access is logged (RM-7)."""
    item = get_object_or_404(ContestantDocument.objects.select_related("profile__member__application__championship"),
                             pk=scan_pk)
    application = item.profile.member.application
    require(request.user, "best_in_profession.view_scan", application)
    if not item.file:
        raise Http404
    domain.log_access(request.user, [application], what=_("Скан: %(kind)s") % {"kind": item.get_kind_display()},
                      channel=PersonalDataAccess.Channel.FILE)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type or "application/octet-stream")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def access_log(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """RM-7: who read which contestant's data, when, through what."""
    championship = _championship(championship_pk)
    require(request.user, "best_in_profession.view_access_log", championship)
    entries = PersonalDataAccess.objects.filter(championship=championship).select_related("user")
    subject = (request.GET.get("q") or "").strip()[:100]
    if subject:
        entries = entries.filter(subject_name__icontains=subject)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    erased = (ContestantDocument.objects.filter(profile__member__application__championship=championship,
                                                erased_at__isnull=False)
              .select_related("profile__member").order_by("-erased_at")[:100])
    return render(request, "best_in_profession/access_log.html", {
        "championship": championship, "page": page, "q": subject, "erased": erased,
        "breadcrumbs": _crumbs(championship, (_("Журнал доступа к персональным данным"), None)),
    })


# --- RM-4: venues' equipment checklists and small groups ---------------------------------------------------


@login_required
def readiness(request: HttpRequest, stage_pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("championship"), pk=stage_pk)
    require(request.user, "best_in_profession.view_readiness", stage.championship)
    rows = domain.readiness(stage)
    return render(request, "best_in_profession/readiness.html", {
        "championship": stage.championship, "stage": stage, "rows": rows,
        "ready_count": sum(1 for r in rows if r["ready"]),
        "can_open": has_perm(request.user, "best_in_profession.manage_checklists", stage.championship),
        "breadcrumbs": _crumbs(stage.championship, (_("Готовность площадок: %(stage)s") % {"stage": stage.name}, None)),
    })


@login_required
@require_POST
def checklists_open(request: HttpRequest, stage_pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("championship"), pk=stage_pk)
    require(request.user, "best_in_profession.manage_checklists", stage.championship)
    try:
        made = domain.open_checklists(stage, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Чек-листы площадок сформированы: %(count)s.") % {"count": len(made)})
    return redirect("best_in_profession:readiness", stage_pk=stage.pk)


def _checklist(checklist_pk: int) -> VenueChecklist:
    return get_object_or_404(VenueChecklist.objects.select_related("stage__championship", "base_venue__venue",
                                                                   "competency", "confirmed_by"), pk=checklist_pk)


def _checklist_page(request: HttpRequest, checklist: VenueChecklist, *, error: str = "", error_line: int | None = None,
                    status: int = 200) -> HttpResponse:
    user = request.user
    championship = checklist.stage.championship
    can_manage_groups = has_perm(user, "best_in_profession.manage_groups", checklist)
    groups = list(checklist.groups.prefetch_related("members__application__members"))
    approved = []
    if can_manage_groups:
        grouped = set(VenueGroupMember.objects.filter(stage=checklist.stage).values_list("application_id", flat=True))
        approved = [a for a in Application.objects.filter(championship=championship, competency=checklist.competency,
                                                         status="approved").select_related("organisation")
                    if a.pk not in grouped]
    return render(request, "best_in_profession/checklist.html", {
        "championship": championship, "checklist": checklist,
        "lines": list(checklist.items.select_related("item", "checked_by")),
        "can_fill": has_perm(user, "best_in_profession.fill_checklist", checklist)
        and checklist.status == VenueChecklist.Status.OPEN,
        "can_manage_groups": can_manage_groups, "groups": groups, "approved": approved,
        "group_form": forms.GroupForm(), "error": error, "error_line": error_line,
        "zone": timezones.zone_label(timezones.zone_of(checklist.base_venue)),
        "breadcrumbs": _crumbs(championship, (_("Готовность площадок"), reverse("best_in_profession:readiness",
                                                                                args=[checklist.stage_id])),
                               (str(checklist), None)),
    }, status=status)


@login_required
def checklist(request: HttpRequest, checklist_pk: int) -> HttpResponse:
    item = _checklist(checklist_pk)
    require(request.user, "best_in_profession.view_checklist", item)
    return _checklist_page(request, item)


@login_required
@require_POST
def checklist_item(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = get_object_or_404(VenueChecklistItem.objects.select_related("checklist__stage__championship", "item",
                                                                       "checklist__base_venue"), pk=line_pk)
    require(request.user, "best_in_profession.fill_checklist", line)
    form = forms.ChecklistItemForm(request.POST, request.FILES)
    if not form.is_valid():
        return _checklist_page(request, _checklist(line.checklist_id), error=_("Укажите, сколько есть на площадке."),
                               error_line=line.pk, status=400)
    try:
        domain.record_checklist_item(line, available_quantity=form.cleaned_data["available_quantity"],
                                     photo=form.cleaned_data["photo"], note=form.cleaned_data["note"], by=request.user)
    except DomainError as exc:
        return _checklist_page(request, _checklist(line.checklist_id), error=exc.message, error_line=line.pk,
                               status=exc.status_code)
    messages.success(request, _("Позиция «%(item)s» записана.") % {"item": line.item.name})
    return redirect(reverse("best_in_profession:checklist", args=[line.checklist_id]) + f"#line-{line.pk}")


@login_required
def checklist_photo(request: HttpRequest, line_pk: int) -> FileResponse:
    line = get_object_or_404(VenueChecklistItem.objects.select_related("checklist__stage__championship",
                                                                       "checklist__base_venue"), pk=line_pk)
    require(request.user, "best_in_profession.view_checklist", line)
    if not line.photo:
        raise Http404
    response = FileResponse(line.photo.open("rb"), content_type=line.photo_content_type or "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def checklist_confirm(request: HttpRequest, checklist_pk: int) -> HttpResponse:
    item = _checklist(checklist_pk)
    require(request.user, "best_in_profession.fill_checklist", item)
    try:
        domain.confirm_checklist(item, by=request.user)
    except DomainError as exc:
        return _checklist_page(request, item, error=exc.message, status=exc.status_code)
    messages.success(request, _("Площадка подтвердила готовность оснащения."))
    return redirect("best_in_profession:checklist", checklist_pk=item.pk)


def _parse_local(value: str, obj: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezones.zone_of(obj))
    return moment


@login_required
@require_POST
def group_create(request: HttpRequest, checklist_pk: int) -> HttpResponse:
    item = _checklist(checklist_pk)
    require(request.user, "best_in_profession.manage_groups", item)
    try:
        capacity = int(request.POST.get("capacity") or 0)
    except ValueError:
        capacity = 0
    try:
        domain.save_group(item, name=request.POST.get("name", ""),
                          starts_at=_parse_local(request.POST.get("starts_at", ""), item.base_venue),  # type: ignore[arg-type]
                          ends_at=_parse_local(request.POST.get("ends_at", ""), item.base_venue),  # type: ignore[arg-type]
                          capacity=capacity, by=request.user)
    except DomainError as exc:
        return _checklist_page(request, item, error=exc.message, status=exc.status_code)
    messages.success(request, _("Группа создана."))
    return redirect("best_in_profession:checklist", checklist_pk=item.pk)


@login_required
@require_POST
def group_assign(request: HttpRequest, group_pk: int) -> HttpResponse:
    group = get_object_or_404(VenueGroup.objects.select_related("checklist__stage__championship",
                                                                "checklist__base_venue"), pk=group_pk)
    require(request.user, "best_in_profession.manage_groups", group)
    try:
        application_id = int(request.POST.get("application") or 0)
    except ValueError:
        application_id = 0
    application = Application.objects.filter(pk=application_id).first()
    try:
        if application is None:
            raise DomainError(_("Выберите участника."), field="application")
        domain.assign_to_group(group, application, by=request.user)
    except DomainError as exc:
        return _checklist_page(request, _checklist(group.checklist_id), error=exc.message, status=exc.status_code)
    messages.success(request, _("Участник включён в группу «%(name)s».") % {"name": group.name})
    return redirect("best_in_profession:checklist", checklist_pk=group.checklist_id)
