"""State changes of registration and accreditation (REG-1…REG-13, X-1).

One function per change: it validates, writes inside one transaction, records the audit entry and queues
the e-mail for after the commit. Pages, the API, the admin and commands call these. The team rules are
checked by :func:`check_application` (the pure :mod:`.team_rules` fed with the database's facts) on submit,
on resubmit, on approval and on every later change of an approved team, identically on every channel.
Permission to *reach* a function is checked by the caller; what follows from the application itself
(state, deadline, rules) is checked here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role
from profmaster.audit.domain import delete_audited, record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import AgeCategory, Championship, Competency
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.text import clean_text
from profmaster.notifications.domain import queue_email, usable_addresses
from profmaster.organisations.models import Organisation
from profmaster.permissions import holds

from . import profiles, team_rules, workflow
from .models import (
    Application,
    Consent,
    ConsentForm,
    ConsentVersion,
    DocumentCheck,
    RegistrationRules,
    Remark,
    SubstitutionRequest,
    TeamMember,
)

REASON_MAX = 2000
REMARK_MAX = 2000


class RulesViolated(DomainError):
    """The team breaks registration rules; ``violations`` name each rule, person and fix."""

    def __init__(self, violations: Sequence[team_rules.Violation]) -> None:
        self.violations = list(violations)
        summary = " ".join(violation_message(v) for v in self.violations)
        super().__init__(_("Заявка не соответствует правилам: %(summary)s") % {"summary": summary},
                         code="rules")


# --- Rules --------------------------------------------------------------------------------------


def rules_for(championship: Championship) -> RegistrationRules:
    """The championship's registration rules, created with 003's defaults on first use."""
    rules, _created = RegistrationRules.objects.get_or_create(championship=championship)
    return rules


def save_rules(rules: RegistrationRules, *, by: Any, reason: str = "") -> RegistrationRules:
    unknown = set(rules.relative_kinds or []) - set(team_rules.RELATIVE_KINDS)
    if not isinstance(rules.relative_kinds, list) or unknown:
        raise DomainError(_("Неизвестные виды родства: %(kinds)s.") % {"kinds": ", ".join(sorted(map(str, unknown)))},
                          field="relative_kinds")
    save_audited(rules, by=by, reason=reason)
    return rules


def violation_message(violation: team_rules.Violation) -> str:
    params = dict(violation.params)
    if "fix" in params:
        params["fix"] = _(params["fix"])
    return _(violation.template) % params if params else _(violation.template)


def category_rules(category: AgeCategory) -> team_rules.CategoryRules:
    return team_rules.CategoryRules(
        name=category.name, grade_min=category.grade_min, grade_max=category.grade_max,
        participants_per_team=category.participants_per_team, relatives_per_team=category.relatives_per_team,
        mentors_per_team=category.mentors_per_team, moscow_school_required=category.moscow_school_required,
        sibling_exception_grade_min=category.sibling_exception_grade_min,
        sibling_exception_grade_max=category.sibling_exception_grade_max,
    )


def member_identity(member: TeamMember) -> str:
    """How the same person is recognised across applications (REG-10, REG-11)."""
    if member.kind == TeamMember.Kind.MENTOR:
        return f"m:{member.email.strip().lower()}" if member.email else ""
    if member.kind == TeamMember.Kind.PARTICIPANT and member.birth_date:
        name = "|".join(p.strip().casefold().replace("ё", "е") for p in (member.last_name, member.first_name,
                                                                          member.patronymic))
        return f"p:{name}|{member.birth_date.isoformat()}"
    return ""


def competition_dates(application: Application) -> list[team_rules.DateRange]:
    """The team's competition dates: its drawn date, else the days of its competency's programme."""
    if application.competition_date:
        return [(application.competition_date, application.competition_date)]
    # A slot's calendar days are those of its venue's zone (else the championship's), not the server's.
    return [(timezones.local_date(slot.starts_at, slot), timezones.local_date(slot.ends_at, slot))
            for slot in application.competency.programme.select_related("base_venue__venue", "championship")]


def active_members(application: Application) -> list[TeamMember]:
    return list(application.members.filter(state=TeamMember.State.ACTIVE).select_related("organisation"))


def _person(member: TeamMember) -> team_rules.Person:
    organisation = member.organisation
    return team_rules.Person(
        key=str(member.pk), kind=member.kind, name=member.full_name,
        organisation_id=member.organisation_id,
        organisation_is_moscow=organisation.is_moscow if organisation is not None else True,
        grade=member.grade, relation=member.relation, identity=member_identity(member),
    )


def check_application(application: Application, members: Iterable[TeamMember] | None = None) -> list[team_rules.Violation]:
    """Every rule the team breaks now, against the championship's other live applications.

    A championship whose rules profile has rules of its own (:mod:`.profiles`) is checked by those instead."""
    members = active_members(application) if members is None else list(members)
    contest = profiles.rules_of(application.championship)
    if contest is not None:
        return contest.check_application(application, members)
    team = team_rules.Team(
        organisation_id=application.organisation_id, competency_id=application.competency_id,
        age_category_id=application.age_category_id, members=[_person(m) for m in members],
        participants_are_siblings=application.participants_are_siblings, dates=competition_dates(application),
    )
    others = []
    live = (Application.objects.filter(championship_id=application.championship_id, status__in=workflow.LIVE)
            .exclude(pk=application.pk).select_related("organisation", "competency", "age_category")
            .prefetch_related("members", "competency__programme"))
    for other in live:
        other_members = [m for m in other.members.all() if m.state == TeamMember.State.ACTIVE]
        others.append(team_rules.OtherApplication(
            label=other.label, organisation_id=other.organisation_id, competency_id=other.competency_id,
            age_category_id=other.age_category_id,
            participant_identities=frozenset(filter(None, (member_identity(m) for m in other_members
                                                           if m.kind == TeamMember.Kind.PARTICIPANT))),
            mentor_identities=frozenset(filter(None, (member_identity(m) for m in other_members
                                                      if m.kind == TeamMember.Kind.MENTOR))),
            dates=competition_dates(other),
        ))
    return team_rules.check_team(team, category_rules(application.age_category),
                                 rules_for(application.championship).as_rules(), others)


def _enforce_rules(application: Application) -> None:
    # The rules row lock serialises every check-and-write of one championship, so two organisations'
    # simultaneous submits cannot both pass REG-9…REG-11 against each other.
    RegistrationRules.objects.select_for_update().filter(championship_id=application.championship_id).exists()
    violations = check_application(application)
    if violations:
        raise RulesViolated(violations)


# --- Helpers ------------------------------------------------------------------------------------


def is_directorate(user: Any, championship: Championship) -> bool:
    return holds(user, {Role.DIRECTORATE}, championship.pk)


def deadline_passed(championship: Championship, now: dt.datetime | None = None) -> bool:
    deadline = championship.registration_deadline
    return deadline is not None and (now or timezone.now()) > deadline


def _check_applicant_may_edit(application: Application, by: Any) -> None:
    """The applicant edits only a draft or a returned application, and only before the deadline unless
    the Directorate reopened it. The Directorate may correct any application that is not final."""
    directorate = is_directorate(by, application.championship)
    if directorate:
        if application.status in (workflow.REJECTED, workflow.WITHDRAWN):
            raise TransitionError(_("Заявка в состоянии «%(state)s» не изменяется.")
                                  % {"state": application.get_status_display()})
        return
    if application.status not in workflow.EDITABLE:
        raise TransitionError(_("Заявку в состоянии «%(state)s» изменить нельзя: правка возможна в черновике или "
                                "после возврата на доработку.") % {"state": application.get_status_display()})
    if deadline_passed(application.championship) and not application.reopened:
        raise DomainError(_("Приём заявок закончился %(deadline)s; изменить заявку может только Дирекция или после "
                            "того, как Дирекция откроет её для правки.")
                          % {"deadline": _format_dt(application.championship.registration_deadline,
                                                          application.championship)},
                          code="deadline")


def _format_dt(value: dt.datetime | None, championship: Championship) -> str:
    """«21.04.2023 23:59 (Владивосток, UTC+10)»: in the championship's zone, named (X-6)."""
    return timezones.format_local(value, timezones.zone_of(championship))


