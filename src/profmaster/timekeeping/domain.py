"""State changes of the competition day's timekeeping (OP-3), familiarisation (OP-2) and evidence (OP-7).

Every change is one function here: it validates, writes in a transaction under the timer's row lock,
records the audit entry and, after the commit, moves the flow's version in the shared cache so that every
open countdown screen and board sees the change on its next poll (:func:`flow_version`). The arithmetic is
:mod:`.clock`; this module only feeds it the recorded events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Competency, ProgrammeSlot
from profmaster.competition_day.domain import draw_summary, drawn_flows
from profmaster.core.errors import DomainError, TransitionError
from profmaster.registration.models import Application, TeamMember

from . import clock
from .models import (
    TASK_FAMILIARISATION_MIN,
    DayEvidence,
    ExtraTime,
    FamiliarisationConfirmation,
    Suspension,
    TimekeepingSettings,
    Timer,
    TimerEvent,
    WorkPhoto,
)

#: The judging duty (``marking.JudgingRole.duty``) that gives an expert the timer (003 §13.6); any duty
#: naming time («время», «хронометраж») counts, see :func:`is_timekeeping_duty`.
TIMEKEEPING_DUTY = "Контроль времени"
REASON_MAX = 500
CACHE = "shared"


def is_timekeeping_duty(duty: str) -> bool:
    text = (duty or "").casefold()
    return "врем" in text or "хронометр" in text


def _refusal_message(code: str, timer: Timer) -> str:
    title = timer.title
    messages = {
        "not_started": _("Таймер «%(title)s» ещё не запущен."),
        "already_running": _("Таймер «%(title)s» уже идёт."),
        "already_started": _("Таймер «%(title)s» уже запущен и стоит на паузе: нажмите «Продолжить»."),
        "already_paused": _("Таймер «%(title)s» уже на паузе."),
        "not_paused": _("Таймер «%(title)s» не на паузе: продолжать нечего."),
        "stopped": _("Таймер «%(title)s» уже остановлен."),
    }
    return messages.get(code, _("Неизвестная команда таймера.")) % {"title": title}


# --- The flow's version (what makes idle polls nearly free) ---------------------------------------------


def _version_key(flow_id: int) -> str:
    return f"timekeeping:flow:{flow_id}"


def _version_from_db(flow_id: int) -> str:
    row = Timer.objects.filter(flow_id=flow_id).aggregate(last=Max("updated_at"), n=Count("pk"))
    last = row["last"]
    return f"{int(last.timestamp() * 1_000_000) if last else 0}-{row['n']}"


def flow_version(flow_id: int) -> str:
    """A string that changes whenever any timer of the flow changes; read from the shared cache (no query)."""
    cache = caches[CACHE]
    version = cache.get(_version_key(flow_id))
    if version is None:
        version = _version_from_db(flow_id)
        cache.set(_version_key(flow_id), version, timeout=None)
    return str(version)


def _bump_on_commit(flow_id: int) -> None:
    """After the commit: the flow's new version, and its state stored under it, so that the screens' polls
    after a change are answered from the shared cache too (no burst of 500 computations of the same state)."""

    def bump() -> None:
        from .selectors import flow_state, store_flow_state

        version = _version_from_db(flow_id)
        flow = ProgrammeSlot.objects.select_related("championship").filter(pk=flow_id).first()
        if flow is not None:
            # The state first, then its version: a screen that sees the new version finds its state stored, so
            # no poll in between goes to Django (500 screens asking at once made a burst of the same computation).
            store_flow_state(flow_id, flow_state(flow, version=version))
        caches[CACHE].set(_version_key(flow_id), version, timeout=None)

    transaction.on_commit(bump)


# --- Flows, teams and who keeps time ---------------------------------------------------------------------


def flows_of_day(competency: Competency, day: dt.date) -> QuerySet[ProgrammeSlot]:
    tz = timezones.zone_of(competency.championship)
    start = timezones.start_of_local_day(day, tz)
    return (ProgrammeSlot.objects.filter(competency=competency, kind=ProgrammeSlot.Kind.FLOW,
                                         starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
            .order_by("starts_at", "pk"))


def competition_days(competency: Competency) -> list[dt.date]:
    """The local days (championship's zone) on which the competency has flows, in order."""
    tz = timezones.zone_of(competency.championship)
    starts = ProgrammeSlot.objects.filter(competency=competency, kind=ProgrammeSlot.Kind.FLOW).values_list(
        "starts_at", flat=True)
    return sorted({timezone.localtime(at, tz).date() for at in starts})


def board_day(competency: Competency, today: dt.date) -> dt.date:
    """The day the board opens on: today when the competency competes today, else its next competition day,
    else its last one (today when the programme has no flows)."""
    days = competition_days(competency)
    return next((d for d in days if d >= today), days[-1] if days else today)


def teams_of_flow(flow: ProgrammeSlot) -> QuerySet[Application]:
    """The teams of a flow: those the draw of flows (OP-1) put in it; before that draw, every approved team of
    the flow's competency."""
    teams = Application.objects.filter(competency_id=flow.competency_id or 0, status=Application.Status.APPROVED)
    drawn = drawn_flows(flow.competency_id or 0)
    if drawn:
        teams = teams.filter(pk__in=[team for team, slot in drawn.items() if slot == flow.pk])
    return teams.select_related("organisation").order_by("pk")


def _require_flow(flow: ProgrammeSlot) -> Competency:
    if flow.kind != ProgrammeSlot.Kind.FLOW or flow.competency_id is None:
        raise DomainError(_("Таймеры есть только у потоков компетенции."), field="flow")
    return flow.competency  # type: ignore[return-value]


def settings_of(championship: Any) -> TimekeepingSettings:
    found = TimekeepingSettings.objects.filter(championship=championship).first()
    return found or TimekeepingSettings(championship=championship)


def save_settings(championship: Any, *, workplace_familiarisation_minutes: int, by: Any) -> TimekeepingSettings:
    item = settings_of(championship)
    item.workplace_familiarisation_minutes = workplace_familiarisation_minutes
    with transaction.atomic():
        save_audited(item, by=by, championship=championship)
    return item


# --- Timers ---------------------------------------------------------------------------------------------


def create_timer(flow: ProgrammeSlot, *, kind: str, duration_minutes: int, by: Any, module: Any = None,
                 title: str = "", exception_document: Any = None) -> Timer:
    """A timed step of the flow: a module of the competency's marking scheme or a familiarisation (OP-2, OP-3)."""
    competency = _require_flow(flow)
    if kind not in Timer.Kind.values:
        raise DomainError(_("Выберите этап: знакомство с рабочим местом, с заданием или модуль."), field="kind")
    if not isinstance(duration_minutes, int) or not 1 <= duration_minutes <= 24 * 60:
        raise DomainError(_("Продолжительность — от 1 минуты до 24 часов."), field="duration_minutes")
    if kind == Timer.Kind.MODULE:
        if module is None:
            raise DomainError(_("Выберите модуль схемы оценки."), field="module")
        if module.scheme.competency_id != competency.pk:
            raise DomainError(_("Этот модуль из схемы оценки другой компетенции."), field="module")
        title = title or f"{_('Модуль')} {module.code}. {module.title}"
    else:
        module = None
        title = title or str(Timer.Kind(kind).label)
    if kind == Timer.Kind.TASK_FAMILIARISATION and duration_minutes < TASK_FAMILIARISATION_MIN:
        raise DomainError(_("На знакомство с конкурсным заданием — не меньше 15 минут."), field="duration_minutes")
    if kind == Timer.Kind.WORKPLACE_FAMILIARISATION:
        limit = settings_of(competency.championship).workplace_familiarisation_minutes
        if duration_minutes > limit:
            if exception_document is None:
                raise DomainError(_("На знакомство с рабочим местом — не больше %(limit)s минут. Больше — только по "
                                    "протоколу об исключении, подписанному всеми экспертами.") % {"limit": limit},
                                  field="duration_minutes")
            if exception_document.competency_id != competency.pk:
                raise DomainError(_("Протокол об исключении — другой компетенции."), field="exception_document")
    else:
        exception_document = None
    order = (Timer.objects.filter(flow=flow).aggregate(m=Max("order"))["m"] or 0) + 1
    timer = Timer(flow=flow, competency=competency, kind=kind, module=module, title=title[:200],
                  duration_minutes=duration_minutes, order=order, exception_document=exception_document)
    with transaction.atomic():
        if kind == Timer.Kind.MODULE and Timer.objects.filter(flow=flow, module=module).exists():
            raise DomainError(_("У этого потока уже есть таймер этого модуля."), field="module")
        if kind != Timer.Kind.MODULE and Timer.objects.filter(flow=flow, kind=kind).exists():
            raise DomainError(_("У этого потока уже есть такой этап."), field="kind")
        save_audited(timer, by=by, championship=competency.championship)
        _bump_on_commit(flow.pk)
    return timer


def events_of(timer: Timer) -> list[clock.Event]:
    rows = (TimerEvent.objects.filter(timer=timer).select_related("extra_time").order_by("seq"))
    return [clock.Event(kind=r.kind, at=r.at, team=r.extra_time.team_id if r.extra_time else None,
                        minutes=r.extra_time.minutes if r.extra_time else 0) for r in rows]


def clock_of(timer: Timer, now: dt.datetime | None = None) -> clock.Clock:
    return clock.compute(timer.duration, events_of(timer), now or timezone.now())


def _append(locked: Timer, kind: str, *, by: Any, reason: str = "", extra_time: ExtraTime | None = None,
            now: dt.datetime | None = None) -> TimerEvent:
    """Under the timer's row lock: refuse an out-of-order command, else record it (no change on refusal)."""
    events = events_of(locked)
    state = clock.state_after(events)
    code = clock.refusal(state, kind)
    if code:
        raise TransitionError(_refusal_message(code, locked))
    at = now or timezone.now()
    if events and at < events[-1].at:
        at = events[-1].at
    seq = (TimerEvent.objects.filter(timer=locked).aggregate(m=Max("seq"))["m"] or 0) + 1
    event = TimerEvent.objects.create(timer=locked, seq=seq, kind=kind, at=at, by=by, reason=reason[:REASON_MAX],
                                      extra_time=extra_time)
    before = snapshot(locked)
    locked.state = clock.NEXT_STATE.get(kind, state)
    locked.save(update_fields=["state", "updated_at"])
    record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, before=before, after=snapshot(locked),
           reason=f"{TimerEvent.Kind(kind).label}{': ' + reason if reason else ''}"[:REASON_MAX],
           championship=locked.flow.championship)
    _bump_on_commit(locked.flow_id)
    return event


