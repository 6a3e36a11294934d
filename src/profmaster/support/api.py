"""HTTP API of technical support (RM-6): requests, replies and the FAQ through the same domain functions as the
pages. A request the person may not read answers 404 (its existence is not revealed)."""

# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut
from profmaster.api.shortcuts import NotFound, current_user, get_or_404
from profmaster.api.types import Id
from profmaster.championships.models import Championship
from profmaster.permissions import has_perm, require

from . import domain, metrics
from .models import FaqEntry, SupportReply, SupportRequest

router = Router(tags=["Техническая поддержка"])
#: A flood is answered 429 like on the pages.
OPEN_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 429: ErrorOut}


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class SupportRequestIn(_In):
    text: str = Field(max_length=domain.TEXT_MAX)
    subject: str = Field("", max_length=domain.SUBJECT_MAX)
    page_url: str = Field("", max_length=domain.PAGE_MAX, description="Путь страницы сайта, с которой обращение")


class SupportReplyIn(_In):
    text: str = Field(max_length=domain.TEXT_MAX)


class SupportAssignIn(_In):
    assignee_id: int


class SupportFaqIn(_In):
    question: str = Field(max_length=300)
    answer: str = Field(max_length=domain.TEXT_MAX)
    order: int = Field(0, ge=0, le=32767)


class SupportReplyOut(Schema):
    id: int
    author_name: str
    from_staff: bool
    text: str
    created_at: dt.datetime


class SupportRequestOut(Schema):
    id: int
    championship_id: int
    number: int
    subject: str
    text: str
    page_url: str
    status: str
    author_name: str
    assignee_id: int | None
    created_at: dt.datetime
    first_answer_at: dt.datetime | None
    first_answer_seconds: int | None = Field(None, description="Только для Дирекции")
    replies: list[SupportReplyOut]


class SupportFaqOut(Schema):
    id: int
    question: str
    answer: str
    order: int


def _reply(reply: SupportReply) -> dict[str, Any]:
    return {"id": reply.pk, "author_name": reply.author_name, "from_staff": reply.from_staff, "text": reply.text,
            "created_at": reply.created_at}


def _out(item: SupportRequest, user: Any) -> dict[str, Any]:
    wait = metrics.first_answer_wait(item.created_at, item.first_answer_at)
    return {"id": item.pk, "championship_id": item.championship_id, "number": item.number, "subject": item.subject,
            "text": item.text, "page_url": item.page_url, "status": item.status, "author_name": item.author_name,
            "assignee_id": item.assignee_id, "created_at": item.created_at, "first_answer_at": item.first_answer_at,
            "first_answer_seconds": int(wait.total_seconds()) if wait is not None and has_perm(
                user, "support.view_response_times", item) else None,
            "replies": [_reply(r) for r in item.replies.order_by("created_at", "pk")]}


def _championship(championship_id: int) -> Championship:
    return get_or_404(Championship, championship_id, _("Чемпионат не найден."))


def _request(request: HttpRequest, request_id: int) -> SupportRequest:
    item = get_or_404(SupportRequest.objects.select_related("championship", "author", "assignee"), request_id,
                      _("Обращение не найдено."))
    if not has_perm(current_user(request), "support.view_request", item):
        raise NotFound(_("Обращение не найдено."))
    return item


@router.get("/championships/{championship_id}/support/requests", response={200: list[SupportRequestOut], **READ_ERRORS},
            url_name="support_requests_list", summary="Обращения мероприятия (дежурным и Дирекции)")
def requests_list(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(championship_id)
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", championship) and not has_perm(
            user, "support.view_desk", championship):
        raise NotFound(_("Чемпионат не найден."))
    require(user, "support.view_desk", championship)
    items = SupportRequest.objects.filter(championship=championship).select_related("championship").order_by(
        "-created_at", "-pk")[:500]
    return [_out(i, user) for i in items]


@router.post("/championships/{championship_id}/support/requests", response={201: SupportRequestOut, **OPEN_ERRORS},
             url_name="support_requests_open", summary="Открыть обращение в поддержку")