def _recipients(application: Application) -> list[str]:
    emails = [application.created_by.email]
    emails += [m.email for m in application.members.filter(kind=TeamMember.Kind.MENTOR,
                                                           state=TeamMember.State.ACTIVE) if m.email]
    return sorted(usable_addresses(emails))


def _notify(application: Application, template: str, **context: Any) -> None:
    """Queue the e-mail ``notifications/<template>`` to the applicant and the team's mentors (X-6): recorded in
    this transaction, sent after the commit; a failed send never undoes the decision."""
    recipients = _recipients(application)
    if not recipients:
        return
    queue_email(template, {"application": application, "path": reverse("registration:detail", args=[application.pk]),
                           **context},
                to=recipients, championship=application.championship, related=application)


def _move(application: Application, to: str, *, by: Any, reason: str = "", **changes: Any) -> Application:
    """One allowed transition (REG-1) under a row lock, audited; anything else is a TransitionError."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not workflow.can_move(locked.status, to):
        raise TransitionError(_("Заявку нельзя перевести из состояния «%(src)s» в «%(dst)s».")
                              % {"src": locked.get_status_display(), "dst": Application.Status(to).label})
    before = snapshot(locked)
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
           reason=reason)
    application.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return application


# --- Applications (REG-1) -----------------------------------------------------------------------


def create_application(*, championship: Championship, competency: Competency, age_category: AgeCategory,
                       organisation: Organisation, by: Any, participants_are_siblings: bool = False) -> Application:
    """A draft application of ``organisation`` for one competency and one age category."""
    if competency.championship_id != championship.pk:
        raise DomainError(_("Компетенция относится к другому чемпионату."), field="competency")
    if age_category.championship_id != championship.pk:
        raise DomainError(_("Возрастная категория относится к другому чемпионату."), field="age_category")
    offered = list(competency.age_categories.values_list("pk", flat=True))
    if offered and age_category.pk not in offered:
        raise DomainError(_("В компетенции «%(competency)s» нет категории «%(category)s».")
                          % {"competency": competency, "category": age_category}, field="age_category")
    if deadline_passed(championship) and not is_directorate(by, championship):
        raise DomainError(_("Приём заявок закончился %(deadline)s.")
                          % {"deadline": _format_dt(championship.registration_deadline, championship)}, code="deadline")
    application = Application(championship=championship, competency=competency, age_category=age_category,
                              organisation=organisation, participants_are_siblings=participants_are_siblings,
                              created_by=by)
    with transaction.atomic():
        rules_for(championship)
        save_audited(application, by=by)
    return application


def update_application(application: Application, *, by: Any, competency: Competency | None = None,
                       age_category: AgeCategory | None = None, participants_are_siblings: bool | None = None,
                       competition_date: dt.date | None = None) -> Application:
    with transaction.atomic():
        _check_applicant_may_edit(application, by)
        if competency is not None:
            if competency.championship_id != application.championship_id:
                raise DomainError(_("Компетенция относится к другому чемпионату."), field="competency")
            application.competency = competency
        if age_category is not None:
            if age_category.championship_id != application.championship_id:
                raise DomainError(_("Возрастная категория относится к другому чемпионату."), field="age_category")
            application.age_category = age_category
        if participants_are_siblings is not None:
            application.participants_are_siblings = participants_are_siblings
        if competition_date is not None:
            if not is_directorate(by, application.championship):
                raise DomainError(_("Дату выступления команды назначает Дирекция."), field="competition_date")
            application.competition_date = competition_date
        save_audited(application, by=by)
        _enforce_if_placed(application)
    return application


def _enforce_if_placed(application: Application) -> None:
    """Later changes of an application that already holds a place must keep it within the rules."""
    if application.status in (workflow.SUBMITTED, workflow.RESUBMITTED, workflow.APPROVED):
        _enforce_rules(application)


def save_member(member: TeamMember, *, by: Any, reason: str = "") -> TeamMember:
    """Add or change a person of the team (REG-5). Kind-specific data is required by kind."""
    application = member.application
    with transaction.atomic():
        _check_applicant_may_edit(application, by)
        _check_member_kind(member)
        _check_member_data(member)
        save_audited(member, by=by, reason=reason, championship=application.championship)
        _enforce_if_placed(application)
    return member


def member_kinds_offered(category: AgeCategory) -> list[str]:
    """The kinds of team member the category takes (REG-2, 003 §3.1): a close relative only where the
    category provides for one («Семья мастеров 5–8 класс»)."""
    return [kind for kind in TeamMember.Kind.values
            if kind != TeamMember.Kind.RELATIVE or category.relatives_per_team > 0]


def relative_refusal(category: AgeCategory) -> str:
    """Why a close relative cannot join a team of ``category``, naming the categories that take one."""
    family = [c.name for c in AgeCategory.objects.filter(championship_id=category.championship_id,
                                                         relatives_per_team__gt=0).order_by("order", "grade_min")]
    message = _("В категории «%(category)s» близкий родственник участника в команду не входит: команда состоит "
                "из участников и наставника.") % {"category": category.name}
    if family:
        message += " " + _("Родственник выступает вместе с ребёнком только в категории %(categories)s.") % {
            "categories": ", ".join(f"«{name}»" for name in family)}
    return message


def _check_member_kind(member: TeamMember) -> None:
    """REG-2: a new close relative (or a person turned into one) only in a category that takes relatives.
    A relative already recorded stays editable and removable; the team check names it until removed."""
    if member.kind != TeamMember.Kind.RELATIVE:
        return
    category = member.application.age_category
    if member.kind in member_kinds_offered(category):
        return
    if member.pk is not None and TeamMember.objects.filter(pk=member.pk, kind=TeamMember.Kind.RELATIVE).exists():
        return
    raise DomainError(relative_refusal(category), field="kind", code="relative_not_allowed")


def _check_member_data(member: TeamMember) -> None:
    contest = profiles.rules_of(member.application.championship)
    if contest is not None:
        contest.check_member(member)
        return
    if member.kind == TeamMember.Kind.PARTICIPANT:
        if member.grade is None:
            raise DomainError(_("Укажите класс обучения участника (от 1 до 11)."), field="grade")
        if member.birth_date is None:
            raise DomainError(_("Укажите дату рождения участника."), field="birth_date")
        today = timezone.localdate()
        if member.birth_date >= today or member.birth_date < today.replace(year=today.year - 25):
            raise DomainError(_("Дата рождения участника указана неверно: %(date)s.")
                              % {"date": member.birth_date.strftime("%d.%m.%Y")}, field="birth_date")
        if member.organisation_id is None:
            raise DomainError(_("Укажите организацию, в которой учится участник."), field="organisation")
    if member.kind == TeamMember.Kind.MENTOR:
        if not member.email:
            raise DomainError(_("Укажите e-mail наставника."), field="email")
        if not member.phone:
            raise DomainError(_("Укажите телефон наставника."), field="phone")
        if not member.position:
            raise DomainError(_("Укажите должность наставника."), field="position")
    if member.kind == TeamMember.Kind.RELATIVE and not member.relation:
        raise DomainError(_("Укажите родство с участником."), field="relation")
    if member.kind != TeamMember.Kind.PARTICIPANT:
        member.grade = None
    if member.kind != TeamMember.Kind.RELATIVE:
        member.relation = ""


def remove_member(member: TeamMember, *, by: Any, reason: str = "") -> None:
    application = member.application
    with transaction.atomic():
        _check_applicant_may_edit(application, by)
        if member.remarks.exists() or member.consents.exists() or member.document_checks.exists():
            raise DomainError(_("%(name)s уже есть в замечаниях, согласиях или проверке документов: удалить нельзя. "
                                "Исправьте данные или оформите замену.") % {"name": member.full_name})
        delete_audited(member, by=by, reason=reason, championship=application.championship)
        _enforce_if_placed(application)


def submit_application(application: Application, *, by: Any) -> Application:
    """draft → submitted, when the team meets every rule (REG-2, REG-3, REG-9…REG-12) and every person's
    consents are recorded (REG-6)."""
    with transaction.atomic():
        if application.status != workflow.DRAFT:
            locked = Application.objects.get(pk=application.pk)
            raise TransitionError(_("Заявка уже в состоянии «%(state)s»: подать можно только черновик.")
                                  % {"state": locked.get_status_display()})
        _check_applicant_may_edit(application, by)
        _enforce_rules(application)
        _enforce_consents(application)
        _move(application, workflow.SUBMITTED, by=by, submitted_at=timezone.now())
        _notify(application, "application_submitted")
    return application


def resubmit_application(application: Application, *, by: Any) -> Application:
    """returned → resubmitted after the applicant fixed the remarks; the remarks are marked resolved."""
    with transaction.atomic():
        if application.status != workflow.RETURNED:
            raise TransitionError(_("Повторно подать можно только заявку, возвращённую на доработку; сейчас она в "
                                    "состоянии «%(state)s».") % {"state": application.get_status_display()})
        _check_applicant_may_edit(application, by)
        _enforce_rules(application)
        _enforce_consents(application)
        application.remarks.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        _move(application, workflow.RESUBMITTED, by=by, submitted_at=timezone.now())
        _notify(application, "application_resubmitted")
    return application


RemarkInput = tuple[TeamMember | None, str, str]


def return_application(application: Application, *, by: Any, remarks: Sequence[RemarkInput]) -> Application:
    """submitted/resubmitted → returned, with at least one remark on the team or on a person's field."""
    cleaned: list[RemarkInput] = []
    for member, field, text in remarks:
        text = clean_text(text, field="remarks", what=_("Замечание"), required=False, max_length=REMARK_MAX)
        if not text:
            continue
        if member is not None and member.application_id != application.pk:
            raise DomainError(_("Замечание относится к человеку из другой заявки."), field="remarks")
        cleaned.append((member, (field or "")[:64], text))
    if not cleaned:
        raise DomainError(_("Напишите хотя бы одно замечание: что заявителю исправить."), field="remarks")
    with transaction.atomic():
        _move(application, workflow.RETURNED, by=by, reason="; ".join(t for _m, _f, t in cleaned)[:REASON_MAX],
              decided_at=timezone.now(), decided_by=by)
        for member, field, text in cleaned:
            remark = Remark.objects.create(application=application, member=member, field=field, text=text,
                                           created_by=by)
            record(actor=by, action=AuditEntry.Action.CREATE, instance=remark, after=snapshot(remark),
                   championship=application.championship)
        _notify(application, "application_returned",
                remarks=[f"{m.full_name + ': ' if m else ''}{t}" for m, _f, t in cleaned])
    return application


