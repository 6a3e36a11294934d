"""Pages of video sessions (RM-3): the championship's schedule, «Мои видеосессии», the session page with its
join button, attendance and recordings, the join redirect, the private recording stream and the BBB callback.
Thin: permission, then :mod:`.domain`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from profmaster.accounts.models import Role, User
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.core.errors import AccessDenied, DomainError
from profmaster.core.views import form_page
from profmaster.permissions import competency_filter, has_perm, require

from . import domain
from .forms import InviteForm, RetentionForm, SessionForm
from .models import Invitation, Recording, VideoSession


def _championship(pk: int) -> Championship:
    return get_object_or_404(Championship, pk=pk)


def _session(pk: int) -> VideoSession:
    return get_object_or_404(VideoSession.objects.select_related("championship", "competency", "provider"), pk=pk)


def _crumbs(championship: Championship, user: Any) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = [(championship.name, reverse("championships:detail", args=[championship.pk]))]
    if has_perm(user, "video.view_schedule", championship):
        crumbs.append((_("Видеосессии"), reverse("video:schedule", args=[championship.pk])))
    else:
        crumbs.append((_("Мои видеосессии"), reverse("video:my")))
    return crumbs


def _refusal(request: HttpRequest, title: str, message: str, *, status: int = 403,
             session: VideoSession | None = None) -> HttpResponse:
    return render(request, "video/refused.html", {"title": title, "message": message, "session": session},
                  status=status)


def _rows(sessions: QuerySet[VideoSession] | list[VideoSession]) -> list[dict[str, Any]]:
    return [{"session": s, "when": domain.when(s)} for s in sessions]


def _managed_competencies(user: Any, championship: Championship) -> QuerySet[Competency]:
    """The competencies whose sessions the person plans: all for the Directorate, their own for a chief expert."""
    competencies = championship.competencies.order_by("name")  # type: ignore[attr-defined]
    ids = [c.pk for c in competencies if has_perm(user, "video.manage_session", c)]
    return competencies.filter(pk__in=ids)  # type: ignore[no-any-return]


def _may_plan(user: Any, championship: Championship) -> bool:
    return has_perm(user, "championships.manage_championship", championship) or \
        _managed_competencies(user, championship).exists()


@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    """«Мои видеосессии»: every session the person is invited to, upcoming first; times in each championship's zone."""
    now = timezone.now()
    sessions = list(domain.sessions_of(request.user))
    upcoming = [s for s in sessions if s.ends_at + domain.JOIN_LATE >= now]
    past = [s for s in sessions if s.ends_at + domain.JOIN_LATE < now][::-1]
    return render(request, "video/my.html", {
        "upcoming": _rows(upcoming), "past": _rows(past),
        "breadcrumbs": [(_("Личный кабинет"), reverse("cabinet")), (_("Мои видеосессии"), None)]})


