"""State changes of marks (SC-2…SC-7, X-2): saving a mark, four-eyes checks, completing sheets,
resolving discrepancies, locking and unlocking a scheme's marks. Pages, the API and commands call
these; none writes a mark any other way.

Every mark change first appends an entry to the hash-chained ledger under the lock of the scheme's
:class:`SchemeMarking` row, so the chain has one order and no gaps.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.db import retry_on_disconnect
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.numbers import format_number
from profmaster.core.queue import enqueue_on_commit
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType
from profmaster.documents.selectors import is_complete
from profmaster.registration.models import Application

from . import anchors, calculation, ledger
from .domain import rules_for
from .models import (
    Aspect,
    Criterion,
    Mark,
    MarkEntry,
    MarkingRules,
    MarkingScheme,
    SchemeMarking,
    Sheet,
    SpreadResolution,
    SubCriterion,
    TeamResult,
)
from .panel import conflict_of, expert_refusal, experts_of, panel_of, panel_signers, removed_from_venue, removed_sql

IN_PERSON = "in_person"
REMOTE = "remote"


# --- Reading -------------------------------------------------------------------------------------


def teams_of(scheme: MarkingScheme) -> QuerySet[Application]:
    """The scheme's teams: approved applications of its competency (and age category, if it has one)."""
    teams = Application.objects.filter(competency_id=scheme.competency_id, status=Application.Status.APPROVED)
    if scheme.age_category_id:
        teams = teams.filter(age_category_id=scheme.age_category_id)
    return teams.select_related("organisation").order_by("pk")


def marking_of(scheme: MarkingScheme) -> SchemeMarking:
    marking, _created = SchemeMarking.objects.get_or_create(scheme=scheme)
    return marking


def aspects_of(scheme: MarkingScheme) -> list[Aspect]:
    return list(Aspect.objects.filter(sub_criterion__criterion__scheme=scheme)
                .select_related("sub_criterion__criterion")
                .order_by("sub_criterion__criterion__order", "sub_criterion__criterion__code",
                          "sub_criterion__order", "sub_criterion__code", "order", "code"))


def judging_experts(scheme: MarkingScheme, team: Application) -> list[Any]:
    """The panel experts who mark this team's judgement aspects: every expert without a conflict."""
    panel = panel_of(scheme.competency)
    return [e for e in experts_of(scheme.competency) if conflict_of(e, team, panel) is None]


def level_count(aspect: Aspect) -> int:
    return len(aspect.levels or [])


def check_value(aspect: Aspect, value: Any) -> int:
    """The mark as the integer stored, or a DomainError saying what the aspect accepts."""
    if isinstance(value, bool):
        value = int(value)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = -1
    if aspect.kind == calculation.JUDGEMENT:
        allowed = range(0, 4)
        message = _("Судейская оценка — 0, 1, 2 или 3.")
    elif aspect.kind == calculation.BINARY:
        allowed = range(0, 2)
        message = _("Бинарная оценка — 0 (нет) или 1 (да).")
    else:
        allowed = range(0, level_count(aspect))
        message = _("Уровень шкалы — от 0 до %(last)s.") % {"last": level_count(aspect) - 1}
    if number not in allowed:
        raise DomainError(message, field="value")
    return number


def _spec(code: str, kind: str, max_points: Decimal, levels: list[Any] | None) -> calculation.AspectSpec:
    by_level = {str(index): Decimal(str(points)) for index, (_label, points) in enumerate(levels or [])}
    return calculation.AspectSpec(code, kind, max_points, by_level)


def spec_of(aspect: Aspect) -> calculation.AspectSpec:
    return _spec(aspect.code, aspect.kind, aspect.max_points, aspect.levels)


def mark_for_calculation(aspect: Aspect, total: int, count: int) -> Any:
    """The calculation's mark from the sum and count of an aspect's current marks."""
    if aspect.kind == calculation.JUDGEMENT:
        return calculation.JudgementSum(total, count)
    if aspect.kind == calculation.BINARY:
        return bool(total)
    return str(total)


@dataclass
class TeamScore:
    team: Application
    totals: calculation.Totals | None
    missing: int
    flags: list[tuple[str, list[int], int]] = field(default_factory=list)

    @property
    def total(self) -> Decimal | None:
        return self.totals.rounded_total if self.totals else None


#: Bits per judgement mark value in the histogram :func:`_aggregates` returns for marks too far apart.
_HISTOGRAM_BITS = 16


def _aggregates_sql(scheme: MarkingScheme, team: Application | None, spread_limit: int | None
                    ) -> tuple[str, list[int]]:
    table = Mark._meta.db_table
    histogram = ("NULL" if spread_limit is None else
                 "CASE WHEN MAX(value) - MIN(value) > %s THEN CAST(SUM(CASE WHEN value <= 3 "
                 f"THEN CAST(1 AS bigint) << ({_HISTOGRAM_BITS} * value) ELSE 0 END) AS bigint) END")
    sql = (f"SELECT team_id, aspect_id, SUM(value), COUNT(*), MIN(value), MAX(value), {histogram} "  # noqa: S608
           f"FROM {table} WHERE scheme_id = %s" + (" AND team_id = %s" if team is not None else "") +
           " GROUP BY team_id, aspect_id")
    params = ([spread_limit] if spread_limit is not None else []) + [scheme.pk] + ([team.pk] if team else [])
    return sql, params


Aggregate = tuple[int, int, int, int, int, int, int | None]


def _aggregates(scheme: MarkingScheme, team: Application | None = None, *, spread_limit: int | None = None
                ) -> list[Aggregate]:
    """Per (team, aspect): the sum, count, lowest and highest of the current marks, summed by the database,
    and — where the lowest and highest differ by more than ``spread_limit`` — how many marks have each
    judgement value (:func:`_spread_marks` reads it), else None.

    Plain SQL on purpose: this is the hot path of every results page and of the lock, and Django's
    per-value converters cost more than the query itself at a national championship's size. The histogram
    spares a second read of the individual marks of every discrepancy.
    """
    with connection.cursor() as cursor:
        cursor.execute(*_aggregates_sql(scheme, team, spread_limit))
        # SUM of a smallint column is an integer on both databases: the rows are used as fetched.
        return cursor.fetchall()


def _spread_marks(histogram: int) -> list[int]:
    """The judgement marks counted in a histogram of :func:`_aggregates`, lowest first."""
    mask = (1 << _HISTOGRAM_BITS) - 1
    return [value for value in range(4) for _n in range((histogram >> (_HISTOGRAM_BITS * value)) & mask)]


AspectRow = tuple[int, str, str, calculation.AspectSpec]


def _aspect_rows(schemes: list[MarkingScheme]) -> dict[int, list[AspectRow]]:
    """Per scheme: (pk, criterion code, sub-criterion code, spec) of its aspects in order — one query for all
    the schemes, without model instances."""
    rows: dict[int, list[AspectRow]] = {scheme.pk: [] for scheme in schemes}
    for scheme_id, pk, criterion, sub, code, kind, max_points, levels in (
            Aspect.objects.filter(sub_criterion__criterion__scheme__in=[s.pk for s in schemes])
            .order_by("sub_criterion__criterion__scheme_id", "sub_criterion__criterion__order",
                      "sub_criterion__criterion__code", "sub_criterion__order", "sub_criterion__code", "order", "code")
            .values_list("sub_criterion__criterion__scheme_id", "pk", "sub_criterion__criterion__code",
                         "sub_criterion__code", "code", "kind", "max_points", "levels")):
        rows[scheme_id].append((pk, criterion, sub, _spec(code, kind, max_points, levels)))
    return rows


