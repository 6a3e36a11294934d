"""HTTP API of video sessions (RM-3): sessions, invitations, attendance, recordings and the personal join link,
through the same domain functions as the pages. A session the person may not see answers 404 (as an unknown id);
one they see but may not change, 403."""

# mypy: disable-error-code="valid-type"

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from profmaster.accounts.models import Role, User
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404
from profmaster.api.types import Choice, Id, IdList, Text, WallClockDateTime
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.core.errors import DomainError
from profmaster.permissions import competency_filter, has_perm, require

from . import domain
from .models import Invitation, ProviderKind, Recording, VideoProvider, VideoSession

router = Router(tags=["Видеосессии"])
_DELETED = {204: None, **WRITE_ERRORS}


class _In(Schema):
    model_config = ConfigDict(extra="forbid")


class SessionIn(_In):
    kind: Choice(VideoSession.Kind)
    title: Text(300, min_length=1)
    starts_at: WallClockDateTime
    ends_at: WallClockDateTime
    provider_kind: Choice(ProviderKind)
    competency_id: Id | None = None
    provider_id: Id | None = None
    link_url: Text(1000) = ""
    record: bool = False
    description: Text(4000) = ""


class CancelIn(_In):
    reason: Text(2000, min_length=1)


class InviteIn(_In):
    user_ids: IdList = Field(default_factory=list)
    group: Choice([g for g, _label in domain.Group.CHOICES]) | None = None
    role: Choice(Invitation.Role) = Invitation.Role.PARTICIPANT


class AttendanceIn(_In):
    user_id: Id
    present: bool
    joined_at: WallClockDateTime | None = None
    left_at: WallClockDateTime | None = None


class RecordingIn(_In):
    url: Text(1000, min_length=1)


class SessionOut(Schema):
    id: int
    championship_id: int
    competency_id: int | None
    kind: str
    title: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    when: str = Field(description="Время в часовом поясе чемпионата с названием пояса.")
    status: str
    provider_kind: str
    record: bool
    cancel_reason: str
    page_url: str
    join_url: str = Field(description="Личная ссылка входа платформы: проверяет приглашение и ведёт на сервис.")
    my_role: str | None


class InvitationOut(Schema):
    user_id: int
    full_name: str
    role: str


class AttendanceOut(Schema):
    user_id: int
    full_name: str
    present: bool
    joined_at: dt.datetime | None
    left_at: dt.datetime | None
    source: str


class RecordingOut(Schema):
    id: int
    state: str
    started_at: dt.datetime | None
    size: int
    retention_until: dt.date
    refusal_reason: str
    erased_at: dt.datetime | None
    view_url: str | None
    job_id: int | None


class JoinOut(Schema):
    url: str


def _out(session: VideoSession, user: Any) -> dict[str, Any]:
    invitation = domain.invitation_of(session, user)
    return {"id": session.pk, "championship_id": session.championship_id, "competency_id": session.competency_id,
            "kind": session.kind, "title": session.title, "description": session.description,
            "starts_at": session.starts_at, "ends_at": session.ends_at, "time_zone": session.championship.time_zone,
            "when": domain.when(session), "status": session.status, "provider_kind": session.provider_kind,
            "record": session.record, "cancel_reason": session.cancel_reason,
            "page_url": reverse("video:detail", args=[session.pk]), "join_url": reverse("video:join", args=[session.pk]),
            "my_role": invitation.role if invitation else None}


def _recording_out(r: Recording) -> dict[str, Any]:
    return {"id": r.pk, "state": r.state, "started_at": r.started_at, "size": r.size,
            "retention_until": r.retention_until, "refusal_reason": r.refusal_reason, "erased_at": r.erased_at,
            "view_url": reverse("video:recording", args=[r.pk]) if r.state == Recording.State.STORED else None,
            "job_id": r.job_id}


def _championship(request: HttpRequest, championship_id: int) -> Championship:
    message = _("Чемпионат не найден.")
    championship = get_or_404(Championship, championship_id, message)
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", championship):
        raise NotFound(message)
    require(user, "video.view_schedule", championship)
    return championship


def _session(request: HttpRequest, session_id: int, perm: str | None = None) -> VideoSession:
    session = get_or_404(VideoSession.objects.select_related("championship", "competency", "provider"), session_id,
                         _("Видеосессия не найдена."))
    user = current_user(request)
    if not has_perm(user, "video.view_session", session):
        raise NotFound(_("Видеосессия не найдена."))
    if perm:
        require(user, perm, session)
    return session


