"""The registration rules of «Лучший по профессии» (REG-1, 000 §1) plugged into the one registration workflow.

``registration.profiles`` asks these instead of 003's team rules for a championship of the
``best_in_profession`` profile: the person's data (an adult worker: birth date, employer, position — no grade),
the application (one contestant of an employer, the nomination's admission conditions, entered once), the
approval (the contestant gets the participant's role of the nomination's competency: the theory exam and the
task hand-out reach them) and the access log of their personal data (RM-7).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.core.errors import DomainError
from profmaster.organisations.models import Organisation
from profmaster.registration import team_rules, workflow

from . import admission
from .models import EDUCATION_ORDER, ContestantProfile, Education, PersonalDataAccess, ProfessionNomination


def conditions_of(nomination: ProfessionNomination) -> admission.Conditions:
    return admission.Conditions(
        nomination=nomination.name, min_age=nomination.min_age, max_age=nomination.max_age,
        min_years_of_service=nomination.min_years_of_service, min_education=nomination.min_education,
        education_order=EDUCATION_ORDER, education_labels={k: str(v) for k, v in Education.choices},
        note=nomination.conditions_note)


def identity(member: Any) -> str:
    from profmaster.registration.domain import member_identity

    return member_identity(member)


def contestant_of(member: Any, profile: ContestantProfile | None) -> admission.Contestant:
    return admission.Contestant(
        key=str(member.pk), kind=member.kind, name=member.full_name, birth_date=member.birth_date,
        years_of_service=profile.years_of_service if profile else None, education=profile.education if profile else "",
        position=member.position or "", organisation_id=member.organisation_id,
        conditions_confirmed=bool(profile and profile.conditions_confirmed), identity=identity(member))


def assessment_day(championship: Any) -> Any:
    """Conditions hold on the day of the check, on the championship's calendar (X-6)."""
    return timezone.localdate(timezone=timezones.zone_of(championship))


class ContestantRules:
    adult_participants = True

    def check_member(self, member: Any) -> None:
        if member.kind != "participant":
            raise DomainError(_("В конкурсе «Лучший по профессии» участник выступает сам: наставник и родственники в "
                                "заявку не входят."), field="kind")
        if member.birth_date is None:
            raise DomainError(_("Укажите дату рождения участника."), field="birth_date")
        today = assessment_day(member.application.championship)
        if member.birth_date >= today or admission.age_on(member.birth_date, today) > 100:
            raise DomainError(_("Дата рождения участника указана неверно: %(date)s.")
                              % {"date": member.birth_date.strftime("%d.%m.%Y")}, field="birth_date")
        if member.organisation_id is None:
            raise DomainError(_("Укажите место работы участника — организацию-работодателя."), field="organisation")
        if not (member.position or "").strip():
            raise DomainError(_("Укажите должность участника."), field="position")
        member.grade = None
        member.relation = ""

    def check_application(self, application: Any, members: list[Any]) -> list[team_rules.Violation]:
        nomination = ProfessionNomination.objects.filter(category_id=application.age_category_id).first()
        if nomination is None:
            return [team_rules.Violation("REG-1", team_rules.gettext_noop("Выберите номинацию конкурса."),
                                         field="age_category")]
        profiles = {p.member_id: p for p in ContestantProfile.objects.filter(member__in=members)}
        organisation = application.organisation
        entry = admission.Entry(
            organisation_id=application.organisation_id,
            organisation_is_employer=organisation.kind == Organisation.Kind.EMPLOYER,
            people=[contestant_of(m, profiles.get(m.pk)) for m in members])
        from profmaster.registration.models import Application, TeamMember

        others = []
        for other in (Application.objects.filter(championship_id=application.championship_id, status__in=workflow.LIVE)
                      .exclude(pk=application.pk).select_related("organisation", "competency", "age_category")
                      .prefetch_related("members")):
            others.append(admission.OtherEntry(label=other.label, identities=frozenset(filter(None, (
                identity(m) for m in other.members.all()
                if m.state == TeamMember.State.ACTIVE and m.kind == TeamMember.Kind.PARTICIPANT)))))
        return admission.check_entry(entry, conditions_of(nomination), on=assessment_day(application.championship),
                                     others=others)

    def approved(self, application: Any, *, by: Any) -> None:
        """The approved contestant becomes a participant of the nomination's competency (exam, task hand-out)."""
        from profmaster.accounts.domain import assign_role

        for member in application.members.filter(state="active", kind="participant").exclude(user=None):
            if not RoleAssignment.objects.filter(user_id=member.user_id, role=Role.PARTICIPANT,
                                                 championship_id=application.championship_id,
                                                 competency_id=application.competency_id).exists():
                assign_role(user=member.user, role=Role.PARTICIPANT, championship=application.championship,
                            competency=application.competency, organisation=application.organisation, by=by,
                            reason=_("Заявка № %(pk)s одобрена") % {"pk": application.pk})

    def withdrawn(self, application: Any, *, by: Any, was_approved: bool) -> None:
        from profmaster.accounts.domain import revoke_role

        if not was_approved:
            return
        for member in application.members.filter(kind="participant").exclude(user=None):
            for assignment in RoleAssignment.objects.filter(user_id=member.user_id, role=Role.PARTICIPANT,
                                                            championship_id=application.championship_id,
                                                            competency_id=application.competency_id):
                revoke_role(assignment, by=by, reason=_("Заявка № %(pk)s отозвана") % {"pk": application.pk})

    def record_access(self, user: Any, members: Iterable[Any], *, what: str) -> int:
        return record_access(user, members, what=what)


def record_access(user: Any, members: Iterable[Any], *, what: str,
                  channel: str = PersonalDataAccess.Channel.PAGE) -> int:
    """RM-7, X-1: every access to a contestant's personal data — who, when, what, which channel — in the
    contest's access log and the audit log. Returns how many records were logged."""
    members = list(members)
    if not members or not getattr(user, "is_authenticated", False):
        return 0
    what = (what or "")[:500]
    if channel == PersonalDataAccess.Channel.PAGE and "API" in what:
        channel = PersonalDataAccess.Channel.API
    with transaction.atomic():
        PersonalDataAccess.objects.bulk_create([
            PersonalDataAccess(championship_id=m.application.championship_id, member=m, subject_name=m.full_name,
                               user=user, what=what, channel=channel) for m in members])
        for member in members:
            record(actor=user, action=AuditEntry.Action.ACCESS, instance=member, reason=what,
                   championship=member.application.championship)
    return len(members)


CONTESTANT_RULES = ContestantRules()
