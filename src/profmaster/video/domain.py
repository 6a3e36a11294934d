"""Video sessions, invitations, attendance and recordings (SPEC RM-3, RM-6 consultations, RM-7/X-1).

One function per state change (validate, write in one transaction, audit, queue e-mails); pages, the API,
the admin, Celery tasks and the BBB callback all call these:

* :func:`schedule_session` / :func:`update_session` / :func:`cancel_session` — the schedule of a championship;
  times are stored in UTC and printed in the championship's zone with the zone named.
* :func:`invite` / :func:`invite_group` / :func:`uninvite` — invitations per person; groups (the competency's
  panel, its contestants, the regional commission, the Directorate) resolve to people at the moment of inviting.
* :func:`join_url` — the person's signed join address on the service; nobody joins a session they are not
  invited to (:class:`~profmaster.core.errors.AccessDenied`).
* :func:`poll_attendance` (the periodic Celery task) and :func:`mark_attendance` (the host) — attendance.
* :func:`sync_recordings`, :func:`recording_ready` (the verified BBB callback), :func:`add_recording` (by URL,
  any service) list recordings; :func:`start_copy` copies one into private storage as a background job
  (:func:`copy_recording`, streaming, with a size limit — an oversized one is refused with the reason recorded).
* :func:`log_view` records every viewing; :func:`erase_expired_recordings` (scheduled) erases files past their
  retention date and records the erasure.

Calls to a video service are made outside database transactions (a slow server holds no lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import mimetypes
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.links import absolute_url
from profmaster.core.text import clean_text
from profmaster.jobs.domain import JobFailed, Progress, start_job
from profmaster.jobs.models import Job
from profmaster.notifications.domain import queue_email, usable_addresses

from . import providers
from .models import Attendance, Invitation, ProviderKind, Recording, RecordingView, VideoProvider, VideoSession

logger = logging.getLogger(__name__)
_audit = record  # for functions whose ``record`` argument (keep a video recording) hides the audit's

MB = 1024 * 1024
TEXT_MAX = 4000
#: The join link opens this long before the start (hosts and participants check their sound).
JOIN_EARLY = dt.timedelta(minutes=30)
#: … and stays open this long after the scheduled end (a session that overruns).
JOIN_LATE = dt.timedelta(minutes=60)
#: Kinds that belong to one competency (000 §5, §6, §10).
COMPETENCY_KINDS = frozenset({VideoSession.Kind.INSTRUCTION, VideoSession.Kind.CONTESTANT_EXPERT,
                              VideoSession.Kind.EVALUATION, VideoSession.Kind.EXPERT_GROUP})


class Group:
    PANEL = "panel"
    CONTESTANTS = "contestants"
    COMMISSION = "commission"
    DIRECTORATE = "directorate"

    CHOICES = (
        (PANEL, "Экспертная группа компетенции (главный эксперт и эксперты)"),
        (CONTESTANTS, "Все участники компетенции"),
        (COMMISSION, "Региональная конкурсная комиссия"),
        (DIRECTORATE, "Дирекция"),
    )


def _setting(name: str, default: Any = "") -> Any:
    value = settings.PROFMASTER.get(name)
    return default if value in (None, "") else value


def recording_limit() -> int:
    return int(_setting("VIDEO_RECORDING_MAX_BYTES", 4096 * MB))


def retention_days() -> int:
    return int(_setting("VIDEO_RECORDING_RETENTION_DAYS", 365))


def _size_label(value: int) -> str:
    return providers._size_label(value)


def when(session: VideoSession) -> str:
    """«21.04.2023 10:00–11:30 (Владивосток, UTC+10)»: the session's time in its championship's zone."""
    zone = timezones.zone_of(session.championship)
    start = timezones.local(session.starts_at, zone)
    end = timezones.local(session.ends_at, zone)
    end_fmt = "%H:%M" if start.date() == end.date() else "%d.%m.%Y %H:%M"
    return f"{start:%d.%m.%Y %H:%M}–{end.strftime(end_fmt)} ({timezones.zone_label(zone, session.starts_at)})"


# --- The service of a session --------------------------------------------------------------------------------


def provider_config(session: VideoSession) -> providers.ProviderConfig:
    """The service's settings: the championship's configured server, else the platform's (environment)."""
    kind = session.provider_kind
    if kind == ProviderKind.LINK:
        return providers.ProviderConfig(kind="link")
    row = session.provider
    if row is not None:
        return providers.ProviderConfig(kind=row.kind, server_url=row.server_url, secret=row.secret,
                                        app_id=row.app_id, checksum=row.checksum)
    if kind == ProviderKind.BBB:
        return providers.ProviderConfig(kind="bbb", server_url=_setting("VIDEO_BBB_URL"),
                                        secret=_setting("VIDEO_BBB_SECRET"),
                                        checksum=_setting("VIDEO_BBB_CHECKSUM", "sha256"))
    return providers.ProviderConfig(kind="jitsi", server_url=_setting("VIDEO_JITSI_URL"),
                                    secret=_setting("VIDEO_JITSI_SECRET"), app_id=_setting("VIDEO_JITSI_APP_ID"),
                                    audience=_setting("VIDEO_JITSI_AUDIENCE", "jitsi"))


