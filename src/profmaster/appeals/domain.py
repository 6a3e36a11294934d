"""Appeals and the appeal commission (SPEC AP-2, AP-3; 003 §7.4, §8.1–8.10, §6.20): one function per change.

The commission:

* :func:`add_member`, :func:`remove_member` — the Directorate composes the commission from its own people
  (who hold the Directorate's or the commission's role in the championship);
* :func:`approve_commission` — at least :data:`MIN_MEMBERS` members, no later than the end of the day two days
  before the remote stage starts, in the championship's zone (003 §8.5); the approved composition is
  published on the public page «Регламентирующие документы» and cannot be changed;
* :func:`open_election`, :func:`cast_ballot` — the first meeting elects the chair by a simple majority of all
  members (a recorded vote); the APPEAL_CHAIR role follows the election.

An appeal:

* :func:`file_appeal` — only the team's active mentor, only after a decided dispute on the same question (its
  protocol attached), only until the end of the day the problem arose in the championship's zone (003 §8.4),
  never once the competency's results were published after the problem arose (003 §7.4), one per dispute;
  with the persons involved, the claim and the scanned signed form (PDF/PNG/JPEG by content, ≤ 5 MB);
* :func:`open_hearing`, :func:`record_note`, :func:`cast_vote`, :func:`cast_chair_vote` — the closed hearing:
  each member votes once; on a tie the chair's additional vote decides (:func:`profmaster.core.votes.
  commission_outcome`);
* :func:`decide_appeal` — the hearing closes only with a decision; the final protocol (signed by the chair)
  goes to the Directorate and the appellant is told; nothing of it is edited afterwards.

A pending appeal holds the competency's results publication and marks lock (:mod:`.guards`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from profmaster.accounts import domain as accounts
from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Stage
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.links import absolute_url
from profmaster.core.text import clean_text
from profmaster.core.votes import Choice, Outcome, Tally, commission_outcome, majority_of
from profmaster.disputes.models import Dispute
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType
from profmaster.notifications.domain import queue_email, usable_addresses
from profmaster.registration.domain import check_scan
from profmaster.registration.models import Application, TeamMember
from profmaster.results.models import ResultsVersion

from .models import (
    Appeal,
    ChairBallot,
    ChairElection,
    Commission,
    CommissionMember,
    Hearing,
    HearingNote,
    HearingVote,
)

#: 003 §8.5: the commission has at least five members.
MIN_MEMBERS = 5
#: 003 §8.5: the composition is approved two days before the remote stage starts.
APPROVAL_DAYS_BEFORE = 2
TEXT_MAX = 4000
#: Who counts as the Directorate's people in a championship (003 §8.5: «из числа сотрудников Дирекции»).
STAFF_ROLES = (Role.DIRECTORATE, Role.APPEAL_MEMBER, Role.APPEAL_CHAIR)
CHAIR_LABEL = "Председатель апелляционной комиссии"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _when(value: dt.datetime, championship: Championship) -> str:
    return timezones.format_local(value, timezones.zone_of(championship))


# --- Addressees ----------------------------------------------------------------------------------------------


def _directorate(championship: Championship) -> list[str]:
    return usable_addresses(a.user.email for a in RoleAssignment.objects.filter(
        role=Role.DIRECTORATE, championship=championship, user__is_active=True).select_related("user"))


def _members_addresses(commission: Commission | None) -> list[str]:
    if commission is None:
        return []
    return usable_addresses(m.user.email for m in commission.members.select_related("user") if m.user.is_active)


def _mentor_addresses(team: Application) -> list[str]:
    return usable_addresses(m.user.email if m.user else m.email for m in team.members.filter(
        kind=TeamMember.Kind.MENTOR, state=TeamMember.State.ACTIVE).select_related("user"))


def _notify(appeal: Appeal, event: str, recipients: list[str], **extra: Any) -> None:
    if not recipients:
        return
    queue_email("appeal_event", {
        "event": event, "number": appeal.number, "competency": appeal.competency.name,
        "team": str(appeal.team.organisation) if appeal.team.organisation_id else f"№ {appeal.team_id}",
        "claim": appeal.claim, "link": absolute_url(reverse("appeals:detail", args=[appeal.pk])), **extra,
    }, recipients, championship=appeal.championship, related=appeal)


# --- The commission ------------------------------------------------------------------------------------------


def commission_of(championship: Championship) -> Commission | None:
    return Commission.objects.filter(championship=championship).select_related("chair").first()


def members_of(commission: Commission | None) -> list[User]:
    if commission is None:
        return []
    return [m.user for m in commission.members.select_related("user")]


def candidates(championship: Championship) -> list[User]:
    """The Directorate's people of the championship who may sit on its commission (003 §8.5)."""
    ids = RoleAssignment.objects.filter(championship=championship, role__in=STAFF_ROLES).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name", "pk"))


def first_remote_stage(championship: Championship) -> Stage | None:
    stages = Stage.objects.filter(championship=championship).order_by("starts_on", "order", "pk")
    return stages.filter(kind=Stage.Kind.REMOTE).first() or stages.first()


