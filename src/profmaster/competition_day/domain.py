"""OP-1: draws of flows and of workplaces as state changes, one function each (003 §13.1–13.2).

``prepare_draw`` fixes the inputs (the competency's approved teams and its flows, or one flow's teams and the
base venue's workplaces), keeps a fresh server secret and publishes its commitment; ``add_contribution``
records the entropy a mentor present adds; ``perform_draw`` derives the seed, runs the pure algorithm of
:mod:`.draw`, reveals the secret and forms the protocol; ``redraw`` supersedes a draw for a stated reason
(the old draw and its protocol stay); ``verify_draw`` re-runs a draw from what is stored. Each change is
audited. A constraint the inputs cannot meet (too few places, a mentor's teams that cannot be kept apart,
REG-11) is reported with its reason and nothing is saved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import BaseVenue, Competency, ProgrammeSlot, Workplace
from profmaster.core.canonical import canonical_json
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.links import absolute_url
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType
from profmaster.registration.models import Application, TeamMember

from . import draw as algorithm
from .models import Contribution, Draw

CONTRIBUTION_MAX = 200
REASON_MAX = 2000
#: The version of each algorithm the pure module implements (the name carries it too).
ALGORITHMS = {Draw.Kind.FLOWS: (algorithm.FLOWS_ALGORITHM, 1),
              Draw.Kind.WORKPLACES: (algorithm.WORKPLACES_ALGORITHM, 1)}


# --- Reading the records -----------------------------------------------------------------------------


def flow_slots(competency: Competency) -> QuerySet[ProgrammeSlot]:
    """The competency's flows: programme slots of the kind «Поток», in order of their start."""
    return (ProgrammeSlot.objects.filter(competency=competency, kind=ProgrammeSlot.Kind.FLOW)
            .select_related("base_venue__venue", "base_venue__championship", "championship").order_by("starts_at", "pk"))


def venue_of(competency: Competency, slot: ProgrammeSlot | None = None) -> BaseVenue | None:
    """Where a flow takes place: its own base venue, else the one base venue with the competency's workplaces."""
    if slot is not None and slot.base_venue_id is not None:
        return slot.base_venue
    venues = list(BaseVenue.objects.filter(workplaces__competency=competency).select_related("venue")
                  .distinct().order_by("pk")[:2])
    return venues[0] if len(venues) == 1 else None


def workplaces_at(competency: Competency, venue: BaseVenue | None) -> list[Workplace]:
    if venue is None:
        return []
    return list(Workplace.objects.filter(competency=competency, base_venue=venue).order_by("number"))


def approved_teams(competency: Competency) -> list[Application]:
    return list(Application.objects.filter(competency=competency, status=Application.Status.APPROVED)
                .select_related("organisation", "age_category").prefetch_related("members").order_by("pk"))


def _mentors(application: Application) -> list[TeamMember]:
    return [m for m in application.members.all()
            if m.kind == TeamMember.Kind.MENTOR and m.state == TeamMember.State.ACTIVE]


def _identity(member: TeamMember) -> str:
    """How the same mentor is recognised on several teams (REG-11): the e-mail (the account's, else the form's)."""
    return (member.email or "").strip().lower() or f"member:{member.pk}"


def team_label(application: Application) -> str:
    return f"№ {application.pk} — {application.organisation}, {application.age_category}"


def slot_label(slot: ProgrammeSlot) -> str:
    zone = timezones.zone_of(slot)
    starts = timezones.local(slot.starts_at, zone)
    ends = timezones.local(slot.ends_at, zone)
    return (f"{slot.title}: {starts:%d.%m.%Y %H:%M}–{ends:%H:%M} ({timezones.zone_label(zone, slot.starts_at)})")