def approve_application(application: Application, *, by: Any) -> Application:
    """submitted/resubmitted → approved; the rules are checked once more at this moment."""
    with transaction.atomic():
        if not workflow.can_move(application.status, workflow.APPROVED):
            raise TransitionError(_("Одобрить можно только поданную заявку; сейчас она в состоянии «%(state)s».")
                                  % {"state": application.get_status_display()})
        _enforce_rules(application)
        _move(application, workflow.APPROVED, by=by, decided_at=timezone.now(), decided_by=by, decision_reason="")
        contest = profiles.rules_of(application.championship)
        if contest is not None:
            contest.approved(application, by=by)
        _notify(application, "application_approved")
    return application


def reject_application(application: Application, *, by: Any, reason: str) -> Application:
    reason = clean_text(reason, field="reason", what=_("Причина отклонения"), missing=_("Укажите причину отклонения заявки."),
                        max_length=REASON_MAX)
    with transaction.atomic():
        _move(application, workflow.REJECTED, by=by, reason=reason, decided_at=timezone.now(), decided_by=by,
              decision_reason=reason)
        _notify(application, "application_rejected", reason=reason)
    return application


def withdraw_application(application: Application, *, by: Any, reason: str = "") -> Application:
    reason = clean_text(reason, field="reason", what=_("Причина отзыва"), required=False, max_length=REASON_MAX)
    with transaction.atomic():
        was_approved = Application.objects.filter(pk=application.pk, status=workflow.APPROVED).exists()
        _move(application, workflow.WITHDRAWN, by=by, reason=reason)
        contest = profiles.rules_of(application.championship)
        if contest is not None:
            contest.withdrawn(application, by=by, was_approved=was_approved)
    return application