def requests_open(request: HttpRequest, championship_id: Id, payload: SupportRequestIn) -> Any:
    championship = _championship(championship_id)
    user = current_user(request)
    require(user, "support.open_request", championship)
    item = domain.open_request(championship, text=payload.text, subject=payload.subject, page_url=payload.page_url,
                               by=user, client_ip=str(request.META.get("REMOTE_ADDR") or ""),
                               channel=SupportRequest.Channel.API)
    return Status(201, _out(item, user))


@router.get("/me/support/requests", response={200: list[SupportRequestOut], **READ_ERRORS},
            url_name="support_my_requests", summary="Мои обращения")
def my_requests(request: HttpRequest) -> Any:
    user = current_user(request)
    return [_out(i, user) for i in SupportRequest.objects.filter(author=user).order_by("-created_at", "-pk")[:200]]


@router.get("/support/requests/{request_id}", response={200: SupportRequestOut, **READ_ERRORS},
            url_name="support_request_detail", summary="Обращение с перепиской")
def request_detail(request: HttpRequest, request_id: Id) -> Any:
    return _out(_request(request, request_id), current_user(request))


@router.post("/support/requests/{request_id}/replies", response={201: SupportReplyOut, **WRITE_ERRORS},
             url_name="support_request_reply",
             summary="Ответить (дежурный поддержки) или дополнить (автор)")
def request_reply(request: HttpRequest, request_id: Id, payload: SupportReplyIn) -> Any:
    item = _request(request, request_id)
    user = current_user(request)
    if has_perm(user, "support.follow_up_request", item):
        return Status(201, _reply(domain.add_author_message(item, text=payload.text, by=user)))
    # Anyone else who reads the request answers it — and the domain refuses whoever is not on duty.
    return Status(201, _reply(domain.answer_request(item, text=payload.text, by=user)))


@router.post("/support/requests/{request_id}/assign", response={200: SupportRequestOut, **WRITE_ERRORS},
             url_name="support_request_assign", summary="Назначить ответственного из дежурных")
def request_assign(request: HttpRequest, request_id: Id, payload: SupportAssignIn) -> Any:
    item = _request(request, request_id)
    user = current_user(request)
    require(user, "support.assign_request", item)
    assignee = get_user_model().objects.filter(pk=payload.assignee_id).first()
    return _out(domain.assign_request(item, assignee, by=user), user)


@router.post("/support/requests/{request_id}/close", response={200: SupportRequestOut, **WRITE_ERRORS},
             url_name="support_request_close", summary="Закрыть обращение")
def request_close(request: HttpRequest, request_id: Id) -> Any:
    item = _request(request, request_id)
    user = current_user(request)
    require(user, "support.close_request", item)
    return _out(domain.close_request(item, by=user), user)


@router.get("/championships/{championship_id}/support/faq", response={200: list[SupportFaqOut], **READ_ERRORS},
            url_name="support_faq_list", summary="Частые вопросы мероприятия")
def faq_list(request: HttpRequest, championship_id: Id) -> Any:
    championship = _championship(championship_id)
    if championship.status == Championship.Status.DRAFT and not has_perm(
            current_user(request), "championships.view_championship", championship):
        raise NotFound(_("Чемпионат не найден."))
    return [{"id": e.pk, "question": e.question, "answer": e.answer, "order": e.order}
            for e in FaqEntry.objects.filter(championship=championship)]


@router.post("/championships/{championship_id}/support/faq", response={201: SupportFaqOut, **WRITE_ERRORS},
             url_name="support_faq_create", summary="Добавить вопрос в FAQ (Дирекция)")
def faq_create(request: HttpRequest, championship_id: Id, payload: SupportFaqIn) -> Any:
    championship = _championship(championship_id)
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", championship):
        raise NotFound(_("Чемпионат не найден."))
    require(user, "support.manage_faq", championship)
    entry = domain.save_faq(FaqEntry(championship=championship), question=payload.question, answer=payload.answer,
                            order=payload.order, by=user)
    return Status(201, {"id": entry.pk, "question": entry.question, "answer": entry.answer, "order": entry.order})