def approval_deadline(championship: Championship) -> dt.datetime | None:
    """The last moment the composition may be approved: the end of the day two days before the remote stage
    starts, on the championship's wall clocks (stage on 20.02 → until 18.02 23:59:59)."""
    stage = first_remote_stage(championship)
    if stage is None:
        return None
    return timezones.end_of_local_day(stage.starts_on - dt.timedelta(days=APPROVAL_DAYS_BEFORE),
                                      timezones.zone_of(championship))


def _draft(championship: Championship) -> Commission:
    commission, _created = Commission.objects.select_for_update().get_or_create(championship=championship)
    if commission.is_approved:
        raise TransitionError(_("Состав апелляционной комиссии утверждён и опубликован: изменить его нельзя."))
    return commission


def add_member(championship: Championship, *, user: User, by: Any) -> CommissionMember:
    """Include one of the Directorate's people in the draft composition."""
    if user is None or not user.is_active or user.pk not in {u.pk for u in candidates(championship)}:
        raise DomainError(_("В состав апелляционной комиссии включают только сотрудников Дирекции этого "
                            "чемпионата (роль «Дирекция» или «Член апелляционной комиссии»)."), field="user")
    with transaction.atomic():
        commission = _draft(championship)
        if commission.members.filter(user=user).exists():
            raise DomainError(_("%(name)s уже в составе комиссии.") % {"name": user.full_name}, field="user")
        member = CommissionMember.objects.create(commission=commission, user=user, added_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=member, after=snapshot(member),
               championship=championship)
    return member


def remove_member(member: CommissionMember, *, by: Any) -> None:
    championship = member.commission.championship
    with transaction.atomic():
        _draft(championship)
        before = snapshot(member)
        CommissionMember.objects.filter(pk=member.pk).delete()
        record(actor=by, action=AuditEntry.Action.DELETE, instance=member, before=before, championship=championship)


def approve_commission(championship: Championship, *, by: Any, basis: str = "",
                       now: dt.datetime | None = None) -> Commission:
    """003 §8.5: the Directorate approves at least five members, two days before the remote stage; every member
    then holds the commission member's role and the composition is published."""
    moment = _now(now)
    basis = clean_text(basis, field="basis", what=_("Основание утверждения"), required=False, max_length=300)
    deadline = approval_deadline(championship)
    if deadline is None:
        raise DomainError(_("В чемпионате нет этапов: срок утверждения состава (за 2 дня до начала дистанционного "
                            "этапа) не определён. Добавьте этапы."))
    if moment > deadline:
        raise DomainError(_("Состав апелляционной комиссии утверждается не позднее чем за 2 дня до начала "
                            "дистанционного этапа — до %(deadline)s (п. 8.5 методики). Срок прошёл.")
                          % {"deadline": _when(deadline, championship)}, code="too_late")
    with transaction.atomic():
        commission = _draft(championship)
        members = list(commission.members.select_related("user"))
        if len(members) < MIN_MEMBERS:
            raise DomainError(_("В состав апелляционной комиссии входит не менее %(min)s человек, сейчас — "
                                "%(count)s.") % {"min": MIN_MEMBERS, "count": len(members)})
        before = snapshot(commission)
        commission.state = Commission.State.APPROVED
        commission.approved_by, commission.approved_at, commission.approval_basis = by, moment, basis
        commission.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=commission, before=before,
               after={**snapshot(commission), "members": [m.user.full_name for m in members]}, reason=basis,
               championship=championship)
        for member in members:
            if not RoleAssignment.objects.filter(user=member.user, championship=championship,
                                                 role__in=(Role.APPEAL_MEMBER, Role.APPEAL_CHAIR)).exists():
                accounts.assign_role(user=member.user, role=Role.APPEAL_MEMBER, championship=championship, by=by,
                                     reason=_("Утверждён состав апелляционной комиссии"))
    return commission


def _approved(championship: Championship, *, lock: bool = False) -> Commission:
    queryset = Commission.objects.filter(championship=championship)
    commission = (queryset.select_for_update() if lock else queryset).first()
    if commission is None or not commission.is_approved:
        raise TransitionError(_("Состав апелляционной комиссии ещё не утверждён Дирекцией."))
    return commission


def _member_ids(commission: Commission) -> set[int]:
    return set(commission.members.values_list("user_id", flat=True))


# --- The chair's election (003 §8.5) ------------------------------------------------------------------------


def open_election(championship: Championship, *, by: Any) -> ChairElection:
    with transaction.atomic():
        commission = _approved(championship, lock=True)
        if commission.chair_id is not None:
            raise TransitionError(_("Председатель уже избран: %(name)s.") % {"name": commission.chair})
        if commission.elections.filter(state=ChairElection.State.OPEN).exists():
            raise TransitionError(_("Голосование о председателе уже идёт."))
        last = commission.elections.aggregate(m=Max("round"))["m"] or 0
        election = ChairElection.objects.create(commission=commission, round=last + 1, opened_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=election, after=snapshot(election),
               championship=championship)
    return election


def election_tally(election: ChairElection) -> list[tuple[User, int]]:
    """Candidates with their votes, most first."""
    counted = Counter(election.ballots.values_list("candidate_id", flat=True))
    users = User.objects.in_bulk(list(counted))
    return sorted(((users[pk], votes) for pk, votes in counted.items()), key=lambda item: (-item[1], item[0].last_name))


