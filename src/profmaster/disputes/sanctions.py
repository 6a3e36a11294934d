"""Sanctions (SPEC AP-4, 003 §8.11–8.13): what a decided dispute of the panel or a decision of the appeal
commission may do, as domain functions the pages, the API and the commission's decision all call.

Every function takes

* ``basis`` — the label of the decision it executes («Спорный вопрос № 2», «Апелляция № 1, решение комиссии»);
  with ``dispute`` and no ``basis`` the dispute's own label is used;
* ``dispute`` — optional: the decided dispute (its proposal adopted) whose sanction this is; the sanction is then
  linked to it and its protocol is formed again to state the sanction;
* ``reason`` — the reasoning, and ``by`` — who records it.

Results change **only** through a recorded :class:`profmaster.results.models.ResultDecision` (numbered within the
competency, shown as its own line in the team's breakdown and the results protocol;
:func:`profmaster.results.computation.adjusted_total` applies it). Marks are never edited.

Stable signatures (the appeal commission's decision calls them):

* :func:`zero_result` (team) — the whole result zeroed (an annulment: the team also loses its diplomas, AW-6);
* :func:`zero_part` (team, criteria=…, aspects=…) — the points of chosen criteria/aspects zeroed;
* :func:`deduct_points` (team, points) — a deduction proportional to the advantage gained;
* :func:`remove_from_venue` (accreditation) — an expert, mentor or other staff removed: venue access ends, a
  removed expert enters no more marks, the marks they entered stay and are flagged for the chief expert's review;
* :func:`suspend_participant` (member) / :func:`end_suspension` (suspension, appeal_upheld=…) — a participant kept
  from the task during the appeal; a failed appeal gives no time back (003 §8.13).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from profmaster.checkin.models import Accreditation
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.text import clean_text
from profmaster.incidents.models import Removal
from profmaster.marking.models import Aspect, Criterion, TeamResult
from profmaster.registration.models import Application, TeamMember
from profmaster.results.domain import record_result_decision
from profmaster.results.models import ResultDecision
from profmaster.timekeeping import domain as timekeeping
from profmaster.timekeeping.models import Suspension, Timer

from .models import Dispute

__all__ = ["deduct_points", "end_suspension", "remove_from_venue", "suspend_participant", "zero_part", "zero_result"]

#: The decision a sanction rests on (``Removal.basis``, ``ResultDecision.basis``: 300 characters) and the reason.
BASIS_MAX = 300
TEXT_MAX = 4000


def _basis(basis: str, dispute: Dispute | None, competency_id: int) -> str:
    if dispute is not None:
        if dispute.competency_id != competency_id:
            raise DomainError(_("Санкция — по вопросу той же компетенции."), field="dispute")
        fresh = Dispute.objects.filter(pk=dispute.pk).values_list("state", "outcome").first()
        if fresh != (Dispute.State.DECIDED, Dispute.Outcome.ADOPTED):
            raise TransitionError(_("Санкция применяется по решённому вопросу, предложение по которому принято "
                                    "голосованием жюри."))
    label = clean_text(basis, field="basis", what=_("Решение, по которому применяется санкция"), required=False,
                       max_length=BASIS_MAX) or (dispute.label[:BASIS_MAX] if dispute is not None else "")
    if not label:
        raise DomainError(_("Укажите решение, по которому применяется санкция."), field="basis")
    return label


def _after(dispute: Dispute | None, field: str, obj: Any, *, by: Any) -> None:
    """Link the sanction to its dispute and form the dispute's protocol again (it states the sanctions)."""
    if dispute is None:
        return
    getattr(dispute, field).add(obj)
    from .domain import refresh_protocol

    refresh_protocol(dispute, by=by)


def _team(team: Application) -> Application:
    if team.status != Application.Status.APPROVED:
        raise DomainError(_("Команда не допущена к соревнованиям."), field="team")
    return team


def zero_result(team: Application, *, reason: str, basis: str = "", by: Any,
                dispute: Dispute | None = None) -> ResultDecision:
    """003 §8.11: the team's whole result is zeroed (recorded as the annulment of its points)."""
    team = _team(team)
    with transaction.atomic():
        label = _basis(basis, dispute, team.competency_id)
        decision = record_result_decision(team, kind=ResultDecision.Kind.ANNULMENT, points=None, reason=reason,
                                          basis=label, by=by)
        _after(dispute, "result_decisions", decision, by=by)
    return decision


def zero_part(team: Application, *, reason: str, basis: str = "", by: Any, criteria: Iterable[Criterion] = (),
              aspects: Iterable[Aspect] = (), dispute: Dispute | None = None) -> ResultDecision:
    """003 §8.11: the points of chosen criteria and/or aspects of the team are zeroed. What they gave is taken
    when the decision is recorded — a criterion's from the locked result when there is one, else from the
    current marks — and subtracted as the decision's own line."""
    from profmaster.marking import calculation
    from profmaster.marking.marks import partial_totals

    team = _team(team)
    criteria = list(dict.fromkeys(criteria))
    aspects = list(dict.fromkeys(aspects))
    if not criteria and not aspects:
        raise DomainError(_("Выберите критерии или аспекты, которые обнуляются."), field="criteria")
    schemes = {c.scheme for c in criteria} | {a.sub_criterion.criterion.scheme for a in aspects}
    if any(s.competency_id != team.competency_id for s in schemes):
        raise DomainError(_("Критерий или аспект другой компетенции."), field="criteria")
    if len(schemes) != 1:
        raise DomainError(_("Обнуляемые критерии и аспекты — из одной схемы оценки."), field="criteria")
    scheme = schemes.pop()
    chosen = {c.pk for c in criteria}
    loose = [a for a in aspects if a.sub_criterion.criterion_id not in chosen]
    locked = TeamResult.objects.filter(scheme=scheme, team=team).first()
    by_code = {str(c.get("code")): c.get("points") for c in (locked.criteria if locked else []) if isinstance(c, dict)}
    points = Decimal("0")
    to_mark = list(loose)
    for criterion in criteria:
        if criterion.code in by_code:
            points += Decimal(str(by_code[criterion.code]))
        else:
            to_mark.extend(Aspect.objects.filter(sub_criterion__criterion=criterion)
                           .select_related("sub_criterion__criterion"))
    if to_mark:
        points += calculation.exact_half_up(partial_totals(scheme, team, to_mark).total)
    scope = {"criteria": [c.code for c in criteria], "aspects": [a.code for a in loose]}
    with transaction.atomic():
        label = _basis(basis, dispute, team.competency_id)
        decision = record_result_decision(team, kind=ResultDecision.Kind.PART_ZEROING, points=points, reason=reason,
                                          basis=label, by=by, scope=scope)
        _after(dispute, "result_decisions", decision, by=by)
    return decision


