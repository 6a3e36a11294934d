"""Rankings and medal allocation (SPEC AW-1…AW-4, 003 §25.2–25.5), free of Django.

Totals are exact ``Decimal`` values rounded to two places (half up) before any comparison. Teams out
of competition («вне зачёта») are listed with their totals but take no rank and no medal: the ranking
and the places are computed as if they were absent.

Places 1, 2, 3 give gold, silver, bronze. A team whose total is at most ``window`` below the *best*
total of a place shares that place (the window is measured from the place's best, not from the
previous team, so a chain of near totals does not stretch a place), up to ``cap`` teams. The next
place starts with the next team. When more than ``cap`` teams fall within the window of one place,
:func:`allocate_medals` does not decide: it returns that place flagged with its candidates and stops,
because every later place depends on how that one is resolved (003 §25.5: the chief expert proposes,
the Directorate decides).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

GOLD = "gold"
SILVER = "silver"
BRONZE = "bronze"
MEDALS: tuple[str, ...] = (GOLD, SILVER, BRONZE)
MEDAL_ORDER = {GOLD: 0, SILVER: 1, BRONZE: 2}
DEFAULT_WINDOW = Decimal("2.00")
DEFAULT_CAP = 3
CENT = Decimal("0.01")


def points(value: Decimal | int | str) -> Decimal:
    """A total rounded to two decimals, half up (the seed's «набранные баллы»)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Entry:
    """One team's locked total in one ranking group (competency × stage × age category)."""

    team_id: int
    total: Decimal
    out_of_competition: bool = False


@dataclass(frozen=True)
class Ranked:
    team_id: int
    total: Decimal
    rank: int | None  # None: out of competition, unranked
    out_of_competition: bool = False


@dataclass(frozen=True)
class Place:
    number: int
    medal: str
    best_total: Decimal
    team_ids: tuple[int, ...] = ()
    #: Set when the place is undecided: every team within the window of the place's best total.
    candidates: tuple[int, ...] = ()

    @property
    def decided(self) -> bool:
        return not self.candidates


@dataclass(frozen=True)
class Allocation:
    places: tuple[Place, ...] = field(default_factory=tuple)

    @property
    def decided(self) -> bool:
        return all(p.decided for p in self.places)

    @property
    def undecided_place(self) -> Place | None:
        return next((p for p in self.places if not p.decided), None)

    def medals(self) -> dict[int, str]:
        """team id → medal of the decided places."""
        return {team: p.medal for p in self.places if p.decided for team in p.team_ids}


def _ordered(entries: Iterable[Entry]) -> list[Entry]:
    # Equal totals keep a stable order by team id so every run lists them the same way.
    return sorted(entries, key=lambda e: (-points(e.total), e.team_id))


def rank(entries: Iterable[Entry]) -> list[Ranked]:
    """AW-1: competing teams ranked by total (equal totals share a rank: 1, 1, 3); teams out of
    competition listed in total order without a rank."""
    result: list[Ranked] = []
    position = 0
    previous: Decimal | None = None
    current_rank = 0
    for entry in _ordered(entries):
        total = points(entry.total)
        if entry.out_of_competition:
            result.append(Ranked(entry.team_id, total, None, True))
            continue
        position += 1
        if previous is None or total != previous:
            current_rank = position
            previous = total
        result.append(Ranked(entry.team_id, total, current_rank))
    return result


def allocate_medals(entries: Iterable[Entry], *, window: Decimal = DEFAULT_WINDOW, cap: int = DEFAULT_CAP,
                    places: int = len(MEDALS)) -> Allocation:
    """AW-2…AW-4: gold, silver, bronze with shared places; an over-full place is flagged, not decided."""
    if window < 0:
        raise ValueError("window must not be negative")
    if cap < 1:
        raise ValueError("cap must be at least 1")
    window = points(window)
    competing = [e for e in _ordered(entries) if not e.out_of_competition]
    result: list[Place] = []
    start = 0
    for number in range(1, min(places, len(MEDALS)) + 1):
        if start >= len(competing):
            break
        best = points(competing[start].total)
        group = [e.team_id for e in competing[start:] if best - points(e.total) <= window]
        medal = MEDALS[number - 1]
        if len(group) > cap:
            result.append(Place(number, medal, best, (), tuple(group)))
            break
        result.append(Place(number, medal, best, tuple(group)))
        start += len(group)
    return Allocation(tuple(result))


def places(entries: Iterable[Entry], medal_of: Mapping[int, str], *, settled: bool = True) -> dict[int, int | None]:
    """AW-3 (003 §25.4): the place printed for each team, given the group's medals. The one function every
    channel (results page, protocol, diplomas, exports, API) takes its place numbers from.

    A medal is its place: gold 1, silver 2, bronze 3, shared by every team holding it (so 90.00 / 88.00 /
    80.00 give 1, 1, 2: «до трёх первых, вторых и третьих мест»). The next place starts with the next team:
    after the medal places the numbering goes on from the number after the last medal place, one number per
    distinct total (teams with equal totals share it). Teams out of competition get no place (None). While
    a place is undecided (``settled`` false, 003 §25.5), every team without a decided medal has no place
    yet (None), because every later place depends on the decision.
    """
    result: dict[int, int | None] = {}
    next_place = 1 + max((MEDAL_ORDER[m] + 1 for m in medal_of.values() if m in MEDAL_ORDER), default=0)
    previous: Decimal | None = None
    current = 0
    for entry in _ordered(entries):
        medal = medal_of.get(entry.team_id)
        if entry.out_of_competition:
            result[entry.team_id] = None
        elif medal in MEDAL_ORDER:
            result[entry.team_id] = MEDAL_ORDER[str(medal)] + 1
        elif not settled:
            result[entry.team_id] = None
        else:
            total = points(entry.total)
            if previous is None or total != previous:
                current = next_place
                next_place += 1
                previous = total
            result[entry.team_id] = current
    return result


@dataclass(frozen=True)
class Problem:
    team_id: int | None
    message: str


def check_distribution(entries: Iterable[Entry], distribution: Mapping[int, str | None],
                       automatic: Mapping[int, str]) -> list[Problem]:
    """Problems of a proposed medal distribution (003 §25.5) for one ranking group.

    The proposal may give more or fewer medals than the automatic rule; it must name only teams of the
    group, give no medal to a team out of competition, use only gold/silver/bronze, keep the places the
    rule already decided, and never give a team a better medal than a team with a higher total.
    """
    problems: list[Problem] = []
    by_id = {e.team_id: e for e in entries}
    for team_id, medal in distribution.items():
        if team_id not in by_id:
            problems.append(Problem(team_id, "unknown team"))
        elif medal is not None and medal not in MEDAL_ORDER:
            problems.append(Problem(team_id, "unknown medal"))
        elif medal is not None and by_id[team_id].out_of_competition:
            problems.append(Problem(team_id, "out of competition"))
    if problems:
        return problems
    for team_id, medal in automatic.items():
        if distribution.get(team_id) != medal:
            problems.append(Problem(team_id, "decided place changed"))
    ranked = [e for e in _ordered(by_id.values()) if not e.out_of_competition]
    for entry in ranked:
        order = MEDAL_ORDER.get(distribution.get(entry.team_id) or "", len(MEDALS))
        worse_above = any(MEDAL_ORDER.get(distribution.get(other.team_id) or "", len(MEDALS)) > order
                          for other in ranked if points(other.total) > points(entry.total))
        if worse_above:
            problems.append(Problem(entry.team_id, "better medal than a team with a higher total"))
    return problems


def medal_table(rows: Iterable[tuple[int, str]]) -> list[tuple[int, int, int, int]]:
    """AW-7: (organisation id, gold, silver, bronze) from (organisation id, medal) rows, ordered by gold,
    then silver, then bronze (descending), then organisation id."""
    counts: dict[int, list[int]] = {}
    for organisation_id, medal in rows:
        if medal not in MEDAL_ORDER:
            continue
        counts.setdefault(organisation_id, [0, 0, 0])[MEDAL_ORDER[medal]] += 1
    table = [(org, c[0], c[1], c[2]) for org, c in counts.items()]
    table.sort(key=lambda r: (-r[1], -r[2], -r[3], r[0]))
    return table


def cup_places(table: list[tuple[int, int, int, int]], cups: int = 3) -> dict[int, int]:
    """Organisation id → cup place 1…``cups``; organisations with identical counts share a place."""
    result: dict[int, int] = {}
    place = 0
    previous: tuple[int, int, int] | None = None
    for position, (org, gold, silver, bronze) in enumerate(table, start=1):
        key = (gold, silver, bronze)
        if key != previous:
            place = position
            previous = key
        if place > cups:
            break
        result[org] = place
    return result


def qualify(entries: Iterable[Entry], quota: int, *, barred: frozenset[int] = frozenset()
            ) -> tuple[list[int], list[int]]:
    """Qualification to the next stage: (qualified, tied on the cut).

    Teams out of competition still compete for places unless they are barred from the next stage
    (REG-4 separates the two). When teams with the total of the last place within the quota spill over
    it, those at the cut are returned as tied for the Directorate to decide; the rest above the cut
    qualify.
    """
    if quota < 0:
        raise ValueError("quota must not be negative")
    eligible = [e for e in _ordered(entries) if e.team_id not in barred]
    if quota == 0 or not eligible:
        return [], []
    if len(eligible) <= quota:
        return [e.team_id for e in eligible], []
    cut_total = points(eligible[quota - 1].total)
    if points(eligible[quota].total) != cut_total:
        return [e.team_id for e in eligible[:quota]], []
    above = [e.team_id for e in eligible if points(e.total) > cut_total]
    tied = [e.team_id for e in eligible if points(e.total) == cut_total]
    return above, tied
