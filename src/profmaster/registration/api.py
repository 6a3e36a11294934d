"""HTTP API of registration (REG-1, X-1), mounted under /api/v1/: the same domain functions as the pages.

An application the person may not read answers 404 (its existence is not revealed); one they read but
may not change answers 403. Reading an application's people logs the access to minors' records (X-1).
"""

# No `from __future__ import annotations`: ninja builds query models from these annotations at runtime.
# mypy: disable-error-code="valid-type"

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from profmaster.api.pagination import LimitOffset
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, authorize_championship, current_user, get_or_404
from profmaster.api.types import Choice, Id, Text
from profmaster.championships.models import Championship
from profmaster.permissions import has_perm, require

from . import domain
from .models import Application, TeamMember

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