def flow_inputs(competency: Competency, *, with_labels: bool = True) -> tuple[algorithm.FlowDrawInputs,
                                                                              dict[str, Any]]:
    """The inputs of the competency's flow draw and how people read their ids; refusal when there are none."""
    slots = list(flow_slots(competency))
    teams = approved_teams(competency)
    default_venue = venue_of(competency) if any(s.base_venue_id is None for s in slots) else None
    venues = {slot.base_venue_id or (default_venue.pk if default_venue else 0) for slot in slots}
    counts = dict(Workplace.objects.filter(competency=competency, base_venue_id__in=venues)
                  .values("base_venue_id").annotate(n=Count("pk")).values_list("base_venue_id", "n"))
    mentors = [(team.pk, [_identity(m) for m in _mentors(team)]) for team in teams]
    inputs = _build_flow_inputs(slots, mentors, counts, default_venue)
    if not with_labels:
        return inputs, {}
    pseudonyms = _pseudonyms(mentors)
    names: dict[str, str] = {}
    for team in teams:
        for member in _mentors(team):
            names.setdefault(pseudonyms[_identity(member)], member.full_name)
    labels = {"teams": {str(t.pk): team_label(t) for t in teams},
              "flows": {str(s.pk): slot_label(s) for s in slots}, "mentors": names}
    return inputs, labels


def _pseudonyms(teams: list[tuple[int, list[str]]]) -> dict[str, str]:
    """Mentors appear as M1, M2… (in order of their e-mail), so the published inputs carry no personal data."""
    identities = sorted({identity for _team, mentors in teams for identity in mentors})
    return {identity: f"M{index}" for index, identity in enumerate(identities, start=1)}


def _build_flow_inputs(slots: list[ProgrammeSlot], teams: list[tuple[int, list[str]]], counts: dict[int, int],
                       default_venue: BaseVenue | None) -> algorithm.FlowDrawInputs:
    """Teams (id, their mentors' identities) and flows (capacity = the workplaces at the flow's venue)."""
    if not slots:
        raise DomainError(_("В программе компетенции нет потоков: добавьте пункты программы вида «Поток»."))
    if not teams:
        raise DomainError(_("У компетенции нет одобренных заявок: жеребьёвать некого."))
    flows = []
    for slot in slots:
        venue_id = slot.base_venue_id or (default_venue.pk if default_venue is not None else None)
        if venue_id is None:
            raise DomainError(_("Не указана базовая площадка потока «%(flow)s», а у компетенции их несколько "
                                "или нет ни одной с рабочими местами.") % {"flow": slot.title})
        flows.append(algorithm.Flow.of(slot.pk, slot.starts_at, slot.ends_at, counts.get(venue_id, 0)))
    pseudonyms = _pseudonyms(teams)
    return algorithm.FlowDrawInputs.of(
        [algorithm.Team.of(team, [pseudonyms[m] for m in mentors]) for team, mentors in teams], flows)


def _flow_inputs_of_many(competencies: list[Competency]) -> dict[int, Any]:
    """The flow-draw inputs of several competencies read at once (a national draw day): id → inputs or the
    refusal (a DomainError) for that competency."""
    ids = [c.pk for c in competencies]
    slots: dict[int, list[ProgrammeSlot]] = {i: [] for i in ids}
    for slot in (ProgrammeSlot.objects.filter(competency_id__in=ids, kind=ProgrammeSlot.Kind.FLOW)
                 .only("pk", "competency_id", "base_venue_id", "starts_at", "ends_at", "title")
                 .order_by("starts_at", "pk")):
        slots[int(slot.competency_id or 0)].append(slot)
    teams: dict[int, dict[int, list[str]]] = {i: {} for i in ids}
    for pk, competency_id in (Application.objects.filter(competency_id__in=ids, status=Application.Status.APPROVED)
                              .order_by("pk").values_list("pk", "competency_id")):
        teams[competency_id][pk] = []
    for application_id, competency_id, email, member_pk in (
            TeamMember.objects.filter(application__competency_id__in=ids,
                                      application__status=Application.Status.APPROVED,
                                      kind=TeamMember.Kind.MENTOR, state=TeamMember.State.ACTIVE)
            .order_by("kind", "last_name", "first_name", "pk")
            .values_list("application_id", "application__competency_id", "email", "pk")):
        teams[competency_id][application_id].append((email or "").strip().lower() or f"member:{member_pk}")
    counts: dict[int, dict[int, int]] = {i: {} for i in ids}
    for competency_id, venue_id, n in (Workplace.objects.filter(competency_id__in=ids)
                                       .values("competency_id", "base_venue_id").annotate(n=Count("pk"))
                                       .values_list("competency_id", "base_venue_id", "n")):
        counts[competency_id][venue_id] = n
    out: dict[int, Any] = {}
    for competency in competencies:
        try:
            default = (venue_of(competency) if any(s.base_venue_id is None for s in slots[competency.pk])
                       else None)
            out[competency.pk] = _build_flow_inputs(slots[competency.pk], list(teams[competency.pk].items()),
                                                    counts[competency.pk], default)
        except DomainError as exc:
            out[competency.pk] = exc
    return out