def _teams(schemes: list[MarkingScheme]) -> dict[int, list[Application]]:
    """Per scheme: its teams as :func:`teams_of` gives them — one query for all the schemes."""
    by_competency: dict[int, list[Application]] = defaultdict(list)
    for team in (Application.objects.filter(competency_id__in={s.competency_id for s in schemes},
                                            status=Application.Status.APPROVED)
                 .select_related("organisation").order_by("pk")):
        by_competency[team.competency_id].append(team)
    return {s.pk: [t for t in by_competency[s.competency_id]
                   if not s.age_category_id or t.age_category_id == s.age_category_id] for s in schemes}


def _resolutions(schemes: list[MarkingScheme]) -> dict[int, dict[tuple[int, int], list[int]]]:
    """Per scheme: (team, aspect) → the marks each recorded discrepancy resolution stands for, sorted."""
    resolved: dict[int, dict[tuple[int, int], list[int]]] = {scheme.pk: {} for scheme in schemes}
    for scheme_id, team_id, aspect_id, values in SpreadResolution.objects.filter(
            scheme__in=[s.pk for s in schemes]).values_list("scheme_id", "team_id", "aspect_id", "marks"):
        resolved[scheme_id][(team_id, aspect_id)] = sorted(values)
    return resolved


def _flags(spread: list[tuple[int, int]], marks_of: dict[tuple[int, int], list[int]], codes: dict[int, str],
           resolved: dict[tuple[int, int], list[int]]) -> dict[int, list[tuple[str, list[int], int]]]:
    """Unresolved discrepancies per team: (aspect code, the marks lowest first, aspect pk) — a resolution stands
    only for the marks it was recorded for."""
    flags: dict[int, list[tuple[str, list[int], int]]] = defaultdict(list)
    for key in spread:
        if resolved.get(key) != marks_of[key]:
            flags[key[0]].append((codes[key[1]], marks_of[key], key[1]))
    return flags


def _scores(scheme: MarkingScheme, teams: list[Application], rows: list[AspectRow], limit: int,
            resolved: dict[tuple[int, int], list[int]] | None = None, sums: list[Aggregate] | None = None
            ) -> list[TeamScore]:
    if sums is None:
        sums = _aggregates(scheme, spread_limit=limit)
    computed = calculation.scheme_totals(rows, sums, spread_limit=limit)
    flags: dict[int, list[tuple[str, list[int], int]]] = {}
    if computed.spread:
        # Judgement marks are 0–3 here (scheme_totals refuses others), so the histogram holds them all.
        marks_of = {(team_id, aspect_id): _spread_marks(histogram)
                    for team_id, aspect_id, *_sums, histogram in sums if histogram is not None}
        if resolved is None:
            resolved = _resolutions([scheme])[scheme.pk]
        flags = _flags([(int(t), int(a)) for t, a in computed.spread],  # type: ignore[call-overload]
                       marks_of, {pk: spec.code for pk, _criterion, _sub, spec in rows}, resolved)
    nothing = calculation.team_totals([], {}) if not rows else None  # a scheme without aspects totals 0
    return [TeamScore(team, computed.totals.get(team.pk, nothing), len(rows) - computed.marked.get(team.pk, 0),
                      flags.get(team.pk, [])) for team in teams]


def scheme_scores(scheme: MarkingScheme, teams: list[Application] | None = None,
                  aspects: list[Aspect] | None = None) -> list[TeamScore]:
    """SC-4: exact totals of every team (None while marks are missing) and its unresolved flags.

    The database sums each aspect's marks; the exact arithmetic needs only the sum and the count
    (weight × mean / 3), so this is exact and reads one row per team and aspect
    (:func:`calculation.scheme_totals`).
    """
    rows = ([(a.pk, a.sub_criterion.criterion.code, a.sub_criterion.code, spec_of(a)) for a in aspects]
            if aspects is not None else _aspect_rows([scheme])[scheme.pk])
    teams = teams if teams is not None else list(teams_of(scheme))
    return _scores(scheme, teams, rows, rules_for(scheme.competency.championship).judgement_spread_limit)


def all_scores(schemes: list[MarkingScheme]) -> dict[int, list[TeamScore]]:
    """SC-4 for many schemes at once (a full recompute of a championship's results): the same as
    :func:`scheme_scores` of each, with the aspects, teams and rules read once for all of them."""
    aspects = _aspect_rows(schemes)
    teams = _teams(schemes)
    resolved = _resolutions(schemes)
    rules: dict[int, int] = {}
    for championship in {scheme.competency.championship for scheme in schemes}:
        rules[championship.pk] = rules_for(championship).judgement_spread_limit
    limits = [rules[scheme.competency.championship.pk] for scheme in schemes]
    # The database groups the next scheme's marks while a second thread adds up the last one's: the adding up
    # needs no connection, and waiting for the database lets go of the interpreter lock.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scores") as adder:
        pending = [(scheme, adder.submit(_scores, scheme, teams[scheme.pk], aspects[scheme.pk], limit,
                                         resolved[scheme.pk], _aggregates(scheme, spread_limit=limit)))
                   for scheme, limit in zip(schemes, limits, strict=True)]
    return {scheme.pk: future.result() for scheme, future in pending}


def partial_totals(scheme: MarkingScheme, team: Application, aspects: list[Aspect]) -> calculation.Totals:
    """Subtotals of what is marked so far (missing aspects count 0) — for the panel's progress view."""
    sums = {aspect_id: (total, count) for _team, aspect_id, total, count, *_rest in _aggregates(scheme, team)}
    marked = [a for a in aspects if a.pk in sums]
    rows = [(a.sub_criterion.criterion.code, a.sub_criterion.code, spec_of(a)) for a in marked]
    return calculation.team_totals(rows, {a.code: mark_for_calculation(a, *sums[a.pk]) for a in marked})


# --- The ledger ----------------------------------------------------------------------------------


def entry_fields(entry: MarkEntry) -> dict[str, Any]:
    return {"scheme": entry.scheme_id, "seq": entry.seq, "kind": entry.kind, "aspect": entry.aspect_id,
            "team": entry.team_id, "expert": entry.expert_id, "old": entry.old_value, "new": entry.new_value,
            "reason": entry.reason, "by": entry.by_id, "at": entry.at.isoformat()}


def _append(marking: SchemeMarking, *, kind: str, aspect: Aspect, team: Application, expert: Any,
            old: int | None, new: int | None, reason: str, by: Any, at: Any) -> MarkEntry:
    """Append one chained entry; the caller holds the lock on ``marking``."""
    entry = MarkEntry(scheme_id=marking.scheme_id, seq=marking.entry_count + 1, kind=kind, aspect=aspect, team=team,
                      expert=expert, old_value=old, new_value=new, reason=reason, by=by, at=at,
                      prev_hash=marking.head_hash)
    entry.hash = ledger.entry_hash(entry.prev_hash, entry_fields(entry))
    entry.save(force_insert=True)
    marking.entry_count = entry.seq
    marking.head_hash = entry.hash
    marking.save(update_fields=["entry_count", "head_hash"])
    return entry