def command_timer(timer: Timer, command: str, *, by: Any, reason: str = "", now: dt.datetime | None = None) -> Timer:
    """Start, pause, resume or stop a timer (003 §13.6). Out of order → :class:`TransitionError`, nothing changes."""
    if command not in clock.COMMANDS:
        raise DomainError(_("Неизвестная команда таймера."), field="command")
    reason = (reason or "").replace("\x00", "").strip()
    with transaction.atomic():
        locked = Timer.objects.select_for_update(of=("self",)).select_related("flow", "exception_document").get(pk=timer.pk)
        if command == clock.START and locked.exception_document is not None:
            from profmaster.documents.selectors import is_complete

            if not is_complete(locked.exception_document):
                raise DomainError(_("Протокол об исключении ещё не подписан всеми экспертами."))
        _append(locked, command, by=by, reason=reason, now=now)
    return locked


def start_timer(timer: Timer, *, by: Any, now: dt.datetime | None = None) -> Timer:
    return command_timer(timer, clock.START, by=by, now=now)


def pause_timer(timer: Timer, *, by: Any, reason: str = "", now: dt.datetime | None = None) -> Timer:
    return command_timer(timer, clock.PAUSE, by=by, reason=reason, now=now)


def resume_timer(timer: Timer, *, by: Any, now: dt.datetime | None = None) -> Timer:
    return command_timer(timer, clock.RESUME, by=by, now=now)