def current_draw(competency: Competency, kind: str, flow: ProgrammeSlot | None = None) -> Draw | None:
    return (Draw.objects.filter(competency=competency, kind=kind, flow=flow)
            .exclude(state=Draw.State.SUPERSEDED).first())


def drawn_flows(competency_id: int) -> dict[int, int]:
    """Application id → the flow (ProgrammeSlot id) the competency's current performed draw of flows gave it
    ({} before the draw): what the venue's check-in and the timers follow once flows are drawn (003 §13.1)."""
    found = (Draw.objects.filter(competency_id=competency_id, kind=Draw.Kind.FLOWS, state=Draw.State.PERFORMED)
             .values_list("result_text", flat=True).first())
    return {int(team): int(flow) for team, flow in json.loads(found).items()} if found else {}


def workplace_inputs(competency: Competency, slot: ProgrammeSlot) -> tuple[algorithm.WorkplaceDrawInputs,
                                                                           dict[str, Any]]:
    if slot.competency_id != competency.pk or slot.kind != ProgrammeSlot.Kind.FLOW:
        raise DomainError(_("Это не поток этой компетенции."), field="flow")
    flows = drawn_flows(competency.pk)
    if not flows:
        raise DomainError(_("Сначала проведите жеребьёвку потоков: рабочие места жеребьюются в каждом потоке."))
    teams = sorted(str(team) for team, flow in flows.items() if flow == slot.pk)
    if not teams:
        raise DomainError(_("В потоке «%(flow)s» нет команд по жеребьёвке потоков.") % {"flow": slot.title})
    places = workplaces_at(competency, venue_of(competency, slot))
    if not places:
        raise DomainError(_("На площадке потока нет рабочих мест компетенции."))
    inputs = algorithm.WorkplaceDrawInputs.of({str(slot.pk): teams}, [str(p.number) for p in places])
    applications = Application.objects.filter(pk__in=[int(t) for t in teams]).select_related(
        "organisation", "age_category")
    labels = {"teams": {str(a.pk): team_label(a) for a in applications},
              "flows": {str(slot.pk): slot_label(slot)},
              "workplaces": {str(p.number): f"№ {p.number}" + (f" ({p.note})" if p.note else "") for p in places}}
    return inputs, labels


def _inputs_of(competency: Competency, kind: str, flow: ProgrammeSlot | None, *,
               with_labels: bool = True) -> tuple[Any, dict[str, Any]]:
    if kind == Draw.Kind.FLOWS:
        if flow is not None:
            raise DomainError(_("Жеребьёвка потоков проводится для всей компетенции, без потока."), field="flow")
        return flow_inputs(competency, with_labels=with_labels)
    if kind == Draw.Kind.WORKPLACES:
        if flow is None:
            raise DomainError(_("Выберите поток: рабочие места жеребьюются в каждом потоке."), field="flow")
        return workplace_inputs(competency, flow)
    raise DomainError(_("Неизвестный вид жеребьёвки."), field="kind")


def _probe(kind: str, inputs: Any) -> None:
    """Refuse inputs that no seed could draw (capacity, a mentor's teams, REG-11) before anything is published."""
    try:
        if kind == Draw.Kind.FLOWS:
            algorithm.draw_flows(inputs, "0" * 64)
        else:
            algorithm.draw_workplaces(inputs, "0" * 64)
    except algorithm.DrawImpossible as exc:
        raise DomainError(_("Жеребьёвку нельзя провести: %(reason)s") % {"reason": exc.reason},
                          code="draw_impossible") from exc


def _duplicate_message(draw: Draw) -> str:
    return (_("Жеребьёвка уже есть (№ %(id)s, %(state)s). Повторно её не проводят: если нужна новая, "
              "проведите пережеребьёвку с указанием причины.")
            % {"id": draw.pk, "state": draw.get_state_display().lower()})


def _audit_state(draw: Draw) -> dict[str, Any]:
    after = snapshot(draw)
    after.pop("secret", None)  # never in the log before it is revealed
    if draw.state != Draw.State.PREPARED:
        after["secret"] = draw.secret
    return after


