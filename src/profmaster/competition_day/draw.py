"""OP-1: the draw of flows and of workplaces, reproducible and verifiable by anyone; no Django.

A draw is a pure function of its inputs and a seed: ``draw_flows(inputs, seed)`` and
``draw_workplaces(inputs, seed)`` give the same assignment on any machine and Python version, because the
random numbers come from SHA-256 in counter mode (never Python's ``random``) and the inputs are put in
one canonical order before anything is drawn.

The seed is fair to everyone present (003 §13.1–13.2): before the draw the system publishes a
*commitment*, the SHA-256 of a server secret; people present (mentors) may add *contributions* (any text);
the seed is the SHA-256 of the secret and the contributions; after the draw the secret is revealed, so
anyone can check that the commitment matches it and re-run the draw (``verify``). Nobody — neither the
server, which fixed its secret before seeing the contributions, nor a mentor, who cannot know the
secret — can steer the result alone.

Algorithm ``sha256-ctr-slots-v1`` (flows): the flows' places are laid out as slots (a flow with three
workplaces gives three slots, flows in order of their start), the slots are shuffled (Fisher–Yates on the
SHA-256 stream) and so is the order of the teams. Without constraints team *k* takes slot *k*: every
assignment of teams to places is equally likely. A team whose mentor also leads another team must not
get a flow overlapping that team's flow (REG-11): then the team takes the first free slot in the shuffled
order whose flow fits, and a depth-first search backs up when a later team has no place left. A draw that
cannot meet its constraints raises :class:`DrawImpossible` with the reason — it never breaks one.

Algorithm ``sha256-ctr-workplaces-v1``: in each flow (in order of start), the teams in canonical order
take the venue's workplaces in shuffled order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from profmaster.core.canonical import canonical_json

FLOWS_ALGORITHM = "sha256-ctr-slots-v1"
WORKPLACES_ALGORITHM = "sha256-ctr-workplaces-v1"
#: Bound on the depth-first search of a constrained flow draw (steps), so a draw always stops.
SEARCH_LIMIT = 200_000


class DrawImpossible(ValueError):
    """The inputs admit no assignment that meets every constraint; ``reason`` says which (in Russian)."""

    def __init__(self, reason: str, *, code: str, subjects: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.subjects = tuple(subjects)


# --- Randomness ---------------------------------------------------------------------------------


class Stream:
    """A deterministic stream of integers from a seed: SHA-256 of ``seed:counter``, 64 bits a word."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.counter = 0

    def _word(self) -> int:
        digest = hashlib.sha256(f"{self.seed}:{self.counter}".encode()).digest()
        self.counter += 1
        return int.from_bytes(digest[:8], "big")

    def below(self, n: int) -> int:
        """Uniform in [0, n) by rejection sampling (no modulo bias)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (2**64 // n) * n
        while True:
            word = self._word()
            if word < limit:
                return word % n

    def shuffle(self, items: Sequence[Any]) -> list[Any]:
        """Fisher–Yates from the last position down."""
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result


def new_secret() -> str:
    """The server's secret for one draw: 256 random bits as hex, kept hidden until the draw is done."""
    return secrets.token_hex(32)


def commitment(secret: str) -> str:
    """What is published before the draw: SHA-256 of the secret (hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_contribution(text: str) -> str:
    """A contribution as it counts: Unicode NFC, surrounding spaces removed (what people see is what counts)."""
    return unicodedata.normalize("NFC", text).strip()


def seed_of(secret: str, contributions: Iterable[str]) -> str:
    """The draw's seed: SHA-256 of the secret and the contributions (sorted, so their order does not matter)."""
    cleaned = sorted(c for c in (clean_contribution(text) for text in contributions) if c)
    return hashlib.sha256(canonical_json({"contributions": cleaned, "secret": secret}).encode()).hexdigest()


# --- Inputs -------------------------------------------------------------------------------------


def _utc_text(moment: dt.datetime | str) -> str:
    value = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        raise ValueError("a flow's time needs its time zone")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Flow:
    """A flow (time slot) with as many places as the venue has workplaces for it."""

    id: str
    starts: str
    ends: str
    capacity: int

    @classmethod
    def of(cls, id: Any, starts: dt.datetime | str, ends: dt.datetime | str, capacity: int) -> Flow:
        flow = cls(str(id), _utc_text(starts), _utc_text(ends), int(capacity))
        if flow.ends <= flow.starts:
            raise ValueError(f"flow {flow.id} ends before it starts")
        if flow.capacity < 0:
            raise ValueError(f"flow {flow.id} has a negative capacity")
        return flow

    def overlaps(self, other: Flow) -> bool:
        return self.starts < other.ends and other.starts < self.ends


@dataclass(frozen=True)
class Team:
    """A team and the mentors who lead it (a mentor's teams must be in flows that do not overlap)."""

    id: str
    mentors: tuple[str, ...] = ()

    @classmethod
    def of(cls, id: Any, mentors: Iterable[Any] = ()) -> Team:
        return cls(str(id), tuple(sorted({str(m) for m in mentors})))


