"""HTTP API of registration (REG-1, X-1), mounted under /api/v1/: the same domain functions as the pages.

An application the person may not read answers 404 (its existence is not revealed); one they read but
may not change answers 403. Reading an application's people logs the access to minors' records (X-1).
"""

# No `from __future__ import annotations`: ninja builds query models from these annotations at runtime.
# mypy: disable-error-code="valid-type"

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from profmaster.api.pagination import LimitOffset
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, authorize_championship, current_user, get_or_404
from profmaster.api.types import Choice, Date, Id, PositiveSmallInt, Text
from profmaster.championships.models import Championship
from profmaster.organisations.models import Organisation
from profmaster.permissions import has_perm, require

from . import domain, lists
from .models import Application, Consent, ConsentForm, ConsentVersion, DocumentCheck, SubstitutionRequest, TeamMember

router = Router(tags=["Заявки"])


class MemberOut(Schema):
    id: int
    kind: str
    state: str
    last_name: str
    first_name: str
    patronymic: str
    organisation_id: int | None
    position: str
    clothing_size: str
    phone: str
    email: str
    birth_date: dt.date | None
    grade: int | None
    relation: str


class ViolationOut(Schema):
    rule: str
    person_id: int | None
    field: str
    message: str


class ApplicationOut(Schema):
    id: int
    championship_id: int
    competency_id: int
    age_category_id: int
    organisation_id: int
    status: str
    participants_are_siblings: bool
    out_of_competition: bool
    barred_from_next_stage: bool
    decision_reason: str


class ApplicationDetailOut(ApplicationOut):
    members: list[MemberOut]
    violations: list[ViolationOut]


class RemarkIn(Schema):
    member_id: Id | None = None
    field: Text(64) = ""
    text: Text(2000, min_length=1)


class ReturnIn(Schema):
    remarks: list[RemarkIn] = Field(..., min_length=1, max_length=100)


class ReasonIn(Schema):
    reason: Text(2000, min_length=1)


def _application(request: HttpRequest, application_id: int, perm: str = "registration.view_application") -> Application:
    message = _("Заявка не найдена.")
    application = get_or_404(Application.objects.select_related("championship", "age_category", "competency"),
                             application_id, message)
    user = current_user(request)
    if not has_perm(user, "registration.view_application", application):
        raise NotFound(message)
    require(user, perm, application)
    return application


def _detail(request: HttpRequest, application: Application) -> dict[str, Any]:
    members = list(application.members.select_related("organisation").order_by("kind", "pk"))
    domain.log_personal_data_access(current_user(request), members,
                                    what=_("API: заявка № %(pk)s") % {"pk": application.pk})
    active = [m for m in members if m.state == TeamMember.State.ACTIVE]
    violations = [{"rule": v.rule, "person_id": int(v.person) if v.person else None, "field": v.field,
                   "message": domain.violation_message(v)} for v in domain.check_application(application, active)]
    return {**ApplicationOut.model_validate(application).model_dump(), "members": members, "violations": violations}


@router.get("/championships/{championship_id}/applications", response={200: list[ApplicationOut], **READ_ERRORS},
            url_name="application_list", summary="Заявки чемпионата")
@paginate(LimitOffset)
def application_list(request: HttpRequest, championship_id: Id,
                     status: Choice(Application.Status) | None = None) -> Any:
    """Заявки, которые вы вправе видеть: Дирекция — все, главный эксперт — своей компетенции, заявитель — свои."""
    message = _("Чемпионат не найден.")
    championship = get_or_404(Championship, championship_id, message)
    authorize_championship(request, championship, message=message)
    user = current_user(request)
    require(user, "registration.list_applications", championship)
    queryset = domain.applications_visible_to(user, championship).order_by("pk")
    return queryset.filter(status=status) if status else queryset


@router.get("/applications/{application_id}", response={200: ApplicationDetailOut, **READ_ERRORS},
            url_name="application_detail", summary="Заявка с командой и проверкой по правилам")
def application_detail(request: HttpRequest, application_id: Id) -> Any:
    return _detail(request, _application(request, application_id))


