"""Disputes inside a competency (SPEC AP-1; 003 §7.1–7.3, §22.8). One function per state change:

* :func:`raise_dispute` — a mentor (for their own team, maybe on behalf of its participant) or the venue's
  technical administrator raises a question; the chief expert is told.
* :func:`put_to_vote` — after consulting, the chief expert puts a proposal to the vote of the panel at the
  venue (the competency's experts not removed from it, fixed for the round); a second round records why.
* :func:`cast_vote` — each expert of the round votes once (a database constraint); the vote decides as soon as
  one side has a simple majority of **all** the round's experts (:func:`profmaster.core.votes.panel_outcome`);
  when everyone voted without one, the round closes and the question stays open.
* :func:`close_round` — the chief expert closes a round early (the votes cast decide, or nothing does).
* On a decision the protocol is formed (:data:`DocumentType.DISPUTE`, signed by the chief expert and every
  expert of the round) and the Directorate is e-mailed at once (003 §7.3).
* :func:`open_investigation`, :func:`request_explanation`, :func:`answer_explanation` — the Directorate's
  investigation: written explanations of named experts, the chief expert or mentors, answered on the case page.

Sanctions taken on a decision live in :mod:`.sanctions`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.checkin.models import Accreditation
from profmaster.core import votes
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.links import absolute_url
from profmaster.core.text import clean_text
from profmaster.documents.domain import create_generated_document, regenerate_document
from profmaster.documents.models import Document, DocumentType
from profmaster.marking.models import Criterion
from profmaster.notifications.domain import queue_email, usable_addresses
from profmaster.permissions import holds
from profmaster.registration.models import Application, TeamMember

from .models import Dispute, Explanation, Vote, VoteRound

TEXT_MAX = 4000


# --- Who is who ------------------------------------------------------------------------------------------


def chief_of(competency: Competency) -> Any:
    assignment = (RoleAssignment.objects.filter(competency=competency, role=Role.CHIEF_EXPERT)
                  .select_related("user").first())
    return assignment.user if assignment else None


def panel_at_venue(competency: Competency) -> list[Any]:
    """The experts who vote (003 §22.8: «всем экспертам, аккредитованным на площадке»): the competency's experts
    whose venue access was not revoked (removed by a sanction or after an incident)."""
    removed = set(Accreditation.objects.filter(competency=competency, kind=Accreditation.Kind.EXPERT,
                                               revoked_at__isnull=False, user__isnull=False)
                  .values_list("user_id", flat=True))
    return [a.user for a in RoleAssignment.objects.filter(competency=competency, role=Role.EXPERT)
            .select_related("user").order_by("user__last_name", "user__first_name", "user_id")
            if a.user_id not in removed and a.user.is_active]


def mentored_teams(user: Any, competency: Competency) -> list[Application]:
    """The approved teams of the competency whose active mentor the user is."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Application.objects.filter(
        competency=competency, status=Application.Status.APPROVED, members__user=user,
        members__kind=TeamMember.Kind.MENTOR, members__state=TeamMember.State.ACTIVE)
        .select_related("organisation").distinct().order_by("pk"))


def is_venue_admin(user: Any, competency: Competency) -> bool:
    return holds(user, {Role.VENUE_ADMIN}, competency.championship_id, competency.pk)


def _directorate(championship: Championship) -> list[str]:
    users = [a.user for a in RoleAssignment.objects.filter(role=Role.DIRECTORATE, championship=championship)
             .select_related("user") if a.user.is_active]
    return usable_addresses(u.email for u in users)


def _notify(dispute: Dispute, event: str, recipients: list[str], **extra: Any) -> None:
    recipients = usable_addresses(recipients)
    if not recipients:
        return
    queue_email("dispute_event", {
        "event": event, "number": dispute.number, "competency": dispute.competency.name,
        "question": dispute.question, "concerns": dispute.concerns,
        "url": absolute_url(reverse("disputes:detail", args=[dispute.pk])), **extra,
    }, recipients, championship=dispute.championship, related=dispute)


# --- Raising a question --------------------------------------------------------------------------------