def deduct_points(team: Application, points: Decimal | str, *, reason: str, basis: str = "", by: Any,
                  dispute: Dispute | None = None) -> ResultDecision:
    """003 §8.11: points deducted in proportion to the advantage gained; ``reason`` says how it was weighed."""
    team = _team(team)
    with transaction.atomic():
        label = _basis(basis, dispute, team.competency_id)
        decision = record_result_decision(team, kind=ResultDecision.Kind.DEDUCTION, points=points, reason=reason,
                                          basis=label, by=by)
        _after(dispute, "result_decisions", decision, by=by)
    return decision


#: Who may be removed from the venue by a sanction (003 §8.11): experts, mentors and other accredited staff.
REMOVABLE = frozenset({Accreditation.Kind.EXPERT, Accreditation.Kind.CHIEF_EXPERT, Accreditation.Kind.MENTOR,
                       *Accreditation.INDIVIDUAL})


def remove_from_venue(accreditation: Accreditation, *, reason: str, basis: str = "", by: Any,
                      dispute: Dispute | None = None) -> Removal:
    """003 §8.11: an expert, a mentor or other staff removed from the base venue: a final removal, their venue
    access ends at once; a removed expert enters no more marks (``marking.marks``), and the marks they entered
    stay as they are, flagged for the chief expert's review (:mod:`profmaster.marking.review`)."""
    from profmaster.audit.domain import record, snapshot
    from profmaster.audit.models import AuditEntry
    from profmaster.checkin.domain import revoke_access
    from profmaster.incidents.domain import _directorate
    from profmaster.marking.review import flag_marks_for_review
    from profmaster.notifications.domain import queue_email

    if accreditation.kind not in REMOVABLE:
        raise DomainError(_("С площадки по санкции удаляются эксперты, наставники и другой аккредитованный персонал; "
                            "участника отстраняют на время апелляции."), field="accreditation")
    reason = clean_text(reason, field="reason", what=_("Основание отстранения"), max_length=TEXT_MAX,
                        missing=_("Укажите основание отстранения."))
    from django.utils import timezone

    with transaction.atomic():
        label = _basis(basis, dispute, accreditation.competency_id)
        locked = Accreditation.objects.select_for_update().select_related("competency__championship").get(
            pk=accreditation.pk)
        if Removal.objects.filter(accreditation=locked, kind=Removal.Kind.FINAL).exists():
            raise TransitionError(_("%(name)s уже удалён(а) с площадки.") % {"name": locked.full_name})
        now = timezone.now()
        Removal.objects.filter(accreditation=locked, ended_at__isnull=True).update(ended_at=now)
        removal = Removal.objects.create(accreditation=locked, kind=Removal.Kind.FINAL, reason=reason, basis=label,
                                         decided_by=by, decided_at=now)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=removal, after=snapshot(removal), reason=reason,
               championship=locked.championship)
        if locked.revoked_at is None:
            revoke_access(locked, reason=_("%(basis)s: удаление с площадки. %(reason)s")
                          % {"basis": label, "reason": reason}, by=by)
        if locked.kind in (Accreditation.Kind.EXPERT, Accreditation.Kind.CHIEF_EXPERT) and locked.user_id:
            flag_marks_for_review(locked.user, locked.competency, reason=_("%(basis)s: эксперт удалён с площадки. "
                                                                          "%(reason)s") % {"basis": label,
                                                                                           "reason": reason}, by=by)
        recipients = _directorate(locked.championship)
        if recipients:
            queue_email("sanction_removal", {"basis": label, "person": locked.full_name,
                                             "kind": str(locked.get_kind_display()),
                                             "competency": locked.competency.name, "reason": reason},
                        recipients, championship=locked.championship, related=removal)
        _after(dispute, "removals", removal, by=by)
    return removal


def suspend_participant(member: TeamMember, *, reason: str, basis: str = "", by: Any,
                        dispute: Dispute | None = None) -> Suspension:
    """003 §8.13: the participant is kept from the competition task until the appeal is decided."""
    with transaction.atomic():
        label = _basis(basis, dispute, member.application.competency_id)
        suspension = timekeeping.suspend_member(member, basis=label, reason=reason, by=by)
        _after(dispute, "suspensions", suspension, by=by)
    return suspension


def end_suspension(suspension: Suspension, *, appeal_upheld: bool, by: Any, timer: Timer | None = None) -> Suspension:
    """The appeal decided: a failed appeal gives no time back (003 §8.13); an upheld one returns the minutes away
    as extra time (see :func:`profmaster.timekeeping.domain.end_suspension`)."""
    return timekeeping.end_suspension(suspension, appeal_upheld=appeal_upheld, by=by, timer=timer)