@login_required
def schedule(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The championship's sessions (the Directorate: all; a chief expert: their competency's and the invited)."""
    championship = _championship(championship_pk)
    require(request.user, "video.view_schedule", championship)
    sessions = VideoSession.objects.filter(championship=championship).select_related("competency")
    if not has_perm(request.user, "championships.manage_championship", championship):
        scope = competency_filter(request.user, championship, Role.CHIEF_EXPERT)
        sessions = sessions.filter(scope | Q(invitations__user=request.user)).distinct()
    zone = timezones.zone_of(championship)
    return render(request, "video/schedule.html", {
        "championship": championship, "rows": _rows(sessions.order_by("starts_at", "pk")),
        "zone_label": timezones.zone_label(zone),
        "can_create": _may_plan(request.user, championship),
        "breadcrumbs": [*_crumbs(championship, request.user)[:1], (_("Видеосессии"), None)]})


def _session_form(request: HttpRequest, championship: Championship, *, initial: dict[str, Any] | None = None) -> SessionForm:
    zone = timezones.zone_of(championship)
    return SessionForm(request.POST or None, initial=initial, championship=championship,
                       competencies=_managed_competencies(request.user, championship),
                       zone_label=timezones.zone_label(zone))


def _check_may_manage(user: Any, championship: Championship, competency: Competency | None) -> None:
    if not has_perm(user, "video.manage_session", VideoSession(championship=championship, competency=competency)):
        raise DomainError(_("Видеосессию без компетенции планирует Дирекция; главный эксперт — только для своей "
                            "компетенции."), field="competency")


@login_required
def create(request: HttpRequest, championship_pk: int) -> HttpResponse:
    championship = _championship(championship_pk)
    require(request.user, "video.view_schedule", championship)
    if not _may_plan(request.user, championship):
        raise PermissionDenied("video.manage_session")
    with timezones.activated(championship):
        form = _session_form(request, championship)

        def save(f: SessionForm) -> VideoSession:
            data = f.cleaned_data
            _check_may_manage(request.user, championship, data["competency"])
            return domain.schedule_session(
                championship, kind=data["kind"], title=data["title"], starts_at=data["starts_at"],
                ends_at=data["ends_at"], provider_kind=data["provider_kind"], competency=data["competency"],
                provider=data["provider"], link_url=data["link_url"], record=data["record"],
                description=data["description"], by=request.user)

        return form_page(request, form=form, on_valid=save, success_url=lambda s: reverse("video:detail", args=[s.pk]),
                         title=_("Новая видеосессия"), breadcrumbs=_crumbs(championship, request.user),
                         cancel_url=reverse("video:schedule", args=[championship.pk]),
                         success_message=_("Видеосессия запланирована. Пригласите участников."))


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    require(request.user, "video.manage_session", session)
    championship = session.championship
    with timezones.activated(championship):
        form = _session_form(request, championship, initial={
            "kind": session.kind, "competency": session.competency, "title": session.title,
            "starts_at": timezones.local(session.starts_at, championship),
            "ends_at": timezones.local(session.ends_at, championship), "provider_kind": session.provider_kind,
            "provider": session.provider, "link_url": session.link_url, "record": session.record,
            "description": session.description})

        def save(f: SessionForm) -> VideoSession:
            data = f.cleaned_data
            _check_may_manage(request.user, championship, data["competency"])
            return domain.update_session(session, by=request.user, **data)

        return form_page(request, form=form, on_valid=save, success_url=reverse("video:detail", args=[session.pk]),
                         title=_("Изменить видеосессию"),
                         breadcrumbs=[*_crumbs(championship, request.user),
                                      (session.title, reverse("video:detail", args=[session.pk]))],
                         cancel_url=reverse("video:detail", args=[session.pk]))


def _people(session: VideoSession) -> QuerySet[User]:
    """Whom the session may invite: people with a role in its championship."""
    return (User.objects.filter(is_active=True, role_assignments__championship=session.championship)
            .distinct().order_by("last_name", "first_name"))


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    user = request.user
    require(user, "video.view_session", session)
    championship = session.championship
    zone = timezones.zone_of(championship)
    invitation = domain.invitation_of(session, user)
    now = timezone.now()
    opens, closes = domain.join_window(session)
    can_manage = has_perm(user, "video.manage_session", session)
    can_run = has_perm(user, "video.run_session", session)
    can_view_attendance = has_perm(user, "video.view_attendance", session)
    can_view_recordings = has_perm(user, "video.view_recordings", session)
    attendance = {a.user_id: a for a in session.attendance.all()} if can_view_attendance else {}
    invitations = list(session.invitations.select_related("user")) if can_view_attendance or can_manage else []
    people = [{"invitation": i, "attendance": attendance.get(i.user_id),
               "joined": timezones.format_local(attendance[i.user_id].joined_at, zone)
               if i.user_id in attendance and attendance[i.user_id].joined_at else "",
               "left": timezones.format_local(attendance[i.user_id].left_at, zone)
               if i.user_id in attendance and attendance[i.user_id].left_at else ""} for i in invitations]
    recordings = list(session.recordings.order_by("started_at", "pk")) if can_view_recordings else []
    with timezones.activated(championship):
        return render(request, "video/detail.html", {
            "session": session, "when": domain.when(session), "zone_label": timezones.zone_label(zone),
            "invitation": invitation, "join_open": opens <= now <= closes and not session.is_cancelled,
            "join_opens": timezones.format_local(opens, zone), "ended": now > closes,
            "can_manage": can_manage, "can_run": can_run, "can_view_attendance": can_view_attendance,
            "can_view_recordings": can_view_recordings, "people": people,
            "hosts": [i for i in invitations if i.role == Invitation.Role.HOST],
            "recordings": [{"recording": r, "retention": f"{r.retention_until:%d.%m.%Y}",
                            "started": timezones.format_local(r.started_at, zone) if r.started_at else ""}
                           for r in recordings],
            "invite_form": InviteForm(people=_people(session)) if can_manage else None,
            "retention_form": RetentionForm() if can_manage else None,
            "lists_attendance": domain.service_lists_attendance(session),
            "recording_limit": domain._size_label(domain.recording_limit()),
            "breadcrumbs": [*_crumbs(championship, user), (session.title, None)]})


def _back(session: VideoSession) -> HttpResponse:
    return redirect("video:detail", session.pk)


def _act(request: HttpRequest, pk: int, perm: str, action: Any, success: str | Any) -> HttpResponse:
    session = _session(pk)
    require(request.user, perm, session)
    try:
        result = action(session)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return _back(session)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "video.manage_session",
                lambda s: domain.cancel_session(s, reason=request.POST.get("reason", ""), by=request.user),
                _("Видеосессия отменена; приглашённым отправлены письма."))


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    require(request.user, "video.manage_session", session)
    form = InviteForm(request.POST, people=_people(session))
    if not form.is_valid():
        messages.error(request, _("Выберите людей из списка или группу."))
        return _back(session)
    data = form.cleaned_data
    try:
        if data["group"]:
            created = domain.invite_group(session, data["group"], role=data["role"], by=request.user)
        elif data["users"]:
            created = domain.invite(session, list(data["users"]), role=data["role"], by=request.user)
        else:
            raise DomainError(_("Выберите людей из списка или группу."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Приглашено: %(n)s. Каждый получил письмо с личной ссылкой для входа.")
                         % {"n": len(created)} if created else _("Все выбранные уже приглашены."))
    return _back(session)


@login_required
@require_POST
def uninvite(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    session = _session(pk)
    require(request.user, "video.manage_session", session)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, session=session)
    try:
        domain.uninvite(invitation, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Приглашение отозвано."))
    return _back(session)


@login_required
def join(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's own join link: checks the invitation, then redirects to the service's signed join URL."""
    session = _session(pk)
    try:
        url = domain.join_url(session, request.user)
    except AccessDenied as exc:
        return _refusal(request, _("Вход в видеосессию закрыт"), exc.message)
    except DomainError as exc:
        return _refusal(request, _("Войти в видеосессию сейчас нельзя"), exc.message, status=409, session=session)
    response = HttpResponse(status=302)
    response["Location"] = url  # an external address: the service's signed join URL
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _moment(value: str, championship: Championship) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=timezones.zone_of(championship)) if timezone.is_naive(moment) else moment


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    require(request.user, "video.run_session", session)
    person = User.objects.filter(pk=_int(request.POST.get("user")), video_invitations__session=session).first()
    if person is None:
        messages.error(request, _("Этот человек не приглашён на видеосессию."))
        return _back(session)
    present = request.POST.get("present") == "1"
    try:
        domain.mark_attendance(session, person, present=present, by=request.user,
                               joined_at=_moment(request.POST.get("joined_at", ""), session.championship),
                               left_at=_moment(request.POST.get("left_at", ""), session.championship))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Посещаемость отмечена: %(name)s.") % {"name": person.full_name})
    return _back(session)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