def raise_dispute(competency: Competency, *, question: str, concerns: str, circumstances: str = "",
                  team: Application | None = None, criterion: Criterion | None = None,
                  on_behalf_of: TeamMember | None = None, arose_on: dt.date | None = None, by: Any) -> Dispute:
    """003 §7.1: a mentor (about their own team, maybe on behalf of its participant) or the venue's technical
    administrator raises a question; the chief expert is told."""
    question = clean_text(question, field="question", what=_("Вопрос"), max_length=TEXT_MAX)
    concerns = clean_text(concerns, field="concerns", what=_("Кого касается"), max_length=500)
    circumstances = clean_text(circumstances, field="circumstances", what=_("Причины и обстоятельства"), required=False,
                               max_length=TEXT_MAX)
    if team is not None and (team.competency_id != competency.pk or team.status != Application.Status.APPROVED):
        raise DomainError(_("Команда не участвует в этой компетенции."), field="team")
    if criterion is not None and criterion.scheme.competency_id != competency.pk:
        raise DomainError(_("Критерий другой компетенции."), field="criterion")
    mine = {t.pk for t in mentored_teams(by, competency)}
    if is_venue_admin(by, competency):
        raised_as = "venue_admin"
    elif mine:
        raised_as = "mentor"
        if team is None:
            raise DomainError(_("Укажите свою команду, о которой вопрос."), field="team")
        if team.pk not in mine:
            raise DomainError(_("Вы не наставник этой команды: вопрос о команде поднимает её наставник."),
                              field="team")
    else:
        raise DomainError(_("Вопрос поднимает наставник команды этой компетенции или технический администратор "
                            "площадки."), field="team")
    if on_behalf_of is not None and (
            raised_as != "mentor" or team is None or on_behalf_of.application_id != team.pk
            or on_behalf_of.kind != TeamMember.Kind.PARTICIPANT or on_behalf_of.state != TeamMember.State.ACTIVE):
        raise DomainError(_("От имени участника вопрос поднимает наставник его команды."), field="on_behalf_of")
    championship = competency.championship
    today = timezones.local_date(timezone.now(), championship)
    arose_on = arose_on or today
    if not isinstance(arose_on, dt.date) or arose_on > today:
        raise DomainError(_("День возникновения вопроса не может быть в будущем."), field="arose_on")
    with transaction.atomic():
        Championship.objects.select_for_update().only("pk").get(pk=championship.pk)
        number = (Dispute.objects.filter(championship=championship).aggregate(m=Max("number"))["m"] or 0) + 1
        dispute = Dispute.objects.create(
            championship=championship, competency=competency, number=number, raised_by=by, raised_as=raised_as,
            on_behalf_of=on_behalf_of, team=team, criterion=criterion, concerns=concerns, question=question,
            circumstances=circumstances, arose_on=arose_on)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=dispute, after=snapshot(dispute))
        chief = chief_of(competency)
        if chief is not None:
            _notify(dispute, _("поднят вопрос"), [chief.email])
    return dispute


# --- The vote ------------------------------------------------------------------------------------------


def open_round(dispute: Dispute) -> VoteRound | None:
    return VoteRound.objects.filter(dispute=dispute, closed_at__isnull=True).first()