def reopen_application(application: Application, *, by: Any, reason: str) -> Application:
    """After the deadline the Directorate lets the applicant edit one application again, with a reason."""
    reason = clean_text(reason, field="reason", what=_("Почему заявку открывают для правки"),
                        missing=_("Укажите, почему заявку открывают для правки."), max_length=REASON_MAX)
    with transaction.atomic():
        if application.status in (workflow.REJECTED, workflow.WITHDRAWN):
            raise TransitionError(_("Заявку в состоянии «%(state)s» открыть для правки нельзя.")
                                  % {"state": application.get_status_display()})
        application.reopened = True
        application.reopen_reason = reason
        save_audited(application, by=by, reason=reason)
    return application


def bulk_approve(applications: Iterable[Application], *, by: Any) -> tuple[list[Application], list[tuple[Application, str]]]:
    """Approve several applications; each is its own decision, so one refusal does not block the others."""
    approved: list[Application] = []
    refused: list[tuple[Application, str]] = []
    for application in applications:
        try:
            approve_application(application, by=by)
        except DomainError as exc:
            refused.append((application, exc.message))
        else:
            approved.append(application)
    return approved, refused


# --- Out of competition (REG-4) -----------------------------------------------------------------


def set_out_of_competition(application: Application, *, by: Any, out_of_competition: bool, barred: bool,
                           reason: str) -> Application:
    """Put a team «вне зачёта» and/or bar it from the next stage, or lift that, with the reason and who decided."""
    reason = clean_text(reason, field="reason", what=_("Основание решения"), missing=_("Укажите основание решения."),
                        max_length=REASON_MAX)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != workflow.APPROVED:
            raise TransitionError(_("Статус «вне зачёта» назначается только зарегистрированной (одобренной) команде."))
        locked.out_of_competition = out_of_competition
        locked.barred_from_next_stage = barred
        locked.out_of_competition_reason = reason
        locked.out_of_competition_by = by
        locked.out_of_competition_at = timezone.now()
        save_audited(locked, by=by, reason=reason)
        _notify(locked, "application_team_status", out_of_competition=out_of_competition, barred=barred,
                reason=reason)
    application.refresh_from_db()
    return application