def stop_timer(timer: Timer, *, by: Any, now: dt.datetime | None = None) -> Timer:
    return command_timer(timer, clock.STOP, by=by, now=now)


def _active_timer_of(team: Application) -> Timer:
    found = list(Timer.objects.filter(competency_id=team.competency_id, kind=Timer.Kind.MODULE,
                                      state__in=[clock.RUNNING, clock.PAUSED]).order_by("pk")[:2])
    if len(found) != 1:
        raise DomainError(_("Укажите таймер: у компетенции команды сейчас нет одного идущего модуля."), field="timer")
    return found[0]


def grant_extra_time(team: Application, minutes: int, reason: str, by: Any, *, timer: Timer | None = None,
                     document: Any = None, now: dt.datetime | None = None) -> ExtraTime:
    """Extra minutes for one team after an illness or accident, by the panel's decision (003 §17.3–17.4).

    ``by`` records the decision: the competency's chief expert. ``reason`` is the decision and its ground;
    ``document`` the incident agreement protocol, when there is one. Without ``timer``, the competency's one
    running (or paused) module timer. Refused on a stopped timer or a team of another competency.
    """
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise DomainError(_("Укажите решение жюри и его основание (болезнь или несчастный случай)."), field="reason")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 240:
        raise DomainError(_("Дополнительное время — от 1 до 240 минут."), field="minutes")
    if not RoleAssignment.objects.filter(user=by, role=Role.CHIEF_EXPERT, competency_id=team.competency_id).exists():
        raise DomainError(_("Дополнительное время записывает Главный эксперт по решению жюри."), field="by")
    timer = timer or _active_timer_of(team)
    if timer.competency_id != team.competency_id:
        raise DomainError(_("Команда другой компетенции."), field="team")
    if team.status != Application.Status.APPROVED:
        raise DomainError(_("Команда не допущена к соревнованиям."), field="team")
    with transaction.atomic():
        locked = Timer.objects.select_for_update(of=("self",)).select_related("flow").get(pk=timer.pk)
        if locked.state == clock.STOPPED:
            raise TransitionError(_refusal_message("stopped", locked))
        grant = ExtraTime.objects.create(timer=locked, team=team, minutes=minutes, reason=reason[:2000],
                                         document=document, decided_by=by)
        _append(locked, clock.EXTRA, by=by, reason=reason, extra_time=grant, now=now)
    return grant