@dataclass(frozen=True)
class FlowDrawInputs:
    teams: tuple[Team, ...]
    flows: tuple[Flow, ...]

    @classmethod
    def of(cls, teams: Iterable[Team], flows: Iterable[Flow]) -> FlowDrawInputs:
        team_list = sorted(teams, key=lambda t: t.id)
        flow_list = sorted(flows, key=lambda f: (f.starts, f.id))
        for kind, ids in (("team", [t.id for t in team_list]), ("flow", [f.id for f in flow_list])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"a {kind} appears twice")
        return cls(tuple(team_list), tuple(flow_list))

    def canonical(self) -> dict[str, Any]:
        return {"flows": [{"capacity": f.capacity, "ends": f.ends, "id": f.id, "starts": f.starts} for f in self.flows],
                "teams": [{"id": t.id, "mentors": list(t.mentors)} for t in self.teams]}

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> FlowDrawInputs:
        return cls.of([Team.of(t["id"], t["mentors"]) for t in data["teams"]],
                      [Flow.of(f["id"], f["starts"], f["ends"], f["capacity"]) for f in data["flows"]])


@dataclass(frozen=True)
class WorkplaceDrawInputs:
    """The teams of each flow (after the flow draw) and the base venue's workplaces."""

    flows: tuple[tuple[str, tuple[str, ...]], ...]
    workplaces: tuple[str, ...]

    @classmethod
    def of(cls, flows: Mapping[Any, Iterable[Any]], workplaces: Iterable[Any]) -> WorkplaceDrawInputs:
        places = sorted({str(w) for w in workplaces})
        ordered = tuple((str(flow), tuple(sorted(str(t) for t in teams))) for flow, teams in flows.items())
        return cls(tuple(sorted(ordered)), tuple(places))

    def canonical(self) -> dict[str, Any]:
        return {"flows": [{"id": flow, "teams": list(teams)} for flow, teams in self.flows],
                "workplaces": list(self.workplaces)}

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> WorkplaceDrawInputs:
        return cls.of({f["id"]: f["teams"] for f in data["flows"]}, data["workplaces"])


# --- The draws ----------------------------------------------------------------------------------


def _mentor_reasons(inputs: FlowDrawInputs) -> list[str]:
    """Mentors with more teams than mutually non-overlapping places (greedy interval scheduling)."""
    teams_of: dict[str, int] = {}
    for team in inputs.teams:
        for mentor in team.mentors:
            teams_of[mentor] = teams_of.get(mentor, 0) + 1
    usable = sorted((f for f in inputs.flows if f.capacity > 0), key=lambda f: (f.ends, f.starts, f.id))
    disjoint: list[Flow] = []
    for flow in usable:
        if not disjoint or disjoint[-1].ends <= flow.starts:
            disjoint.append(flow)
    return sorted(m for m, count in teams_of.items() if count > len(disjoint))


def draw_flows(inputs: FlowDrawInputs, seed: str) -> dict[str, str]:
    """Team id → flow id. Raises :class:`DrawImpossible` when capacity or the mentors' flows cannot be met."""
    places = sum(f.capacity for f in inputs.flows)
    if len(inputs.teams) > places:
        raise DrawImpossible(f"Команд {len(inputs.teams)}, а мест во всех потоках {places}: добавьте поток "
                             "или рабочие места.", code="capacity")
    crowded = _mentor_reasons(inputs)
    if crowded:
        raise DrawImpossible("У наставника больше команд, чем потоков, которые не пересекаются по времени: "
                             + ", ".join(crowded) + ".", code="mentor", subjects=crowded)
    stream = Stream(seed)
    flows = {f.id: f for f in inputs.flows}
    slots = stream.shuffle([f.id for f in inputs.flows for _ in range(f.capacity)])
    order: list[Team] = stream.shuffle(list(inputs.teams))
    used = [False] * len(slots)
    mentor_flows: dict[str, list[str]] = {}
    chosen: list[int] = []
    steps = 0

    def fits(team: Team, flow_id: str) -> bool:
        flow = flows[flow_id]
        return not any(flows[other].overlaps(flow) for m in team.mentors for other in mentor_flows.get(m, ()))

    def place(k: int) -> bool:
        nonlocal steps
        if k == len(order):
            return True
        team = order[k]
        tried: set[str] = set()
        for index, flow_id in enumerate(slots):
            if used[index] or flow_id in tried:
                continue
            steps += 1
            if steps > SEARCH_LIMIT:
                raise DrawImpossible("Жеребьёвка не нашла распределения, которое соблюдает все ограничения "
                                     "наставников; разнесите потоки по времени или добавьте поток.",
                                     code="search_limit")
            tried.add(flow_id)
            if not fits(team, flow_id):
                continue
            used[index] = True
            chosen.append(index)
            for m in team.mentors:
                mentor_flows.setdefault(m, []).append(flow_id)
            if place(k + 1):
                return True
            for m in team.mentors:
                mentor_flows[m].pop()
            chosen.pop()
            used[index] = False
        return False

    if not place(0):
        mentors = sorted({m for t in inputs.teams for m in t.mentors
                          if sum(1 for other in inputs.teams if m in other.mentors) > 1})
        raise DrawImpossible("Нельзя развести по непересекающимся потокам команды наставников: "
                             + ", ".join(mentors) + ".", code="mentor", subjects=mentors)
    drawn = {team.id: slots[index] for team, index in zip(order, chosen, strict=True)}
    return {team.id: drawn[team.id] for team in inputs.teams}