@router.post("/applications/{application_id}/submit", response={200: ApplicationDetailOut, **WRITE_ERRORS},
             url_name="application_submit", summary="Подать (или повторно подать) заявку")
def application_submit(request: HttpRequest, application_id: Id) -> Any:
    """Черновик подаётся, возвращённая заявка — подаётся повторно; при нарушении правил — 400 с перечнем."""
    application = _application(request, application_id, "registration.change_application")
    if application.status == Application.Status.RETURNED:
        domain.resubmit_application(application, by=current_user(request))
    else:
        domain.submit_application(application, by=current_user(request))
    return _detail(request, application)


@router.post("/applications/{application_id}/approve", response={200: ApplicationDetailOut, **WRITE_ERRORS},
             url_name="application_approve", summary="Одобрить заявку")
def application_approve(request: HttpRequest, application_id: Id) -> Any:
    application = _application(request, application_id, "registration.review_application")
    domain.approve_application(application, by=current_user(request))
    return _detail(request, application)


@router.post("/applications/{application_id}/return", response={200: ApplicationDetailOut, **WRITE_ERRORS},
             url_name="application_return", summary="Вернуть заявку на доработку с замечаниями")
def application_return(request: HttpRequest, application_id: Id, payload: ReturnIn) -> Any:
    application = _application(request, application_id, "registration.review_application")
    members = application.members.in_bulk([r.member_id for r in payload.remarks if r.member_id])
    remarks = []
    for remark in payload.remarks:
        member = members.get(remark.member_id) if remark.member_id else None
        if remark.member_id and member is None:
            raise domain.DomainError(_("Человек %(id)s не из этой заявки.") % {"id": remark.member_id}, field="remarks")
        remarks.append((member, remark.field, remark.text))
    domain.return_application(application, by=current_user(request), remarks=remarks)
    return _detail(request, application)


@router.post("/applications/{application_id}/reject", response={200: ApplicationDetailOut, **WRITE_ERRORS},
             url_name="application_reject", summary="Отклонить заявку с причиной")
def application_reject(request: HttpRequest, application_id: Id, payload: ReasonIn) -> Any:
    application = _application(request, application_id, "registration.review_application")
    domain.reject_application(application, by=current_user(request), reason=payload.reason)
    return _detail(request, application)


# --- Consents (REG-6, REG-8) ----------------------------------------------------------------------


class ConsentOut(Schema):
    id: int
    member_id: int
    form_kind: str
    version_id: int
    version_number: int
    given_by: str
    given_by_name: str
    given_at: dt.datetime
    recorded_by_id: int
    withdrawn_at: dt.datetime | None
    withdrawal_note: str


class ConsentVersionIn(Schema):
    kind: Choice(ConsentForm.Kind)
    title: Text(300, min_length=1)
    text: Text(50_000, min_length=1)


class ConsentVersionOut(Schema):
    id: int
    form_id: int
    number: int
    text: str


class ConsentIn(Schema):
    version_id: Id
    given_by: Choice(Consent.GivenBy)
    given_by_name: Text(300, min_length=1)
    given_on: Date | None = None


class NoteIn(Schema):
    note: Text(2000, min_length=1)


def _consent_out(consent: Consent) -> dict[str, Any]:
    return {"id": consent.pk, "member_id": consent.member_id, "form_kind": consent.version.form.kind,
            "version_id": consent.version_id, "version_number": consent.version.number,
            "given_by": consent.given_by, "given_by_name": consent.given_by_name, "given_at": consent.given_at,
            "recorded_by_id": consent.recorded_by_id, "withdrawn_at": consent.withdrawn_at,
            "withdrawal_note": consent.withdrawal_note}


def _member(application: Application, member_id: int) -> TeamMember:
    return get_or_404(application.members.all(), member_id, _("Человек не найден в этой заявке."))


@router.post("/championships/{championship_id}/consent-versions", response={201: ConsentVersionOut, **WRITE_ERRORS},
             url_name="consent_version_publish", summary="Опубликовать новую версию текста согласия")