def _locked_marking(scheme: MarkingScheme) -> SchemeMarking:
    """The scheme's marking row, locked for this transaction (created on first use)."""
    locked = (SchemeMarking.objects.select_for_update(of=("self",)).select_related("scheme")
              .filter(scheme_id=scheme.pk).first())
    if locked is None:
        marking_of(scheme)
        locked = SchemeMarking.objects.select_for_update(of=("self",)).select_related("scheme").get(
            scheme_id=scheme.pk)
    return locked


def verify(scheme: MarkingScheme) -> list[str]:
    """X-2: recompute the chain and the current marks from the ledger; every difference is reported."""
    entries = list(MarkEntry.objects.filter(scheme=scheme).order_by("seq"))
    problems = [p.message for p in ledger.verify_chain((e.seq, e.prev_hash, e.hash, entry_fields(e))
                                                       for e in entries)]
    marking = SchemeMarking.objects.filter(scheme=scheme).first()
    last = (entries[-1].seq, entries[-1].hash) if entries else (0, ledger.GENESIS)
    if marking is not None and (marking.entry_count, marking.head_hash) != last:
        problems.append("the chain head does not match the last entry (entries removed)")
    replay: dict[tuple[int, int, int | None], int] = {}
    checks: dict[tuple[int, int, int | None], int | None] = {}
    for e in entries:
        key = (e.aspect_id, e.team_id, e.expert_id)
        if e.kind == MarkEntry.Kind.MARK and e.new_value is not None:
            replay[key] = e.new_value
        elif e.kind == MarkEntry.Kind.CHECK:
            checks[key] = e.new_value
    current = {(m.aspect_id, m.team_id, m.expert_id): m for m in Mark.objects.filter(scheme=scheme)}
    for key, value in replay.items():
        mark = current.pop(key, None)
        if mark is None:
            problems.append(f"mark aspect={key[0]} team={key[1]} expert={key[2]} is in the ledger but missing")
        elif mark.value != value:
            problems.append(f"mark aspect={key[0]} team={key[1]} expert={key[2]} is {mark.value}, "
                            f"the ledger says {value} (changed outside the application)")
        elif mark.check_value != checks.get(key):
            problems.append(f"check of mark aspect={key[0]} team={key[1]} expert={key[2]} differs from the ledger")
    for key in current:
        problems.append(f"mark aspect={key[0]} team={key[1]} expert={key[2]} has no ledger entry")
    return problems


def results_problems(schemes: list[MarkingScheme]) -> dict[int, list[str]]:
    """X-2/SC-5: recompute the results of every locked scheme from its current marks (one pass over all of
    them, :func:`all_scores`) and report each frozen :class:`TeamResult` that differs — a total or a
    criterion subtotal — or is missing or extra."""
    locked_ids = set(SchemeMarking.objects.filter(scheme__in=schemes, status=SchemeMarking.Status.LOCKED)
                     .values_list("scheme_id", flat=True))
    locked = [s for s in schemes if s.pk in locked_ids]
    frozen: dict[int, dict[int, TeamResult]] = defaultdict(dict)
    for result in TeamResult.objects.filter(scheme__in=locked):
        frozen[result.scheme_id][result.team_id] = result
    problems: dict[int, list[str]] = defaultdict(list)
    for scheme_id, scores in all_scores(locked).items():
        stored = frozen[scheme_id]
        for score in scores:
            result = stored.pop(score.team.pk, None)
            if result is None:
                problems[scheme_id].append(f"team {score.team.pk} has no locked result")
                continue
            criteria = ({c["code"]: c["points"] for c in _criteria_json_points(score.totals)}
                        if score.totals else None)
            if score.total != result.total:
                problems[scheme_id].append(f"locked total of team {score.team.pk} is {result.total}, "
                                           f"the marks give {score.total}")
            elif criteria != {c.get("code"): c.get("points") for c in result.criteria}:
                problems[scheme_id].append(f"locked criterion subtotals of team {score.team.pk} differ from the marks")
        for team_id in stored:
            problems[scheme_id].append(f"locked result of team {team_id} is not a team of the scheme")
    return problems


def _criteria_json_points(totals: calculation.Totals) -> list[dict[str, str]]:
    return [{"code": code, "points": str(calculation.exact_half_up(points))}
            for code, points in totals.by_criterion.items()]


# --- Saving marks --------------------------------------------------------------------------------


def _sheet_complete(scheme: MarkingScheme, aspect: Aspect, team: Application, expert: Any, mode: str) -> bool:
    sheets = Sheet.objects.filter(sub_criterion_id=aspect.sub_criterion_id, team=team)
    if mode == REMOTE and expert is not None:
        return sheets.filter(expert=expert).exists()
    return sheets.exists()


def _may_enter(scheme: MarkingScheme, by: Any, expert: Any, mode: str) -> None:
    from profmaster.permissions import holds

    championship_id = scheme.competency.championship_id
    cached = getattr(by, "_profmaster_removed_from", None)  # read by entry_target in this request
    removed = cached[1] if cached is not None and cached[0] == scheme.competency_id else None
    if removed is None:
        removed = removed_from_venue(by, scheme.competency)
    if removed:
        raise AccessDenied(_("Вы отстранены от работы на площадке и не вводите оценки (п. 8.11 методики)."))
    if holds(by, {Role.CHIEF_EXPERT}, championship_id, scheme.competency_id, exact=True):
        return
    if mode == REMOTE and holds(by, {Role.EXPERT}, championship_id, scheme.competency_id, exact=True):
        if expert is None or expert.pk == by.pk:
            return
        raise AccessDenied(_("В дистанционном режиме эксперт заполняет только свою ведомость."))
    raise AccessDenied(_("Оценки вводит главный эксперт компетенции (очный режим) или сам эксперт (дистанционный)."))


def _resolve_expert(aspect: Aspect, team: Application, expert: Any, scheme: MarkingScheme) -> Any:
    if aspect.kind != calculation.JUDGEMENT:
        if expert is not None:
            raise DomainError(_("Измеримый аспект оценивается одной оценкой, без эксперта."), field="expert")
        return None
    if expert is None:
        raise DomainError(_("Укажите эксперта, чья это оценка."), field="expert")
    # the panel membership, the mentor and the own-organisation conflicts: one query (SC-8)
    reason = expert_refusal(expert, team, scheme.competency)
    if reason:
        raise DomainError(reason, field="expert")
    return expert


def scheme_team(scheme: MarkingScheme, team_id: int) -> Application | None:
    """The team of the scheme (:func:`teams_of`) with this pk, or None. The instance remembers that it was
    checked for this scheme, so the mark functions called with it in the same request do not read it again."""
    team = next(iter(teams_of(scheme).filter(pk=team_id).order_by()[:1]), None)  # one row: no ORDER BY
    if team is not None:
        team._profmaster_scheme_team = scheme.pk  # type: ignore[attr-defined]
    return team


@dataclass
class EntryTarget:
    """What one grid save names, read in one statement (:func:`entry_target`)."""

    scheme: MarkingScheme
    #: the scheme's team (:func:`teams_of`) with the asked pk, or None
    team: Application | None
    #: the user with the asked expert pk, or None (none asked, or no such user)
    expert: Any


def _columns(model: Any, alias: str) -> str:
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


#: (model, database vendor) → (attnames, [(index, column expression, converters)] of the columns that have any)
_CONVERTERS: dict[tuple[Any, str], tuple[list[str], list[tuple[int, Any, list[Any]]]]] = {}