def cast_ballot(championship: Championship, *, candidate: User | None, by: Any) -> ChairBallot:
    """A member's vote for the chair. A candidate with the votes of a simple majority of all members is elected
    at once (their APPEAL_CHAIR role given, anyone else's taken away); once everyone voted without such a
    majority the round ends and a new one is needed."""
    with transaction.atomic():
        commission = _approved(championship, lock=True)
        members = _member_ids(commission)
        if getattr(by, "pk", None) not in members:
            raise AccessDenied(_("Председателя выбирают члены апелляционной комиссии."))
        election = commission.elections.filter(state=ChairElection.State.OPEN).first()
        if election is None:
            raise TransitionError(_("Голосование о председателе не открыто."))
        if candidate is None or candidate.pk not in members:
            raise DomainError(_("Председателя выбирают из членов комиссии."), field="candidate")
        if election.ballots.filter(voter=by).exists():
            raise DomainError(_("Вы уже проголосовали в этом туре."), code="duplicate")
        try:
            with transaction.atomic():
                ballot = ChairBallot.objects.create(election=election, voter=by, candidate=candidate)
        except IntegrityError as exc:
            raise DomainError(_("Вы уже проголосовали в этом туре."), code="duplicate") from exc
        record(actor=by, action=AuditEntry.Action.CREATE, instance=ballot, after=snapshot(ballot),
               championship=championship)
        needed = majority_of(len(members))
        tally = election_tally(election)
        leader, votes = tally[0]
        if votes >= needed:
            _elect(commission, election, leader, by=by)
        elif election.ballots.count() >= len(members):
            before = snapshot(election)
            election.state, election.closed_at = ChairElection.State.FAILED, timezone.now()
            election.save()
            record(actor=by, action=AuditEntry.Action.TRANSITION, instance=election, before=before,
                   after=snapshot(election), reason=_("Никто не получил большинства голосов членов комиссии."),
                   championship=championship)
    return ballot


def _elect(commission: Commission, election: ChairElection, chair: User, *, by: Any) -> None:
    championship = commission.championship
    now = timezone.now()
    before = snapshot(election)
    election.state, election.closed_at, election.elected = ChairElection.State.ELECTED, now, chair
    election.save()
    record(actor=by, action=AuditEntry.Action.TRANSITION, instance=election, before=before,
           after=snapshot(election), championship=championship)
    before = snapshot(commission)
    commission.chair, commission.chair_elected_at = chair, now
    commission.save()
    record(actor=by, action=AuditEntry.Action.TRANSITION, instance=commission, before=before,
           after=snapshot(commission), championship=championship,
           reason=_("Председатель избран большинством голосов членов комиссии (тур %(round)s).")
           % {"round": election.round})
    reason = _("Выборы председателя апелляционной комиссии, тур %(round)s") % {"round": election.round}
    for assignment in RoleAssignment.objects.filter(championship=championship, role=Role.APPEAL_CHAIR).exclude(
            user=chair):
        accounts.revoke_role(assignment, by=by, reason=reason)
    if not RoleAssignment.objects.filter(championship=championship, role=Role.APPEAL_CHAIR, user=chair).exists():
        accounts.assign_role(user=chair, role=Role.APPEAL_CHAIR, championship=championship, by=by, reason=reason)


# --- Filing (003 §8.2–8.4, §7.4) -----------------------------------------------------------------------------


def filing_deadline(dispute: Dispute) -> dt.datetime:
    """003 §8.4: until the end of the day the problem arose, on the championship's wall clocks."""
    return timezones.end_of_local_day(dispute.arose_on, timezones.zone_of(dispute.championship))


def publication_after(dispute: Dispute) -> ResultsVersion | None:
    """The first results version with the dispute's competency published since the day the problem arose
    (003 §7.4: after it no appeal is accepted). An earlier stage's publication does not count."""
    since = timezones.start_of_local_day(dispute.arose_on, timezones.zone_of(dispute.championship))
    for version in ResultsVersion.objects.filter(championship_id=dispute.championship_id,
                                                 published_at__gte=since).order_by("published_at", "pk"):
        if dispute.competency_id in version.competency_ids:
            return version
    return None


def _mentored_teams(user: Any, competency_id: int) -> list[Application]:
    return list(Application.objects.filter(
        competency_id=competency_id, status=Application.Status.APPROVED, members__user=user,
        members__kind=TeamMember.Kind.MENTOR, members__state=TeamMember.State.ACTIVE).distinct().order_by("pk"))