def _aware(value: dt.datetime | None, championship: Championship) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=timezones.zone_of(championship))
    return value


def _fields(payload: SessionIn, championship: Championship, user: Any) -> dict[str, Any]:
    competency = None
    if payload.competency_id is not None:
        competency = Competency.objects.filter(pk=payload.competency_id, championship=championship).first()
        if competency is None:
            raise DomainError(_("Компетенция этого чемпионата не найдена."), field="competency_id")
    provider = None
    if payload.provider_id is not None:
        provider = VideoProvider.objects.filter(pk=payload.provider_id, championship=championship).first()
        if provider is None:
            raise DomainError(_("Сервер этого чемпионата не найден."), field="provider_id")
    require(user, "video.manage_session", VideoSession(championship=championship, competency=competency))
    return {"kind": payload.kind, "title": payload.title, "starts_at": _aware(payload.starts_at, championship),
            "ends_at": _aware(payload.ends_at, championship), "provider_kind": payload.provider_kind,
            "competency": competency, "provider": provider, "link_url": payload.link_url, "record": payload.record,
            "description": payload.description}


@router.get("/championships/{championship_id}/video-sessions", response={200: list[SessionOut], **READ_ERRORS},
            url_name="video_sessions_list", summary="Расписание видеосессий чемпионата")
def video_sessions_list(request: HttpRequest, championship_id: Id) -> Any:
    """Дирекции — все; главному эксперту — его компетенции и те, куда он приглашён."""
    championship = _championship(request, championship_id)
    user = current_user(request)
    sessions = VideoSession.objects.filter(championship=championship).select_related("championship")
    if not has_perm(user, "championships.manage_championship", championship):
        from django.db.models import Q

        sessions = sessions.filter(competency_filter(user, championship, Role.CHIEF_EXPERT)
                                   | Q(invitations__user=user)).distinct()
    return [_out(s, user) for s in sessions.order_by("starts_at", "pk")]


@router.post("/championships/{championship_id}/video-sessions", response={201: SessionOut, **WRITE_ERRORS},
             url_name="video_sessions_create", summary="Запланировать видеосессию")
def video_sessions_create(request: HttpRequest, championship_id: Id, payload: SessionIn) -> Any:
    """Время без смещения — в часовом поясе чемпионата. Запланировавший становится ведущим."""
    championship = _championship(request, championship_id)
    user = current_user(request)
    fields = _fields(payload, championship, user)
    session = domain.schedule_session(championship, by=user, **fields)
    return Status(201, _out(session, user))


@router.get("/my/video-sessions", response={200: list[SessionOut], **READ_ERRORS}, url_name="video_sessions_mine",
            summary="Мои видеосессии")
def video_sessions_mine(request: HttpRequest) -> Any:
    user = current_user(request)
    return [_out(s, user) for s in domain.sessions_of(user)]


@router.get("/video-sessions/{session_id}", response={200: SessionOut, **READ_ERRORS}, url_name="video_session_detail",
            summary="Видеосессия")
def video_session_detail(request: HttpRequest, session_id: Id) -> Any:
    return _out(_session(request, session_id), current_user(request))


@router.put("/video-sessions/{session_id}", response={200: SessionOut, **WRITE_ERRORS},
            url_name="video_session_update", summary="Изменить видеосессию")
def video_session_update(request: HttpRequest, session_id: Id, payload: SessionIn) -> Any:
    session = _session(request, session_id, "video.manage_session")
    user = current_user(request)
    return _out(domain.update_session(session, by=user, **_fields(payload, session.championship, user)), user)


@router.post("/video-sessions/{session_id}/cancel", response={200: SessionOut, **WRITE_ERRORS},
             url_name="video_session_cancel", summary="Отменить видеосессию")
def video_session_cancel(request: HttpRequest, session_id: Id, payload: CancelIn) -> Any:
    session = _session(request, session_id, "video.manage_session")
    user = current_user(request)
    return _out(domain.cancel_session(session, reason=payload.reason, by=user), user)


@router.get("/video-sessions/{session_id}/invitations", response={200: list[InvitationOut], **READ_ERRORS},
            url_name="video_invitations_list", summary="Приглашённые")
def video_invitations_list(request: HttpRequest, session_id: Id) -> Any:
    session = _session(request, session_id, "video.view_attendance")
    return [{"user_id": i.user_id, "full_name": i.user.full_name, "role": i.role}
            for i in session.invitations.select_related("user")]