def _instance(model: Any, values: Any) -> Any:
    """A full model instance from a plain-SQL row of :func:`_columns`, converted as the ORM converts."""
    key = (model, connection.vendor)
    known = _CONVERTERS.get(key)
    if known is None:
        fields = model._meta.concrete_fields
        converting = []
        for index, field_obj in enumerate(fields):
            col = field_obj.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(col) + field_obj.get_db_converters(connection)
            if converters:
                converting.append((index, col, converters))
        known = _CONVERTERS[key] = ([f.attname for f in fields], converting)
    names, converting = known
    row = list(values)
    for index, col, converters in converting:
        for converter in converters:
            row[index] = converter(row[index], col, connection)
    return model.from_db(connection.alias, names, row)


def _entry_target_sql() -> str:
    from profmaster.accounts.models import RoleAssignment, User
    from profmaster.championships.models import Competency
    from profmaster.registration.models import TeamMember

    from .models import Panel

    if connection.vendor == "postgresql":
        roles = "json_agg(json_build_array(r.role, r.championship_id, r.competency_id))"
    else:
        roles = "json_group_array(json_array(r.role, r.championship_id, r.competency_id))"
    return (
        f"SELECT {_columns(MarkingScheme, 's')}, {_columns(Competency, 'c')}, {_columns(Application, 't')}, "  # noqa: S608
        f"{_columns(User, 'u')}, "
        f"(SELECT {roles} FROM {_table(RoleAssignment)} r WHERE r.user_id = %s), "
        # SC-8 for the expert, as panel.expert_refusal reads it: on the panel, mentor of the team, own organisation
        f"EXISTS(SELECT 1 FROM {_table(RoleAssignment)} WHERE competency_id = s.competency_id AND role = %s "
        f"AND user_id = u.id), "
        f"EXISTS(SELECT 1 FROM {_table(TeamMember)} WHERE application_id = t.id AND user_id = u.id AND kind = %s "
        f"AND state = %s), "
        f"EXISTS(SELECT 1 FROM {_table(RoleAssignment)} WHERE user_id = u.id AND championship_id = c.championship_id "
        f"AND organisation_id = t.organisation_id), "
        f"(SELECT exclude_own_organisation FROM {_table(Panel)} WHERE competency_id = s.competency_id), "
        # AP-4: the expert and the person entering, removed from the venue
        f"{removed_sql('u.id', 's.competency_id')}, {removed_sql('%s', 's.competency_id')} "
        f"FROM {_table(MarkingScheme)} s INNER JOIN {_table(Competency)} c ON c.id = s.competency_id "
        f"LEFT JOIN {_table(Application)} t ON t.id = %s AND t.competency_id = s.competency_id AND t.status = %s "
        f"AND (s.age_category_id IS NULL OR t.age_category_id = s.age_category_id) "
        f"LEFT JOIN {_table(User)} u ON u.id = %s "
        f"WHERE s.id = %s")


_ENTRY_TARGET_SQL: dict[str, str] = {}


def entry_target(scheme_id: int, team_id: int, by: Any, expert_id: int | None) -> EntryTarget | None:
    """The grid save's scheme (with its competency), team and expert, ``by``'s role assignments and the
    expert's SC-8 panel facts for that team — one statement for what took seven (issue 13 §8). None when
    there is no such scheme. Nothing is kept beyond the request: a withdrawn role or a new conflict counts at
    once. The team and the expert remember what was read for them, so :func:`enter_mark` /
    :func:`check_mark` called with them in the same request do not read it again."""
    from profmaster.accounts.models import User
    from profmaster.championships.models import Competency
    from profmaster.registration.models import TeamMember

    sql = _ENTRY_TARGET_SQL.get(connection.vendor)
    if sql is None:
        sql = _ENTRY_TARGET_SQL[connection.vendor] = _entry_target_sql()
    user_id = by.pk if getattr(by, "is_authenticated", False) else None
    with _hot_cursor() as cursor:
        cursor.execute(sql, [user_id, str(Role.EXPERT), str(TeamMember.Kind.MENTOR), str(TeamMember.State.ACTIVE),
                             user_id, team_id, str(Application.Status.APPROVED), expert_id, scheme_id])
        row = cursor.fetchone()
    if row is None:
        return None
    sizes = [len(m._meta.concrete_fields) for m in (MarkingScheme, Competency, Application, User)]
    parts, start = [], 0
    for size in sizes:
        parts.append(row[start:start + size])
        start += size
    roles, on_panel, mentor, same_organisation, exclude, expert_removed, by_removed = row[start:]
    scheme = _instance(MarkingScheme, parts[0])
    scheme.competency = _instance(Competency, parts[1])
    team = _instance(Application, parts[2]) if parts[2][0] is not None else None
    expert = _instance(User, parts[3]) if parts[3][0] is not None else None
    if user_id is not None:
        if isinstance(roles, str | bytes):
            roles = json.loads(roles)
        # permissions.assignments() reads these instead of its own query (the user's every assignment)
        by._profmaster_assignments = [tuple(r) for r in roles or [] if r and r[0] is not None]
        by._profmaster_removed_from = (scheme.competency_id, bool(by_removed))
    if team is not None:
        team._profmaster_scheme_team = scheme.pk
        if expert is not None:
            expert._profmaster_refusal_facts = (team.pk, scheme.competency_id, bool(on_panel), bool(mentor),
                                                bool(same_organisation), exclude, bool(expert_removed))
    return EntryTarget(scheme, team, expert)


def _team(scheme: MarkingScheme, team: Application | int) -> Application:
    if isinstance(team, Application) and getattr(team, "_profmaster_scheme_team", None) == scheme.pk:
        return team  # read by scheme_team() just before, in this request
    team_id = team.pk if isinstance(team, Application) else team
    team_obj = teams_of(scheme).filter(pk=team_id).first()
    if team_obj is None:
        raise DomainError(_("Команда не участвует в оценке по этой схеме."), field="team")
    return team_obj


#: (scheme pk, scheme version) → {aspect pk: aspect} of a scheme whose criteria are locked. A locked scheme's
#: aspects cannot change (``domain._refuse_if_locked``) and its unlock raises the version, so an entry never goes
#: stale across processes; saving a scheme part in this process clears the entries (tests reuse primary keys).
_LOCKED_ASPECTS: dict[tuple[int, int], dict[int, Aspect]] = {}
_LOCKED_ASPECTS_MAX = 2000


def forget_locked_aspects(**_kwargs: Any) -> None:
    _LOCKED_ASPECTS.clear()


def _locked_aspects(scheme: MarkingScheme) -> dict[int, Aspect] | None:
    """The aspects of a locked scheme, read with the scheme's status and version in the same statement."""
    key = (scheme.pk, scheme.version)
    cached = _LOCKED_ASPECTS.get(key)
    if cached is not None:
        return cached
    rows = list(Aspect.objects.filter(sub_criterion__criterion__scheme_id=scheme.pk)
                .select_related("sub_criterion__criterion")
                .annotate(scheme_status=F("sub_criterion__criterion__scheme__status"),
                          scheme_version=F("sub_criterion__criterion__scheme__version")))
    if not rows or any((a.scheme_status, a.scheme_version) != (MarkingScheme.Status.LOCKED, scheme.version)  # type: ignore[attr-defined]
                       for a in rows):
        return None  # not locked (or changed since the caller read it): read the one aspect as it is
    if len(_LOCKED_ASPECTS) >= _LOCKED_ASPECTS_MAX:
        _LOCKED_ASPECTS.clear()
    aspects = _LOCKED_ASPECTS[key] = {a.pk: a for a in rows}
    return aspects