def appeal_refusal(dispute: Dispute, user: Any, *, now: dt.datetime | None = None) -> str | None:
    """Why ``user`` may not appeal ``dispute`` now (None: they may). Shown on the dispute and in the cabinet."""
    moment = _now(now)
    if not dispute.is_decided:
        return _("Апелляция подаётся только после решения спорного вопроса внутри компетенции главным экспертом и "
                 "экспертами (п. 8.3 методики): вопрос № %(number)s ещё не решён.") % {"number": dispute.number}
    teams = _mentored_teams(user, dispute.competency_id)
    if dispute.team_id is not None:
        teams = [t for t in teams if t.pk == dispute.team_id]
    if not teams:
        return _("Апелляцию направляет наставник команды, которой касается спорный вопрос (п. 8.2 методики).")
    if Appeal.objects.filter(dispute=dispute).exists():
        return _("По этому спорному вопросу апелляция уже подана: повторная апелляция не принимается.")
    published = publication_after(dispute)
    if published is not None and published.published_at <= moment:
        return (_("Результаты компетенции «%(competency)s» опубликованы %(at)s: право на подачу апелляции "
                  "прекращено (п. 7.4 методики).")
                % {"competency": dispute.competency.name, "at": _when(published.published_at, dispute.championship)})
    deadline = filing_deadline(dispute)
    if moment > deadline:
        return (_("Срок подачи апелляции истёк: апелляция подаётся в день возникновения проблемы, до %(deadline)s "
                  "(п. 8.4 методики). Результаты считаются окончательными.")
                % {"deadline": _when(deadline, dispute.championship)})
    return None


