"""Accreditation, venue access, non-appearance and toolbox checks (SPEC OP-4, OP-6, OP-7; 003 §14, §19.4, §24).

One function per state change: it validates, writes in one transaction, records the audit entry and
queues the e-mails. Pages, the API, the admin and the demo call these; none re-implements them.

* :func:`issue_accreditations` accredits everyone of the registration protocol (REG-15) of a competency:
  the active participants, close relatives and mentors of approved applications and the competency's
  chief expert and experts. :func:`admit_individually` accredits staff, press, volunteers and interpreters
  by the chief expert's decision; they enter only once :func:`record_briefing` recorded their safety
  briefing (003 §24.4).
* Badge codes are 16 characters of base32 from :mod:`secrets` (80 random bits): not a sequence, not
  derivable from an id.
* :func:`check_in` reads a badge's code (typed, or the link of its QR code) and lets the person in, or
  refuses with :class:`CheckInRefused` saying why: unknown code, wrong competency, wrong day, access
  revoked, briefing not done, or — for a team — its mentor not yet on site (003 §19.4). A refusal writes
  nothing.
* :func:`revoke_access` takes the right away at once (a final removal, 003 §11.2, §24.5).
* :func:`record_non_appearance` records the teams absent at their flow's start and generates the
  non-appearance protocol; :func:`record_toolbox_check` the daily toolbox check and its protocol.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Competency, ProgrammeSlot, Stage
from profmaster.competition_day.domain import drawn_flows
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.text import clean_text
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType
from profmaster.notifications.domain import queue_email, usable_addresses
from profmaster.registration import workflow
from profmaster.registration.models import Application, TeamMember

from .models import Accreditation, CheckIn, NonAppearance, ToolboxCheck, ToolboxItem

CODE_LENGTH = 16
_CODE_RE = re.compile(r"^[A-Z2-7]{16}$")
TEXT_MAX = 2000
NAME_MAX = 450
ITEMS_MAX = 200

Kind = Accreditation.Kind


class CheckInRefused(DomainError):
    """The person is not let in; ``code`` names why (``unknown``, ``wrong_competency``, ``wrong_day``,
    ``revoked``, ``no_briefing``, ``mentor_absent``) and the message says it in words."""

    status_code = 409

    def __init__(self, message: str, *, code: str, accreditation: Accreditation | None = None) -> None:
        super().__init__(message, field="code", code=code)
        self.accreditation = accreditation


# --- Small helpers ----------------------------------------------------------------------------------


def new_code() -> str:
    """16 characters of base32 (A–Z, 2–7) from 80 random bits."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def normalise_code(raw: Any) -> str | None:
    """The badge code in what was typed or scanned: the code itself (spaces, dashes and case ignored) or the
    link of the badge's QR code (``…/checkin/b/<code>/``). None when it cannot be a badge code."""
    text = str(raw or "").strip()
    if not text or len(text) > 500 or "\x00" in text:
        return None
    if "/" in text:
        parts = [p for p in text.split("?")[0].split("/") if p]
        text = parts[-1] if parts else ""
    code = re.sub(r"[\s\-]", "", text).upper()
    return code if _CODE_RE.match(code) else None


def today(championship: Any, now: dt.datetime | None = None) -> dt.date:
    """The date on the championship's wall clocks."""
    return timezones.local_date(now or timezone.now(), championship)


def team_label(application: Application) -> str:
    return _("%(organisation)s (команда № %(id)s)") % {"organisation": application.organisation, "id": application.pk}


def chief_expert_of(competency: Competency) -> Any:
    assignment = (RoleAssignment.objects.filter(competency=competency, role=Role.CHIEF_EXPERT)
                  .select_related("user").first())
    return assignment.user if assignment else None