@require_POST
def sync(request: HttpRequest, pk: int) -> HttpResponse:
    def run(session: VideoSession) -> str:
        if not domain.service_lists_attendance(session):
            raise DomainError(_("Этот видеосервис не сообщает посещаемость и записи: отметьте присутствующих и "
                                "добавьте запись по ссылке."))
        counts = domain.poll_attendance(session)
        rows = domain.sync_recordings(session, by=request.user)
        return _("Получено с сервера: вошли %(joined)s, вышли %(left)s, записей %(n)s.") % {**counts, "n": len(rows)}

    return _act(request, pk, "video.run_session", run, lambda message: message)


@login_required
@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "video.run_session", lambda s: domain.end_meeting(s, by=request.user),
                _("Встреча завершена на сервере."))


@login_required
@require_POST
def recording_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "video.run_session",
                lambda s: domain.add_recording(s, url=request.POST.get("url", ""), by=request.user),
                _("Запись добавлена; она копируется в хранилище платформы."))


def _recording(pk: int) -> Recording:
    return get_object_or_404(Recording.objects.select_related("session__championship", "session__competency"), pk=pk)


@login_required
def recording(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """A stored recording, streamed privately to the competency's panel and the Directorate only (000 §10);
    every viewing is logged."""
    item = _recording(pk)
    if not has_perm(request.user, "video.view_recordings", item):
        return _refusal(request, _("Запись недоступна"), _(
            "Записи видеосессий компетенции доступны только экспертам её экспертной группы и Дирекции."))
    if item.state != Recording.State.STORED:
        return _refusal(request, _("Запись недоступна"), _("Запись не хранится на платформе: %(state)s.")
                        % {"state": item.get_state_display()}, status=404, session=item.session)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    domain.log_view(item, request.user)
    response = FileResponse(handle, content_type=item.content_type or "video/mp4",
                            filename=item.file.name.rsplit("/", 1)[-1])
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def retention(request: HttpRequest, pk: int) -> HttpResponse:
    item = _recording(pk)
    require(request.user, "video.manage_session", item.session)
    form = RetentionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Укажите дату и основание."))
    else:
        try:
            domain.set_retention(item, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"],
                                 by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Срок хранения записи изменён."))
    return _back(item.session)


@csrf_exempt
@require_POST
def bbb_recording_ready(request: HttpRequest, pk: int) -> HttpResponse:
    """BigBlueButton's recording-ready callback (``meta_bbb-recording-ready-url``): its ``signed_parameters`` JWT
    must verify with the shared secret; a forged or foreign one is a 403 and changes nothing."""
    session = VideoSession.objects.select_related("championship", "provider").filter(pk=pk).first()
    if session is None:
        return HttpResponse(_("Видеосессия не найдена."), status=404, content_type="text/plain; charset=utf-8")
    try:
        domain.recording_ready(session, request.POST.get("signed_parameters", ""))
    except AccessDenied as exc:
        return HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8")
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse("OK", content_type="text/plain; charset=utf-8")