def _audit_transition(draw: Draw) -> dict[str, Any]:
    """What a state change records: the new state, and once drawn the seed, revealed secret and result (the
    inputs and commitment are in the entry of the draw's preparation)."""
    after: dict[str, Any] = {"state": draw.state}
    if draw.state != Draw.State.PREPARED and draw.seed:
        after.update({"seed": draw.seed, "secret": draw.secret, "result_text": draw.result_text,
                      "performed_by": draw.performed_by_id,
                      "performed_at": draw.performed_at.isoformat() if draw.performed_at else None})
    return after


# --- State changes -------------------------------------------------------------------------------------


def prepare_draw(competency: Competency, *, kind: str, by: Any, flow: ProgrammeSlot | None = None,
                 supersedes: Draw | None = None, reason: str = "") -> Draw:
    """Fix the inputs and publish the commitment to a fresh secret (the secret stays hidden until the draw)."""
    inputs, labels = _inputs_of(competency, kind, flow)
    _probe(kind, inputs)
    secret = algorithm.new_secret()
    name, version = ALGORITHMS[Draw.Kind(kind)]
    with transaction.atomic():
        existing = current_draw(competency, kind, flow)
        if existing is not None:
            raise DomainError(_duplicate_message(existing), code="duplicate")
        draw = Draw(championship_id=competency.championship_id, competency=competency, kind=kind, flow=flow,
                    inputs_text=canonical_json(inputs.canonical()), labels=labels,
                    commitment=algorithm.commitment(secret), secret=secret, algorithm=name, algorithm_version=version,
                    prepared_by=by, prepared_at=timezone.now(), supersedes=supersedes, reason=reason)
        try:
            with transaction.atomic():
                draw.save()
        except IntegrityError as exc:  # another chief expert's click in the same instant
            raise DomainError(_("Жеребьёвка только что подготовлена другим пользователем: обновите страницу."),
                              code="duplicate") from exc
        record(actor=by, action=AuditEntry.Action.CREATE, instance=draw, after=_audit_state(draw), reason=reason)
    return draw


def _locked(draw: Draw) -> Draw:
    return (Draw.objects.select_for_update(of=("self",)).select_related("competency", "championship", "flow")
            .get(pk=draw.pk))


def _clean_text(text: str, *, limit: int, empty: str, too_long: str, field_name: str) -> str:
    text = algorithm.clean_contribution(text or "")
    if "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise DomainError(_("Текст содержит недопустимый символ."), field=field_name)
    if not text:
        raise DomainError(empty, field=field_name)
    if len(text) > limit:
        raise DomainError(too_long % {"max": limit}, field=field_name)
    return text


def mentors_of(competency: Competency) -> list[Any]:
    """Accounts of the active mentors of the competency's approved teams (who may contribute and sign)."""
    from profmaster.accounts.models import User

    return list(User.objects.filter(
        team_memberships__kind=TeamMember.Kind.MENTOR, team_memberships__state=TeamMember.State.ACTIVE,
        team_memberships__application__competency=competency,
        team_memberships__application__status=Application.Status.APPROVED).distinct().order_by("last_name", "pk"))


def add_contribution(draw: Draw, *, text: str, by: Any, user: Any = None, name: str = "") -> Contribution:
    """A mentor present adds an entropy string to the seed; only before the draw, once per mentor."""
    text = _clean_text(text, limit=CONTRIBUTION_MAX, empty=_("Введите вклад: любые слова или цифры."),
                       too_long=_("Вклад длиннее %(max)s символов."), field_name="text")
    with transaction.atomic():
        locked = _locked(draw)
        if locked.state != Draw.State.PREPARED:
            raise TransitionError(_("Жеребьёвка уже проведена: вклад после неё не принимается."))
        if user is not None:
            if user.pk not in {u.pk for u in mentors_of(locked.competency)}:
                raise DomainError(_("%(name)s не наставник команды этой компетенции.") % {"name": user},
                                  field="user")
            if locked.contributions.filter(user=user).exists():
                raise DomainError(_("%(name)s уже внёс(ла) свой вклад.") % {"name": user}, field="user")
            name = name.strip() or user.full_name
        name = _clean_text(name, limit=300, empty=_("Укажите, кто вносит вклад."),
                           too_long=_("Имя длиннее %(max)s символов."), field_name="name")
        contribution = Contribution(draw=locked, text=text, name=name, user=user, added_by=by,
                                    added_at=timezone.now())
        try:
            with transaction.atomic():
                contribution.save()
        except IntegrityError as exc:
            raise DomainError(_("Этот наставник уже внёс свой вклад."), field="user") from exc
        record(actor=by, action=AuditEntry.Action.CREATE, instance=contribution, after=snapshot(contribution),
               championship=locked.championship)
    return contribution