def consent_version_publish(request: HttpRequest, championship_id: Id, payload: ConsentVersionIn) -> Any:
    message = _("Чемпионат не найден.")
    championship = get_or_404(Championship, championship_id, message)
    authorize_championship(request, championship, message=message)
    require(current_user(request), "registration.manage_consents", championship)
    version = domain.publish_consent_version(championship=championship, by=current_user(request),
                                             **payload.model_dump())
    return Status(201, {"id": version.pk, "form_id": version.form_id, "number": version.number, "text": version.text})


@router.get("/applications/{application_id}/members/{member_id}/consents",
            response={200: list[ConsentOut], **READ_ERRORS}, url_name="member_consents",
            summary="Согласия человека: какие, кем, в какой версии, когда")
def member_consents(request: HttpRequest, application_id: Id, member_id: Id) -> Any:
    application = _application(request, application_id)
    member = _member(application, member_id)
    domain.log_personal_data_access(current_user(request), [member],
                                    what=_("API: согласия, заявка № %(pk)s") % {"pk": application.pk})
    return [_consent_out(c) for c in member.consents.select_related("version__form").order_by("-given_at", "pk")]


@router.post("/applications/{application_id}/members/{member_id}/consents",
             response={201: ConsentOut, **WRITE_ERRORS}, url_name="consent_record",
             summary="Записать полученное согласие (за несовершеннолетнего — родитель или наставник)")
def consent_record(request: HttpRequest, application_id: Id, member_id: Id, payload: ConsentIn) -> Any:
    application = _application(request, application_id, "registration.record_consent")
    member = _member(application, member_id)
    version = get_or_404(ConsentVersion.objects.filter(form__championship=application.championship),
                         payload.version_id, _("Версия согласия не найдена."))
    given_at = None
    if payload.given_on is not None:
        if payload.given_on > timezone.localdate():
            raise domain.DomainError(_("Дата согласия не может быть в будущем."), field="given_on")
        given_at = timezone.make_aware(dt.datetime.combine(payload.given_on, dt.time(12)))
    consent = domain.record_consent(member, version=version, given_by=payload.given_by,
                                    given_by_name=payload.given_by_name, given_at=given_at, by=current_user(request))
    return Status(201, _consent_out(consent))


@router.post("/consents/{consent_id}/withdraw", response={200: ConsentOut, **WRITE_ERRORS},
             url_name="consent_withdraw", summary="Записать отзыв согласия (обработка прекращается)")
def consent_withdraw(request: HttpRequest, consent_id: Id, payload: NoteIn) -> Any:
    consent = get_or_404(Consent.objects.select_related("member", "version__form"), consent_id,
                         _("Согласие не найдено."))
    _application(request, consent.member.application_id, "registration.record_consent")
    return _consent_out(domain.withdraw_consent(consent, by=current_user(request), note=payload.note))


# --- Substitution (REG-13) ------------------------------------------------------------------------


class IncomingIn(Schema):
    last_name: Text(150, min_length=1)
    first_name: Text(150, min_length=1)
    patronymic: Text(150) = ""
    organisation_id: Id | None = None
    position: Text(200) = ""
    clothing_size: Choice(TeamMember.ClothingSize) | None = None
    phone: Text(32) = ""
    email: Text(254) = ""
    birth_date: Date | None = None
    grade: PositiveSmallInt | None = None
    relation: Text(32) = ""


class SubstitutionIn(Schema):
    outgoing_id: Id
    incoming: IncomingIn
    reason: Text(2000, min_length=1)


class SubstitutionOut(Schema):
    id: int
    application_id: int
    outgoing_id: int
    incoming_id: int
    reason: str
    status: str
    decision_reason: str


class DecisionIn(Schema):
    approve: bool
    reason: Text(2000) = ""


@router.post("/applications/{application_id}/substitutions", response={201: SubstitutionOut, **WRITE_ERRORS},
             url_name="substitution_request", summary="Запросить замену одного члена команды")