def put_to_vote(dispute: Dispute, *, proposal: str, revote_reason: str = "", by: Any) -> VoteRound:
    """003 §7.2, §22.8: the chief expert puts a proposal to the vote of every expert at the venue. A vote
    after a round without a majority records why it is voted again."""
    proposal = clean_text(proposal, field="proposal", what=_("Вынесено на голосование"), max_length=TEXT_MAX)
    revote_reason = clean_text(revote_reason, field="revote_reason", what=_("Причина повторного голосования"), required=False,
                               max_length=TEXT_MAX)
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().select_related("competency__championship").get(pk=dispute.pk)
        if locked.state == Dispute.State.DECIDED:
            raise TransitionError(_("Вопрос уже решён: голосование по нему не проводится."))
        if locked.state == Dispute.State.VOTING:
            raise TransitionError(_("Голосование по этому вопросу уже идёт."))
        number = (VoteRound.objects.filter(dispute=locked).aggregate(m=Max("number"))["m"] or 0) + 1
        if number > 1 and not revote_reason:
            raise DomainError(_("Большинства не было: укажите причину повторного голосования."),
                              field="revote_reason")
        experts = panel_at_venue(locked.competency)
        if not experts:
            raise DomainError(_("На площадке нет экспертов компетенции, которые могли бы проголосовать."))
        vote_round = VoteRound.objects.create(
            dispute=locked, number=number, proposal=proposal, revote_reason=revote_reason if number > 1 else "",
            panel=[e.pk for e in experts], panel_size=len(experts), opened_by=by, opened_at=timezone.now())
        before = snapshot(locked)
        locked.state = Dispute.State.VOTING
        locked.save(update_fields=["state"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               reason=_("Вынесено на голосование (№ %(n)s): %(proposal)s") % {"n": number, "proposal": proposal}
               + (f" — {revote_reason}" if number > 1 else ""))
        _notify(locked, _("вынесен на голосование жюри"), [e.email for e in experts], proposal=proposal,
                vote_url=absolute_url(reverse("disputes:vote", args=[locked.pk])))
    return vote_round


def tally(vote_round: VoteRound) -> votes.Tally:
    return votes.panel_outcome(vote_round.votes.values_list("choice", flat=True), vote_round.panel_size)


def not_voted(vote_round: VoteRound) -> list[Any]:
    """The round's experts who have not voted yet (the chief expert's view)."""
    from profmaster.accounts.models import User

    cast = set(vote_round.votes.values_list("expert_id", flat=True))
    return list(User.objects.filter(pk__in=[pk for pk in vote_round.panel if pk not in cast])
                .order_by("last_name", "first_name"))


def cast_vote(dispute: Dispute, *, choice: str, by: Any) -> Vote:
    """One expert's vote, once. Refused: a decided question, no vote going on, someone outside the round's
    panel, a second vote. Nothing changes on a refusal."""
    if choice not in Vote.Choice.values:
        raise DomainError(_("Выберите: за, против или воздержался."), field="choice")
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().select_related("competency__championship").get(pk=dispute.pk)
        if locked.state == Dispute.State.DECIDED:
            raise TransitionError(_("Вопрос уже решён: голосование окончено."))
        vote_round = open_round(locked)
        if vote_round is None:
            raise TransitionError(_("Сейчас по этому вопросу не голосуют."))
        if getattr(by, "pk", None) not in vote_round.panel:
            raise DomainError(_("Голосуют эксперты жюри, аккредитованные на площадке: вас нет в составе этого "
                                "голосования."), field="choice")
        if Vote.objects.filter(round=vote_round, expert=by).exists():
            raise TransitionError(_("Вы уже проголосовали по этому вопросу."))
        try:
            with transaction.atomic():
                vote = Vote.objects.create(round=vote_round, expert=by, choice=choice)
        except IntegrityError as exc:
            raise TransitionError(_("Вы уже проголосовали по этому вопросу.")) from exc
        record(actor=by, action=AuditEntry.Action.CREATE, instance=vote, after=snapshot(vote),
               championship=locked.championship)
        result = tally(vote_round)
        if result.decided or result.not_voted == 0:
            _close(locked, vote_round, result, by=by)
    return vote


def close_round(dispute: Dispute, *, by: Any) -> VoteRound:
    """The chief expert closes the round: the votes cast decide if one side has the majority, else the question
    stays open for a revote."""
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().select_related("competency__championship").get(pk=dispute.pk)
        vote_round = open_round(locked)
        if vote_round is None:
            raise TransitionError(_("Сейчас по этому вопросу не голосуют."))
        _close(locked, vote_round, tally(vote_round), by=by)
    return vote_round


def _close(dispute: Dispute, vote_round: VoteRound, result: votes.Tally, *, by: Any) -> None:
    now = timezone.now()
    vote_round.closed_at, vote_round.result = now, str(result.outcome)
    vote_round.save(update_fields=["closed_at", "result"])
    before = snapshot(dispute)
    if result.decided:
        dispute.state, dispute.decided_at = Dispute.State.DECIDED, now
        dispute.outcome = Dispute.Outcome.ADOPTED if result.outcome == votes.Outcome.ADOPTED else \
            Dispute.Outcome.REJECTED
        dispute.decision = vote_round.proposal
        dispute.save(update_fields=["state", "decided_at", "outcome", "decision"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=dispute, before=before,
               after=snapshot(dispute), reason=_("Решение принято голосованием: за %(f)s, против %(a)s, "
                                                 "воздержались %(s)s из %(n)s") % {
                   "f": result.votes_for, "a": result.votes_against, "s": result.abstentions, "n": result.body_size})
        document = _create_protocol(dispute, by=by)
        # 003 §7.3: the protocol goes to the Directorate the moment the decision is taken
        _notify(dispute, str(dispute.get_outcome_display()).lower(), _directorate(dispute.championship),
                protocol_url=absolute_url(reverse("documents:detail", args=[document.pk])),
                decision=dispute.decision)
    else:
        dispute.state = Dispute.State.OPEN
        dispute.save(update_fields=["state"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=dispute, before=before,
               after=snapshot(dispute), reason=_("Большинства нет (нужно %(m)s из %(n)s): вопрос остаётся открытым")
               % {"m": result.majority, "n": result.body_size})


# --- The protocol ----------------------------------------------------------------------------------------


def _content(dispute: Dispute) -> tuple[str, dict[str, Any]]:
    zone = timezones.zone_of(dispute.championship)
    from profmaster.accounts.models import User

    with translation.override("ru"):
        data: dict[str, Any] = {
            "text": _("Компетенция «%(competency)s». Спорный вопрос № %(number)s поднят %(at)s (%(zone)s).")
            % {"competency": dispute.competency.name, "number": dispute.number,
               "at": timezones.format_local(dispute.raised_at, zone), "zone": timezones.zone_label(zone)},
            _("Кто поднял вопрос"): f"{dispute.raised_by.full_name} ({dispute.get_raised_as_display()})"
            + (f", {_('от имени участника')} {dispute.on_behalf_of.full_name}" if dispute.on_behalf_of else ""),
            _("Вопрос"): dispute.question,
            _("Кого касается"): dispute.concerns,
            _("Команда"): f"{dispute.team.organisation} (№ {dispute.team_id})" if dispute.team else _("нет"),
            _("Критерий"): f"{dispute.criterion.code}. {dispute.criterion.title}" if dispute.criterion else _("нет"),
            _("Причины и обстоятельства"): dispute.circumstances or _("не указаны"),
        }
        rounds = list(dispute.rounds.order_by("number"))
        names = {u.pk: u.full_name for u in User.objects.filter(pk__in={pk for r in rounds for pk in r.panel})}
        vote_rows = []
        for vote_round in rounds:
            cast = {v.expert_id: v for v in vote_round.votes.all()}
            result = tally(vote_round)
            for expert_id in vote_round.panel:
                vote = cast.get(expert_id)
                vote_rows.append({"Голосование": vote_round.number, "Эксперт": names.get(expert_id, ""),
                                  "Голос": str(vote.get_choice_display()) if vote else "не голосовал(а)"})
            data[_("Голосование № %(n)s") % {"n": vote_round.number}] = (
                _("Вынесено: %(proposal)s%(revote)s. За — %(f)s, против — %(a)s, воздержались — %(s)s, не голосовали "
                  "— %(x)s; нужно %(m)s из %(n)s. Итог: %(result)s.") % {
                    "proposal": vote_round.proposal,
                    "revote": (_(" (повторно: %(r)s)") % {"r": vote_round.revote_reason}) if vote_round.revote_reason
                    else "", "f": result.votes_for, "a": result.votes_against, "s": result.abstentions,
                    "x": result.not_voted, "m": result.majority, "n": result.body_size,
                    "result": vote_round.get_result_display() if vote_round.result else _("голосование идёт")})
        data[_("Голоса экспертов")] = vote_rows or [_("голосования не было")]
        data[_("Решение")] = (f"{dispute.get_outcome_display()}: {dispute.decision}" if dispute.is_decided
                              else _("не принято"))
        sanctions: list[Any] = []
        for d in dispute.result_decisions.order_by("number"):
            sanctions.append({"Санкция": f"№ {d.number}. {d.get_kind_display()}"
                              + (f" ({d.scope_label})" if d.scope_label else ""),
                              "Команда": f"№ {d.team_id}", "Баллы": str(d.points) if d.points is not None else "",
                              "Обоснование": d.reason})
        for r in dispute.removals.select_related("accreditation"):
            sanctions.append({"Санкция": str(_("Удаление с площадки")), "Команда": r.accreditation.full_name,
                              "Баллы": "", "Обоснование": r.reason})
        for s in dispute.suspensions.select_related("member"):
            sanctions.append({"Санкция": str(_("Отстранение участника на время апелляции")),
                              "Команда": s.member.full_name, "Баллы": "", "Обоснование": s.reason})
        data[_("Санкции")] = sanctions or [_("не применялись")]
        return (_("Протокол рассмотрения спорного вопроса № %(number)s — %(competency)s")
                % {"number": dispute.number, "competency": dispute.competency.name}, data)


def dispute_protocol_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the dispute protocol formed again from the dispute's records."""
    dispute = Dispute.objects.select_related("championship", "competency").filter(
        pk=int((document.source or {}).get("dispute") or 0)).first()
    if dispute is None:
        raise DomainError(_("Спорный вопрос этого протокола не найден."))
    return _content(dispute)


def _signers(dispute: Dispute) -> list[tuple[Any, str]]:
    """The chief expert and every expert of the deciding round (003 §7.1)."""
    from profmaster.accounts.models import User

    chief = chief_of(dispute.competency)
    last = dispute.rounds.order_by("-number").first()
    experts = list(User.objects.filter(pk__in=last.panel).order_by("last_name", "first_name")) if last else []
    signers = ([(chief, str(Role.CHIEF_EXPERT.label))] if chief else []) + [(e, str(Role.EXPERT.label))
                                                                            for e in experts]
    if not signers:
        raise DomainError(_("Назначьте главного эксперта компетенции: он подписывает протокол."))
    return signers


def _create_protocol(dispute: Dispute, *, by: Any) -> Document:
    title, data = _content(dispute)
    document = create_generated_document(
        championship=dispute.championship, competency=dispute.competency, doc_type=DocumentType.DISPUTE,
        title=title, data=data, signers=_signers(dispute), by=by, generator="disputes.dispute_protocol",
        source={"dispute": dispute.pk})
    dispute.protocol = document
    dispute.save(update_fields=["protocol"])
    return document


def refresh_protocol(dispute: Dispute, *, by: Any) -> Document | None:
    """Form the protocol again after a sanction was taken on the decision (its signatures are asked anew)."""
    dispute.refresh_from_db(fields=["protocol"])
    if dispute.protocol_id is None:
        return None
    document = Document.objects.get(pk=dispute.protocol_id)
    return regenerate_document(document, by=by, reason=_("Применена санкция по решению спорного вопроса."))


# --- The Directorate's investigation (003 §7.3) ----------------------------------------------------------


def open_investigation(dispute: Dispute, *, reason: str, by: Any) -> Dispute:
    reason = clean_text(reason, field="reason", what=_("Предмет расследования"), max_length=TEXT_MAX)
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.state != Dispute.State.DECIDED:
            raise TransitionError(_("Расследование назначают по решённому вопросу."))
        if locked.investigation_opened_at is not None:
            raise TransitionError(_("Расследование по этому вопросу уже назначено."))
        before = snapshot(locked)
        locked.investigation_opened_at, locked.investigation_opened_by = timezone.now(), by
        locked.investigation_reason = reason
        locked.save(update_fields=["investigation_opened_at", "investigation_opened_by", "investigation_reason"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               reason=reason)
    return locked


def explainers(dispute: Dispute) -> list[Any]:
    """Who may be asked for an explanation: the competency's chief expert and experts, and the mentors of its
    teams (003 §7.3)."""
    from profmaster.accounts.models import User

    panel = RoleAssignment.objects.filter(competency=dispute.competency, role__in=[Role.CHIEF_EXPERT, Role.EXPERT])
    mentors = TeamMember.objects.filter(application__competency=dispute.competency, kind=TeamMember.Kind.MENTOR,
                                        state=TeamMember.State.ACTIVE, user__isnull=False)
    ids = set(panel.values_list("user_id", flat=True)) | set(mentors.values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name"))


def request_explanation(dispute: Dispute, *, person: Any, question: str, by: Any) -> Explanation:
    question = clean_text(question, field="question", what=_("Что пояснить"), max_length=TEXT_MAX)
    if person is None or person.pk not in {u.pk for u in explainers(dispute)}:
        raise DomainError(_("Пояснения запрашивают у экспертов, главного эксперта и наставников этой компетенции."),
                          field="person")
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().select_related("competency__championship").get(pk=dispute.pk)
        if locked.investigation_opened_at is None:
            raise TransitionError(_("Сначала назначьте расследование."))
        if Explanation.objects.filter(dispute=locked, person=person, answered_at__isnull=True).exists():
            raise TransitionError(_("У этого человека уже запрошено пояснение."))
        explanation = Explanation.objects.create(dispute=locked, person=person, question=question, requested_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=explanation, after=snapshot(explanation),
               championship=locked.championship)
        _notify(locked, _("запрошено письменное пояснение"), [person.email], request=question)
    return explanation


def answer_explanation(explanation: Explanation, *, answer: str, by: Any) -> Explanation:
    answer = clean_text(answer, field="answer", what=_("Пояснение"), max_length=TEXT_MAX)
    with transaction.atomic():
        locked = Explanation.objects.select_for_update().select_related("dispute__championship").get(pk=explanation.pk)
        if locked.person_id != getattr(by, "pk", None):
            raise DomainError(_("Пояснение даёт тот, у кого оно запрошено."))
        if locked.answered_at is not None:
            raise TransitionError(_("Пояснение уже дано."))
        before = snapshot(locked)
        locked.answer, locked.answered_at = answer, timezone.now()
        locked.save(update_fields=["answer", "answered_at"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, before=before, after=snapshot(locked),
               championship=locked.dispute.championship)
        _notify(locked.dispute, _("получено письменное пояснение"), _directorate(locked.dispute.championship),
                person=by.full_name)
    return locked