def _adapter(session: VideoSession) -> providers.Provider:
    try:
        return providers.adapter(provider_config(session))
    except providers.ProviderError as exc:
        raise DomainError(exc.message) from exc


def _password(session: VideoSession, role: str) -> str:
    """BBB's meeting passwords, derived (never stored, never shown): the join URL is signed anyway."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{session.room}:{role}".encode(), hashlib.sha256).hexdigest()[:24]


def meeting(session: VideoSession) -> providers.Meeting:
    minutes = int((session.ends_at - session.starts_at + JOIN_LATE).total_seconds() // 60)
    return providers.Meeting(
        room=session.room, name=session.title, record=session.record, link_url=session.link_url,
        moderator_password=_password(session, "moderator"), attendee_password=_password(session, "attendee"),
        recording_ready_url=absolute_url(reverse("video:bbb_recording_ready", args=[session.pk])),
        logout_url=absolute_url(reverse("video:detail", args=[session.pk])), duration_minutes=minutes)


def service_lists_attendance(session: VideoSession) -> bool:
    return session.provider_kind == ProviderKind.BBB


# --- The schedule ---------------------------------------------------------------------------------------------


def _check_session(session: VideoSession) -> None:
    if session.kind not in VideoSession.Kind.values:
        raise DomainError(_("Выберите вид видеосессии."), field="kind")
    if session.competency is not None and session.competency.championship_id != session.championship_id:
        raise DomainError(_("Компетенция другого чемпионата."), field="competency")
    if session.kind in COMPETENCY_KINDS and session.competency_id is None:
        raise DomainError(_("Укажите компетенцию: «%(kind)s» проводится для одной компетенции.")
                          % {"kind": VideoSession.Kind(session.kind).label}, field="competency")
    if session.provider_kind not in ProviderKind.values:
        raise DomainError(_("Выберите видеосервис."), field="provider_kind")
    if session.provider_id is not None:
        provider = session.provider
        if provider is None or provider.championship_id != session.championship_id:
            raise DomainError(_("Этот сервер настроен для другого чемпионата."), field="provider")
        if provider.kind != session.provider_kind:
            raise DomainError(_("Выбранный сервер — другого видеосервиса."), field="provider")
    if session.provider_kind == ProviderKind.LINK:
        url = (session.link_url or "").strip()
        if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not urllib.parse.urlsplit(url).netloc:
            raise DomainError(_("Укажите ссылку на видеовстречу (https://…)."), field="link_url")
        session.provider = None
    else:
        session.link_url = ""
    for name in ("starts_at", "ends_at"):
        value = getattr(session, name)
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            raise DomainError(_("Укажите дату и время."), field=name)
    if session.ends_at <= session.starts_at:
        raise DomainError(_("Окончание должно быть позже начала."), field="ends_at")
    if session.ends_at - session.starts_at > dt.timedelta(hours=24):
        raise DomainError(_("Видеосессия длится не больше суток."), field="ends_at")
    if session.kind == VideoSession.Kind.CONTESTANT_EXPERT:
        session.record = True  # 000 §6: always recorded
    session.title = clean_text(session.title, field="title", what=_("Название"), max_length=300)
    session.description = clean_text(session.description, field="description", what=_("Описание"), required=False,
                                     max_length=TEXT_MAX)


def schedule_session(championship: Championship, *, kind: str, title: str, starts_at: dt.datetime,
                     ends_at: dt.datetime, provider_kind: str, competency: Competency | None = None,
                     provider: VideoProvider | None = None, link_url: str = "", record: bool = False,
                     description: str = "", hosts: Sequence[Any] = (), by: Any) -> VideoSession:
    """Put a session on the championship's schedule; its hosts (default: whoever schedules it) are invited."""
    session = VideoSession(championship=championship, competency=competency, kind=kind, title=title,
                           description=description, starts_at=starts_at, ends_at=ends_at,
                           provider_kind=provider_kind, provider=provider, link_url=link_url or "",
                           record=bool(record), room=VideoSession.new_room(), created_by=by)
    _check_session(session)
    with transaction.atomic():
        session.save()
        _audit(actor=by, action=AuditEntry.Action.CREATE, instance=session, after=_snapshot(session))
        _invite(session, list(hosts) or [by], role=Invitation.Role.HOST, by=by, notify=bool(hosts))
    return session