@router.post("/video-sessions/{session_id}/invitations", response={201: list[InvitationOut], **WRITE_ERRORS},
             url_name="video_invitations_create", summary="Пригласить людей или группу")
def video_invitations_create(request: HttpRequest, session_id: Id, payload: InviteIn) -> Any:
    """`group`: panel (экспертная группа компетенции), contestants (участники компетенции), commission, directorate.
    Приглашённые получают письмо с личной ссылкой; уже приглашённые пропускаются."""
    session = _session(request, session_id, "video.manage_session")
    user = current_user(request)
    if payload.group:
        created = domain.invite_group(session, payload.group, role=payload.role, by=user)
    else:
        users = list(User.objects.filter(pk__in=payload.user_ids, is_active=True))
        if not users or len(users) != len(set(payload.user_ids)):
            raise DomainError(_("Укажите существующих людей (user_ids) или группу (group)."), field="user_ids")
        created = domain.invite(session, users, role=payload.role, by=user)
    return Status(201, [{"user_id": i.user_id, "full_name": i.user.full_name, "role": i.role} for i in created])


@router.delete("/video-sessions/{session_id}/invitations/{user_id}", response=_DELETED,
               url_name="video_invitations_delete", summary="Отозвать приглашение")
def video_invitations_delete(request: HttpRequest, session_id: Id, user_id: Id) -> Any:
    session = _session(request, session_id, "video.manage_session")
    invitation = session.invitations.filter(user_id=user_id).first()
    if invitation is None:
        raise NotFound(_("Этот человек не приглашён."))
    domain.uninvite(invitation, by=current_user(request))
    return Status(204, None)


@router.get("/video-sessions/{session_id}/attendance", response={200: list[AttendanceOut], **READ_ERRORS},
            url_name="video_attendance_list", summary="Посещаемость")
def video_attendance_list(request: HttpRequest, session_id: Id) -> Any:
    session = _session(request, session_id, "video.view_attendance")
    return [{"user_id": a.user_id, "full_name": a.user.full_name, "present": a.present, "joined_at": a.joined_at,
             "left_at": a.left_at, "source": a.source} for a in session.attendance.select_related("user")]


@router.post("/video-sessions/{session_id}/attendance", response={200: AttendanceOut, **WRITE_ERRORS},
             url_name="video_attendance_mark", summary="Отметить присутствие (ведущий)")
def video_attendance_mark(request: HttpRequest, session_id: Id, payload: AttendanceIn) -> Any:
    session = _session(request, session_id, "video.run_session")
    person = session.invitations.filter(user_id=payload.user_id).select_related("user").first()
    if person is None:
        raise NotFound(_("Этот человек не приглашён."))
    row = domain.mark_attendance(session, person.user, present=payload.present, by=current_user(request),
                                 joined_at=_aware(payload.joined_at, session.championship),
                                 left_at=_aware(payload.left_at, session.championship))
    return {"user_id": row.user_id, "full_name": person.user.full_name, "present": row.present,
            "joined_at": row.joined_at, "left_at": row.left_at, "source": row.source}


@router.get("/video-sessions/{session_id}/recordings", response={200: list[RecordingOut], **READ_ERRORS},
            url_name="video_recordings_list", summary="Видеозаписи")
def video_recordings_list(request: HttpRequest, session_id: Id) -> Any:
    """Только экспертной группе компетенции и Дирекции (п. 10 информационного письма)."""
    session = _session(request, session_id, "video.view_recordings")
    return [_recording_out(r) for r in session.recordings.order_by("started_at", "pk")]


@router.post("/video-sessions/{session_id}/recordings", response={201: RecordingOut, **WRITE_ERRORS},
             url_name="video_recordings_create", summary="Добавить запись по адресу файла")
def video_recordings_create(request: HttpRequest, session_id: Id, payload: RecordingIn) -> Any:
    """Файл копируется в хранилище платформы фоновым заданием (`job_id`); запись больше лимита не сохраняется."""
    session = _session(request, session_id, "video.run_session")
    row = domain.add_recording(session, url=payload.url, by=current_user(request))
    row.refresh_from_db()
    return Status(201, _recording_out(row))


@router.get("/video-sessions/{session_id}/join", response={200: JoinOut, **WRITE_ERRORS}, url_name="video_join",
            summary="Личная ссылка на видеосервис")
def video_join(request: HttpRequest, session_id: Id) -> Any:
    """Только приглашённому: подписанный адрес входа на сервис с его именем (BBB join, Jitsi JWT)."""
    session = _session(request, session_id)
    return {"url": domain.join_url(session, current_user(request))}