# --- Suspension during an appeal (AP-4, 003 §8.13) ---------------------------------------------------------


def suspend_member(member: TeamMember, *, basis: str, reason: str, by: Any,
                   now: dt.datetime | None = None) -> Suspension:
    """Keep a participant from the competition task while the appeal is heard (003 §8.13). ``basis`` names the
    decision («Апелляция № 2»). Refused for a mentor, a participant of a team not admitted, or one already
    suspended."""
    basis = (basis or "").replace("\x00", "").strip()[:300]
    reason = (reason or "").replace("\x00", "").strip()[:2000]
    if not basis:
        raise DomainError(_("Укажите решение, по которому участник отстраняется."), field="basis")
    if not reason:
        raise DomainError(_("Укажите обоснование отстранения."), field="reason")
    if member.kind != TeamMember.Kind.PARTICIPANT or member.state != TeamMember.State.ACTIVE:
        raise DomainError(_("На время апелляции отстраняется участник команды."), field="member")
    team = member.application
    if team.status != Application.Status.APPROVED:
        raise DomainError(_("Команда не допущена к соревнованиям."), field="member")
    with transaction.atomic():
        TeamMember.objects.select_for_update().only("pk").get(pk=member.pk)
        if Suspension.objects.filter(member=member, ended_at__isnull=True).exists():
            raise TransitionError(_("%(name)s уже отстранён(а) на время апелляции.") % {"name": member.full_name})
        suspension = Suspension.objects.create(competency_id=team.competency_id, team=team, member=member,
                                               basis=basis, reason=reason, started_at=now or timezone.now(),
                                               started_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=suspension, after=snapshot(suspension),
               reason=reason, championship=team.competency.championship)
    return suspension