def ranked_applications(championship: Championship) -> Any:
    """Teams that take part in ranking and proceed to the next stage: approved and not out of competition."""
    return Application.objects.filter(championship=championship, status=workflow.APPROVED, out_of_competition=False)


# --- Substitution (REG-13) ----------------------------------------------------------------------


def team_competition_day(application: Application) -> dt.date | None:
    dates = competition_dates(application)
    return min(start for start, _end in dates) if dates else None


def _check_substitution_deadline(application: Application, today: dt.date) -> None:
    day = team_competition_day(application)
    if day is None:
        return
    days = rules_for(application.championship).substitution_days_before
    last = day - dt.timedelta(days=days)
    if today > last:
        raise DomainError(_("Замена возможна не позднее %(last)s (за %(days)s дн. до выступления команды %(day)s). "
                            "Команда может выступить в неполном составе по решению Дирекции.")
                          % {"last": last.strftime("%d.%m.%Y"), "days": days, "day": day.strftime("%d.%m.%Y")},
                          code="deadline")


def request_substitution(application: Application, *, outgoing: TeamMember, incoming: TeamMember, reason: str,
                         by: Any, today: dt.date | None = None) -> SubstitutionRequest:
    """Ask the Directorate to replace one member; the replacement waits as a proposed member."""
    reason = clean_text(reason, field="reason", what=_("Причина замены"), missing=_("Укажите уважительную причину замены."),
                        max_length=REASON_MAX)
    today = today or timezone.localdate(timezone=timezones.zone_of(application.championship))
    with transaction.atomic():
        if application.status != workflow.APPROVED:
            raise TransitionError(_("Замена оформляется для зарегистрированной (одобренной) команды."))
        if outgoing.application_id != application.pk or outgoing.state != TeamMember.State.ACTIVE:
            raise DomainError(_("Выбывающий должен быть в составе этой команды."), field="outgoing")
        if outgoing.kind != incoming.kind:
            raise DomainError(_("Замена — на человека той же роли в команде (%(kind)s).")
                              % {"kind": outgoing.get_kind_display()}, field="kind")
        _check_substitution_deadline(application, today)
        if application.substitutions.filter(status=SubstitutionRequest.Status.PENDING).exists():
            raise DomainError(_("По этой заявке уже есть нерассмотренная замена."))
        incoming.application = application
        incoming.state = TeamMember.State.PROPOSED
        _check_member_data(incoming)
        save_audited(incoming, by=by, championship=application.championship)
        request = SubstitutionRequest(application=application, outgoing=outgoing, incoming=incoming, reason=reason,
                                      requested_by=by)
        save_audited(request, by=by, championship=application.championship)
    return request


def decide_substitution(request: SubstitutionRequest, *, approve: bool, by: Any, reason: str = "",
                        today: dt.date | None = None) -> SubstitutionRequest:
    """The Directorate approves (the rules must hold with the new member) or refuses a substitution."""
    application = request.application
    today = today or timezone.localdate(timezone=timezones.zone_of(application.championship))
    reason = clean_text(reason, field="reason", what=_("Причина отказа"), required=not approve,
                        missing=_("Укажите причину отказа."), max_length=REASON_MAX)
    with transaction.atomic():
        locked = SubstitutionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != SubstitutionRequest.Status.PENDING:
            raise TransitionError(_("Замена уже рассмотрена: %(state)s.") % {"state": locked.get_status_display()})
        before = snapshot(locked)
        if approve:
            _check_substitution_deadline(application, today)
            TeamMember.objects.filter(pk=locked.outgoing_id).update(state=TeamMember.State.REPLACED)
            TeamMember.objects.filter(pk=locked.incoming_id).update(state=TeamMember.State.ACTIVE)
            _enforce_rules(application)
        else:
            TeamMember.objects.filter(pk=locked.incoming_id).update(state=TeamMember.State.REPLACED)
        locked.status = SubstitutionRequest.Status.APPROVED if approve else SubstitutionRequest.Status.REFUSED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.decision_reason = reason
        locked.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               reason=reason, championship=application.championship)
        _notify(application, "application_substitution", approved=approve, outgoing=locked.outgoing.full_name,
                incoming=locked.incoming.full_name)
    request.refresh_from_db()
    return request