def _panel_signers(competency: Competency) -> list[tuple[Any, str]]:
    signers = [(a.user, str(Role(a.role).label)) for a in RoleAssignment.objects.filter(
        competency=competency, role__in=[Role.CHIEF_EXPERT, Role.EXPERT]).select_related("user").order_by("role", "pk")]
    signers.sort(key=lambda s: 0 if s[1] == str(Role.CHIEF_EXPERT.label) else 1)
    if not signers:
        raise DomainError(_("Назначьте главного эксперта компетенции: он подписывает протокол."))
    return signers


def _holds_role(user: Any, championship: Any) -> bool:
    return user is not None and RoleAssignment.objects.filter(user=user, championship=championship).exists()


def mentors_of(application: Application) -> list[TeamMember]:
    return list(application.members.filter(kind=TeamMember.Kind.MENTOR, state=TeamMember.State.ACTIVE)
                .select_related("user"))


# --- Accreditation ------------------------------------------------------------------------------------


def _create(**fields: Any) -> Accreditation:
    """Save a new accreditation with a fresh code (a collision of 80 random bits is retried, never shown)."""
    for _attempt in range(5):
        accreditation = Accreditation(code=new_code(), **fields)
        try:
            with transaction.atomic():
                accreditation.save()
        except IntegrityError as exc:
            if "code" in str(exc).lower() and Accreditation.objects.filter(code=accreditation.code).exists():
                continue
            raise DomainError(_("Этот человек уже аккредитован.")) from exc
        return accreditation
    raise DomainError(_("Не удалось выдать код бейджа. Повторите."))


def issue_accreditations(competency: Competency, *, by: Any) -> list[Accreditation]:
    """Accredit everyone of the competency's registration protocol (REG-15) who has no accreditation yet;
    idempotent. Returns the new ones."""
    championship = competency.championship
    created: list[Accreditation] = []
    with transaction.atomic():
        Competency.objects.select_for_update().only("pk").get(pk=competency.pk)
        have_members = set(Accreditation.objects.filter(competency=competency, member__isnull=False)
                           .values_list("member_id", flat=True))
        have_users = set(Accreditation.objects.filter(competency=competency, member__isnull=True, user__isnull=False)
                         .values_list("user_id", "kind"))
        members = (TeamMember.objects.filter(application__competency=competency,
                                             application__status=workflow.APPROVED, state=TeamMember.State.ACTIVE)
                   .select_related("application__organisation", "organisation")
                   .order_by("application_id", "kind", "last_name", "first_name", "pk"))
        for member in members:
            if member.pk in have_members:
                continue
            created.append(_create(
                championship=championship, competency=competency, kind=member.kind, full_name=member.full_name,
                organisation=str(member.organisation or member.application.organisation), application=member.application,
                member=member, user=member.user, created_by=by))
        for assignment in (RoleAssignment.objects.filter(competency=competency,
                                                         role__in=[Role.CHIEF_EXPERT, Role.EXPERT])
                           .select_related("user", "organisation").order_by("role", "pk")):
            if (assignment.user_id, assignment.role) in have_users:
                continue
            created.append(_create(
                championship=championship, competency=competency, kind=assignment.role,
                full_name=assignment.user.full_name, organisation=str(assignment.organisation or ""),
                user=assignment.user, created_by=by))
        for accreditation in created:
            record(actor=by, action=AuditEntry.Action.CREATE, instance=accreditation,
                   after=_snapshot(accreditation), championship=championship)
    return created


def _snapshot(accreditation: Accreditation) -> dict[str, Any]:
    data = snapshot(accreditation)
    data.pop("code", None)  # the audit log is read widely; the badge's code is a credential
    return data