for _model in (MarkingScheme, Criterion, SubCriterion, Aspect):
    post_save.connect(forget_locked_aspects, sender=_model, dispatch_uid=f"locked-aspects-save-{_model.__name__}")
    post_delete.connect(forget_locked_aspects, sender=_model, dispatch_uid=f"locked-aspects-delete-{_model.__name__}")


def _aspect(scheme: MarkingScheme, aspect: Aspect | int) -> Aspect:
    aspect_id = aspect.pk if isinstance(aspect, Aspect) else aspect
    locked = _locked_aspects(scheme) if scheme.status == MarkingScheme.Status.LOCKED else None
    aspect_obj = (locked.get(aspect_id) if locked is not None else
                  Aspect.objects.select_related("sub_criterion__criterion")
                  .filter(pk=aspect_id, sub_criterion__criterion__scheme=scheme).first())
    if aspect_obj is None:
        raise DomainError(_("Аспект не из этой схемы."), field="aspect")
    return aspect_obj


def _load(scheme: MarkingScheme, aspect: Aspect | int, team: Application | int) -> tuple[Aspect, Application]:
    return _aspect(scheme, aspect), _team(scheme, team)


def _open_for_marks(scheme: MarkingScheme, marking: SchemeMarking) -> None:
    if marking.scheme.status != MarkingScheme.Status.LOCKED:  # read with the lock, not the caller's copy
        raise TransitionError(_("Оценки вводятся только по заблокированной схеме (протокол блокировки критериев)."))
    if marking.is_locked:
        raise TransitionError(_("Оценки заблокированы: исправления — только после разблокировки по протоколу."))


@retry_on_disconnect  # an unchanged mark writes nothing, so a save cut off by a dropped connection runs again
def save_mark(scheme: MarkingScheme, aspect: Aspect | int, team: Application | int, value: Any, *, by: Any,
              expert: Any = None, reason: str = "") -> Mark:
    """SC-2/SC-3: record a mark (or change it). Unchanged values write nothing, so autosave may repeat.

    A correction on a completed sheet needs a reason; the ledger keeps who, when, old → new and why.
    """
    return enter_mark(scheme, aspect, team, value, by=by, expert=expert, reason=reason).mark


@dataclass
class EnteredMark:
    mark: Mark
    #: SC-4 for the grid's badge of this aspect and team after the save: "open", "resolved" or "" (as
    #: :func:`discrepancies` gives it).
    discrepancy: str


def _hot_cursor() -> Any:
    """The cursor of the grid save's plain statements: on PostgreSQL one that prepares each on first use, so its
    plan is made once per connection (:func:`profmaster.core.postgres.prepared_cursor`); elsewhere Django's."""
    if connection.vendor == "postgresql":
        from profmaster.core.postgres import prepared_cursor

        return prepared_cursor(connection)
    return connection.cursor()


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _for_update(of: str) -> str:
    if not connection.features.has_select_for_update:
        return ""  # SQLite: the write transaction (IMMEDIATE) serialises writers
    return f" FOR UPDATE OF {of}" if connection.features.has_select_for_update_of else " FOR UPDATE"


def _lock_for_marks(scheme: MarkingScheme) -> tuple[int, int, str, int]:
    """Lock the scheme's marking row (created on first use) and refuse unless marks may be entered; the row's
    (pk, entry count, chain head, scheme version as read under the lock). Plain SQL: it runs on every save."""
    sql = (f"SELECT m.id, m.status, m.entry_count, m.head_hash, s.status, s.version "  # noqa: S608
           f"FROM {_table(SchemeMarking)} m INNER JOIN {_table(MarkingScheme)} s ON s.id = m.scheme_id "
           f"WHERE m.scheme_id = %s" + _for_update("m"))
    with _hot_cursor() as cursor:
        cursor.execute(sql, [scheme.pk])
        row = cursor.fetchone()
    if row is None:
        marking = _locked_marking(scheme)
        row = (marking.pk, marking.status, marking.entry_count, marking.head_hash, marking.scheme.status,
               marking.scheme.version)
    pk, status, count, head, scheme_status, version = row
    if scheme_status != MarkingScheme.Status.LOCKED:  # read with the lock, not the caller's copy
        raise TransitionError(_("Оценки вводятся только по заблокированной схеме (протокол блокировки критериев)."))
    if status == SchemeMarking.Status.LOCKED:
        raise TransitionError(_("Оценки заблокированы: исправления — только после разблокировки по протоколу."))
    return pk, count, head, version