def draw_workplaces(inputs: WorkplaceDrawInputs, seed: str) -> dict[str, dict[str, str]]:
    """Flow id → (team id → workplace). Raises :class:`DrawImpossible` when a flow has more teams than places."""
    stream = Stream(seed)
    result: dict[str, dict[str, str]] = {}
    for flow, teams in inputs.flows:
        if len(teams) > len(inputs.workplaces):
            raise DrawImpossible(f"В потоке {flow} команд {len(teams)}, а рабочих мест {len(inputs.workplaces)}.",
                                 code="capacity", subjects=[flow])
        places = stream.shuffle(list(inputs.workplaces))
        result[flow] = dict(zip(teams, places, strict=False))
    return result


# --- Records and verification -------------------------------------------------------------------


@dataclass
class DrawRecord:
    """Everything the protocol prints and a verifier needs to re-run the draw."""

    kind: str  # "flows" or "workplaces"
    inputs: dict[str, Any]
    commitment: str
    contributions: list[str]
    secret: str
    seed: str
    algorithm: str
    result: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "commitment": self.commitment, "contributions": self.contributions,
                "inputs": self.inputs, "kind": self.kind, "result": self.result, "secret": self.secret,
                "seed": self.seed}

    def text(self) -> str:
        return canonical_json(self.as_dict())


def run(kind: str, inputs: FlowDrawInputs | WorkplaceDrawInputs, *, secret: str,
        contributions: Sequence[str]) -> DrawRecord:
    """Hold a draw: the seed from the secret and contributions, the result, and the record of it all."""
    seed = seed_of(secret, contributions)
    if kind == "flows":
        assert isinstance(inputs, FlowDrawInputs)
        result: dict[str, Any] = draw_flows(inputs, seed)
        algorithm = FLOWS_ALGORITHM
    elif kind == "workplaces":
        assert isinstance(inputs, WorkplaceDrawInputs)
        result = draw_workplaces(inputs, seed)
        algorithm = WORKPLACES_ALGORITHM
    else:
        raise ValueError(f"unknown draw kind {kind!r}")
    cleaned = sorted(c for c in (clean_contribution(text) for text in contributions) if c)
    return DrawRecord(kind=kind, inputs=inputs.canonical(), commitment=commitment(secret), contributions=cleaned,
                      secret=secret, seed=seed, algorithm=algorithm, result=result)


def verify(record: Mapping[str, Any]) -> list[str]:
    """Re-run a recorded draw; an empty list means it matches, else each difference (in Russian)."""
    problems: list[str] = []
    algorithms = {"flows": FLOWS_ALGORITHM, "workplaces": WORKPLACES_ALGORITHM}
    kind = record.get("kind")
    if kind not in algorithms:
        return [f"Неизвестный вид жеребьёвки: {kind!r}."]
    if record.get("algorithm") != algorithms[kind]:
        return [f"Алгоритм {record.get('algorithm')!r} не поддерживается этой версией (есть {algorithms[kind]})."]
    secret = str(record.get("secret", ""))
    if commitment(secret) != record.get("commitment"):
        problems.append("Раскрытый секрет не соответствует опубликованному до жеребьёвки обязательству.")
    seed = seed_of(secret, record.get("contributions", []))
    if seed != record.get("seed"):
        problems.append(f"Зерно не совпадает: записано {record.get('seed')}, из секрета и вкладов получается {seed}.")
    try:
        inputs: FlowDrawInputs | WorkplaceDrawInputs = (
            FlowDrawInputs.from_canonical(record["inputs"]) if kind == "flows"
            else WorkplaceDrawInputs.from_canonical(record["inputs"]))
        again: dict[str, Any] = draw_flows(inputs, seed) if isinstance(inputs, FlowDrawInputs) \
            else draw_workplaces(inputs, seed)
    except DrawImpossible as exc:
        return [*problems, f"Повторная жеребьёвка невозможна: {exc.reason}"]
    except (KeyError, TypeError, ValueError) as exc:
        return [*problems, f"Исходные данные жеребьёвки повреждены: {exc}."]
    recorded = record.get("result", {})
    if again != recorded:
        for key in sorted(set(again) | set(recorded)):
            if again.get(key) != recorded.get(key):
                problems.append(f"{key}: записано {recorded.get(key)!r}, повторная жеребьёвка даёт {again.get(key)!r}.")
    return problems