def admit_individually(competency: Competency, *, kind: str, full_name: str, organisation: str = "",
                       valid_from: dt.date, valid_to: dt.date, by: Any) -> Accreditation:
    """The chief expert's individual admission of staff, press, a volunteer or an interpreter (003 §24.1,
    §24.4). The person enters only after their safety briefing is recorded."""
    if kind not in Accreditation.INDIVIDUAL:
        raise DomainError(_("Индивидуально допускаются только персонал, пресса, волонтёры и переводчики."),
                          field="kind")
    full_name = clean_text(full_name, field="full_name", what=_("ФИО"), max_length=NAME_MAX)
    organisation = clean_text(organisation, field="organisation", what=_("Организация"), required=False, max_length=300)
    if not isinstance(valid_from, dt.date) or not isinstance(valid_to, dt.date):
        raise DomainError(_("Укажите дни допуска."), field="valid_from")
    if valid_to < valid_from:
        raise DomainError(_("Последний день допуска не может быть раньше первого."), field="valid_to")
    if (valid_to - valid_from).days > 60:
        raise DomainError(_("Допуск выдаётся не больше чем на 60 дней."), field="valid_to")
    with transaction.atomic():
        accreditation = _create(championship=competency.championship, competency=competency, kind=kind,
                                full_name=full_name, organisation=organisation, valid_from=valid_from,
                                valid_to=valid_to, created_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=accreditation, after=_snapshot(accreditation),
               reason=_("Индивидуальный допуск по решению главного эксперта (п. 24.4 методики)"))
    return accreditation


def record_briefing(accreditation: Accreditation, *, note: str = "", by: Any) -> Accreditation:
    """Record that the person passed the safety briefing (003 §24.1, §24.4)."""
    note = clean_text(note, field="note", what=_("Об инструктаже"), required=False, max_length=500)
    with transaction.atomic():
        locked = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
        if locked.briefed_at is not None:
            raise TransitionError(_("Инструктаж этого человека уже записан."))
        before = _snapshot(locked)
        locked.briefed_at, locked.briefed_by, locked.briefing_note = timezone.now(), by, note
        locked.save(update_fields=["briefed_at", "briefed_by", "briefing_note"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, before=before, after=_snapshot(locked),
               reason=_("Инструктаж по охране труда и технике безопасности"))
    return locked


def revoke_access(accreditation: Accreditation, *, reason: str, by: Any) -> Accreditation:
    """Take the right to enter the venue away at once (003 §11.2, §24.5): check-in refuses from now on."""
    reason = clean_text(reason, field="reason", what=_("Основание"), max_length=TEXT_MAX)
    with transaction.atomic():
        locked = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
        if locked.revoked_at is not None:
            raise TransitionError(_("Доступ этого человека уже отозван."))
        before = _snapshot(locked)
        locked.revoked_at, locked.revoked_by, locked.revoke_reason = timezone.now(), by, reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before,
               after=_snapshot(locked), reason=reason)
    return locked


# --- Days and flows -----------------------------------------------------------------------------------


def _slot_days(slots: Iterable[ProgrammeSlot], championship: Any) -> set[dt.date]:
    days: set[dt.date] = set()
    for slot in slots:
        first, last = today(championship, slot.starts_at), today(championship, slot.ends_at)
        days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return days


def expected_days(accreditation: Accreditation) -> set[dt.date] | None:
    """The days the person may enter; None when the programme names none (any day of the championship).

    Staff and press: the days of their admission. A team: its competition date after the draw of flows, else
    the days of the competency's flows. Experts: every day of the competency's programme. Without a
    programme: the days of the final stage.
    """
    championship = accreditation.championship
    if accreditation.is_individual:
        assert accreditation.valid_from and accreditation.valid_to
        span = (accreditation.valid_to - accreditation.valid_from).days
        return {accreditation.valid_from + dt.timedelta(days=n) for n in range(span + 1)}
    slots = ProgrammeSlot.objects.filter(competency_id=accreditation.competency_id)
    if accreditation.kind in Accreditation.TEAM:
        application = accreditation.application
        drawn = _drawn_flow_of(application)
        if drawn is not None:
            return _slot_days([drawn], championship)
        if application is not None and application.competition_date:
            return {application.competition_date}
        slots = slots.filter(kind=ProgrammeSlot.Kind.FLOW)
    days = _slot_days(slots, championship)
    if days:
        return days
    final = Stage.objects.filter(championship=championship, kind=Stage.Kind.FINAL).order_by("order").first()
    if final is not None:
        span = (final.ends_on - final.starts_on).days
        return {final.starts_on + dt.timedelta(days=n) for n in range(span + 1)}
    return None