def perform_draw(draw: Draw, *, by: Any) -> Draw:
    """Draw: seed = SHA-256(secret ‖ contributions), the pure algorithm, the secret revealed, the protocol formed.

    Refused when the inputs changed since the commitment was published (a team approved or withdrawn, a flow
    moved): the draw would no longer be the one announced — redraw it with the reason.
    """
    with transaction.atomic():
        locked = _locked(draw)
        if locked.state != Draw.State.PREPARED:
            raise TransitionError(_("Жеребьёвка уже проведена: повторно её не проводят."))
        inputs, _labels = _inputs_of(locked.competency, locked.kind, locked.flow, with_labels=False)
        prefetch_related_objects([locked], Prefetch("contributions",
                                                    queryset=Contribution.objects.select_related("user")))
        _perform(locked, inputs, by=by)
        locked.save(update_fields=["seed", "result_text", "state", "performed_by", "performed_at"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before={"state": Draw.State.PREPARED},
               after=_audit_transition(locked))
        locked.protocol = create_protocol(locked, by=by)
        locked.save(update_fields=["protocol"])
    return locked


def _perform(locked: Draw, inputs: Any, *, by: Any) -> None:
    """The draw itself on a locked, prepared record: check the inputs are those committed to, derive the seed,
    run the algorithm, fill in the result (the caller saves and audits)."""
    if canonical_json(inputs.canonical()) != locked.inputs_text:
        raise DomainError(_("Состав команд, потоки или рабочие места изменились после публикации обязательства. "
                            "Проведите пережеребьёвку с указанием причины: она зафиксирует новые данные."),
                          code="inputs_changed")
    contributions = [c.text for c in locked.contributions.all()]
    try:
        done = algorithm.run(locked.kind, inputs, secret=locked.secret, contributions=contributions)
    except algorithm.DrawImpossible as exc:
        raise DomainError(_("Жеребьёвку нельзя провести: %(reason)s") % {"reason": exc.reason},
                          code="draw_impossible") from exc
    locked.seed = done.seed
    locked.result_text = canonical_json(done.result)
    locked.state = Draw.State.PERFORMED
    locked.performed_by = by
    locked.performed_at = timezone.now()


PROTOCOLS_JOB = "competition_day.draw_protocols"


def perform_draws(draws: Iterable[Draw], *, by: Any) -> list[Draw]:
    """Hold several prepared flow draws at once (a national competition day): every one as :func:`perform_draw`
    would, in one transaction that succeeds or changes nothing, with the inputs read together; the protocols
    are formed by a background job per championship right after the commit (X-5)."""
    with transaction.atomic():
        pks = [d.pk for d in draws]
        locked = list(Draw.objects.select_for_update(of=("self",)).filter(pk__in=pks)
                      .select_related("competency", "championship").prefetch_related(
                          Prefetch("contributions", queryset=Contribution.objects.select_related("user")))
                      .order_by("pk"))
        if len(locked) != len(set(pks)):
            raise DomainError(_("Некоторые жеребьёвки не найдены."))
        for draw in locked:
            if draw.state != Draw.State.PREPARED:
                raise TransitionError(_("Жеребьёвка № %(id)s уже проведена: повторно её не проводят.")
                                      % {"id": draw.pk})
            if draw.kind != Draw.Kind.FLOWS:
                raise DomainError(_("Вместе проводятся только жеребьёвки потоков (№ %(id)s — рабочих мест).")
                                  % {"id": draw.pk})
        inputs = _flow_inputs_of_many([d.competency for d in locked])
        for draw in locked:
            found = inputs[draw.competency_id]
            if isinstance(found, DomainError):
                raise DomainError(f"{draw.competency.name}: {found.message}", code=found.code)
            try:
                _perform(draw, found, by=by)
            except DomainError as exc:
                raise DomainError(f"{draw.competency.name}: {exc.message}", code=exc.code) from exc
        Draw.objects.bulk_update(locked, ["seed", "result_text", "state", "performed_by", "performed_at"])
        for draw in locked:
            record(actor=by, action=AuditEntry.Action.TRANSITION, instance=draw, before={"state": Draw.State.PREPARED},
                   after=_audit_transition(draw), championship=draw.championship)
        from profmaster.jobs.domain import start_job

        for championship_id in sorted({d.championship_id for d in locked}):
            mine = [d for d in locked if d.championship_id == championship_id]
            start_job(form_protocols, kind=PROTOCOLS_JOB, by=by, championship=mine[0].championship,
                      title=_("Протоколы жеребьёвки потоков: %(count)s") % {"count": len(mine)},
                      payload={"draws": [d.pk for d in mine]}, total=len(mine))
    return locked


def form_protocols(job: Any, progress: Any) -> dict[str, Any]:
    """The job after :func:`perform_draws`: the protocol of every performed draw that has none yet."""
    ids = [int(i) for i in (job.payload or {}).get("draws", [])]
    formed = 0
    for index, pk in enumerate(ids, start=1):
        with transaction.atomic():
            draw = (Draw.objects.select_for_update(of=("self",)).select_related("competency", "championship", "flow")
                    .filter(pk=pk).first())
            if draw is not None and draw.state == Draw.State.PERFORMED and draw.protocol_id is None:
                draw.protocol = create_protocol(draw, by=job.created_by)
                draw.save(update_fields=["protocol"])
                formed += 1
        progress(index, len(ids), _("Протоколы жеребьёвки"))
    return {"formed": formed}


def redraw(draw: Draw, *, reason: str, by: Any) -> Draw:
    """Supersede a draw (its record and protocol stay) and prepare a new one with a fresh commitment.

    A redraw of the flows also supersedes the competency's workplace draws: they placed the old flows' teams.
    """
    reason = _clean_text(reason, limit=REASON_MAX, empty=_("Укажите причину пережеребьёвки."),
                         too_long=_("Причина длиннее %(max)s символов."), field_name="reason")
    with transaction.atomic():
        locked = _locked(draw)
        if locked.state == Draw.State.SUPERSEDED:
            raise TransitionError(_("Эта жеребьёвка уже заменена пережеребьёвкой."))
        dependent: list[Draw] = []
        if locked.kind == Draw.Kind.FLOWS:
            dependent = list(Draw.objects.select_for_update(of=("self",)).filter(
                competency=locked.competency, kind=Draw.Kind.WORKPLACES).exclude(state=Draw.State.SUPERSEDED))
        for old in [locked, *dependent]:
            before = {"state": old.state}
            old.state = Draw.State.SUPERSEDED
            old.save(update_fields=["state"])
            record(actor=by, action=AuditEntry.Action.TRANSITION, instance=old, before=before,
                   after={"state": old.state}, reason=reason)
        return prepare_draw(locked.competency, kind=locked.kind, flow=locked.flow, by=by, supersedes=locked,
                            reason=reason)


# --- Verification ------------------------------------------------------------------------------------


@dataclass
class Verification:
    matches: bool
    differences: list[str] = field(default_factory=list)
    performed: bool = True


def draw_record(draw: Draw) -> dict[str, Any]:
    """What :func:`.draw.verify` re-runs: the stored inputs, commitment, contributions, secret, seed, result."""
    return {"kind": draw.kind, "inputs": json.loads(draw.inputs_text), "commitment": draw.commitment,
            "contributions": sorted(algorithm.clean_contribution(c.text) for c in draw.contributions.all()),
            "secret": draw.secret, "seed": draw.seed, "algorithm": draw.algorithm,
            "result": json.loads(draw.result_text) if draw.result_text else {}}


def verify_draw(draw: Draw) -> Verification:
    """Re-run the draw from what is stored: it matches, or each difference is named (in Russian)."""
    if draw.state == Draw.State.PREPARED:
        return Verification(matches=False, performed=False,
                            differences=[_("Жеребьёвка ещё не проведена: секрет будет раскрыт после неё.")])
    if not draw.seed:  # superseded by a redraw before it was held
        return Verification(matches=False, performed=False,
                            differences=[_("Жеребьёвка не проводилась: до проведения её заменила пережеребьёвка.")])
    problems: list[str] = []
    try:
        stored = draw_record(draw)
    except (TypeError, ValueError) as exc:
        return Verification(matches=False, differences=[_("Запись жеребьёвки повреждена: %(error)s.") % {
            "error": exc}])
    if canonical_json(stored["inputs"]) != draw.inputs_text:
        problems.append(_("Исходные данные записаны не в каноническом виде."))
    expected = ALGORITHMS.get(draw.kind)  # type: ignore[call-overload]
    if expected is not None and expected != (draw.algorithm, draw.algorithm_version):
        problems.append(_("Версия алгоритма %(version)s не соответствует алгоритму %(name)s.")
                        % {"version": draw.algorithm_version, "name": draw.algorithm})
    problems.extend(algorithm.verify(stored))
    protocol = draw.protocol
    if protocol is not None:
        printed = (protocol.data or {}).get("record")
        if printed != _record_for_protocol(stored):
            problems.append(_("Протокол жеребьёвки № %(number)s расходится с её записью.") % {"number": protocol.number})
    return Verification(matches=not problems, differences=problems)


# --- The protocol (DOC-1, 003 §13.2) --------------------------------------------------------------------


def verification_url(draw: Draw) -> str:
    return absolute_url(reverse("competition_day:verify", args=[draw.pk]))


def _record_for_protocol(stored: dict[str, Any]) -> dict[str, Any]:
    return {**stored, "inputs_text": canonical_json(stored["inputs"])}


def protocol_signers(draw: Draw) -> list[tuple[Any, str]]:
    """The competency's chief expert and the mentors present (those who added a contribution with an account)."""
    chiefs = [a.user for a in RoleAssignment.objects.filter(
        competency=draw.competency, role=Role.CHIEF_EXPERT).select_related("user").order_by("pk")]
    with_role = set(RoleAssignment.objects.filter(
        Q(championship_id=draw.championship_id) | Q(championship__isnull=True, role=Role.DIRECTORATE))
        .values_list("user_id", flat=True))
    signers: list[tuple[Any, str]] = [(user, _("Главный эксперт")) for user in chiefs]
    seen = {user.pk for user in chiefs}
    for contribution in draw.contributions.all():
        user = contribution.user
        if user is not None and user.pk not in seen and user.pk in with_role and user.is_active:
            seen.add(user.pk)
            signers.append((user, _("Наставник, присутствовавший на жеребьёвке")))
    if not signers:
        raise DomainError(_("Назначьте главного эксперта компетенции: он подписывает протокол жеребьёвки."))
    return signers


def _rows(draw: Draw, result: dict[str, Any]) -> list[dict[str, str]]:
    labels = draw.labels or {}
    teams, flows, places = labels.get("teams", {}), labels.get("flows", {}), labels.get("workplaces", {})
    if draw.kind == Draw.Kind.FLOWS:
        return [{"team_id": team, "team": teams.get(team, team), "flow_id": flow, "flow": flows.get(flow, flow)}
                for team, flow in sorted(result.items(), key=lambda item: (item[1], int(item[0])))]
    rows = []
    for flow, assigned in sorted(result.items()):
        for team, place in sorted(assigned.items(), key=lambda item: int(item[1]) if item[1].isdigit() else 0):
            rows.append({"team_id": team, "team": teams.get(team, team), "flow_id": flow,
                         "flow": flows.get(flow, flow), "workplace": places.get(place, place)})
    return rows


def draw_protocol_content(document: Document, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the draw protocol formed (again) from the draw's record."""
    draw = (Draw.objects.select_related("competency", "championship", "flow", "supersedes")
            .filter(pk=int((document.source or {}).get("draw") or 0)).first())
    if draw is None or draw.state == Draw.State.PREPARED:
        raise DomainError(_("Жеребьёвка этого протокола не найдена или ещё не проведена."))
    return _protocol_content(draw)


def _protocol_content(draw: Draw) -> tuple[str, dict[str, Any]]:
    stored = draw_record(draw)
    labels = draw.labels or {}
    zone = timezones.zone_of(draw.championship)
    kind = str(draw.get_kind_display())
    title = f"{_('Протокол жеребьёвки')}: {kind.lower()} — {draw.competency.name}"
    if draw.flow is not None:
        title += f", {draw.flow.title}"
    inputs = stored["inputs"]
    data: dict[str, Any] = {
        "kind": kind,
        "competency": draw.competency.name,
        "flow": slot_label(draw.flow) if draw.flow is not None else "",
        "prepared_at": timezones.format_local(draw.prepared_at, zone, "%d.%m.%Y %H:%M:%S"),
        "performed_at": timezones.format_local(draw.performed_at, zone, "%d.%m.%Y %H:%M:%S"),
        "teams": [{"id": t["id"], "team": labels.get("teams", {}).get(t["id"], t["id"]),
                   "mentors": ", ".join(t.get("mentors", []))} for t in inputs.get("teams", [])],
        "flows": [{"id": f["id"], "flow": labels.get("flows", {}).get(f["id"], f["id"]),
                   "capacity": f.get("capacity", "")} for f in inputs.get("flows", [])],
        "workplaces": [labels.get("workplaces", {}).get(w, w) for w in inputs.get("workplaces", [])],
        "mentors": [{"id": k, "name": v} for k, v in sorted(labels.get("mentors", {}).items(),
                                                             key=lambda item: int(item[0][1:] or 0))],
        "contributions": [{"name": c.name, "text": c.text,
                           "added_at": timezones.format_local(c.added_at, zone, "%d.%m.%Y %H:%M:%S")}
                          for c in draw.contributions.all()],
        "algorithm": draw.algorithm,
        "algorithm_version": draw.algorithm_version,
        "result": _rows(draw, stored["result"]),
        "verification_url": verification_url(draw),
        "supersedes": ({"number": draw.supersedes_id, "reason": draw.reason} if draw.supersedes_id else None),
        "record": _record_for_protocol(stored),
    }
    return title, data


def create_protocol(draw: Draw, *, by: Any) -> Document:
    """«Протокол жеребьёвки»: signed by the chief expert and the mentors present (003 §13.2)."""
    title, data = _protocol_content(draw)
    return create_generated_document(championship=draw.championship, competency=draw.competency,
                                     doc_type=DocumentType.DRAW, title=title, data=data,
                                     signers=protocol_signers(draw), by=by,
                                     generator="competition_day.draw_protocol", source={"draw": draw.pk})


# --- What is published with the programme (003 §13.1) -----------------------------------------------------


@dataclass
class Placement:
    application_id: int
    flow: ProgrammeSlot | None = None
    workplace: str = ""


def placements(competencies: Iterable[int]) -> dict[int, Placement]:
    """Application id → its drawn flow and workplace, from the current performed draws of the competencies."""
    ids = list(competencies)
    out: dict[int, Placement] = {}
    draws = list(Draw.objects.filter(competency_id__in=ids, state=Draw.State.PERFORMED).only(
        "kind", "result_text", "flow_id"))
    slot_ids: set[int] = set()
    for d in draws:
        if d.kind == Draw.Kind.FLOWS:
            slot_ids.update(int(f) for f in json.loads(d.result_text).values())
    slots = ProgrammeSlot.objects.in_bulk(slot_ids)
    for d in draws:
        result = json.loads(d.result_text)
        if d.kind == Draw.Kind.FLOWS:
            for team, flow in result.items():
                out.setdefault(int(team), Placement(int(team))).flow = slots.get(int(flow))
    for d in draws:
        if d.kind == Draw.Kind.WORKPLACES:
            for assigned in json.loads(d.result_text).values():
                for team, place in assigned.items():
                    out.setdefault(int(team), Placement(int(team))).workplace = place
    return out


def draw_summary(competency: Competency, flow: ProgrammeSlot) -> list[str]:
    """What the familiarisation protocol says of the flow's draws (003 §13.5): each current performed draw of
    the competency's flows and of this flow's workplaces, with its protocol and the team → workplace lines."""
    lines: list[str] = []
    for draw in (current_draw(competency, Draw.Kind.FLOWS), current_draw(competency, Draw.Kind.WORKPLACES, flow)):
        if draw is None or draw.state != Draw.State.PERFORMED:
            continue
        protocol = (_("протокол № %(number)s") % {"number": draw.protocol.number}
                    if draw.protocol_id and draw.protocol else _("протокол не сформирован"))
        lines.append(_("%(kind)s № %(pk)s (%(protocol)s), проверка: %(url)s") % {
            "kind": draw.get_kind_display(), "pk": draw.pk, "protocol": protocol, "url": verification_url(draw)})
        if draw.kind == Draw.Kind.WORKPLACES:
            lines.extend(f"{row['team']} — {row['workplace']}" for row in _rows(draw, json.loads(draw.result_text))
                         if row["flow_id"] == str(flow.pk))
    return lines