def allow_incomplete(application: Application, *, by: Any, reason: str) -> Application:
    """003 §17.6: the team competes incomplete, by a recorded decision."""
    reason = clean_text(reason, field="reason", what=_("Основание решения"), missing=_("Укажите основание решения."),
                        max_length=REASON_MAX)
    with transaction.atomic():
        application.incomplete_allowed = True
        application.incomplete_reason = reason
        save_audited(application, by=by, reason=reason)
    return application


# --- Consents (REG-6, REG-8) --------------------------------------------------------------------


def publish_consent_version(*, championship: Championship, kind: str, title: str, text: str, by: Any) -> ConsentVersion:
    """The Directorate publishes a new version of a consent form's text."""
    if kind not in ConsentForm.Kind.values:
        raise DomainError(_("Неизвестный вид согласия."), field="kind")
    title = clean_text(title, field="title", what=_("Название формы согласия"), missing=_("Укажите название формы согласия."),
                       max_length=300)
    text = clean_text(text, field="text", what=_("Текст согласия"), missing=_("Вставьте текст согласия."), max_length=50_000)
    with transaction.atomic():
        form, _created = ConsentForm.objects.get_or_create(championship=championship, kind=kind,
                                                           defaults={"title": title})
        form = ConsentForm.objects.select_for_update().get(pk=form.pk)
        if form.title != title:
            form.title = title
            form.save(update_fields=["title"])
        last = form.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = ConsentVersion(form=form, number=last + 1, text=text, published_by=by)
        save_audited(version, by=by, championship=championship)
    return version


def record_consent(member: TeamMember, *, version: ConsentVersion, given_by: str, given_by_name: str, by: Any,
                   given_at: dt.datetime | None = None) -> Consent:
    """Record that a consent was given for a person; a minor's consent is given by a parent or the mentor."""
    if version.form.championship_id != member.application.championship_id:
        raise DomainError(_("Форма согласия относится к другому чемпионату."), field="version")
    if given_by not in Consent.GivenBy.values:
        raise DomainError(_("Укажите, кем дано согласие."), field="given_by")
    contest = profiles.rules_of(member.application.championship)
    adult = contest is not None and contest.adult_participants
    if member.kind == TeamMember.Kind.PARTICIPANT and given_by == Consent.GivenBy.SELF and not adult:
        raise DomainError(_("За несовершеннолетнего участника согласие даёт родитель (законный представитель), "
                            "наставник или ответственное лицо организации."), field="given_by")
    given_by_name = clean_text(given_by_name, field="given_by_name", what=_("Кто дал согласие"),
                               missing=_("Укажите ФИО того, кто дал согласие."), max_length=300)
    consent = Consent(member=member, version=version, given_by=given_by, given_by_name=given_by_name,
                      given_at=given_at or timezone.now(), recorded_by=by)
    save_audited(consent, by=by, championship=member.application.championship)
    return consent


def current_consent_versions(championship: Championship) -> list[ConsentVersion]:
    """The latest published version of each consent form of the championship, in the forms' order."""
    latest: dict[int, ConsentVersion] = {}
    for version in (ConsentVersion.objects.filter(form__championship=championship).select_related("form")
                    .order_by("form__kind", "-number")):
        latest.setdefault(version.form_id, version)
    return list(latest.values())


def given_consent_forms(members: Iterable[TeamMember]) -> dict[int, set[int]]:
    """For each member: the consent forms with a live (not withdrawn) consent of any version."""
    members = list(members)
    given: dict[int, set[int]] = {m.pk: set() for m in members}
    for member_id, form_id in (Consent.objects.filter(member__in=members, withdrawn_at__isnull=True)
                               .values_list("member_id", "version__form_id")):
        given[member_id].add(form_id)
    return given


def missing_consents(application: Application) -> list[tuple[TeamMember, ConsentVersion]]:
    """REG-6: each active person of the team needs every consent form the championship published."""
    versions = current_consent_versions(application.championship)
    if not versions:
        return []
    members = active_members(application)
    given = given_consent_forms(members)
    return [(m, v) for m in members for v in versions if v.form_id not in given[m.pk]]


def _enforce_consents(application: Application) -> None:
    missing = missing_consents(application)
    if not missing:
        return
    by_person: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for member, version in missing:
        by_person.setdefault(member.pk, []).append(version.form.title)
        names[member.pk] = member.full_name
    summary = "; ".join(f"{names[pk]}: {', '.join(titles)}" for pk, titles in by_person.items())
    raise DomainError(_("Не записаны согласия (п. 3.5.1 методики) — %(summary)s. Отметьте их на странице "
                        "«Согласия команды».") % {"summary": summary}, code="consents")


