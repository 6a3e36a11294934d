"""Pages of consents (REG-6, REG-8), substitutions (REG-13), the document check (REG-7), lists and the
registration protocol (REG-14, REG-15), the rules page and the xlsx import.

Every page asks :mod:`profmaster.permissions`; every change goes through :mod:`.domain`; every view of a
minor's record (page, scan, list or export) is logged (X-1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.core.forms import apply_error
from profmaster.core.spreadsheets import CSV_CONTENT_TYPE, csv_bytes
from profmaster.core.views import form_page
from profmaster.permissions import has_perm, require

from . import domain, forms, imports, lists
from .models import Consent, ConsentForm, ConsentVersion, DocumentCheck, SubstitutionRequest, TeamMember
from .views import _application, _crumbs


def _member(application: Any, member_pk: int) -> TeamMember:
    return get_object_or_404(TeamMember.objects.select_related("organisation"), pk=member_pk,
                             application=application)


# --- Consents (REG-6, REG-8) --------------------------------------------------------------------


@login_required
def consent_forms(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.manage_consents", championship)
    form = forms.ConsentVersionForm(request.POST or None)
    extra = {"consent_forms": ConsentForm.objects.filter(championship=championship).prefetch_related(
        "versions__published_by")}
    return form_page(
        request, form=form, title=_("Формы согласий"), template="registration/consent_forms.html",
        breadcrumbs=_crumbs(championship)[:2],
        on_valid=lambda f: domain.publish_consent_version(championship=championship, by=request.user,
                                                          **f.cleaned_data),
        success_url=reverse("registration:consent_forms", args=[pk]),
        success_message=_("Новая версия согласия опубликована."), extra=extra,
    )


@login_required
def consent_version(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ConsentVersion.objects.select_related("form__championship"), pk=pk)
    championship = version.form.championship
    require(request.user, "registration.list_applications", championship)
    return render(request, "registration/consent_version.html", {
        "version": version, "breadcrumbs": _crumbs(championship)[:2] + [(version.form.title, None)]})


@login_required
def application_consents(request: HttpRequest, pk: int) -> HttpResponse:
    """REG-6: every person of the team on one page; the mentor or parent ticks each person's consents and
    sends them all in one submit."""
    application = _application(request, pk, "registration.record_consent")
    members = domain.active_members(application)
    domain.log_personal_data_access(request.user, members,
                                    what=_("Согласия команды: заявка № %(pk)s") % {"pk": pk})
    versions = domain.current_consent_versions(application.championship)
    given = domain.given_consent_forms(members)
    is_member_mentor = any(m.kind == TeamMember.Kind.MENTOR and m.user_id == request.user.pk for m in members)
    blocks = []
    for member in members:
        missing = [v for v in versions if v.form_id not in given[member.pk]]
        default_by = (Consent.GivenBy.SELF if not member.is_minor_record else
                      Consent.GivenBy.MENTOR if is_member_mentor else Consent.GivenBy.PARENT)
        default_name = member.full_name if not member.is_minor_record else (
            request.user.full_name if is_member_mentor else "")
        form = forms.PersonConsentsForm(request.POST or None, prefix=f"m{member.pk}", member=member, missing=missing,
                                        initial={"given_by": default_by, "given_by_name": default_name,
                                                 "given_on": timezone.localdate()})
        blocks.append({"member": member, "form": form, "missing": missing,
                       "given": [v for v in versions if v.form_id in given[member.pk]]})
    status = 200
    if request.method == "POST":
        active = [b for b in blocks if b["missing"]]
        if all(b["form"].is_valid() for b in active):
            entries = []
            for block in active:
                data = block["form"].cleaned_data
                chosen = block["form"].chosen_versions()
                if chosen:
                    entries.append(domain.ConsentEntry(
                        member=block["member"], versions=chosen, given_by=data["given_by"],
                        given_by_name=data["given_by_name"],
                        given_at=timezone.make_aware(dt.datetime.combine(data["given_on"], dt.time(12)))))
            try:
                recorded = domain.record_consents(application, entries, by=request.user)
            except (DomainError, ValidationError) as exc:
                for block in active:
                    apply_error(block["form"], exc)
                    break
            else:
                if recorded:
                    messages.success(request, ngettext("Записано %(n)s согласие.", "Записано %(n)s согласий.",
                                                       len(recorded)) % {"n": len(recorded)})
                else:
                    messages.info(request, _("Ничего не отмечено: новые согласия не записаны."))
                return redirect("registration:detail", pk=pk)
        status = 400
    return render(request, "registration/application_consents.html", {
        "application": application, "blocks": blocks, "no_versions": not versions,
        "breadcrumbs": _crumbs(application.championship, application) + [(_("Согласия команды"), None)],
    }, status=status)


@login_required
def member_consents(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = _application(request, pk)
    member = _member(application, member_pk)
    domain.log_personal_data_access(request.user, [member], what=_("Согласия: заявка № %(pk)s") % {"pk": pk})
    can_record = has_perm(request.user, "registration.record_consent", application)
    form = None
    if can_record:
        form = forms.ConsentRecordForm(request.POST or None, championship=application.championship,
                                       minor=member.is_minor_record, initial={"given_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            given_at = timezone.make_aware(dt.datetime.combine(data["given_on"], dt.time(12)))
            try:
                domain.record_consent(member, version=data["version"], given_by=data["given_by"],
                                      given_by_name=data["given_by_name"], given_at=given_at, by=request.user)
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Согласие записано."))
                return redirect("registration:member_consents", pk=pk, member_pk=member_pk)
    elif request.method == "POST":
        raise PermissionDenied
    consents = member.consents.select_related("version__form", "recorded_by").order_by("-given_at", "pk")
    return render(request, "registration/member_consents.html", {
        "application": application, "member": member, "consents": consents, "form": form,
        "can_record": can_record, "stopped": domain.processing_stopped(member),
        "can_end": has_perm(request.user, "registration.review_application", application),
        "no_versions": not ConsentVersion.objects.filter(form__championship=application.championship).exists(),
        "breadcrumbs": _crumbs(application.championship, application) + [(member.full_name, None)],
    }, status=400 if request.method == "POST" else 200)


@login_required
def consent_withdraw(request: HttpRequest, consent_pk: int) -> HttpResponse:
    consent = get_object_or_404(Consent.objects.select_related("member__application"), pk=consent_pk)
    application = _application(request, consent.member.application_id, "registration.record_consent")
    back = reverse("registration:member_consents", args=[application.pk, consent.member_id])
    return form_page(
        request, form=forms.NoteForm(request.POST or None),
        title=_("Отзыв согласия: %(name)s") % {"name": consent.member.full_name},
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.withdraw_consent(consent, by=request.user, note=f.cleaned_data["note"]),
        success_url=back, cancel_url=back, success_message=_("Отзыв согласия записан; обработка данных прекращена."),
        extra={"submit_label": _("Записать отзыв")},
    )


@login_required
def member_end(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.review_application")
    member = _member(application, member_pk)
    back = reverse("registration:member_consents", args=[pk, member_pk])
    return form_page(
        request, form=forms.RequiredReasonForm(request.POST or None),
        title=_("Прекратить участие: %(name)s") % {"name": member.full_name},
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.end_participation(member, by=request.user, reason=f.cleaned_data["reason"]),
        success_url=back, cancel_url=back, success_message=_("Решение о прекращении участия записано."),
        extra={"submit_label": _("Прекратить участие")},
    )


# --- Substitution (REG-13) ----------------------------------------------------------------------


@login_required
def substitution_create(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.request_substitution")
    outgoing = _member(application, member_pk)
    incoming = TeamMember(application=application, kind=outgoing.kind, organisation=outgoing.organisation)
    form = forms.SubstitutionForm(request.POST or None, instance=incoming, kind=outgoing.kind)
    back = reverse("registration:detail", args=[pk])
    return form_page(
        request, form=form, title=_("Замена: выбывает %(name)s") % {"name": outgoing.full_name},
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.request_substitution(application, outgoing=outgoing, incoming=f.instance,
                                                       reason=f.cleaned_data["reason"], by=request.user),
        success_url=back + "#substitutions", cancel_url=back,
        success_message=_("Запрос на замену отправлен Дирекции."), extra={"submit_label": _("Запросить замену")},
    )


@login_required
def substitution_decide(request: HttpRequest, substitution_pk: int) -> HttpResponse:
    substitution = get_object_or_404(SubstitutionRequest.objects.select_related("outgoing", "incoming"),
                                     pk=substitution_pk)
    application = _application(request, substitution.application_id, "registration.decide_substitution")
    back = reverse("registration:detail", args=[application.pk])
    return form_page(
        request, form=forms.DecisionForm(request.POST or None),
        title=_("Замена: %(out)s → %(in)s") % {"out": substitution.outgoing.full_name,
                                                "in": substitution.incoming.full_name},
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.decide_substitution(substitution, approve=f.cleaned_data["decision"] == "approve",
                                                      by=request.user, reason=f.cleaned_data["reason"]),
        success_url=back + "#substitutions", cancel_url=back, success_message=_("Решение по замене записано."),
        extra={"submit_label": _("Записать решение")},
    )


@login_required
def application_incomplete(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.decide_substitution")
    back = reverse("registration:detail", args=[pk])
    return form_page(
        request, form=forms.RequiredReasonForm(request.POST or None),
        title=_("Команда выступает в неполном составе"), breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.allow_incomplete(application, by=request.user, reason=f.cleaned_data["reason"]),
        success_url=back, cancel_url=back, success_message=_("Решение о неполном составе записано."),
    )


# --- Document check before the final (REG-7) ----------------------------------------------------


@login_required
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk, "registration.check_documents")
    members = list(application.members.filter(state=TeamMember.State.ACTIVE).order_by("kind", "last_name", "pk"))
    domain.log_personal_data_access(request.user, members, what=_("Проверка документов: заявка № %(pk)s") % {"pk": pk})
    checks = {(c.member_id, c.item): c for c in DocumentCheck.objects.filter(member__in=members)
              .select_related("checked_by")}
    rows = [{"member": m, "item": item, "label": DocumentCheck.Item(item).label, "check": checks.get((m.pk, item))}
            for m in members for item in domain.required_document_items(m)]
    return render(request, "registration/documents.html", {
        "application": application, "rows": rows, "can_check": True,
        "breadcrumbs": _crumbs(application.championship, application) + [(_("Проверка документов"), None)],
    })


@login_required
def document_check(request: HttpRequest, pk: int, member_pk: int, item: str) -> HttpResponse:
    application = _application(request, pk, "registration.check_documents")
    member = _member(application, member_pk)
    if item not in domain.required_document_items(member):
        raise Http404
    existing = DocumentCheck.objects.filter(member=member, item=item).first()
    initial = {"outcome": existing.outcome, "comment": existing.comment} if existing else {}
    form = forms.DocumentCheckForm(request.POST or None, request.FILES or None, initial=initial)
    back = reverse("registration:documents", args=[pk])
    return form_page(
        request, form=form, title=_("%(item)s: %(name)s") % {"item": DocumentCheck.Item(item).label,
                                                             "name": member.full_name},
        breadcrumbs=_crumbs(application.championship, application),
        on_valid=lambda f: domain.record_document_check(member, item=item, outcome=f.cleaned_data["outcome"],
                                                        comment=f.cleaned_data["comment"],
                                                        scan=f.cleaned_data.get("scan"), by=request.user),
        success_url=back, cancel_url=back, success_message=_("Проверка документа записана."),
    )


@login_required
def document_scan(request: HttpRequest, check_pk: int) -> FileResponse:
    """A private scan, only for those who check documents; opening it is logged (X-1)."""
    check = get_object_or_404(DocumentCheck.objects.select_related("member__application"), pk=check_pk)
    _application(request, check.member.application_id, "registration.check_documents")
    if not check.scan:
        raise Http404
    try:
        handle = check.scan.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    head = handle.read(16)
    handle.seek(0)
    kind = next((k for sig, k in domain.SCAN_SIGNATURES.items() if head.startswith(sig)), "")
    content_type = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}.get(kind,
                                                                                          "application/octet-stream")
    domain.log_scan_access(request.user, check)
    response = FileResponse(handle, content_type=content_type, as_attachment=True,
                            filename=f"scan-{check.pk}.{kind or 'bin'}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Lists and the registration protocol (REG-14, REG-15) ---------------------------------------


@login_required
def people(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.list_people", championship)
    filters = forms.PeopleFilterForm(request.GET or None, championship=championship)
    data = filters.cleaned_data if filters.is_valid() else {}
    kind = data.get("kind") or lists.PARTICIPANT
    if kind == lists.EXPERT and not has_perm(request.user, "registration.list_experts", championship):
        raise PermissionDenied
    fmt = request.GET.get("format", "")
    channel = {"xlsx": "xlsx", "csv": "CSV", "pdf": "PDF"}.get(fmt, _("экран"))
    headers, rows = lists.build(request.user, championship, kind, data, channel=channel)
    title = lists._title(kind)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(lists.to_xlsx(title, headers, rows), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{kind}s-{championship.pk}-{stamp}.xlsx"'
        response["Cache-Control"] = "private, no-store"
        return response
    if fmt == "csv":
        response = HttpResponse(csv_bytes([headers, *rows]), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{kind}s-{championship.pk}-{stamp}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
    if fmt == "pdf":
        response = HttpResponse(lists.to_pdf(title, championship, headers, rows), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{kind}s-{championship.pk}-{stamp}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
    query = urlencode({k: v for k, v in request.GET.items() if k != "format"})
    if not query:
        query = urlencode({"kind": kind})
    if not has_perm(request.user, "registration.list_experts", championship):
        filters.fields["kind"].choices = [c for c in filters.fields["kind"].choices if c[0] != lists.EXPERT]
    return render(request, "registration/people.html", {
        "championship": championship, "title": title, "headers": headers, "rows": rows, "filters": filters,
        "query": query, "can_protocol": has_perm(request.user, "registration.manage_registration", championship),
        "breadcrumbs": _crumbs(championship)[:2] + [(title, None)],
    })


@login_required
@require_POST
def protocol(request: HttpRequest, pk: int) -> HttpResponse:
    """REG-15: the registration protocol as a document signed in the documents register."""
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.manage_registration", championship)
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    try:
        with translation.override("ru"):  # documents are in Russian whoever makes them (DOC-3)
            data = lists.protocol_data(championship, request.user)
            title = _("Протокол регистрации экспертов, наставников и участников")
        document = create_generated_document(
            championship=championship, doc_type=DocumentType.REGISTRATION, title=title, data=data,
            signers=[(request.user, _("Дирекция"))], by=request.user, generator="registration.protocol",
            source={"championship": championship.pk})
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("registration:people", pk=pk)
    messages.success(request, _("Протокол регистрации сформирован; подпишите его."))
    return redirect("documents:detail", pk=document.pk)


# --- Rules and import (Directorate) -------------------------------------------------------------


@login_required
def rules(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.manage_registration", championship)
    instance = domain.rules_for(championship)
    form = forms.RulesForm(request.POST or None, instance=instance)
    back = reverse("registration:list", args=[pk])
    return form_page(
        request, form=form, title=_("Правила регистрации"), breadcrumbs=_crumbs(championship)[:2],
        on_valid=lambda f: domain.save_rules(f.save(commit=False), by=request.user),
        success_url=reverse("registration:rules", args=[pk]), cancel_url=back,
        success_message=_("Правила регистрации сохранены."),
        extra={"help": _("Правила по возрастным категориям (классы, состав команды, московская школа, исключение для "
                         "братьев и сестёр) задаются в возрастных категориях чемпионата.")},
    )


@login_required
def import_page(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.manage_registration", championship)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                count = imports.run(championship, form.cleaned_data["kind"], form.cleaned_data["file"],
                                    by=request.user)
            except imports.ImportFailed as exc:
                report = exc.errors
            else:
                messages.success(request, _("Загружено записей: %(n)s.") % {"n": count})
                return redirect("registration:import", pk=pk)
    return render(request, "registration/import.html", {
        "championship": championship, "form": form, "report": report, "title": _("Загрузка из xlsx"),
        "kinds": imports.TEMPLATES, "breadcrumbs": _crumbs(championship)[:2] + [(_("Загрузка из xlsx"), None)],
    }, status=status)


@login_required
def import_template(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "registration.manage_registration", championship)
    if kind not in imports.TEMPLATES:
        raise Http404
    response = HttpResponse(imports.template(kind), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return response