def _snapshot(session: VideoSession) -> dict[str, Any]:
    data = snapshot(session)
    data.pop("room", None)
    return data


def update_session(session: VideoSession, *, by: Any, **changes: Any) -> VideoSession:
    """Change the time, title, service…; the invited are told of a new time."""
    allowed = {"kind", "title", "description", "starts_at", "ends_at", "provider_kind", "provider", "link_url",
               "record", "competency"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("Эти поля не меняются: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = VideoSession.objects.select_for_update().select_related("championship").get(pk=session.pk)
        if locked.is_cancelled:
            raise TransitionError(_("Видеосессия отменена: изменить её нельзя."))
        before = _snapshot(locked)
        old_when = when(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_session(locked)
        locked.save()
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, before=before, after=_snapshot(locked))
        if when(locked) != old_when:
            _notify(locked, "video_session_changed", _invited_users(locked), old_when=old_when)
    return locked


def cancel_session(session: VideoSession, *, reason: str, by: Any) -> VideoSession:
    reason = clean_text(reason, field="reason", what=_("Причина отмены"), max_length=TEXT_MAX)
    with transaction.atomic():
        locked = VideoSession.objects.select_for_update().select_related("championship").get(pk=session.pk)
        if locked.is_cancelled:
            raise TransitionError(_("Видеосессия уже отменена."))
        before = _snapshot(locked)
        locked.status, locked.cancelled_at, locked.cancel_reason = (VideoSession.Status.CANCELLED, timezone.now(),
                                                                    reason)
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        record(actor=by, action="video.cancel", instance=locked, before=before, after=_snapshot(locked), reason=reason)
        _notify(locked, "video_session_cancelled", _invited_users(locked), reason=reason)
    return locked


# --- Invitations --------------------------------------------------------------------------------------------


def _invited_users(session: VideoSession) -> list[Any]:
    return [i.user for i in session.invitations.select_related("user") if i.user.is_active]


def _notify(session: VideoSession, template: str, users: Iterable[Any], **extra: Any) -> None:
    addresses = usable_addresses(u.email for u in users)
    if not addresses:
        return
    queue_email(template, {
        "title": session.title, "kind": str(VideoSession.Kind(session.kind).label), "when": when(session),
        "championship": session.championship.name,
        "competency": session.competency.name if session.competency is not None else "",
        "join_url": absolute_url(reverse("video:join", args=[session.pk])),
        "session_url": absolute_url(reverse("video:detail", args=[session.pk])), **extra,
    }, addresses, championship=session.championship, related=session)


def _in_championship(session: VideoSession, users: Iterable[Any]) -> list[Any]:
    """Only people with a role in the session's championship (or the platform Directorate) may be invited."""
    ids = {u.pk for u in users}
    allowed = set(RoleAssignment.objects.filter(user_id__in=ids).filter(
        Q(championship_id=session.championship_id) | Q(role=Role.DIRECTORATE, championship__isnull=True))
        .values_list("user_id", flat=True))
    outsiders = [u for u in users if u.pk not in allowed]
    if outsiders:
        raise DomainError(_("Пригласить можно только людей с ролью в этом чемпионате: %(names)s.")
                          % {"names": ", ".join(sorted(str(u) for u in outsiders))}, field="users")
    return list(users)


def _invite(session: VideoSession, users: Sequence[Any], *, role: str, by: Any, notify: bool = True) -> list[Invitation]:
    if role not in Invitation.Role.values:
        raise DomainError(_("Укажите роль приглашённого."), field="role")
    users = [u for u in {u.pk: u for u in users if u is not None and u.is_active}.values()]
    _in_championship(session, users)
    existing = dict(session.invitations.values_list("user_id", "role"))
    created = []
    for user in users:
        if user.pk in existing:
            if role == Invitation.Role.HOST and existing[user.pk] != role:  # a participant becomes a host
                session.invitations.filter(user=user).update(role=role)
            continue
        created.append(Invitation(session=session, user=user, role=role, invited_by=by))
    if not created:
        return []
    try:
        with transaction.atomic():
            Invitation.objects.bulk_create(created)
    except IntegrityError as exc:
        raise DomainError(_("Приглашения изменились одновременно с вашими. Обновите страницу и повторите.")) from exc
    record(actor=by, action="video.invite", instance=session, after={
        "role": role, "users": sorted(i.user_id for i in created)})
    if notify:
        _notify(session, "video_invitation", [i.user for i in created],
                role=str(Invitation.Role(role).label))
    return created


def invite(session: VideoSession, users: Sequence[Any], *, role: str = Invitation.Role.PARTICIPANT,
           by: Any) -> list[Invitation]:
    """Invite people (each gets an e-mail with their personal join link); already invited ones are skipped."""
    if session.is_cancelled:
        raise TransitionError(_("Видеосессия отменена: приглашать на неё нельзя."))
    with transaction.atomic():
        VideoSession.objects.select_for_update().only("pk").get(pk=session.pk)
        return _invite(session, users, role=role, by=by)


def group_members(session: VideoSession, group: str) -> list[Any]:
    """The people of an invitation group, as of now."""
    championship, competency = session.championship, session.competency
    assignments = RoleAssignment.objects.filter(championship=championship)
    if group in (Group.PANEL, Group.CONTESTANTS):
        if competency is None:
            raise DomainError(_("У видеосессии нет компетенции: укажите её, чтобы пригласить экспертную группу "
                                "или участников."), field="group")
        if group == Group.PANEL:
            ids = set(assignments.filter(role__in=[Role.CHIEF_EXPERT, Role.EXPERT], competency=competency)
                      .values_list("user_id", flat=True))
        else:
            ids = set(assignments.filter(role=Role.PARTICIPANT, competency=competency).values_list("user_id", flat=True))
            from profmaster.registration.models import TeamMember

            ids |= set(TeamMember.objects.filter(
                application__competency=competency, application__status="approved", kind=TeamMember.Kind.PARTICIPANT,
                state=TeamMember.State.ACTIVE, user__isnull=False,
                user__role_assignments__championship=championship).values_list("user_id", flat=True))
    elif group == Group.COMMISSION:
        ids = set(assignments.filter(role=Role.REGIONAL_COMMISSION).values_list("user_id", flat=True))
    elif group == Group.DIRECTORATE:
        ids = set(assignments.filter(role=Role.DIRECTORATE).values_list("user_id", flat=True))
    else:
        raise DomainError(_("Неизвестная группа приглашённых."), field="group")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name"))


def invite_group(session: VideoSession, group: str, *, role: str = Invitation.Role.PARTICIPANT,
                 by: Any) -> list[Invitation]:
    """Invite a whole group: the competency's panel, its contestants, the regional commission, the Directorate."""
    members = group_members(session, group)
    if not members:
        raise DomainError(_("В этой группе пока никого нет."), field="group")
    return invite(session, members, role=role, by=by)


def uninvite(invitation: Invitation, *, by: Any) -> None:
    session = invitation.session
    with transaction.atomic():
        if invitation.role == Invitation.Role.HOST and session.invitations.filter(role=Invitation.Role.HOST).count() <= 1:
            raise DomainError(_("Это единственный ведущий: сначала назначьте другого."))
        before = {"user": invitation.user_id, "role": invitation.role}
        invitation.delete()
        record(actor=by, action="video.uninvite", instance=session, before=before)


def invitation_of(session: VideoSession, user: Any) -> Invitation | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return session.invitations.filter(user=user).first()


def sessions_of(user: Any) -> QuerySet[VideoSession]:
    """«Мои видеосессии»: every session the person is invited to."""
    return (VideoSession.objects.filter(invitations__user=user).select_related("championship", "competency")
            .order_by("starts_at", "pk").distinct())


def coming_consultations(championship: Any, user: Any) -> list[dict[str, Any]]:
    """RM-6 (000 §13): the event's coming consultations of technical support, in the championship's zone, each
    with whether ``user`` is invited (the support desk lists them; the invited open theirs)."""
    zone = timezones.zone_of(championship)
    sessions = list(VideoSession.objects.filter(championship=championship, kind=VideoSession.Kind.CONSULTATION,
                                                status=VideoSession.Status.SCHEDULED, ends_at__gte=timezone.now())
                    .order_by("starts_at", "pk")[:10])
    invited: set[int] = set()
    if getattr(user, "is_authenticated", False):
        invited = set(VideoSession.objects.filter(pk__in=[s.pk for s in sessions], invitations__user=user)
                      .values_list("pk", flat=True))
    return [{"session": s, "starts": timezones.format_local(s.starts_at, zone), "invited": s.pk in invited}
            for s in sessions]


# --- Joining ---------------------------------------------------------------------------------------------


def join_window(session: VideoSession) -> tuple[dt.datetime, dt.datetime]:
    return session.starts_at - JOIN_EARLY, session.ends_at + JOIN_LATE


def join_url(session: VideoSession, user: Any, *, now: dt.datetime | None = None) -> str:
    """The person's own join address on the service (signed, carrying their platform identity).

    Refused with :class:`AccessDenied` for anyone not invited, with a clear message for a cancelled session or
    outside the join window (30 min before the start until an hour after the end).
    """
    invitation = invitation_of(session, user)
    if invitation is None:
        raise AccessDenied(_("Вы не приглашены на эту видеосессию. Войти в неё может только приглашённый; "
                             "если это ошибка, обратитесь к ведущему или в Дирекцию."))
    if session.is_cancelled:
        raise TransitionError(_("Видеосессия отменена: %(reason)s") % {"reason": session.cancel_reason})
    now = now or timezone.now()
    opens, closes = join_window(session)
    zone = timezones.zone_of(session.championship)
    if now < opens:
        raise TransitionError(_("Вход откроется %(at)s — за 30 минут до начала.")
                              % {"at": timezones.format_local(opens, zone)})
    if now > closes:
        raise TransitionError(_("Видеосессия завершилась %(at)s.") % {"at": timezones.format_local(session.ends_at, zone)})
    adapter = _adapter(session)
    host = invitation.role == Invitation.Role.HOST
    person = providers.Person(user_id=f"pm-{user.pk}", full_name=user.full_name or user.email, email=user.email,
                              host=host)
    spec = meeting(session)
    try:
        if host or session.provider_kind != ProviderKind.BBB or session.meeting_created_at is None:
            adapter.prepare(spec)  # BBB's create is idempotent; the first to come opens the meeting
        url = adapter.join_url(spec, person)
    except providers.ProviderError as exc:
        raise DomainError(_("Видеосервис недоступен: %(error)s Попробуйте ещё раз через минуту или обратитесь в "
                            "техническую поддержку.") % {"error": exc.message}) from exc
    with transaction.atomic():
        if session.meeting_created_at is None and session.provider_kind == ProviderKind.BBB:
            VideoSession.objects.filter(pk=session.pk, meeting_created_at__isnull=True).update(meeting_created_at=now)
        record(actor=user, action="video.join", instance=session, after={"role": invitation.role})
    return url


def end_meeting(session: VideoSession, *, by: Any) -> None:
    """End the meeting on the service (BBB) and close the attendance of those still in it."""
    adapter = _adapter(session)
    try:
        adapter.end(meeting(session))
    except providers.ProviderError as exc:
        raise DomainError(exc.message) from exc
    now = timezone.now()
    with transaction.atomic():
        VideoSession.objects.filter(pk=session.pk).update(ended_at=now)
        Attendance.objects.filter(session=session, source=Attendance.Source.SERVICE, left_at__isnull=True,
                                  joined_at__isnull=False).update(left_at=now)
        record(actor=by, action="video.end", instance=session, after={"ended_at": now.isoformat()})


# --- Attendance -------------------------------------------------------------------------------------------


def _user_from_service_id(value: str) -> int | None:
    if value.startswith("pm-") and value[3:].isdigit():
        return int(value[3:])
    return None


def poll_attendance(session: VideoSession, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Read who is in the meeting now (BBB getMeetingInfo) and update joined/left times: a newcomer gets its
    join time, a person no longer there its leaving time; a meeting no longer running closes everyone's.
    Only invited people are counted (the join link carries their id)."""
    now = now or timezone.now()
    if not service_lists_attendance(session):
        return {"joined": 0, "left": 0}
    try:
        attendees = _adapter(session).attendees(meeting(session))
    except providers.ProviderError as exc:
        raise DomainError(exc.message) from exc
    present = {uid for a in attendees or [] if (uid := _user_from_service_id(a.user_id)) is not None}
    invited = set(session.invitations.values_list("user_id", flat=True))
    present &= invited
    joined = left = 0
    with transaction.atomic():
        rows = {a.user_id: a for a in Attendance.objects.select_for_update().filter(session=session)}
        for user_id in present:
            row = rows.get(user_id)
            if row is None:
                Attendance.objects.create(session=session, user_id=user_id, present=True, joined_at=now,
                                          source=Attendance.Source.SERVICE)
                joined += 1
            elif row.source == Attendance.Source.SERVICE and row.left_at is not None:
                row.left_at = None  # came back: the stay runs on
                row.save(update_fields=["left_at", "updated_at"])
        for user_id, row in rows.items():
            if user_id not in present and row.source == Attendance.Source.SERVICE and row.left_at is None \
                    and row.joined_at is not None:
                row.left_at = max(now, row.joined_at)
                row.save(update_fields=["left_at", "updated_at"])
                left += 1
        VideoSession.objects.filter(pk=session.pk).update(attendance_polled_at=now)
        if joined or left:
            record(actor=None, action="video.attendance", instance=session,
                   after={"joined": joined, "left": left, "present": sorted(present)})
    return {"joined": joined, "left": left}


def sessions_to_poll(now: dt.datetime | None = None) -> QuerySet[VideoSession]:
    """BBB sessions whose join window is open now (the periodic task polls these)."""
    now = now or timezone.now()
    return VideoSession.objects.filter(
        provider_kind=ProviderKind.BBB, status=VideoSession.Status.SCHEDULED, ended_at__isnull=True,
        starts_at__lte=now + JOIN_EARLY, ends_at__gte=now - JOIN_LATE)


def poll_all(now: dt.datetime | None = None) -> int:
    done = 0
    for session in sessions_to_poll(now).select_related("championship", "provider"):
        try:
            poll_attendance(session, now=now)
            done += 1
        except DomainError as exc:
            logger.warning("video session %s: attendance not read: %s", session.pk, exc.message)
    return done


def mark_attendance(session: VideoSession, user: Any, *, present: bool, by: Any,
                    joined_at: dt.datetime | None = None, left_at: dt.datetime | None = None) -> Attendance:
    """The host marks a person present or absent (any service; overrides what the service said)."""
    if invitation_of(session, user) is None:
        raise DomainError(_("Этот человек не приглашён на видеосессию."), field="user")
    if session.is_cancelled:
        raise TransitionError(_("Видеосессия отменена."))
    if present and joined_at is None:
        joined_at = session.starts_at
    if not present:
        joined_at = left_at = None
    if joined_at and left_at and left_at < joined_at:
        raise DomainError(_("Время выхода раньше времени входа."), field="left_at")
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(session=session, user=user).first()
        before = snapshot(row) if row else None
        row = row or Attendance(session=session, user=user)
        row.present, row.joined_at, row.left_at = present, joined_at, left_at
        row.source, row.recorded_by = Attendance.Source.HOST, by
        row.save()
        record(actor=by, action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE, instance=row,
               before=before, after=snapshot(row), championship=session.championship)
    return row


# --- Recordings ------------------------------------------------------------------------------------------


def default_retention(session: VideoSession) -> dt.date:
    return timezones.local_date(session.ends_at, session.championship) + dt.timedelta(days=retention_days())


def _upsert_recording(session: VideoSession, info: providers.RecordingInfo, *, by: Any = None) -> tuple[Recording, bool]:
    with transaction.atomic():
        row = Recording.objects.select_for_update().filter(session=session, provider_record_id=info.record_id).first()
        if row is None:
            row = Recording.objects.create(
                session=session, provider_record_id=info.record_id[:200], source_url=info.download_url,
                playback_url=info.playback_url, started_at=info.started_at, ended_at=info.ended_at,
                size=info.size, retention_until=default_retention(session), created_by=by)
            record(actor=by, action=AuditEntry.Action.CREATE, instance=row, after=snapshot(row),
                   championship=session.championship)
            return row, True
        changed = [name for name, value in (("source_url", info.download_url), ("playback_url", info.playback_url),
                                            ("started_at", info.started_at), ("ended_at", info.ended_at))
                   if value and getattr(row, name) != value and row.state != Recording.State.ERASED]
        for name in changed:
            setattr(row, name, getattr(info, {"source_url": "download_url"}.get(name, name)))
        if changed:
            row.save(update_fields=changed)
        return row, False


def sync_recordings(session: VideoSession, *, by: Any = None, copy: bool = True) -> list[Recording]:
    """List the session's recordings on the service (BBB getRecordings) and copy new ones into storage."""
    adapter = _adapter(session)
    if not adapter.lists_recordings:
        return list(session.recordings.all())
    try:
        found = adapter.recordings(meeting(session))
    except providers.ProviderError as exc:
        raise DomainError(exc.message) from exc
    rows = []
    for info in found:
        row, _created = _upsert_recording(session, info, by=by)
        rows.append(row)
        if copy and row.state == Recording.State.LISTED and row.source_url:
            start_copy(row, by=by)
    return rows


def recording_ready(session: VideoSession, signed_parameters: str) -> Recording:
    """BBB's recording-ready callback: verified with the shared secret (a forged one changes nothing), the
    recording is listed and a background job fetches its details and copies it."""
    config = provider_config(session)
    if config.kind != ProviderKind.BBB or not config.secret:
        raise AccessDenied(_("Эта видеосессия не принимает уведомления видеосервиса."))
    try:
        claims = providers.verify_recording_ready(signed_parameters, config.secret)
    except providers.ProviderError as exc:
        raise AccessDenied(exc.message) from exc
    if claims["meeting_id"] != session.room:
        raise AccessDenied(_("Уведомление относится к другой видеовстрече."))
    info = providers.RecordingInfo(record_id=claims["record_id"], started_at=None, ended_at=None, published=True,
                                   playback_url="", download_url="", size=0)
    row, created = _upsert_recording(session, info)
    if created:
        start_job(fetch_recordings, kind="video.fetch_recordings", title=_("Записи видеосессии «%(t)s»")
                  % {"t": session.title}, by=None, championship=session.championship, competency=session.competency,
                  view_permission="video.manage_session", payload={"session": session.pk},
                  result_url=reverse("video:detail", args=[session.pk]), result_label=_("К видеосессии"))
    return row


def fetch_recordings(job: Job, progress: Progress) -> dict[str, Any]:
    """Job runner: list the session's recordings on the service and start the copies."""
    session = VideoSession.objects.select_related("championship", "provider").filter(
        pk=int(job.payload.get("session") or 0)).first()
    if session is None:
        raise JobFailed(_("Видеосессия не найдена."))
    rows = sync_recordings(session)
    progress(1, 1, "")
    return {"summary": _("Записей на сервере: %(n)s.") % {"n": len(rows)}}


def add_recording(session: VideoSession, *, url: str, by: Any) -> Recording:
    """Add a recording by the address of its file (any service: Jitsi, a venue's camera, another platform);
    it is copied into private storage by a background job."""
    url = clean_text(url, field="url", what=_("Адрес файла записи"), max_length=1000)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(_("Укажите адрес файла записи (https://…)."), field="url")
    record_id = "url-" + hashlib.sha256(url.encode()).hexdigest()[:32]
    if session.recordings.filter(provider_record_id=record_id).exists():
        raise DomainError(_("Эта запись уже добавлена."), field="url")
    row, _created = _upsert_recording(session, providers.RecordingInfo(
        record_id=record_id, started_at=None, ended_at=None, published=True, playback_url="", download_url=url,
        size=0), by=by)
    start_copy(row, by=by)
    return row


def start_copy(recording: Recording, *, by: Any) -> Job:
    """Queue the copy of a listed (or refused) recording into private storage."""
    with transaction.atomic():
        row = Recording.objects.select_for_update().select_related("session__championship").get(pk=recording.pk)
        if row.state not in (Recording.State.LISTED, Recording.State.REFUSED):
            raise TransitionError(_("Запись уже скопирована или копируется."))
        if not row.source_url:
            raise DomainError(_("Видеосервис не дал файла этой записи: скопировать нечего."))
        session = row.session
        job = start_job(copy_recording, kind="video.copy_recording",
                        title=_("Копирование записи видеосессии «%(t)s»") % {"t": session.title}, by=by,
                        championship=session.championship, competency=session.competency,
                        view_permission="video.manage_session", payload={"recording": row.pk},
                        result_url=reverse("video:detail", args=[session.pk]), result_label=_("К видеосессии"))
        row.state, row.job, row.refusal_reason = Recording.State.COPYING, job, ""
        row.save(update_fields=["state", "job", "refusal_reason"])
    return job


def _refuse(recording: Recording, reason: str) -> None:
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(state=Recording.State.REFUSED, refusal_reason=reason[:4000])
        record(actor=None, action="video.refused", instance=recording, reason=reason,
               championship=recording.session.championship, after={"state": Recording.State.REFUSED})


def copy_recording(job: Job, progress: Progress) -> dict[str, Any]:
    """Job runner: stream the recording's file into private storage. Over the size limit (declared or as it
    arrives) the download stops, nothing is kept, and the refusal's reason is recorded on the recording."""
    recording = Recording.objects.select_related("session__championship").filter(
        pk=int(job.payload.get("recording") or 0)).first()
    if recording is None:
        raise JobFailed(_("Запись не найдена."))
    if recording.state != Recording.State.COPYING:
        return {"summary": _("Запись уже обработана.")}
    limit = recording_limit()
    name = urllib.parse.urlsplit(recording.source_url).path.rsplit("/", 1)[-1] or "recording.mp4"
    content_type = mimetypes.guess_type(name)[0] or "video/mp4"
    buffer = TemporaryUploadedFile(name, content_type, 0, None)
    try:
        try:
            for done, total in _write(buffer, recording.source_url, limit):
                progress(min(done, total), total, _("Скопировано %(done)s") % {"done": _size_label(done)})
        except providers.TooLarge as exc:
            reason = _("%(error)s Ничего не сохранено: уменьшите размер записи (разрешение, длительность) или "
                       "попросите Дирекцию увеличить лимит.") % {"error": exc.message}
            _refuse(recording, reason)
            raise JobFailed(reason) from exc
        except providers.ProviderError as exc:
            _refuse(recording, exc.message)
            raise JobFailed(exc.message) from exc
        size = buffer.tell()
        if size == 0:
            _refuse(recording, _("Сервер записи прислал пустой файл."))
            raise JobFailed(_("Сервер записи прислал пустой файл."))
        buffer.seek(0)
        with transaction.atomic():
            row = Recording.objects.select_for_update().get(pk=recording.pk)
            row.file.save(name, buffer, save=False)
            row.state, row.size, row.content_type = Recording.State.STORED, size, content_type
            try:
                row.save(update_fields=["file", "state", "size", "content_type"])
            except Exception:
                row.file.delete(save=False)
                raise
            record(actor=None, action="video.stored", instance=row, championship=row.session.championship,
                   after={"size": size, "file": row.file.name})
    finally:
        buffer.close()
    return {"summary": _("Запись скопирована: %(size)s.") % {"size": _size_label(size)}}


def _write(buffer: Any, url: str, limit: int) -> Iterator[tuple[int, int]]:
    for chunk, done, total in providers.stream_download(url, limit=limit):
        buffer.write(chunk)
        yield done, total


def set_retention(recording: Recording, *, until: dt.date, reason: str, by: Any) -> Recording:
    reason = clean_text(reason, field="reason", what=_("Основание"), max_length=TEXT_MAX)
    if not isinstance(until, dt.date):
        raise DomainError(_("Укажите дату."), field="until")
    with transaction.atomic():
        row = Recording.objects.select_for_update().get(pk=recording.pk)
        if row.state == Recording.State.ERASED:
            raise TransitionError(_("Запись уже удалена."))
        before = {"retention_until": row.retention_until.isoformat()}
        row.retention_until = until
        row.save(update_fields=["retention_until"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=row, before=before,
               after={"retention_until": until.isoformat()}, reason=reason, championship=row.session.championship)
    return row


#: The browser's player asks for a video several times (the page, then byte ranges): requests of one person
#: within this time are one viewing.
VIEW_WINDOW = dt.timedelta(minutes=5)


def log_view(recording: Recording, user: Any, *, now: dt.datetime | None = None) -> RecordingView:
    """X-1: each viewing of a recording is logged (who, when); the player's repeated requests within
    :data:`VIEW_WINDOW` belong to the same viewing."""
    if recording.state != Recording.State.STORED:
        raise TransitionError(_("Запись не хранится на платформе."))
    now = now or timezone.now()
    recent = RecordingView.objects.filter(recording=recording, user=user, viewed_at__gte=now - VIEW_WINDOW).first()
    return recent or RecordingView.objects.create(recording=recording, user=user)


def erase_expired_recordings(*, today: dt.date | None = None) -> list[Recording]:
    """RM-7: erase every recording past its retention date — the file goes, the row stays with the time of the
    erasure, and the audit log records it. Run daily by Celery beat (and ``manage.py erase_video_recordings``)."""
    today = today or timezone.localdate()
    erased = []
    due = Recording.objects.filter(retention_until__lt=today).exclude(state=Recording.State.ERASED)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            row = Recording.objects.select_for_update().select_related("session__championship").filter(
                pk=pk, retention_until__lt=today).exclude(state=Recording.State.ERASED).first()
            if row is None:
                continue
            name = row.file.name if row.file else ""
            before = {"state": row.state, "file": name, "size": row.size,
                      "retention_until": row.retention_until.isoformat()}
            if row.job_id is not None and row.state == Recording.State.COPYING:
                continue  # a copy still running: erased on the next run
            row.file = ""
            row.state, row.erased_at = Recording.State.ERASED, timezone.now()
            row.save(update_fields=["file", "state", "erased_at"])
            record(actor=None, action="video.erased", instance=row, championship=row.session.championship,
                   before=before, after={"state": row.state, "erased_at": row.erased_at.isoformat()},
                   reason=_("Истёк срок хранения (%(date)s).") % {"date": f"{row.retention_until:%d.%m.%Y}"})
            if name:
                storage = Recording._meta.get_field("file").storage
                transaction.on_commit(_deleter(storage, name))
        erased.append(row)
    return erased


def _deleter(storage: Any, name: str) -> Any:
    return lambda: storage.delete(name)


def save_provider(provider: VideoProvider, *, by: Any) -> VideoProvider:
    """Configure a championship's server; an empty secret on an existing row keeps the stored one."""
    from profmaster.audit.domain import save_audited

    if provider.pk and not provider.secret:
        provider.secret = VideoProvider.objects.get(pk=provider.pk).secret
    save_audited(provider, by=by)
    return provider