@dataclasses.dataclass(frozen=True)
class ConsentEntry:
    """One person's consents given in one act: which versions, by whom, when."""

    member: TeamMember
    versions: Sequence[ConsentVersion]
    given_by: str
    given_by_name: str
    given_at: dt.datetime | None = None


def record_consents(application: Application, entries: Sequence[ConsentEntry], *, by: Any) -> list[Consent]:
    """REG-6: record the consents of several people of one application in one act, all or nothing.

    A consent already live for that form is skipped, so sending the same form twice records nothing new."""
    recorded: list[Consent] = []
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).exists()
        for entry in entries:
            if entry.member.application_id != application.pk:
                raise DomainError(_("Человек не из этой заявки."), field="member")
            given = given_consent_forms([entry.member])[entry.member.pk]
            for version in entry.versions:
                if version.form_id in given:
                    continue
                recorded.append(record_consent(entry.member, version=version, given_by=entry.given_by,
                                               given_by_name=entry.given_by_name, by=by,
                                               given_at=entry.given_at))
                given.add(version.form_id)
    return recorded


def withdraw_consent(consent: Consent, *, by: Any, note: str) -> Consent:
    """REG-8: the consent is withdrawn; processing of that person's data stops from now."""
    note = clean_text(note, field="note", what=_("Как и когда получен отзыв"),
                      missing=_("Укажите, как и когда получен отзыв согласия."), max_length=REASON_MAX)
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_at is not None:
            raise TransitionError(_("Согласие уже отозвано."))
        locked.withdrawn_at = timezone.now()
        locked.withdrawal_note = note
        save_audited(locked, by=by, reason=note, championship=locked.member.application.championship)
    consent.refresh_from_db()
    return consent


def processing_stopped(member: TeamMember) -> bool:
    """Whether a personal-data consent of this person was withdrawn and not given again since (REG-8)."""
    consents = list(member.consents.filter(version__form__kind=ConsentForm.Kind.PERSONAL_DATA))
    live = [c for c in consents if c.withdrawn_at is None]
    return bool(consents) and not live


def end_participation(member: TeamMember, *, by: Any, reason: str) -> TeamMember:
    """REG-8: the Directorate ends a person's participation (e.g. after consent withdrawal), with a decision."""
    reason = clean_text(reason, field="reason", what=_("Основание решения"), missing=_("Укажите основание решения."),
                        max_length=REASON_MAX)
    with transaction.atomic():
        if member.state != TeamMember.State.ACTIVE:
            raise TransitionError(_("%(name)s уже не в составе команды.") % {"name": member.full_name})
        member.state = TeamMember.State.ENDED
        save_audited(member, by=by, reason=reason, championship=member.application.championship)
    return member


# --- Document check before the final (REG-7) ----------------------------------------------------

SCAN_MAX_BYTES = 5 * 1024 * 1024
#: Leading bytes of the scan types accepted: PDF, PNG, JPEG.
SCAN_SIGNATURES = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
#: Leading bytes of what people most often upload by mistake, to name it in the message.
KNOWN_OTHER_SIGNATURES = {b"MZ": "exe", b"\x7fELF": "exe", b"PK\x03\x04": "zip", b"\xd0\xcf\x11\xe0": "office",
                          b"Rar!": "zip", b"GIF8": "gif"}


def required_document_items(member: TeamMember) -> list[str]:
    items = [DocumentCheck.Item.IDENTITY]
    if member.kind == TeamMember.Kind.PARTICIPANT:
        items.append(DocumentCheck.Item.SCHOOL_CERTIFICATE)
    items.append(DocumentCheck.Item.CONSENTS)
    return [str(i) for i in items]


def _named_kind(head: bytes) -> str:
    names = {"exe": _("исполняемая программа"), "zip": _("архив или документ Office"),
             "office": _("документ Office"), "gif": _("изображение GIF")}
    for signature, kind in KNOWN_OTHER_SIGNATURES.items():
        if head.startswith(signature):
            return str(names[kind])
    return _("неизвестный тип")


def check_scan(upload: Any) -> str:
    """The scan's real type (by content, never by name or declared type) or a DomainError that names every
    problem at once: only PDF, PNG, JPEG up to 5 MB."""
    size = getattr(upload, "size", 0) or 0
    head = upload.read(16)
    upload.seek(0)
    kind = next((k for signature, k in SCAN_SIGNATURES.items() if head.startswith(signature)), None)
    problems = []
    if kind is None:
        problems.append(_("по содержимому это не PDF, PNG или JPEG (%(what)s)") % {"what": _named_kind(head)})
    if size > SCAN_MAX_BYTES:
        problems.append(_("размер %(size)s МБ больше допустимых 5 МБ") % {"size": round(size / 1024 / 1024, 1)})
    if problems:
        name = str(getattr(upload, "name", "") or "")[-120:]
        raise DomainError(_("Файл «%(name)s» не принят: %(problems)s. Загрузите скан в PDF, PNG или JPEG до 5 МБ.")
                          % {"name": name, "problems": "; ".join(problems)}, field="scan")
    return kind or ""


