"""The working results of a competency, computed from locked totals (``marking.TeamResult``).

Read-only. Produces plain dicts of the same shape a published :class:`ResultsVersion` stores, so
pages, the API, exports and protocols render live and published results with one template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from profmaster.championships.models import AgeCategory, Competency, Stage
from profmaster.marking.models import TeamResult

from . import medals
from .models import GroupDecision, Invalidation, Nomination, QualificationQuota, ResultDecision, ResultsRules


def rules_for(championship: Any) -> ResultsRules:
    rules, _created = ResultsRules.objects.get_or_create(championship=championship)
    return rules


def quota_for(competency: Competency, category: AgeCategory) -> int:
    quota = QualificationQuota.objects.filter(competency=competency, age_category=category).first()
    return quota.quota if quota else rules_for(competency.championship).default_quota


def decisions_by_team(competency: Competency) -> dict[int, list[ResultDecision]]:
    """The recorded decisions on points (OP-5: point loss, annulment) of the competency's teams."""
    found: dict[int, list[ResultDecision]] = {}
    for decision in ResultDecision.objects.filter(competency=competency).order_by("decided_at", "pk"):
        found.setdefault(decision.team_id, []).append(decision)
    return found


def adjusted_total(total: Decimal, decisions: list[ResultDecision]) -> Decimal:
    """The one place a team's total meets the decisions on its points (OP-5, 003 §11.3, §24.5): the marks'
    total less every point loss (never below zero); an annulment makes it zero. Marks are never edited."""
    if any(d.kind == ResultDecision.Kind.ANNULMENT for d in decisions):
        return Decimal("0.00")
    # AP-4: a deduction and a part zeroing (the points the zeroed criteria/aspects gave) subtract like a loss
    lost = sum((d.points or Decimal("0") for d in decisions if d.kind in ResultDecision.SUBTRACTING),
               Decimal("0"))
    return max(Decimal("0"), Decimal(total) - lost)


def decision_lines(decisions: list[ResultDecision]) -> list[dict[str, Any]]:
    """The decisions as lines of a team's result breakdown (plain data for pages, API and protocols)."""
    return [{"number": d.number, "kind": d.kind, "label": str(d.get_kind_display()),
             "points": str(d.points) if d.points else "", "scope": d.scope_label,
             "reason": d.reason, "basis": d.basis} for d in decisions]


@dataclass
class Group:
    """One ranking group: competency × stage × age category."""

    stage: Stage
    category: AgeCategory
    results: list[TeamResult] = field(default_factory=list)
    decisions: dict[int, list[ResultDecision]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.stage.pk}-{self.category.pk}"

    def total_of(self, result: TeamResult) -> Decimal:
        return adjusted_total(result.total, self.decisions.get(result.team_id, []))

    def entries(self) -> list[medals.Entry]:
        return [medals.Entry(r.team_id, self.total_of(r), r.team.out_of_competition) for r in self.results]

    def basis(self) -> dict[str, str]:
        """The totals a decision is taken on; another set of totals makes the decision stale."""
        return {str(r.team_id): f"{medals.points(self.total_of(r))}{'*' if r.team.out_of_competition else ''}"
                for r in self.results}


def groups_of(competency: Competency) -> list[Group]:
    rows = (TeamResult.objects.filter(scheme__competency=competency)
            .select_related("scheme__stage", "scheme__age_category", "team__organisation", "team__age_category")
            .order_by("scheme__stage__order", "pk"))
    found: dict[tuple[int, int], Group] = {}
    decisions = decisions_by_team(competency)
    for row in rows:
        category = row.scheme.age_category or row.team.age_category
        key = (row.scheme.stage_id, category.pk)
        if key not in found:
            found[key] = Group(row.scheme.stage, category, decisions=decisions)
        found[key].results.append(row)
    return sorted(found.values(), key=lambda g: (g.stage.order, g.stage.starts_on, g.category.order, g.category.pk))


def find_group(competency: Competency, stage_id: int, category_id: int) -> Group | None:
    return next((g for g in groups_of(competency) if g.stage.pk == stage_id and g.category.pk == category_id), None)


def decision_for(competency: Competency, group: Group, kind: str) -> GroupDecision | None:
    return GroupDecision.objects.filter(kind=kind, competency=competency, stage=group.stage,
                                        age_category=group.category).first()


def effective_medals(competency: Competency, group: Group) -> tuple[dict[int, str], medals.Allocation, bool]:
    """(team → medal, the rule's allocation, whether the medals are final).

    Final when the rule decided every place, or when the Directorate approved a distribution taken on
    the current totals.
    """
    rules = rules_for(competency.championship)
    allocation = medals.allocate_medals(group.entries(), window=rules.medal_window, cap=rules.medal_cap)
    if allocation.decided:
        return allocation.medals(), allocation, True
    decision = decision_for(competency, group, GroupDecision.Kind.MEDALS)
    if decision and decision.status == GroupDecision.Status.APPROVED and decision.basis == group.basis():
        return {int(k): v for k, v in decision.decision.items() if v}, allocation, True
    return allocation.medals(), allocation, False