def file_appeal(dispute: Dispute, *, persons: str, claim: str, scan: Any, by: Any, respondent: str = "",
                team: Application | None = None, now: dt.datetime | None = None) -> Appeal:
    """The team's mentor appeals the decided dispute (003 §8.2–8.4). Refused — nothing saved — for every rule
    above; the dispute's protocol is attached; the commission, the Directorate and the mentor are told."""
    persons = clean_text(persons, field="persons", what=_("Ф. И. О. всех вовлечённых в спор лиц"), max_length=TEXT_MAX)
    claim = clean_text(claim, field="claim", what=_("Описание претензии"), max_length=TEXT_MAX)
    respondent = clean_text(respondent, field="respondent", what=_("Ответчик"), required=False, max_length=450)
    if scan is None or not getattr(scan, "size", 0):
        raise DomainError(_("Приложите скан подписанной апелляции (PDF, PNG или JPEG до 5 МБ)."), field="scan")
    kind = check_scan(scan)
    championship = dispute.championship
    with transaction.atomic():
        Championship.objects.select_for_update().only("pk").get(pk=championship.pk)  # serialised with publication
        dispute = Dispute.objects.select_for_update().select_related("championship", "competency").get(pk=dispute.pk)
        moment = _now(now)
        refusal = appeal_refusal(dispute, by, now=moment)
        if refusal:
            raise DomainError(refusal, code="refused")
        teams = _mentored_teams(by, dispute.competency_id)
        if dispute.team_id is not None:
            chosen = next(t for t in teams if t.pk == dispute.team_id)
        elif team is not None and team.pk in {t.pk for t in teams}:
            chosen = next(t for t in teams if t.pk == team.pk)
        elif len(teams) == 1 and team is None:
            chosen = teams[0]
        else:
            raise DomainError(_("Выберите свою команду, от имени которой подаётся апелляция."), field="team")
        number = (Appeal.objects.filter(championship=championship).aggregate(m=Max("number"))["m"] or 0) + 1
        appeal = Appeal(championship=championship, competency=dispute.competency, number=number, dispute=dispute,
                        team=chosen, filed_by=by, filed_at=moment, persons=persons, respondent=respondent,
                        claim=claim, scan_name=str(getattr(scan, "name", "") or "scan")[-255:],
                        scan_type={"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}[kind],
                        scan_size=int(scan.size), dispute_protocol=dispute.protocol)
        appeal.scan.save(f"appeal.{kind}", scan, save=False)
        try:
            with transaction.atomic():
                appeal.save()
        except IntegrityError as exc:
            appeal.scan.delete(save=False)
            raise DomainError(_("По этому спорному вопросу апелляция уже подана: повторная апелляция не "
                                "принимается."), code="refused") from exc
        try:
            record(actor=by, action=AuditEntry.Action.CREATE, instance=appeal, after=snapshot(appeal),
                   championship=championship)
            commission = commission_of(championship)
            _notify(appeal, _("подана апелляция"),
                    usable_addresses([*_members_addresses(commission), *_directorate(championship)]))
            _notify(appeal, _("ваша апелляция принята к рассмотрению"), _mentor_addresses(chosen))
        except Exception:
            appeal.scan.delete(save=False)
            raise
    return appeal


# --- The hearing (003 §8.10) -----------------------------------------------------------------------------------


def _chair_only(appeal: Appeal, by: Any) -> Commission:
    commission = _approved(appeal.championship)
    if commission.chair_id is None:
        raise TransitionError(_("Председатель апелляционной комиссии ещё не избран: сначала проведите выборы."))
    if commission.chair_id != getattr(by, "pk", None):
        raise AccessDenied(_("Заседание ведёт председатель апелляционной комиссии."))
    return commission


def _locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().select_related("championship", "competency", "team").get(pk=appeal.pk)


def open_hearing(appeal: Appeal, *, by: Any, now: dt.datetime | None = None) -> Hearing:
    with transaction.atomic():
        appeal = _locked(appeal)
        _chair_only(appeal, by)
        if appeal.state != Appeal.State.FILED:
            raise TransitionError(_("Заседание по апелляции № %(n)s уже открыто или решение принято.")
                                  % {"n": appeal.number})
        hearing = Hearing.objects.create(appeal=appeal, opened_by=by, opened_at=_now(now))
        before = snapshot(appeal)
        appeal.state = Appeal.State.HEARING
        appeal.save(update_fields=["state"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=appeal, before=before, after=snapshot(appeal),
               championship=appeal.championship)
    return hearing


def _open_hearing(appeal: Appeal) -> Hearing:
    if appeal.state == Appeal.State.DECIDED:
        raise TransitionError(_("Решение по апелляции № %(n)s принято и окончательно: изменить его нельзя.")
                              % {"n": appeal.number})
    hearing = Hearing.objects.filter(appeal=appeal).first()
    if appeal.state != Appeal.State.HEARING or hearing is None:
        raise TransitionError(_("Заседание по апелляции № %(n)s ещё не открыто.") % {"n": appeal.number})
    return hearing


def record_note(appeal: Appeal, *, kind: str, person: str, text: str, by: Any) -> HearingNote:
    """The appellant, the respondent or a witness heard at the hearing (003 §8.10, §8.13)."""
    if kind not in HearingNote.Kind.values:
        raise DomainError(_("Укажите, кто выступал: заявитель, ответчик или свидетель."), field="kind")
    person = clean_text(person, field="person", what=_("Ф. И. О."), max_length=450)
    text = clean_text(text, field="text", what=_("Что сказано"), max_length=TEXT_MAX)
    with transaction.atomic():
        appeal = _locked(appeal)
        _chair_only(appeal, by)
        hearing = _open_hearing(appeal)
        note = HearingNote.objects.create(hearing=hearing, kind=kind, person=person, text=text, recorded_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=note, after=snapshot(note),
               championship=appeal.championship)
    return note


def tally(appeal: Appeal) -> Tally:
    """What the hearing's votes decide now (upholding the appeal is the proposal)."""
    commission = commission_of(appeal.championship)
    size = max(len(_member_ids(commission)) if commission else 0, 1)
    hearing = Hearing.objects.filter(appeal=appeal).first()
    choices = list(hearing.votes.values_list("choice", flat=True)) if hearing else []
    return commission_outcome(choices, size, (hearing.chair_extra or None) if hearing else None)


def cast_vote(appeal: Appeal, *, choice: str, by: Any) -> HearingVote:
    """A member's one vote: for upholding the appeal, against, or abstaining."""
    if choice not in HearingVote.Choice.values:
        raise DomainError(_("Выберите: «за», «против» или «воздержался»."), field="choice")
    with transaction.atomic():
        appeal = _locked(appeal)
        commission = _approved(appeal.championship)
        if getattr(by, "pk", None) not in _member_ids(commission):
            raise AccessDenied(_("Голосуют только члены апелляционной комиссии."))
        hearing = _open_hearing(appeal)
        if hearing.votes.filter(member=by).exists():
            raise DomainError(_("Вы уже проголосовали: каждый член комиссии голосует один раз."), code="duplicate")
        try:
            with transaction.atomic():
                vote = HearingVote.objects.create(hearing=hearing, member=by, choice=choice)
        except IntegrityError as exc:
            raise DomainError(_("Вы уже проголосовали: каждый член комиссии голосует один раз."),
                              code="duplicate") from exc
        record(actor=by, action=AuditEntry.Action.CREATE, instance=vote, after=snapshot(vote),
               championship=appeal.championship)
    return vote


def cast_chair_vote(appeal: Appeal, *, choice: str, by: Any) -> Hearing:
    """003 §8.10: on a tie the chair has the exclusive right of an additional vote."""
    if choice not in (Choice.FOR, Choice.AGAINST):
        raise DomainError(_("Дополнительный голос председателя — «за» или «против»."), field="choice")
    with transaction.atomic():
        appeal = _locked(appeal)
        _chair_only(appeal, by)
        hearing = Hearing.objects.select_for_update().get(pk=_open_hearing(appeal).pk)
        if hearing.chair_extra:
            raise DomainError(_("Дополнительный голос председателя уже подан."), code="duplicate")
        current = tally(appeal)
        if current.outcome is not Outcome.NEEDS_CHAIR or current.not_voted:
            raise TransitionError(_("Дополнительный голос председателя подаётся только при равенстве голосов, когда "
                                    "проголосовали все члены комиссии (сейчас: за — %(f)s, против — %(a)s, "
                                    "воздержались — %(ab)s, не голосовали — %(n)s).")
                                  % {"f": current.votes_for, "a": current.votes_against, "ab": current.abstentions,
                                     "n": current.not_voted})
        before = snapshot(hearing)
        hearing.chair_extra, hearing.chair_extra_at = choice, timezone.now()
        hearing.save(update_fields=["chair_extra", "chair_extra_at"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=hearing, before=before, after=snapshot(hearing),
               reason=_("Дополнительный голос председателя при равенстве голосов"), championship=appeal.championship)
    return hearing


#: What the commission may do to the results with its decision (003 §8.11), through ``disputes.sanctions``.
SANCTION_KINDS = {
    "deduction": _lazy("Вычет баллов"),
    "annulment": _lazy("Обнуление всего результата команды"),
    "part_zeroing": _lazy("Обнуление баллов выбранных критериев"),
    "removal": _lazy("Удаление эксперта, наставника или другого персонала с площадки"),
}


@dataclass(frozen=True)
class Sanction:
    """A sanction decided with the appeal: ``kind`` one of :data:`SANCTION_KINDS`, ``points`` for a deduction,
    ``criteria`` (ids of the competency's criteria) for a part zeroing."""

    kind: str
    points: Decimal | None = None
    criteria: tuple[int, ...] = field(default_factory=tuple)
    accreditation: int | None = None


def sanction_from(kind: str, points: Any = None, criteria: Any = (), accreditation: Any = None) -> Sanction | None:
    """A sanction from a form or the API: an empty kind is none; anything unusable is refused in words."""
    kind = (kind or "").strip()
    if not kind:
        return None
    if kind not in SANCTION_KINDS:
        raise DomainError(_("Неизвестная санкция."), field="sanction_kind")
    amount = None
    if kind == "deduction":
        try:
            amount = Decimal(str(points or "").replace(",", ".").strip())
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0 or amount > 10000:
            raise DomainError(_("Укажите число вычитаемых баллов — больше нуля, например 2,5."), field="sanction_points")
    ids: tuple[int, ...] = ()
    if kind == "part_zeroing":
        try:
            ids = tuple(dict.fromkeys(int(c) for c in (criteria or ())))
        except (TypeError, ValueError):
            ids = ()
        if not ids:
            raise DomainError(_("Выберите критерии, баллы которых обнуляются."), field="sanction_criteria")
    person = None
    if kind == "removal":
        try:
            person = int(accreditation)
        except (TypeError, ValueError):
            raise DomainError(_("Выберите, кого комиссия удаляет с площадки."), field="sanction_accreditation") from None
    return Sanction(kind=kind, points=amount, criteria=ids, accreditation=person)


def removable_people(appeal: Appeal) -> list[Any]:
    """Who the commission may remove from the venue (003 §8.11): the competency's accredited experts, mentors and
    other staff who are still admitted."""
    from profmaster.checkin.models import Accreditation
    from profmaster.disputes.sanctions import REMOVABLE

    return list(Accreditation.objects.filter(competency_id=appeal.competency_id, kind__in=list(REMOVABLE),
                                             revoked_at__isnull=True).order_by("kind", "full_name"))


def _apply_sanction(appeal: Appeal, sanction: Sanction, *, reason: str, by: Any) -> str:
    """The commission's sanction: on the results as its own numbered decision (never an edit of marks), or the
    removal of a person from the venue. Returns how the final protocol states it."""
    from profmaster.checkin.models import Accreditation
    from profmaster.disputes import sanctions
    from profmaster.marking.models import Criterion

    basis = _("Апелляция № %(number)s, решение комиссии") % {"number": appeal.number}
    if sanction.kind == "removal":
        person = Accreditation.objects.filter(pk=sanction.accreditation or 0,
                                              competency_id=appeal.competency_id).first()
        if person is None:
            raise DomainError(_("Этого человека нет среди аккредитованных по компетенции."),
                              field="sanction_accreditation")
        sanctions.remove_from_venue(person, reason=reason, basis=basis, by=by)
        return _("Удаление с площадки: %(name)s (%(kind)s); основание: %(basis)s") % {
            "name": person.full_name, "kind": person.get_kind_display(), "basis": basis}
    if sanction.kind == "deduction":
        decision = sanctions.deduct_points(appeal.team, sanction.points or Decimal(0), reason=reason, basis=basis,
                                           by=by)
    elif sanction.kind == "annulment":
        decision = sanctions.zero_result(appeal.team, reason=reason, basis=basis, by=by)
    else:
        criteria = list(Criterion.objects.filter(pk__in=sanction.criteria, scheme__competency_id=appeal.competency_id))
        if len(criteria) != len(sanction.criteria):
            raise DomainError(_("Критерий другой компетенции или не существует."), field="sanction_criteria")
        decision = sanctions.zero_part(appeal.team, criteria=criteria, reason=reason, basis=basis, by=by)
    return _("Решение о баллах № %(number)s: %(kind)s%(points)s (основание: %(basis)s)") % {
        "number": decision.number, "kind": decision.get_kind_display(),
        "points": f" {decision.points}".replace(".", ",") if decision.points else "", "basis": decision.basis}


def suspend_during_appeal(appeal: Appeal, member: TeamMember, *, reason: str, by: Any) -> Any:
    """003 §8.13: the commission (its chair) keeps a participant of the appealing team from the task until the
    appeal is decided; :func:`decide_appeal` returns them — with no time back if the appeal fails."""
    from profmaster.disputes import sanctions

    with transaction.atomic():
        appeal = _locked(appeal)
        _chair_only(appeal, by)
        if appeal.state == Appeal.State.DECIDED:
            raise TransitionError(_("Решение по апелляции № %(n)s принято и окончательно: изменить его нельзя.")
                                  % {"n": appeal.number})
        if member.application_id != appeal.team_id or member.kind != TeamMember.Kind.PARTICIPANT:
            raise DomainError(_("Отстранить можно только участника команды, подавшей апелляцию."), field="member")
        return sanctions.suspend_participant(
            member, reason=reason, by=by,
            basis=_("Апелляция № %(number)s: отстранение на время рассмотрения") % {"number": appeal.number})


def decide_appeal(appeal: Appeal, *, decision: str, reasons: str, by: Any, sanction: Sanction | None = None,
                  now: dt.datetime | None = None) -> Appeal:
    """Close the hearing with the commission's final decision (003 §8.1, §8.8, §8.10). Refused while the
    members have not all voted or a tie waits for the chair's additional vote: the hearing never closes
    without a decision. A sanction decided with it (003 §8.11) reaches the results as its own numbered
    decision, in the same transaction; a participant suspended during the appeal is returned — with the time
    away as extra time if the appeal is upheld, without it if not (003 §8.13). The final protocol, signed by
    the chair, states both and goes to the Directorate; the appellant is told. Nothing of it is edited
    afterwards."""
    from profmaster.disputes import sanctions
    from profmaster.timekeeping.models import Suspension

    decision = clean_text(decision, field="decision", what=_("Решение комиссии"), max_length=TEXT_MAX)
    reasons = clean_text(reasons, field="reasons", what=_("Обоснование"), max_length=TEXT_MAX)
    with transaction.atomic():
        appeal = _locked(appeal)
        commission = _chair_only(appeal, by)
        hearing = Hearing.objects.select_for_update().get(pk=_open_hearing(appeal).pk)
        current = tally(appeal)
        if current.not_voted:
            raise TransitionError(_("Решение принимают все члены комиссии: проголосовали %(cast)s из %(size)s. "
                                    "Заседание не может закрыться без решения.")
                                  % {"cast": current.body_size - current.not_voted, "size": current.body_size})
        if current.outcome is Outcome.NEEDS_CHAIR:
            raise TransitionError(_("Голоса разделились поровну (за — %(f)s, против — %(a)s): решает дополнительный "
                                    "голос председателя. Заседание не может закрыться без решения.")
                                  % {"f": current.votes_for, "a": current.votes_against})
        moment = _now(now)
        before = snapshot(appeal)
        appeal.outcome = Appeal.Outcome.UPHELD if current.outcome is Outcome.ADOPTED else Appeal.Outcome.REJECTED
        appeal.decision, appeal.reasons, appeal.decided_by_chair = decision, reasons, current.by_chair
        appeal.decided_at, appeal.state = moment, Appeal.State.DECIDED
        hearing.closed_at = moment
        hearing.save(update_fields=["closed_at"])
        with translation.override("ru"):  # the protocol states the sanction in Russian (DOC-3)
            applied = _apply_sanction(appeal, sanction, reason=reasons, by=by) if sanction is not None else None
        upheld = appeal.outcome == Appeal.Outcome.UPHELD
        returned = [sanctions.end_suspension(s, appeal_upheld=upheld, by=by)
                    for s in Suspension.objects.filter(team=appeal.team, ended_at__isnull=True).order_by("pk")]
        title, data = _protocol(appeal, hearing, current, commission)
        with translation.override("ru"):
            data[_("Санкции")] = applied if applied is not None else _("не применялись")
            if returned:
                data[_("Отстранение на время апелляции")] = [
                    (_("%(name)s: возвращён(а) к заданию, компенсировано минут — %(minutes)s")
                     % {"name": s.member.full_name, "minutes": s.compensated_minutes or 0}) for s in returned]
        appeal.protocol = create_generated_document(
            championship=appeal.championship, competency=appeal.competency, doc_type=DocumentType.APPEAL_DECISION,
            title=title, data=data, signers=[(commission.chair, CHAIR_LABEL)], by=by,
            generator="appeals.decision_protocol", source={"appeal": appeal.pk})
        appeal.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=appeal, before=before, after=snapshot(appeal),
               reason=reasons, championship=appeal.championship)
        protocol_link = absolute_url(reverse("documents:detail", args=[appeal.protocol.pk]))
        outcome = str(appeal.get_outcome_display())
        _notify(appeal, _("решение апелляционной комиссии: %(outcome)s") % {"outcome": outcome},
                _directorate(appeal.championship), decision=decision, reasons=reasons, protocol=protocol_link)
        _notify(appeal, _("решение апелляционной комиссии: %(outcome)s") % {"outcome": outcome},
                _mentor_addresses(appeal.team), decision=decision, reasons=reasons, protocol=protocol_link)
    return appeal


# --- The final protocol (003 §8.8) -----------------------------------------------------------------------------


def _protocol(appeal: Appeal, hearing: Hearing, current: Tally, commission: Commission) -> tuple[str, dict[str, Any]]:
    zone = timezones.zone_of(appeal.championship)
    dispute = appeal.dispute
    with translation.override("ru"):
        votes = list(hearing.votes.select_related("member").order_by("member__last_name", "member__first_name"))
        data: dict[str, Any] = {
            "text": _("Апелляционная комиссия чемпионата «%(championship)s» рассмотрела в закрытом заседании "
                      "%(opened)s апелляцию № %(number)s по компетенции «%(competency)s».")
            % {"championship": appeal.championship.name, "opened": timezones.format_local(hearing.opened_at, zone),
               "number": appeal.number, "competency": appeal.competency.name},
            _("Заявитель"): _("%(mentor)s, наставник команды %(team)s; апелляция подана %(at)s")
            % {"mentor": appeal.filed_by.full_name, "team": str(appeal.team.organisation or appeal.team_id),
               "at": timezones.format_local(appeal.filed_at, zone)},
            _("Спорный вопрос"): _("№ %(number)s от %(day)s: %(question)s. Решение внутри компетенции: %(outcome)s. "
                                   "%(decision)s")
            % {"number": dispute.number, "day": dispute.arose_on.strftime("%d.%m.%Y"), "question": dispute.question,
               "outcome": dispute.get_outcome_display(), "decision": dispute.decision},
            _("Протокол спорного вопроса"): (_("№ %(n)s") % {"n": appeal.dispute_protocol.number}
                                             if appeal.dispute_protocol else _("нет")),
            _("Вовлечённые в спор лица"): appeal.persons,
            _("Ответчик"): appeal.respondent or _("не указан"),
            _("Претензия"): appeal.claim,
            _("Заслушаны"): [{"Кто": str(n.get_kind_display()), "Ф. И. О.": n.person, "Сказано": n.text}
                             for n in hearing.notes.order_by("recorded_at", "pk")] or [_("никто")],
            _("Голосование"): [{"Член комиссии": v.member.full_name, "Голос": str(v.get_choice_display())}
                               for v in votes],
            _("Итог голосования"): _("за — %(f)s, против — %(a)s, воздержались — %(ab)s из %(size)s членов комиссии"
                                     "%(chair)s.")
            % {"f": current.votes_for, "a": current.votes_against, "ab": current.abstentions, "size": current.body_size,
               "chair": (_("; при равенстве голосов решил дополнительный голос председателя («%(side)s»)")
                         % {"side": _("за") if hearing.chair_extra == "for" else _("против")})
               if current.by_chair else ""},
            _("Решение"): str(appeal.get_outcome_display()) + ". " + appeal.decision,
            _("Обоснование"): appeal.reasons,
            _("Председатель апелляционной комиссии"): commission.chair.full_name if commission.chair else "",
            _("Окончательность"): _("Решение апелляционной комиссии окончательно и не подлежит обжалованию или "
                                    "изменению (п. 8.1 методики)."),
        }
        title = (_("Итоговый протокол заседания апелляционной комиссии по апелляции № %(number)s — %(competency)s")
                 % {"number": appeal.number, "competency": appeal.competency.name})
    return title, data


# --- Reading ---------------------------------------------------------------------------------------------------


def appeals_of_mentor(user: Any) -> list[Appeal]:
    teams = TeamMember.objects.filter(user=user, kind=TeamMember.Kind.MENTOR, state=TeamMember.State.ACTIVE
                                      ).values("application_id")
    return list(Appeal.objects.filter(team_id__in=teams).select_related("competency", "championship", "dispute"))


def appealable_disputes(user: Any, *, now: dt.datetime | None = None) -> list[Dispute]:
    """Decided disputes of the mentor's teams that they may still appeal today."""
    teams = list(TeamMember.objects.filter(user=user, kind=TeamMember.Kind.MENTOR, state=TeamMember.State.ACTIVE,
                                           application__status=Application.Status.APPROVED)
                 .values_list("application_id", "application__competency_id"))
    if not teams:
        return []
    team_ids = {t for t, _c in teams}
    competency_ids = {c for _t, c in teams}
    recent = timezone.now().date() - dt.timedelta(days=2)
    disputes = Dispute.objects.filter(
        Q(team_id__in=team_ids) | Q(team__isnull=True, competency_id__in=competency_ids),
        state=Dispute.State.DECIDED, arose_on__gte=recent).exclude(appeals__isnull=False).select_related(
        "championship", "competency")
    return [d for d in disputes if appeal_refusal(d, user, now=now) is None]


def marks_history(appeal: Appeal, limit: int = 300) -> list[Any]:
    """The ledger entries of the aspects the dispute concerns for the appealing team (all of the team's entries
    in the competency when the dispute names no criterion), oldest first."""
    from profmaster.marking.models import MarkEntry

    entries = MarkEntry.objects.filter(team_id=appeal.team_id, scheme__competency_id=appeal.competency_id)
    if appeal.dispute.criterion_id:
        entries = entries.filter(aspect__sub_criterion__criterion_id=appeal.dispute.criterion_id)
    return list(entries.select_related("aspect", "expert", "by", "scheme").order_by("scheme_id", "seq")[:limit])


def linked_incidents(appeal: Appeal) -> list[Any]:
    """Incidents recorded about the appealing team in the competency, with their evidence."""
    from profmaster.incidents.models import Incident

    return list(Incident.objects.filter(competency_id=appeal.competency_id, application_id=appeal.team_id)
                .prefetch_related("evidence").order_by("occurred_at", "pk"))


def protocol_document(appeal: Appeal) -> Document | None:
    return appeal.protocol