def _drawn_flow_of(application: Application | None) -> ProgrammeSlot | None:
    """The flow the draw of flows (OP-1) gave the team, None before the draw."""
    if application is None:
        return None
    slot = drawn_flows(application.competency_id).get(application.pk)
    return ProgrammeSlot.objects.filter(pk=slot).first() if slot else None


def flows_on(competency: Competency, day: dt.date) -> list[ProgrammeSlot]:
    """The competency's flows that start on ``day`` in the championship's zone, in order of start."""
    zone = timezones.zone_of(competency.championship)
    start = timezones.start_of_local_day(day, zone)
    return list(ProgrammeSlot.objects.filter(competency=competency, kind=ProgrammeSlot.Kind.FLOW,
                                             starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
                .order_by("starts_at", "pk"))


def _checked_in_ids(accreditations: Iterable[int], day: dt.date) -> set[int]:
    return set(CheckIn.objects.filter(accreditation_id__in=list(accreditations), day=day)
               .values_list("accreditation_id", flat=True))


def mentor_on_site(application: Application, day: dt.date) -> bool:
    """003 §19.4: whether one of the team's mentors has checked in that day."""
    return CheckIn.objects.filter(day=day, accreditation__application=application,
                                  accreditation__kind=Kind.MENTOR, accreditation__revoked_at__isnull=True).exists()


# --- Check-in -----------------------------------------------------------------------------------------


@dataclass
class CheckInOutcome:
    accreditation: Accreditation
    checkin: CheckIn
    already: bool
    flows: list[ProgrammeSlot] = field(default_factory=list)


def find_badge(raw_code: Any) -> Accreditation | None:
    code = normalise_code(raw_code)
    if code is None:
        return None
    return (Accreditation.objects.select_related("competency", "championship", "application__organisation")
            .filter(code=code).first())


def admission_problem(accreditation: Accreditation, competency: Competency, day: dt.date) -> CheckInRefused | None:
    """Why ``accreditation`` may not enter ``competency``'s venue on ``day``, or None. Reads only."""
    if accreditation.championship_id != competency.championship_id:
        return CheckInRefused(_("Код не найден: такой аккредитации нет."), code="unknown")
    if accreditation.revoked_at is not None:
        return CheckInRefused(_("Доступ отозван: %(reason)s") % {"reason": accreditation.revoke_reason},
                              code="revoked", accreditation=accreditation)
    if accreditation.competency_id != competency.pk:
        return CheckInRefused(_("Другая компетенция: %(name)s аккредитован(а) на компетенцию «%(competency)s».")
                              % {"name": accreditation.full_name, "competency": accreditation.competency.name},
                              code="wrong_competency", accreditation=accreditation)
    days = expected_days(accreditation)
    if days is not None and day not in days:
        listed = ", ".join(d.strftime("%d.%m.%Y") for d in sorted(days)[:5])
        return CheckInRefused(_("Не тот день: допуск на %(days)s, сегодня %(today)s.")
                              % {"days": listed, "today": day.strftime("%d.%m.%Y")},
                              code="wrong_day", accreditation=accreditation)
    if accreditation.is_individual and accreditation.briefed_at is None:
        return CheckInRefused(_("Инструктаж по охране труда и технике безопасности не пройден: допуск только после "
                                "инструктажа (п. 24.4 методики)."), code="no_briefing", accreditation=accreditation)
    if (accreditation.kind in (Kind.PARTICIPANT, Kind.RELATIVE) and accreditation.application is not None
            and not mentor_on_site(accreditation.application, day)):
        return CheckInRefused(_("Наставник команды не отметился на площадке: команда не допускается к выполнению "
                                "задания (п. 19.4 методики)."), code="mentor_absent", accreditation=accreditation)
    return None


def check_in(competency: Competency, raw_code: Any, *, by: Any, now: dt.datetime | None = None) -> CheckInOutcome:
    """Let the badge's holder into ``competency``'s venue today, or refuse with the reason (nothing written).
    A second check-in the same day is not an error: it says when the person came."""
    now = now or timezone.now()
    day = today(competency.championship, now)
    accreditation = find_badge(raw_code)
    if accreditation is None:
        raise CheckInRefused(_("Код не найден: такой аккредитации нет. Проверьте код на бейдже."), code="unknown")
    problem = admission_problem(accreditation, competency, day)
    if problem is not None:
        raise problem
    flows = flows_on(competency, day)
    if accreditation.kind in Accreditation.TEAM and (own := _drawn_flow_of(accreditation.application)) is not None:
        flows = [f for f in flows if f.pk == own.pk] or flows
    with transaction.atomic():
        Accreditation.objects.select_for_update().only("pk").get(pk=accreditation.pk)
        existing = CheckIn.objects.filter(accreditation=accreditation, day=day).first()
        if existing is not None:
            return CheckInOutcome(accreditation, existing, True, flows)
        checkin = CheckIn.objects.create(accreditation=accreditation, day=day, checked_in_at=now, checked_in_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=checkin, after=snapshot(checkin),
               championship=competency.championship)
    return CheckInOutcome(accreditation, checkin, False, flows)


# --- The day at the venue -----------------------------------------------------------------------------


@dataclass
class TeamPresence:
    application: Application
    people: list[tuple[Accreditation, bool]]
    mentor_present: bool
    non_appearance: NonAppearance | None

    @property
    def label(self) -> str:
        return team_label(self.application)

    @property
    def all_present(self) -> bool:
        return bool(self.people) and all(present for _a, present in self.people)

    @property
    def absent(self) -> list[Accreditation]:
        return [a for a, present in self.people if not present]


def teams_expected(competency: Competency, day: dt.date) -> list[Application]:
    """Approved teams of the competency expected on ``day``: its competition date, or every team without one
    when the day is one of the competency's flow days."""
    teams = (Application.objects.filter(competency=competency, status=workflow.APPROVED)
             .select_related("organisation").order_by("organisation__short_name", "pk"))
    slots = list(ProgrammeSlot.objects.filter(competency=competency, kind=ProgrammeSlot.Kind.FLOW))
    flow_days = _slot_days(slots, competency.championship)
    drawn = drawn_flows(competency.pk)
    by_pk = {slot.pk: slot for slot in slots}

    def expected(team: Application) -> bool:
        if team.pk in drawn and drawn[team.pk] in by_pk:  # OP-1: the flow the draw gave the team
            return day in _slot_days([by_pk[drawn[team.pk]]], competency.championship)
        return team.competition_date == day or (team.competition_date is None and (not flow_days or day in flow_days))

    return [t for t in teams if expected(t)]


def presence(competency: Competency, day: dt.date) -> list[TeamPresence]:
    teams = teams_expected(competency, day)
    accreditations = list(Accreditation.objects.filter(application__in=teams, competency=competency,
                                                       revoked_at__isnull=True).order_by("kind", "full_name"))
    present = _checked_in_ids((a.pk for a in accreditations), day)
    absences = {n.application_id: n for n in NonAppearance.objects.filter(competency=competency, day=day)}
    rows = []
    for team in teams:
        people = [(a, a.pk in present) for a in accreditations if a.application_id == team.pk]
        rows.append(TeamPresence(team, people, any(p and a.kind == Kind.MENTOR for a, p in people),
                                 absences.get(team.pk)))
    return rows


def checkins_on(competency: Competency, day: dt.date) -> QuerySet[CheckIn]:
    return (CheckIn.objects.filter(accreditation__competency=competency, day=day)
            .select_related("accreditation", "checked_in_by").order_by("-checked_in_at"))


# --- Non-appearance (OP-6) ------------------------------------------------------------------------------


def record_non_appearance(competency: Competency, *, flow: ProgrammeSlot, applications: Sequence[Application],
                          by: Any, now: dt.datetime | None = None) -> Document:
    """Record that the chosen teams (or their mentors) did not appear by the start of ``flow`` and generate
    the non-appearance protocol (003 §20.1), signed by the competency's chief expert and experts."""
    now = now or timezone.now()
    if flow.competency_id != competency.pk or flow.kind != ProgrammeSlot.Kind.FLOW:
        raise DomainError(_("Поток не относится к этой компетенции."), field="flow")
    if now < flow.starts_at:
        raise DomainError(_("Поток ещё не начался: неявку фиксируют после начала потока (%(at)s).")
                          % {"at": timezones.format_local(flow.starts_at, timezones.zone_of(competency.championship))},
                          field="flow")
    if not applications:
        raise DomainError(_("Отметьте команды, которые не явились."), field="applications")
    day = today(competency.championship, flow.starts_at)
    signers = _panel_signers(competency)
    with transaction.atomic():
        Competency.objects.select_for_update().only("pk").get(pk=competency.pk)
        created: list[NonAppearance] = []
        for application in applications:
            if application.competency_id != competency.pk or application.status != workflow.APPROVED:
                raise DomainError(_("Команда № %(id)s не относится к этой компетенции.") % {"id": application.pk},
                                  field="applications")
            if NonAppearance.objects.filter(application=application, day=day).exists():
                raise TransitionError(_("Неявка команды «%(team)s» в этот день уже зафиксирована.")
                                      % {"team": team_label(application)})
            accreditations = list(Accreditation.objects.filter(application=application, competency=competency)
                                  .order_by("kind", "full_name"))
            here = _checked_in_ids((a.pk for a in accreditations), day)
            absent = [{"name": a.full_name, "kind": str(a.get_kind_display())}
                      for a in accreditations if a.pk not in here]
            if not accreditations:
                absent = [{"name": m.full_name, "kind": str(m.get_kind_display())}
                          for m in application.members.filter(state=TeamMember.State.ACTIVE)]
            if not absent:
                raise DomainError(_("Команда «%(team)s» на месте: все отметились.") % {"team": team_label(application)},
                                  field="applications")
            item = NonAppearance.objects.create(competency=competency, application=application, flow=flow, day=day,
                                                absent=absent, recorded_by=by, recorded_at=now)
            record(actor=by, action=AuditEntry.Action.CREATE, instance=item, after=snapshot(item),
                   championship=competency.championship)
            created.append(item)
        source = {"competency": competency.pk, "non_appearances": [n.pk for n in created]}
        title, data = _non_appearance_content(competency, created)
        document = create_generated_document(
            championship=competency.championship, competency=competency, doc_type=DocumentType.NON_APPEARANCE,
            title=title, data=data, signers=signers, by=by, generator="checkin.non_appearance", source=source)
        NonAppearance.objects.filter(pk__in=[n.pk for n in created]).update(document=document)
    return document


def _non_appearance_content(competency: Competency, items: Sequence[NonAppearance]) -> tuple[str, dict[str, Any]]:
    zone = timezones.zone_of(competency.championship)
    with translation.override("ru"):
        rows = []
        for item in items:
            rows.append({
                "Команда": team_label(item.application),
                "Поток": f"{item.flow.title}, {timezones.format_local(item.flow.starts_at, zone)}" if item.flow else "",
                "Не явились": "; ".join(f"{p['name']} ({p['kind']})" for p in item.absent),
                "Наставник на площадке": _("нет") if any(p.get("kind") == str(Kind.MENTOR.label) for p in item.absent)
                else _("да"),
            })
        day = items[0].day.strftime("%d.%m.%Y") if items else ""
        data = {
            "text": _("Компетенция «%(competency)s», %(day)s (%(zone)s). К началу потока не явились:")
            % {"competency": competency.name, "day": day, "zone": timezones.zone_label(zone)},
            _("Неявка"): rows,
        }
        return _("Протокол неявки участников/наставника — %(competency)s") % {"competency": competency.name}, data


def non_appearance_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the non-appearance protocol formed again from its records."""
    ids = (document.source or {}).get("non_appearances") or []
    items = list(NonAppearance.objects.filter(pk__in=ids).select_related("application__organisation", "flow")
                 .order_by("pk"))
    if not items or document.competency is None:
        raise DomainError(_("Записи о неявке не найдены."))
    return _non_appearance_content(document.competency, items)


# --- Toolbox checks (OP-4) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemData:
    name: str
    status: str = ToolboxItem.Status.ALLOWED
    explanation: str = ""
    removed: bool = False


def record_toolbox_check(competency: Competency, application: Application, *, participant_present: str,
                         items: Sequence[ItemData], note: str = "", by: Any,
                         now: dt.datetime | None = None) -> ToolboxCheck:
    """The day's check of one team's toolbox in the participant's presence (003 §14.2–14.4).

    Suspicious and prohibited items are marked; a prohibited one is removed from the venue, without a
    sanction. The chief expert and the mentor are told of every such find at once; the toolbox-check
    protocol is generated for the chief expert, the checking expert and the mentor to sign.
    """
    now = now or timezone.now()
    if not competency.toolbox_allowed:
        raise DomainError(_("В компетенции «%(name)s» тулбокс не предусмотрен.") % {"name": competency.name})
    if application.competency_id != competency.pk or application.status != workflow.APPROVED:
        raise DomainError(_("Команда не относится к этой компетенции."), field="application")
    participant_present = clean_text(participant_present, field="participant_present", what=_("В присутствии участника"),
                                     max_length=NAME_MAX)
    note = clean_text(note, field="note", what=_("Примечание"), required=False, max_length=TEXT_MAX)
    cleaned: list[ItemData] = []
    for index, item in enumerate(items, start=1):
        name = clean_text(item.name, field="items", what=_("Предмет %(n)s") % {"n": index}, required=False, max_length=300)
        if not name:
            continue
        if item.status not in ToolboxItem.Status.values:
            raise DomainError(_("Неизвестная оценка предмета «%(name)s».") % {"name": name}, field="items")
        explanation = clean_text(item.explanation, field="items", what=_("Объяснение"), required=False, max_length=TEXT_MAX)
        removed = bool(item.removed) or item.status == ToolboxItem.Status.PROHIBITED
        cleaned.append(ItemData(name, item.status, explanation, removed))
    if len(cleaned) > ITEMS_MAX:
        raise DomainError(_("Не больше %(max)s предметов в одной проверке.") % {"max": ITEMS_MAX}, field="items")
    day = today(competency.championship, now)
    with transaction.atomic():
        if ToolboxCheck.objects.filter(application=application, day=day).exists():
            raise TransitionError(_("Тулбокс этой команды сегодня уже проверен."))
        check = ToolboxCheck(competency=competency, application=application, day=day,
                             participant_present=participant_present, note=note, checked_by=by, checked_at=now)
        try:
            with transaction.atomic():
                check.save()
        except IntegrityError as exc:
            raise TransitionError(_("Тулбокс этой команды сегодня уже проверен.")) from exc
        ToolboxItem.objects.bulk_create(ToolboxItem(check_record=check, name=i.name, status=i.status,
                                                    explanation=i.explanation, removed=i.removed) for i in cleaned)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=check,
               after={**snapshot(check), "items": [i.__dict__ for i in cleaned]}, championship=competency.championship)
        signers = _toolbox_signers(competency, application, by)
        title, data = _toolbox_content(check)
        document = create_generated_document(
            championship=competency.championship, competency=competency, doc_type=DocumentType.TOOLBOX_CHECK,
            title=title, data=data, signers=signers, by=by, generator="checkin.toolbox_check",
            source={"toolbox_check": check.pk})
        check.document = document
        check.save(update_fields=["document"])
        findings = [i for i in cleaned if i.status != ToolboxItem.Status.ALLOWED]
        if findings:
            _notify_toolbox_findings(check, findings)
    return check


def _toolbox_signers(competency: Competency, application: Application, by: Any) -> list[tuple[Any, str]]:
    signers: list[tuple[Any, str]] = []
    chief = chief_expert_of(competency)
    if chief is not None:
        signers.append((chief, str(Role.CHIEF_EXPERT.label)))
    if by is not None and all(by.pk != u.pk for u, _l in signers) and _holds_role(by, competency.championship):
        signers.append((by, _("Эксперт, проводивший проверку")))
    for mentor in mentors_of(application):
        if mentor.user is not None and all(mentor.user.pk != u.pk for u, _l in signers) \
                and _holds_role(mentor.user, competency.championship):
            signers.append((mentor.user, str(Role.MENTOR.label)))
    if not signers:
        raise DomainError(_("Назначьте главного эксперта компетенции: он подписывает протокол."))
    return signers


def _toolbox_content(check: ToolboxCheck) -> tuple[str, dict[str, Any]]:
    zone = timezones.zone_of(check.competency.championship)
    with translation.override("ru"):
        items = list(check.items.all())
        data: dict[str, Any] = {
            "text": _("Компетенция «%(competency)s». Тулбокс команды «%(team)s» проверен %(at)s (%(zone)s) в "
                      "присутствии участника: %(present)s. Запрещённые инструменты удалены с площадки, санкции "
                      "к участнику не применяются (п. 14.4 методики).")
            % {"competency": check.competency.name, "team": team_label(check.application),
               "at": timezones.format_local(check.checked_at, zone), "zone": timezones.zone_label(zone),
               "present": check.participant_present},
            _("Содержимое тулбокса"): [{"Предмет": i.name, "Оценка": str(i.get_status_display()),
                                        "Объяснение": i.explanation, "Удалён с площадки": _("да") if i.removed else _("нет")}
                                       for i in items] or [_("предметов нет")],
        }
        if check.note:
            data[_("Примечание")] = check.note
        return (_("Протокол проверки тулбокса участника — %(team)s, %(day)s")
                % {"team": team_label(check.application), "day": check.day.strftime("%d.%m.%Y")}, data)


def toolbox_check_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the toolbox-check protocol formed again from its record."""
    check = (ToolboxCheck.objects.select_related("competency__championship", "application__organisation")
             .filter(pk=int((document.source or {}).get("toolbox_check") or 0)).first())
    if check is None:
        raise DomainError(_("Запись о проверке тулбокса не найдена."))
    return _toolbox_content(check)


def _notify_toolbox_findings(check: ToolboxCheck, findings: Sequence[ItemData]) -> None:
    """003 §14.3: the chief expert and the mentor are told at once of suspicious or prohibited items."""
    chief = chief_expert_of(check.competency)
    recipients: list[Any] = [chief] if chief is not None and chief.email else []
    recipients += usable_addresses(m.user or m.email for m in mentors_of(check.application))
    if not recipients:
        return
    queue_email("toolbox_finding", {
        "competency": check.competency.name, "team": team_label(check.application),
        "items": [{"name": f.name, "status": str(ToolboxItem.Status(f.status).label), "removed": f.removed}
                  for f in findings],
    }, recipients, championship=check.competency.championship, related=check)