def end_suspension(suspension: Suspension, *, appeal_upheld: bool, by: Any, timer: Timer | None = None,
                   now: dt.datetime | None = None) -> Suspension:
    """End a suspension when the appeal is decided. Appeal failed: the time away is not compensated (003 §8.13).
    Appeal upheld: the minutes away (at least 1, at most 240) come back as extra time on the team's running
    module — ``timer``, or its one running/paused module timer; without one, the minutes are recorded for the
    chief expert to grant."""
    if not isinstance(appeal_upheld, bool):
        raise DomainError(_("Укажите, удовлетворена ли апелляция."), field="appeal_upheld")
    with transaction.atomic():
        locked = Suspension.objects.select_for_update().select_related("team", "member").get(pk=suspension.pk)
        if locked.ended_at is not None:
            raise TransitionError(_("Это отстранение уже окончено."))
        before = snapshot(locked)
        ended = now or timezone.now()
        minutes = 0
        if appeal_upheld:
            minutes = max(1, min(240, -(-int((ended - locked.started_at).total_seconds()) // 60)))
            if timer is None:
                found = list(Timer.objects.filter(competency_id=locked.competency_id, kind=Timer.Kind.MODULE,
                                                  state__in=[clock.RUNNING, clock.PAUSED]).order_by("pk")[:2])
                timer = found[0] if len(found) == 1 else None
            if timer is not None and timer.competency_id == locked.competency_id:
                timer_locked = Timer.objects.select_for_update(of=("self",)).select_related("flow").get(pk=timer.pk)
                if timer_locked.state != clock.STOPPED:
                    why = _("Компенсация времени отстранения: %(basis)s") % {"basis": locked.basis}
                    grant = ExtraTime.objects.create(timer=timer_locked, team=locked.team, minutes=minutes,
                                                     reason=why, decided_by=by)
                    _append(timer_locked, clock.EXTRA, by=by, reason=why, extra_time=grant, now=ended)
                    locked.extra_time = grant
        locked.ended_at, locked.ended_by = ended, by
        locked.appeal_upheld, locked.compensated_minutes = appeal_upheld, minutes
        locked.save(update_fields=["ended_at", "ended_by", "appeal_upheld", "compensated_minutes", "extra_time"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               reason=(_("Апелляция удовлетворена: компенсировано минут — %(n)s") % {"n": minutes}) if appeal_upheld
               else _("Апелляция отклонена: время отстранения не компенсируется (п. 8.13 методики)"),
               championship=locked.team.competency.championship)
    return locked


# --- Familiarisation (OP-2) ------------------------------------------------------------------------------


def members_of_flow(flow: ProgrammeSlot) -> QuerySet[TeamMember]:
    """The participants and mentors of the flow's teams: who confirms the familiarisation (003 §13.5)."""
    return (TeamMember.objects.filter(application__in=teams_of_flow(flow), state=TeamMember.State.ACTIVE,
                                      kind__in=[TeamMember.Kind.PARTICIPANT, TeamMember.Kind.MENTOR])
            .select_related("application__organisation", "user").order_by("application_id", "-kind", "last_name", "pk"))


def confirm_familiarisation(flow: ProgrammeSlot, member: TeamMember, *, by: Any, device: str) -> FamiliarisationConfirmation:
    """A participant or mentor confirms that they were given every explanation (003 §13.5): on their own device
    (the person themself) or on the venue's (recorded by the chief expert or the venue's administrator)."""
    _require_flow(flow)
    if device not in FamiliarisationConfirmation.Device.values:
        raise DomainError(_("Укажите, где подтверждено ознакомление."), field="device")
    if not members_of_flow(flow).filter(pk=member.pk).exists():
        raise DomainError(_("%(name)s не участник и не наставник команды этого потока.") % {"name": member.full_name},
                          field="member")
    if device == FamiliarisationConfirmation.Device.OWN and member.user_id != getattr(by, "pk", None):
        raise DomainError(_("Со своего устройства подтверждает только сам участник или наставник."), field="member")
    familiarisation = Timer.objects.filter(flow=flow).exclude(kind=Timer.Kind.MODULE)
    if not familiarisation.exists():
        raise DomainError(_("У потока нет этапов ознакомления."), field="flow")
    if familiarisation.exclude(state=clock.STOPPED).exists():
        raise DomainError(_("Ознакомление ещё не завершено: подтвердить можно после его окончания."), field="flow")
    with transaction.atomic():
        if FamiliarisationConfirmation.objects.filter(flow=flow, member=member).exists():
            raise DomainError(_("%(name)s уже подтвердил ознакомление.") % {"name": member.full_name}, field="member")
        item = FamiliarisationConfirmation(flow=flow, member=member, device=device, confirmed_by=by)
        save_audited(item, by=by, championship=flow.championship)
    return item


# --- Protocols (003 §20.1) -------------------------------------------------------------------------------


def _local(value: dt.datetime | None, championship: Any) -> str:
    """The moment on the championship's wall clock (the protocol names the zone once, in its text)."""
    return timezone.localtime(value, timezones.zone_of(championship)).strftime("%d.%m.%Y %H:%M:%S") if value else ""


def _minutes(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _flow_of_document(document: Any) -> ProgrammeSlot:
    flow = ProgrammeSlot.objects.select_related("competency__championship").filter(
        pk=(document.source or {}).get("flow") or 0).first()
    if flow is None:
        raise DomainError(_("Поток протокола удалён."))
    return flow


def _timekeeping_data(flow: ProgrammeSlot) -> tuple[str, dict[str, Any]]:
    competency = _require_flow(flow)
    championship = competency.championship
    timers = list(Timer.objects.filter(flow=flow).order_by("order", "pk"))
    if not timers:
        raise DomainError(_("У потока нет таймеров."))
    zone = timezones.zone_label(timezones.zone_of(championship))
    rows, events_rows, extra_rows = [], [], []
    for timer in timers:
        state = clock_of(timer)
        rows.append({"Этап": timer.title, "Отведено, мин": timer.duration_minutes,
                     "Начало": _local(state.started_at, championship), "Окончание": _local(state.stopped_at, championship),
                     "Паузы": _minutes(state.paused), "Чистое время": _minutes(state.worked),
                     "Состояние": str(Timer.State(timer.state).label)})
        for event in timer.events.select_related("by", "extra_time__team__organisation").order_by("seq"):
            events_rows.append({"Этап": timer.title, "№": event.seq, "Событие": str(TimerEvent.Kind(event.kind).label),
                                "Время": _local(event.at, championship), "Кто": event.by.short_name,
                                "Примечание": event.reason})
            if event.extra_time:
                team = event.extra_time.team
                extra = state.teams.get(team.pk)
                extra_rows.append({"Этап": timer.title, "Команда": str(team.organisation),
                                   "Минут": event.extra_time.minutes, "Решение": event.extra_time.reason,
                                   "Окончание для команды": _local(extra.ends_at if extra else None, championship)})
    title = _("Протокол учёта времени — %(competency)s, %(flow)s") % {"competency": competency, "flow": flow.title}
    data: dict[str, Any] = {
        "text": _("Учёт времени потока «%(flow)s» компетенции «%(competency)s». Время указано: %(zone)s.")
        % {"flow": flow.title, "competency": competency, "zone": zone},
        "Этапы": rows, "События": events_rows}
    if extra_rows:
        data["Дополнительное время"] = extra_rows
    return title, data


def timekeeping_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the timekeeping protocol formed again from the recorded events."""
    return _timekeeping_data(_flow_of_document(document))


def _chief_and_timekeepers(competency: Competency) -> list[tuple[Any, str]]:
    from profmaster.marking.models import JudgingRole
    from profmaster.marking.panel import chief_of

    chief = chief_of(competency)
    signers: list[tuple[Any, str]] = [(chief, str(Role.CHIEF_EXPERT.label))] if chief else []
    for role in JudgingRole.objects.filter(competency=competency).select_related("user"):
        if is_timekeeping_duty(role.duty) and role.user_id not in {s[0].pk for s in signers}:
            signers.append((role.user, role.duty))
    if not signers:
        raise DomainError(_("Главный эксперт компетенции не назначен."))
    return signers


def timekeeping_protocol(flow: ProgrammeSlot, *, by: Any) -> Any:
    """The timekeeping protocol (003 §20.1) from the flow's recorded events, signed by the chief expert and
    the experts keeping time."""
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    competency = _require_flow(flow)
    title, data = _timekeeping_data(flow)
    with transaction.atomic():
        return create_generated_document(
            championship=competency.championship, competency=competency, doc_type=DocumentType.TIMEKEEPING,
            title=title, data=data, signers=_chief_and_timekeepers(competency), by=by,
            generator="timekeeping.timekeeping", source={"flow": flow.pk})


def _familiarisation_data(flow: ProgrammeSlot) -> tuple[str, dict[str, Any], list[tuple[Any, str]]]:
    from profmaster.championships.models import CompetencyDocument
    from profmaster.marking.panel import panel_signers

    competency = _require_flow(flow)
    championship = competency.championship
    steps = list(Timer.objects.filter(flow=flow).exclude(kind=Timer.Kind.MODULE).order_by("order"))
    if not steps:
        raise DomainError(_("У потока нет этапов ознакомления."))
    confirmations = {c.member_id: c for c in FamiliarisationConfirmation.objects.filter(flow=flow)}
    members = list(members_of_flow(flow))
    steps_rows = []
    for step in steps:
        state = clock_of(step)
        steps_rows.append({"Этап": step.title, "Отведено, мин": step.duration_minutes,
                           "Начало": _local(state.started_at, championship),
                           "Окончание": _local(state.stopped_at, championship),
                           "Исключение": f"№ {step.exception_document.number}" if step.exception_document else ""})
    people_rows = []
    signers: list[tuple[Any, str]] = []
    for member in members:
        done = confirmations.get(member.pk)
        people_rows.append({"Команда": str(member.application.organisation), "ФИО": member.full_name,
                            "Роль": str(TeamMember.Kind(member.kind).label),
                            "Подтверждено": _local(done.confirmed_at, championship) if done else "",
                            "Где": str(FamiliarisationConfirmation.Device(done.device).label) if done else ""})
        if member.user_id and member.user_id not in {s[0].pk for s in signers}:
            signers.append((member.user, str(TeamMember.Kind(member.kind).label)))
    panel = panel_signers(competency)
    documentation = [d.title for d in CompetencyDocument.objects.filter(competency=competency)]
    workplaces = [f"№ {w.number}" for w in competency.workplaces.order_by("number")]
    title = _("Протокол об ознакомлении — %(competency)s, %(flow)s") % {"competency": competency, "flow": flow.title}
    data: dict[str, Any] = {
        "text": _("Участники и наставники потока «%(flow)s» ознакомлены с рабочими местами и оборудованием, конкурсной "
                  "и нормативной документацией, охраной труда и техникой безопасности, составом жюри и результатами "
                  "жеребьёвки; им даны все разъяснения по техническому описанию компетенции (003 §13.3–13.5). "
                  "Время указано: %(zone)s.") % {"flow": flow.title,
                                                 "zone": timezones.zone_label(timezones.zone_of(championship))},
        "Этапы ознакомления": steps_rows,
        "Рабочие места": ", ".join(workplaces) or "—",
        "Документация": documentation or ["—"],
        "Охрана труда и техника безопасности": _("Инструктаж по ОТ и ТБ проведён Главным экспертом."),
        "Жюри": [f"{user.full_name} — {label}" for user, label in panel] or ["—"],
        "Жеребьёвка": draw_summary(competency, flow) or [_("Жеребьёвка не проводилась.")],
        "Ознакомлены": people_rows,
    }
    chief = [s for s in panel if s[1] == str(Role.CHIEF_EXPERT.label)]
    return title, data, chief + signers


def familiarisation_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    title, data, _signers = _familiarisation_data(_flow_of_document(document))
    return title, data


def familiarisation_protocol(flow: ProgrammeSlot, *, by: Any) -> Any:
    """The familiarisation protocol (003 §13.5, §20.1): signed by the chief expert and by every participant and
    mentor of the flow who has an account (their signatures are required)."""
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    competency = _require_flow(flow)
    title, data, signers = _familiarisation_data(flow)
    if not signers:
        raise DomainError(_("Некому подписать протокол: не назначен Главный эксперт и у команд нет учётных записей."))
    with transaction.atomic():
        return create_generated_document(
            championship=competency.championship, competency=competency, doc_type=DocumentType.FAMILIARISATION,
            title=title, data=data, signers=signers, by=by, generator="timekeeping.familiarisation",
            source={"flow": flow.pk})


def familiarisation_exception_protocol(flow: ProgrammeSlot, *, minutes: int, reason: str, by: Any) -> Any:
    """003 §13.3: more than the set time for the workplace familiarisation — a protocol signed by all experts."""
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType
    from profmaster.marking.panel import panel_signers

    competency = _require_flow(flow)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise DomainError(_("Укажите, почему нужно больше времени."), field="reason")
    if not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        raise DomainError(_("Продолжительность — от 1 минуты до 24 часов."), field="minutes")
    signers = panel_signers(competency)
    if not signers:
        raise DomainError(_("В жюри нет ни одного человека."))
    title = _("Протокол об исключении: знакомство с рабочим местом — %(competency)s, %(flow)s") % {
        "competency": competency, "flow": flow.title}
    data = {"text": _("Жюри решило предоставить на знакомство с рабочим местом %(minutes)s мин вместо %(limit)s "
                      "(003 §13.3).") % {"minutes": minutes,
                                         "limit": settings_of(competency.championship).workplace_familiarisation_minutes},
            "Основание": reason[:2000]}
    with transaction.atomic():
        return create_generated_document(
            championship=competency.championship, competency=competency, doc_type=DocumentType.FAMILIARISATION,
            title=title, data=data, signers=signers, by=by, generator="timekeeping.familiarisation_exception",
            source={"flow": flow.pk})


# --- Evidence of the day (OP-7) --------------------------------------------------------------------------

#: How long before the retention date the reminder goes out.
REMINDER_DAYS = 14
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_SIGNATURES = {b"\xff\xd8\xff": ("jpg", "image/jpeg"), b"\x89PNG\r\n\x1a\n": ("png", "image/png")}


def record_day_evidence(competency: Competency, day: dt.date, *, stream_url: str, recording_location: str, by: Any,
                        retention_until: dt.date | None = None) -> DayEvidence:
    """Where the day's video stream is and where its recording is kept, at least a year (003 §9.3)."""
    stream_url = (stream_url or "").strip()
    recording_location = (recording_location or "").replace("\x00", "").strip()
    if not stream_url and not recording_location:
        raise DomainError(_("Укажите адрес видеотрансляции или место хранения записи."), field="stream_url")
    year_after = day + dt.timedelta(days=365)
    retention_until = retention_until or year_after
    if retention_until < year_after:
        raise DomainError(_("Запись хранится не меньше года (003 §9.3): не раньше %(date)s.")
                          % {"date": year_after.strftime("%d.%m.%Y")}, field="retention_until")
    with transaction.atomic():
        item = DayEvidence.objects.select_for_update().filter(competency=competency, day=day).first() \
            or DayEvidence(competency=competency, day=day)
        if item.retention_until != retention_until:
            item.reminder_sent_at = None
        item.stream_url, item.recording_location, item.retention_until = stream_url, recording_location, retention_until
        item.updated_by = by
        save_audited(item, by=by, championship=competency.championship)
    return item


def check_photo(upload: Any) -> tuple[str, str]:
    """The photo's real type by its content, or a DomainError naming every problem: JPEG or PNG up to 10 MB."""
    size = getattr(upload, "size", 0) or 0
    head = upload.read(16)
    upload.seek(0)
    kind = next((v for signature, v in PHOTO_SIGNATURES.items() if head.startswith(signature)), None)
    problems = []
    if kind is None:
        problems.append(_("по содержимому это не JPEG и не PNG"))
    if size > PHOTO_MAX_BYTES:
        problems.append(_("размер %(size)s МБ больше допустимых 10 МБ") % {"size": round(size / 1024 / 1024, 1)})
    if problems:
        name = str(getattr(upload, "name", "") or "")[-120:]
        raise DomainError(_("Файл «%(name)s» не принят: %(problems)s. Загрузите фото в JPEG или PNG до 10 МБ.")
                          % {"name": name, "problems": "; ".join(problems)}, field="file")
    assert kind is not None
    return kind


def upload_work_photo(competency: Competency, day: dt.date, upload: Any, *, by: Any, caption: str = "",
                      team: Application | None = None) -> WorkPhoto:
    """A photo of a finished work (003 §8.14), kept privately with the competency's marking documents."""
    if upload is None:
        raise DomainError(_("Выберите файл фотографии."), field="file")
    suffix, content_type = check_photo(upload)
    if team is not None and team.competency_id != competency.pk:
        raise DomainError(_("Команда другой компетенции."), field="team")
    photo = WorkPhoto(competency=competency, day=day, team=team, caption=(caption or "").strip()[:300],
                      content_type=content_type, size=upload.size, uploaded_by=by)
    with transaction.atomic():
        photo.file.save(f"photo.{suffix}", upload, save=False)
        save_audited(photo, by=by, championship=competency.championship)
    return photo


def retention_recipients(evidence: DayEvidence) -> list[Any]:
    championship = evidence.competency.championship
    users = [a.user for a in RoleAssignment.objects.filter(championship=championship, role=Role.DIRECTORATE)
             .select_related("user") if a.user.is_active and a.user.email]
    for venue in evidence.competency.base_venues.select_related("technical_administrator"):
        admin = venue.technical_administrator
        if admin is not None and admin.is_active and admin.email and admin not in users:
            users.append(admin)
    return users


def send_retention_reminders(*, today: dt.date | None = None) -> int:
    """E-mail the Directorate and the venue's administrator before a recording's retention date (OP-7)."""
    from profmaster.notifications.domain import queue_email

    today = today or timezone.localdate()
    due = DayEvidence.objects.filter(reminder_sent_at__isnull=True, recording_location__gt="",
                                     retention_until__lte=today + dt.timedelta(days=REMINDER_DAYS)) \
        .select_related("competency__championship")
    sent = 0
    for evidence in due:
        recipients = retention_recipients(evidence)
        with transaction.atomic():
            locked = DayEvidence.objects.select_for_update().get(pk=evidence.pk)
            if locked.reminder_sent_at is not None:
                continue
            if recipients:
                queue_email("timekeeping_retention_reminder", {"evidence": evidence}, recipients,
                            championship=evidence.competency.championship, related=evidence)
                sent += 1
            locked.reminder_sent_at = timezone.now()
            locked.save(update_fields=["reminder_sent_at"])
    return sent


def competency_flows(competency: Competency) -> Iterable[ProgrammeSlot]:
    return ProgrammeSlot.objects.filter(competency=competency, kind=ProgrammeSlot.Kind.FLOW).order_by("starts_at")