def record_document_check(member: TeamMember, *, item: str, outcome: str, comment: str = "", scan: Any = None,
                          by: Any) -> DocumentCheck:
    if item not in required_document_items(member):
        raise DomainError(_("Этот документ не требуется для %(name)s.") % {"name": member.full_name}, field="item")
    if outcome not in DocumentCheck.Outcome.values:
        raise DomainError(_("Выберите результат проверки."), field="outcome")
    comment = clean_text(comment, field="comment", what=_("Комментарий"), required=outcome != DocumentCheck.Outcome.ACCEPTED,
                         missing=_("Опишите, что не так с документом."), max_length=REASON_MAX)
    if scan is not None:
        check_scan(scan)
    with transaction.atomic():
        check = DocumentCheck.objects.filter(member=member, item=item).first() or DocumentCheck(member=member, item=item)
        check.outcome = outcome
        check.comment = comment
        check.checked_by = by
        if scan is not None:
            if check.scan:
                check.scan.delete(save=False)
            check.scan.save(scan.name, scan, save=False)
        save_audited(check, by=by, championship=member.application.championship)
    return check


def delete_scans_after(championship: Championship, *, by: Any = None, today: dt.date | None = None) -> int:
    """Retention (REG-7, X-1): delete every scan of a championship that has ended. Returns how many."""
    today = today or timezone.localdate(timezone=timezones.zone_of(championship))
    if championship.ends_on >= today:
        return 0
    deleted = 0
    for check in DocumentCheck.objects.filter(member__application__championship=championship).exclude(scan=""):
        with transaction.atomic():
            before = snapshot(check)
            check.scan.delete(save=False)
            check.save(update_fields=["scan"])
            record(actor=by, action=AuditEntry.Action.UPDATE, instance=check, before=before, after=snapshot(check),
                   reason=_("Срок хранения сканов истёк"), championship=championship)
        deleted += 1
    return deleted


def delete_expired_scans(*, by: Any = None, today: dt.date | None = None) -> dict[Championship, int]:
    """Retention over every championship that has ended (the ``delete_registration_scans`` command)."""
    today = today or timezone.localdate()
    ended = Championship.objects.filter(ends_on__lt=today, pk__in=DocumentCheck.objects.exclude(scan="").values(
        "member__application__championship_id"))
    return {championship: delete_scans_after(championship, by=by, today=today) for championship in ended}


def log_scan_access(user: Any, check: DocumentCheck) -> None:
    """Opening a scan of a person's document is an access to their personal data (X-1)."""
    record(actor=user, action=AuditEntry.Action.ACCESS, instance=check.member,
           reason=_("Скан: %(item)s") % {"item": check.get_item_display()},
           championship=check.member.application.championship)


# --- Personal data of minors (X-1) --------------------------------------------------------------


def log_personal_data_access(user: Any, members: Iterable[TeamMember], *, what: str) -> int:
    """Record who viewed which minor's personal record, when and through what (readable by the Directorate
    in the audit log). Returns the number of records logged. A contest with rules of its own (adult
    contestants, :mod:`.profiles`) logs every access to its people's data its own way."""
    members = list(members)
    contest = profiles.rules_of(members[0].application.championship) if members else None
    if contest is not None:
        return contest.record_access(user, members, what=what)
    count = 0
    for member in members:
        if not member.is_minor_record:
            continue
        record(actor=user, action=AuditEntry.Action.ACCESS, instance=member, reason=what[:REASON_MAX],
               championship=member.application.championship)
        count += 1
    return count


def applications_visible_to(user: Any, championship: Championship) -> Any:
    """Applications whose people's data this person may read (X-1): the Directorate and quality control all;
    the chief expert
    those of their competency; a mentor those
    they filed and those where they are the mentor; an organisation's representative all of it. Must agree
    with ``registration.view_application`` in :mod:`profmaster.permissions`."""
    queryset = Application.objects.filter(championship=championship)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if is_directorate(user, championship):
        return queryset
    from profmaster.accounts.models import RoleAssignment

    if RoleAssignment.objects.filter(user=user, championship=championship, role=Role.QUALITY_CONTROL).exists():
        return queryset  # DOC-4: quality control reads every record of the championship (and is audited)

    # A mentor replaced on the team no longer reads it, even an application they filed (permissions.is_applicant).
    former = TeamMember.objects.filter(user=user, kind=TeamMember.Kind.MENTOR,
                                       state__in=[TeamMember.State.REPLACED, TeamMember.State.ENDED]
                                       ).values("application_id")
    current = TeamMember.objects.filter(user=user, kind=TeamMember.Kind.MENTOR,
                                        state=TeamMember.State.ACTIVE).values("application_id")
    condition = Q(pk__in=current) | (Q(created_by=user) & ~Q(pk__in=former))
    org_ids = list(RoleAssignment.objects.filter(
        user=user, championship=championship, role=Role.ORG_REPRESENTATIVE,
        organisation__isnull=False).values_list("organisation_id", flat=True))
    if org_ids:
        condition |= Q(organisation_id__in=org_ids)
    chief_of = list(RoleAssignment.objects.filter(user=user, championship=championship, role=Role.CHIEF_EXPERT)
                    .values_list("competency_id", flat=True))
    if chief_of:
        condition |= Q(competency_id__in=chief_of)
    return queryset.filter(condition).distinct()