def qualification(competency: Competency, group: Group) -> tuple[set[int], list[int], bool]:
    """(qualified teams, teams tied on the cut, whether final) for a remote-stage group."""
    barred = frozenset(r.team_id for r in group.results if r.team.barred_from_next_stage)
    above, tied = medals.qualify(group.entries(), quota_for(competency, group.category), barred=barred)
    if not tied:
        return set(above), [], True
    decision = decision_for(competency, group, GroupDecision.Kind.QUALIFICATION)
    if decision and decision.status == GroupDecision.Status.APPROVED and decision.basis == group.basis():
        return set(above) | {int(k) for k, v in decision.decision.items() if v}, tied, True
    return set(above), tied, False


def _team_label(result: TeamResult) -> str:
    return f"{result.team.organisation} (команда № {result.team_id})"


def competency_results(competency: Competency) -> dict[str, Any]:
    """The competency's working results as plain data (the shape published versions store)."""
    invalidation = Invalidation.objects.filter(competency=competency).first()
    nominations = {n.team_id: n.title for n in Nomination.objects.filter(competency=competency, status="approved")}
    groups = []
    pending: list[str] = []
    for group in groups_of(competency):
        final_stage = group.stage.kind == Stage.Kind.FINAL
        medal_of: dict[int, str] = {}
        qualified: set[int] = set()
        tied: list[int] = []
        settled = True
        if final_stage:
            medal_of, _allocation, settled = effective_medals(competency, group)
            if not settled:
                pending.append(_("%(category)s: распределение медалей не решено") % {"category": group.category})
        else:
            qualified, tied, settled = qualification(competency, group)
            if not settled:
                pending.append(_("%(category)s: равенство на границе квоты не решено") % {"category": group.category})
        by_team = {r.team_id: r for r in group.results}
        # AW-3: the place comes from the medals (a shared medal is a shared place), never from the row order.
        place_of = medals.places(group.entries(), medal_of, settled=settled or not final_stage)
        rows = []
        for ranked in medals.rank(group.entries()):
            result = by_team[ranked.team_id]
            rows.append({
                "team_id": ranked.team_id, "team": _team_label(result),
                "organisation_id": result.team.organisation_id, "organisation": str(result.team.organisation),
                "total": str(ranked.total), "rank": place_of[ranked.team_id],
                "out_of_competition": ranked.out_of_competition,
                "medal": medal_of.get(ranked.team_id, ""),
                "nomination": nominations.get(ranked.team_id, "") if final_stage else "",
                "qualified": (ranked.team_id in qualified) if not final_stage else None,
                "tied_on_cut": ranked.team_id in tied,
                "criteria": [{"code": c.get("code", ""), "points": str(c.get("points", ""))}
                             for c in (result.criteria or []) if isinstance(c, dict)],
                "marks_total": str(result.total),
                "decisions": decision_lines(group.decisions.get(ranked.team_id, [])),
            })
        groups.append({"key": group.key, "stage_id": group.stage.pk, "stage": group.stage.name,
                       "stage_kind": group.stage.kind, "age_category_id": group.category.pk,
                       "age_category": group.category.name, "settled": settled, "rows": rows})
    return {"competency_id": competency.pk, "competency": competency.name,
            "invalid": invalidation is not None, "invalid_reason": invalidation.reason if invalidation else "",
            "groups": groups, "pending": pending}


def medal_rows(competency_data: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """(organisation id, medal) of every final-stage medal of valid competencies."""
    rows: list[tuple[int, str]] = []
    for comp in competency_data:
        if comp.get("invalid"):
            continue
        for group in comp["groups"]:
            if group["stage_kind"] != Stage.Kind.FINAL:
                continue
            rows.extend((row["organisation_id"], row["medal"]) for row in group["rows"] if row["medal"])
    return rows


def medal_standings(competency_data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """AW-7: the organisations' medal table with cup places 1–3."""
    names: dict[int, str] = {}
    for comp in competency_data:
        for group in comp["groups"]:
            for row in group["rows"]:
                names[row["organisation_id"]] = row["organisation"]
    table = medals.medal_table(medal_rows(competency_data))
    cups = medals.cup_places(table)
    return [{"organisation_id": org, "organisation": names.get(org, str(org)), "gold": g, "silver": s, "bronze": b,
             "total": g + s + b, "cup": cups.get(org)} for org, g, s, b in table]