def _aware(value: Any) -> Any:
    """A datetime column of a plain-SQL read as Django's field would give it (SQLite returns text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def enter_mark(scheme: MarkingScheme, aspect: Aspect | int, team: Application | int, value: Any, *, by: Any,
               expert: Any = None, reason: str = "") -> EnteredMark:
    """:func:`save_mark`, also giving the aspect's discrepancy state after the save (the grid's autosave).

    The hot path of mark entry at a national final: the aspect comes from the locked scheme's aspects kept per
    process, the expert's panel membership and conflicts are one query, and the transaction is five plain
    statements — lock the marking row (with the scheme's status), read the aspect's marks of the team with the
    sheet, the resolution and the spread limit, append the chained ledger entry, move the chain head, write the
    mark — plus the resolution's removal when there is one. The checks are those of the general path.
    """
    mode = scheme.competency.mark_entry_mode
    aspect_obj, team_obj = _load(scheme, aspect, team)
    number = check_value(aspect_obj, value)
    expert = _resolve_expert(aspect_obj, team_obj, expert, scheme)
    _may_enter(scheme, by, expert, mode)
    reason = (reason or "").replace("\x00", "").strip()[:2000]
    judgement = aspect_obj.kind == calculation.JUDGEMENT
    with transaction.atomic():
        marking_pk, count, head, version = _lock_for_marks(scheme)
        if version != scheme.version:  # the scheme was unlocked and changed after the caller read it
            fresh = (Aspect.objects.filter(pk=aspect_obj.pk, sub_criterion__criterion__scheme=scheme.pk)
                     .values_list("kind", "levels", "sub_criterion_id").first())
            if fresh != (aspect_obj.kind, aspect_obj.levels, aspect_obj.sub_criterion_id):
                raise TransitionError(_("Схема оценки изменилась после открытия страницы: обновите страницу."))
        sheet_expert = " AND expert_id = %s" if mode == REMOTE and expert is not None else ""
        sql = (f"SELECT id, expert_id, value, check_value, checked_by_id, entered_by_id, entered_at, "  # noqa: S608
               f"EXISTS(SELECT 1 FROM {_table(Sheet)} WHERE sub_criterion_id = %s AND team_id = %s{sheet_expert}), "
               f"(SELECT marks FROM {_table(SpreadResolution)} WHERE aspect_id = %s AND team_id = %s), "
               f"(SELECT judgement_spread_limit FROM {_table(MarkingRules)} WHERE championship_id = %s) "
               f"FROM {_table(Mark)} WHERE aspect_id = %s AND team_id = %s AND expert_id IS "
               + ("NOT NULL" if judgement else "NULL") + _for_update(_table(Mark)))
        params = ([aspect_obj.sub_criterion_id, team_obj.pk] + ([expert.pk] if sheet_expert else []) +
                  [aspect_obj.pk, team_obj.pk, scheme.competency.championship_id, aspect_obj.pk, team_obj.pk])
        with _hot_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        expert_id = expert.pk if expert is not None else None
        mine = next((r for r in rows if r[1] == expert_id), None)
        others = [r[2] for r in rows if r is not mine]
        sheet_complete, resolution, limit = rows[0][7:10] if rows else (False, None, None)
        if isinstance(resolution, str | bytes):
            resolution = json.loads(resolution)
        existing = None
        if mine is not None:
            existing = Mark(id=mine[0], scheme_id=scheme.pk, aspect=aspect_obj, team=team_obj, expert=expert,
                            value=mine[2], check_value=mine[3], checked_by_id=mine[4], entered_by_id=mine[5],
                            entered_at=_aware(mine[6]))
            existing._state.adding = False
            existing._state.db = connection.alias
        if existing is not None and existing.value == number:
            return EnteredMark(existing, _cell_state(scheme, judgement, others + [number], limit, resolution))
        if existing is not None and not reason and sheet_complete:
            raise DomainError(_("Ведомость уже завершена: исправление требует причины."), field="reason")
        now = timezone.now()
        entry = MarkEntry(scheme_id=scheme.pk, seq=count + 1, kind=MarkEntry.Kind.MARK, aspect=aspect_obj,
                          team=team_obj, expert=expert, old_value=existing.value if existing else None,
                          new_value=number, reason=reason, by=by, at=now, prev_hash=head)
        entry.hash = ledger.entry_hash(entry.prev_hash, entry_fields(entry))
        at = connection.ops.adapt_datetimefield_value(now)
        entry_sql = (f"INSERT INTO {_table(MarkEntry)} (scheme_id, seq, kind, aspect_id, team_id, expert_id, "  # noqa: S608
                     "old_value, new_value, reason, by_id, at, prev_hash, hash) "
                     "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
        entry_params = [entry.scheme_id, entry.seq, entry.kind, entry.aspect_id, entry.team_id, entry.expert_id,
                        entry.old_value, entry.new_value, entry.reason, entry.by_id, at, entry.prev_hash, entry.hash]
        drop_resolution = resolution is not None or not rows
        if connection.vendor == "postgresql":
            # One round trip for the ledger entry, the chain head, the resolution's removal and the mark: the
            # statements of a data-modifying WITH all run, in one snapshot, under the lock taken above.
            parts = [f"e AS ({entry_sql})",
                     f"h AS (UPDATE {_table(SchemeMarking)} SET entry_count = %s, head_hash = %s WHERE id = %s)"]  # noqa: S608
            params = [*entry_params, entry.seq, entry.hash, marking_pk]
            if drop_resolution:
                parts.append(f"d AS (DELETE FROM {_table(SpreadResolution)} WHERE aspect_id = %s AND team_id = %s)")  # noqa: S608
                params += [aspect_obj.pk, team_obj.pk]
            if existing is not None:
                last = f"UPDATE {_table(Mark)} SET value = %s, entered_by_id = %s, entered_at = %s WHERE id = %s"  # noqa: S608
                params += [number, by.pk, at, existing.pk]
            else:
                last = (f"INSERT INTO {_table(Mark)} (scheme_id, aspect_id, team_id, expert_id, value, check_value, "  # noqa: S608
                        "checked_by_id, entered_by_id, entered_at) VALUES (%s, %s, %s, %s, %s, NULL, NULL, %s, %s) "
                        "RETURNING id")
                params += [scheme.pk, aspect_obj.pk, team_obj.pk, expert_id, number, by.pk, at]
            with _hot_cursor() as cursor:
                cursor.execute("WITH " + ", ".join(parts) + " " + last, params)
                new_id = cursor.fetchone()[0] if existing is None else None
            if existing is None:
                existing = Mark(id=new_id, scheme=scheme, aspect=aspect_obj, team=team_obj, expert=expert,
                                value=number, entered_by=by, entered_at=now)
                existing._state.adding = False
                existing._state.db = connection.alias
            else:
                existing.value, existing.entered_by, existing.entered_at = number, by, now
            return EnteredMark(existing, _cell_state(scheme, judgement, others + [number], limit, None))
        with connection.cursor() as cursor:
            cursor.execute(entry_sql, entry_params)
            cursor.execute(f"UPDATE {_table(SchemeMarking)} SET entry_count = %s, head_hash = %s "  # noqa: S608
                           "WHERE id = %s", [entry.seq, entry.hash, marking_pk])
            if existing is not None:
                cursor.execute(f"UPDATE {_table(Mark)} SET value = %s, entered_by_id = %s, entered_at = %s "  # noqa: S608
                               "WHERE id = %s", [number, by.pk, at, existing.pk])
            # A resolution holds for the marks it was made on; the ledger keeps it after this.
            if drop_resolution:
                cursor.execute(f"DELETE FROM {_table(SpreadResolution)} WHERE aspect_id = %s AND team_id = %s",  # noqa: S608
                               [aspect_obj.pk, team_obj.pk])
        if existing is None:
            existing = Mark(scheme=scheme, aspect=aspect_obj, team=team_obj, expert=expert)
            existing.value, existing.entered_by, existing.entered_at = number, by, now
            existing.save(force_insert=True)
        else:
            existing.value, existing.entered_by, existing.entered_at = number, by, now
    return EnteredMark(existing, _cell_state(scheme, judgement, others + [number], limit, None))


def _cell_state(scheme: MarkingScheme, judgement: bool, values: list[int], limit: int | None,
                resolution: list[int] | None) -> str:
    """:func:`discrepancies` of one aspect and team from its current marks (``values``)."""
    if not judgement:
        return ""
    if limit is None:  # the championship's rules are created with their defaults on first use
        limit = rules_for(scheme.competency.championship).judgement_spread_limit
    if not calculation.spread_flagged(values, limit):
        return ""
    return "resolved" if resolution is not None and sorted(resolution) == sorted(values) else "open"


def discrepancies(scheme: MarkingScheme, team: Application) -> dict[int, str]:
    """SC-4, for one team's entry grid: judgement aspect pk → ``"open"`` (spread over the limit and no
    resolution for these very marks) or ``"resolved"`` (kept by the chief expert's recorded decision).
    Aspects without a discrepancy are absent, so a re-marked aspect loses its badge."""
    limit = rules_for(scheme.competency.championship).judgement_spread_limit
    given: dict[int, list[int]] = defaultdict(list)
    for aspect_id, value in Mark.objects.filter(scheme=scheme, team=team, expert__isnull=False,
                                                aspect__kind=calculation.JUDGEMENT).values_list("aspect_id", "value"):
        given[aspect_id].append(value)
    resolved = {aspect_id: sorted(values) for aspect_id, values in SpreadResolution.objects.filter(
        scheme=scheme, team=team).values_list("aspect_id", "marks")}
    state: dict[int, str] = {}
    for aspect_id, values in given.items():
        if calculation.spread_flagged(values, limit):
            state[aspect_id] = "resolved" if resolved.get(aspect_id) == sorted(values) else "open"
    return state


def check_mark(scheme: MarkingScheme, aspect: Aspect | int, team: Application | int, value: Any, *, by: Any,
               expert: Any = None) -> Mark:
    """Four-eyes check: a second panel member re-enters a mark blind; a mismatch blocks completion."""
    aspect_obj, team_obj = _load(scheme, aspect, team)
    number = check_value(aspect_obj, value)
    if not panel_of(scheme.competency).four_eyes:
        raise TransitionError(_("Проверка в четыре глаза для этой компетенции не включена."))
    from profmaster.permissions import holds

    if not holds(by, {Role.CHIEF_EXPERT, Role.EXPERT}, scheme.competency.championship_id, scheme.competency_id,
                 exact=True):
        raise AccessDenied(_("Проверяет член жюри компетенции."))
    with transaction.atomic():
        marking = _locked_marking(scheme)
        _open_for_marks(scheme, marking)
        mark = Mark.objects.select_for_update().filter(aspect=aspect_obj, team=team_obj, expert=expert).first()
        if mark is None:
            raise DomainError(_("Сначала должна быть введена сама оценка."))
        if mark.entered_by_id == by.pk:
            raise AccessDenied(_("Проверяет другой член жюри, не тот, кто вводил оценку."))
        if mark.check_value == number and mark.checked_by_id == by.pk:
            return mark  # the same check again (a retried request) writes nothing
        _append(marking, kind=MarkEntry.Kind.CHECK, aspect=aspect_obj, team=team_obj, expert=expert,
                old=mark.check_value, new=number, reason="", by=by, at=timezone.now())
        mark.check_value = number
        mark.checked_by = by
        mark.save(update_fields=["check_value", "checked_by"])
    return mark


@dataclass
class SheetState:
    missing: list[str]
    mismatches: list[str]
    complete: bool


def sheet_state(scheme: MarkingScheme, team: Application, sub_criterion: SubCriterion,
                expert: Any = None) -> SheetState:
    """What stops the sheet from completing: unmarked aspects (with whose mark) and four-eyes mismatches."""
    aspects = list(sub_criterion.aspects.order_by("order", "code"))
    marks = {(m.aspect_id, m.expert_id): m for m in Mark.objects.filter(team=team, aspect__in=aspects)}
    experts = [expert] if expert is not None else judging_experts(scheme, team)
    four_eyes = panel_of(scheme.competency).four_eyes
    missing, mismatches = [], []
    for aspect in aspects:
        keys = [(aspect.pk, e.pk) for e in experts] if aspect.kind == calculation.JUDGEMENT else [(aspect.pk, None)]
        for key in keys:
            mark = marks.get(key)
            label = aspect.code if key[1] is None else f"{aspect.code} ({next(e for e in experts if e.pk == key[1])})"
            if mark is None:
                missing.append(label)
            elif four_eyes and mark.check_value != mark.value:
                mismatches.append(label)
    completed = Sheet.objects.filter(sub_criterion=sub_criterion, team=team, expert=expert).exists()
    return SheetState(missing, mismatches, completed)


def complete_sheet(scheme: MarkingScheme, team: Application | int, sub_criterion: SubCriterion | int, *, by: Any,
                   expert: Any = None) -> Sheet:
    """SC-2: a sheet is complete only when every aspect is marked (0 for not attempted) and checked."""
    sub = SubCriterion.objects.filter(pk=getattr(sub_criterion, "pk", sub_criterion), criterion__scheme=scheme).first()
    if sub is None:
        raise DomainError(_("Субкритерий не из этой схемы."), field="sub_criterion")
    team_obj = _team(scheme, team)
    mode = scheme.competency.mark_entry_mode
    if mode == IN_PERSON:
        expert = None
    _may_enter(scheme, by, expert if mode == REMOTE else None, mode)
    if mode == REMOTE and expert is None and by is not None:
        from profmaster.permissions import holds

        if not holds(by, {Role.CHIEF_EXPERT}, scheme.competency.championship_id, scheme.competency_id, exact=True):
            expert = by
    with transaction.atomic():
        marking = _locked_marking(scheme)
        _open_for_marks(scheme, marking)
        state = sheet_state(scheme, team_obj, sub, expert)
        if state.complete:
            raise TransitionError(_("Ведомость уже завершена."))
        if state.missing:
            raise DomainError(_("Не оценены: %(aspects)s. Не выполненный аспект оценивается нулём.")
                              % {"aspects": ", ".join(state.missing)})
        if state.mismatches:
            raise DomainError(_("Повторный ввод не совпал: %(aspects)s. Сверьте с рукописной ведомостью.")
                              % {"aspects": ", ".join(state.mismatches)})
        sheet = Sheet.objects.create(scheme=scheme, sub_criterion=sub, team=team_obj, expert=expert,
                                     completed_by=by, completed_at=timezone.now())
        record(actor=by, action=AuditEntry.Action.CREATE, instance=sheet, after=snapshot(sheet),
               championship=scheme.competency.championship)
    return sheet


def resolve_spread(scheme: MarkingScheme, aspect: Aspect | int, team: Application | int, *, by: Any,
                   reason: str) -> SpreadResolution:
    """SC-4: keep flagged judgement marks by a recorded decision of the chief expert."""
    reason = (reason or "").replace("\x00", "").strip()[:2000]
    if not reason:
        raise DomainError(_("Укажите основание, по которому расхождение оставлено."), field="reason")
    aspect_obj, team_obj = _load(scheme, aspect, team)
    _may_enter(scheme, by, None, IN_PERSON)
    with transaction.atomic():
        marking = _locked_marking(scheme)
        _open_for_marks(scheme, marking)
        marks = sorted(Mark.objects.filter(aspect=aspect_obj, team=team_obj).values_list("value", flat=True))
        limit = rules_for(scheme.competency.championship).judgement_spread_limit
        if not calculation.spread_flagged(marks, limit):
            raise TransitionError(_("У этого аспекта нет расхождения сверх допустимого."))
        _append(marking, kind=MarkEntry.Kind.RESOLVE, aspect=aspect_obj, team=team_obj, expert=None, old=None,
                new=None, reason=reason, by=by, at=timezone.now())
        resolution, _created = SpreadResolution.objects.update_or_create(
            aspect=aspect_obj, team=team_obj,
            defaults={"scheme": scheme, "marks": marks, "reason": reason, "by": by, "at": timezone.now()})
    return resolution


# --- Lock and unlock (SC-5…SC-7) -----------------------------------------------------------------


def lock_problems(scheme: MarkingScheme) -> list[str]:
    """Why the marks cannot be locked yet; empty when they can."""
    problems = []
    if not scheme.is_locked:
        problems.append(_("Схема оценки не заблокирована."))
    teams = list(teams_of(scheme))
    if not teams:
        problems.append(_("Нет команд с одобренными заявками."))
    mode = scheme.competency.mark_entry_mode
    subs = list(SubCriterion.objects.filter(criterion__scheme=scheme))
    sheets = set(Sheet.objects.filter(scheme=scheme).values_list("sub_criterion_id", "team_id", "expert_id"))
    for team in teams:
        if mode == IN_PERSON:
            open_count = sum(1 for s in subs if (s.pk, team.pk, None) not in sheets)
        else:
            experts = judging_experts(scheme, team)
            open_count = sum(1 for s in subs for e in experts if (s.pk, team.pk, e.pk) not in sheets)
        if open_count:
            problems.append(_("%(team)s: не завершено ведомостей — %(count)s.") % {"team": team_label(team),
                                                                                 "count": open_count})
    for score in scheme_scores(scheme, teams):
        if score.missing:
            problems.append(_("%(team)s: не оценено аспектов — %(count)s.")
                            % {"team": team_label(score.team), "count": score.missing})
        for code, marks, _aspect_id in score.flags:
            problems.append(_("%(team)s, аспект %(code)s: расхождение оценок %(marks)s — переоцените или "
                              "оставьте с основанием.") % {"team": team_label(score.team), "code": code,
                                                           "marks": ", ".join(map(str, marks))})
    # 003 §8.6: the appeal commission decides before the results are locked
    from profmaster.appeals.guards import pending_appeal_problem

    pending = pending_appeal_problem(scheme.competency, action=_("заблокировать оценки"))
    if pending:
        problems.append(pending)
    return problems


def team_label(team: Application) -> str:
    code = getattr(team, "work_code", None) if panel_of(team.competency).blind else None
    if code is not None:
        return str(code)
    return str(team.organisation)


def _criteria_json(scheme: MarkingScheme, totals: calculation.Totals) -> list[dict[str, str]]:
    titles = dict(scheme.criteria.values_list("code", "title"))
    return [{**item, "title": titles.get(item["code"], "")} for item in _criteria_json_points(totals)]


def lock_marks(scheme: MarkingScheme, *, by: Any) -> SchemeMarking:
    """SC-5/SC-7: freeze the marks, write each team's :class:`TeamResult`, ask every expert to sign the
    lock-acceptance form, and render the score sheets PDF in the background."""
    with transaction.atomic():
        marking = _locked_marking(scheme)
        scheme = MarkingScheme.objects.select_related("competency__championship").get(pk=scheme.pk)
        if marking.is_locked:
            raise TransitionError(_("Оценки уже заблокированы."))
        problems = lock_problems(scheme)
        if problems:
            raise DomainError(_("Оценки нельзя заблокировать: %(problems)s") % {"problems": " ".join(problems)})
        now = timezone.now()
        scores = scheme_scores(scheme)
        rows = [{"Команда": team_label(s.team), "Итог": format_number(s.total, 2, language="ru")} for s in scores]
        document = create_generated_document(
            championship=scheme.competency.championship, competency=scheme.competency,
            doc_type=DocumentType.MARKS_LOCK,
            title=_("Форма принятия блокировки оценок — %(scheme)s") % {"scheme": scheme.title},
            data={"text": _("Оценки по схеме «%(scheme)s» сверены и заблокированы. Записей в журнале оценок: "
                            "%(count)s, контрольный хеш %(hash)s.") % {"scheme": scheme.title,
                                                                       "count": marking.entry_count,
                                                                       "hash": marking.head_hash},
                  "Итоги команд": rows, anchors.LOCK_KEY: anchors.lock_block(marking)},
            signers=panel_signers(scheme.competency), by=by, generator="marking.marks_lock",
            source={"scheme": scheme.pk})
        before = snapshot(marking)
        TeamResult.objects.filter(scheme=scheme).delete()
        TeamResult.objects.bulk_create(
            TeamResult(scheme=scheme, team=s.team, total=s.total, locked_at=now,
                       criteria=_criteria_json(scheme, s.totals))  # type: ignore[arg-type]
            for s in scores)
        marking.status = SchemeMarking.Status.LOCKED
        marking.locked_at = now
        marking.locked_by = by
        marking.lock_document = document
        marking.unlock_document = None
        marking.unlock_approved_by = None
        marking.pdf_status = SchemeMarking.PdfStatus.RUNNING
        marking.pdf_progress = 0
        marking.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=marking, before=before,
               after=snapshot(marking), championship=scheme.competency.championship)
        enqueue_on_commit("marking.render_scheme_sheets", scheme.pk)
    return marking


def markers_of(scheme: MarkingScheme) -> list[tuple[Any, str]]:
    """The chief expert and every expert who marked: the signers of an unlock protocol (SC-6)."""
    marked = set(Mark.objects.filter(scheme=scheme, expert__isnull=False).values_list("expert_id", flat=True))
    return [(user, label) for user, label in panel_signers(scheme.competency)
            if label == str(Role.CHIEF_EXPERT.label) or user.pk in marked]


def request_marks_unlock(scheme: MarkingScheme, *, by: Any, reason: str) -> Document:
    """SC-6: the unlock protocol, signed by the chief expert and the experts who marked."""
    reason = (reason or "").replace("\x00", "").strip()[:2000]
    if not reason:
        raise DomainError(_("Укажите, какие оценки и почему нужно исправить."), field="reason")
    with transaction.atomic():
        marking = _locked_marking(scheme)
        if not marking.is_locked:
            raise TransitionError(_("Оценки не заблокированы."))
        if marking.unlock_document is not None and not is_complete(marking.unlock_document):
            raise TransitionError(_("Протокол разблокировки оценок уже ждёт подписей."))
        document = create_generated_document(
            championship=scheme.competency.championship, competency=scheme.competency, doc_type=DocumentType.UNLOCK,
            title=_("Протокол разблокировки оценок — %(scheme)s") % {"scheme": scheme.title},
            data={"text": reason}, signers=markers_of(scheme), by=by, generator="marking.marks_unlock",
            source={"scheme": scheme.pk})
        before = snapshot(marking)
        marking.unlock_document = document
        marking.save(update_fields=["unlock_document"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=marking, before=before, after=snapshot(marking),
               reason=reason, championship=scheme.competency.championship)
    return document


def unlock_marks(scheme: MarkingScheme, *, by: Any) -> SchemeMarking:
    """SC-6: the Directorate approves a fully signed unlock protocol; the TeamResult rows go away."""
    with transaction.atomic():
        marking = _locked_marking(scheme)
        if not marking.is_locked:
            raise TransitionError(_("Оценки не заблокированы."))
        if marking.unlock_document is None or not is_complete(marking.unlock_document):
            raise TransitionError(_("Разблокировать можно только по протоколу разблокировки, подписанному главным "
                                    "экспертом и экспертами, которые оценивали."))
        before = snapshot(marking)
        TeamResult.objects.filter(scheme=scheme).delete()
        marking.status = SchemeMarking.Status.OPEN
        marking.locked_at = None
        marking.locked_by = None
        marking.lock_document = None
        marking.unlock_approved_by = by
        marking.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=marking, before=before,
               after=snapshot(marking), championship=scheme.competency.championship,
               reason=_("Протокол разблокировки № %(number)s") % {"number": marking.unlock_document.number})
    return marking




def render_locked_sheets(scheme_id: int) -> None:
    """The background job of SC-5: one PDF with the marked sheets of every team; progress on the row."""
    from . import sheets

    scheme = MarkingScheme.objects.select_related("competency__championship").filter(pk=scheme_id).first()
    if scheme is None:
        return

    def progress(percent: int) -> None:
        SchemeMarking.objects.filter(scheme_id=scheme_id).update(pdf_progress=min(percent, 99))

    try:
        data = sheets.sheets_data(scheme, list(teams_of(scheme)), with_marks=True, label=team_label,
                                  progress=progress)
        pdf = sheets.render_pdf(data)
    except Exception:  # kept on the row and shown on the page; the lock itself stands
        SchemeMarking.objects.filter(scheme_id=scheme_id).update(pdf_status=SchemeMarking.PdfStatus.FAILED)
        raise
    SchemeMarking.objects.filter(scheme_id=scheme_id).update(pdf=pdf, pdf_progress=100,
                                                             pdf_status=SchemeMarking.PdfStatus.READY)