def substitution_request(request: HttpRequest, application_id: Id, payload: SubstitutionIn) -> Any:
    """Не позднее чем за день до выступления команды; иначе — 400 с объяснением."""
    application = _application(request, application_id, "registration.request_substitution")
    outgoing = _member(application, payload.outgoing_id)
    data = payload.incoming.model_dump()
    data["clothing_size"] = data["clothing_size"] or ""
    if data["grade"] is not None and not 1 <= data["grade"] <= 11:
        raise domain.DomainError(_("Класс — от 1 до 11."), field="grade")
    if data["organisation_id"] is not None:
        get_or_404(Organisation, data["organisation_id"], _("Организация не найдена."))
    incoming = TeamMember(application=application, kind=outgoing.kind, **data)
    substitution = domain.request_substitution(application, outgoing=outgoing, incoming=incoming,
                                               reason=payload.reason, by=current_user(request))
    return Status(201, substitution)


@router.post("/substitutions/{substitution_id}/decide", response={200: SubstitutionOut, **WRITE_ERRORS},
             url_name="substitution_decide", summary="Одобрить замену или отказать (с основанием)")
def substitution_decide(request: HttpRequest, substitution_id: Id, payload: DecisionIn) -> Any:
    substitution = get_or_404(SubstitutionRequest.objects.all(), substitution_id, _("Замена не найдена."))
    _application(request, substitution.application_id, "registration.decide_substitution")
    return domain.decide_substitution(substitution, approve=payload.approve, by=current_user(request),
                                      reason=payload.reason)


# --- Document check (REG-7) -----------------------------------------------------------------------


class DocumentCheckIn(Schema):
    item: Choice(DocumentCheck.Item)
    outcome: Choice(DocumentCheck.Outcome)
    comment: Text(2000) = ""


class DocumentCheckOut(Schema):
    id: int
    member_id: int
    item: str
    outcome: str
    comment: str
    has_scan: bool
    checked_by_id: int
    checked_at: dt.datetime


def _check_out(check: DocumentCheck) -> dict[str, Any]:
    return {"id": check.pk, "member_id": check.member_id, "item": check.item, "outcome": check.outcome,
            "comment": check.comment, "has_scan": bool(check.scan), "checked_by_id": check.checked_by_id,
            "checked_at": check.checked_at}


@router.get("/applications/{application_id}/document-checks", response={200: list[DocumentCheckOut], **READ_ERRORS},
            url_name="document_checks", summary="Проверка документов команды перед финалом")
def document_checks(request: HttpRequest, application_id: Id) -> Any:
    application = _application(request, application_id, "registration.check_documents")
    return [_check_out(c) for c in DocumentCheck.objects.filter(member__application=application).order_by("pk")]


@router.post("/applications/{application_id}/members/{member_id}/document-checks",
             response={200: DocumentCheckOut, **WRITE_ERRORS}, url_name="document_check_record",
             summary="Отметить документ человека (сканы загружаются на странице)")
def document_check_record(request: HttpRequest, application_id: Id, member_id: Id, payload: DocumentCheckIn) -> Any:
    application = _application(request, application_id, "registration.check_documents")
    member = _member(application, member_id)
    return _check_out(domain.record_document_check(member, item=payload.item, outcome=payload.outcome,
                                                   comment=payload.comment, by=current_user(request)))


# --- Lists (REG-14) -------------------------------------------------------------------------------


class PeopleOut(Schema):
    kind: str
    headers: list[str]
    rows: list[list[str]]


@router.get("/championships/{championship_id}/people", response={200: PeopleOut, **READ_ERRORS},
            url_name="people_list", summary="Списки участников, наставников, экспертов")
def people_list(request: HttpRequest, championship_id: Id,
                kind: Choice(["participant", "mentor", "expert"]) = "participant") -> Any:
    """Участники и наставники — из заявок, которые вам видны; просмотр данных несовершеннолетних записывается."""
    message = _("Чемпионат не найден.")
    championship = get_or_404(Championship, championship_id, message)
    authorize_championship(request, championship, message=message)
    user = current_user(request)
    require(user, "registration.list_people", championship)
    if kind == lists.EXPERT:
        require(user, "registration.list_experts", championship)
    headers, rows = lists.build(user, championship, kind, {}, channel="API")
    return {"kind": kind, "headers": headers, "rows": rows}
