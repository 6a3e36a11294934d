"""Vote arithmetic of the panel and of the appeal commission (SPEC AP-1, AP-3; 003 §7.2, §8.5, §8.10, §22.8).

Pure and Django-free: the domain functions pass in the votes cast and the size of the body and get back
what the vote decided. Two rules:

* :func:`panel_outcome` — a question put to the competency's panel is decided by a simple majority of
  **all** the panel's experts (50 % + 1), not of those who voted: abstentions and missing votes count
  against neither side but do not help reach the majority. Without one, the question stays open.
* :func:`commission_outcome` — a hearing of the appeal commission: each member votes once; the side with
  more votes wins; on a tie the chair's additional vote decides. A hearing always ends in a decision, so a
  tie without the chair's additional vote is reported as such (the hearing cannot close yet). 003 §8.10 sets
  no quorum and no share of all members for the commission's decision (unlike 003 §7.2 for the panel), so
  abstentions count for neither side; that every member must have voted before the hearing closes is the
  appeals domain's rule (``appeals.domain.decide_appeal``), kept where the methodology is silent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Outcome(StrEnum):
    ADOPTED = "adopted"  # the proposal put to the vote is accepted
    REJECTED = "rejected"  # the proposal is refused
    NO_MAJORITY = "no_majority"  # panel: the question stays open (a revote needs a recorded reason)
    NEEDS_CHAIR = "needs_chair"  # commission: a tie, and the chair has not cast the additional vote


@dataclass(frozen=True)
class Tally:
    votes_for: int
    votes_against: int
    abstentions: int
    not_voted: int
    body_size: int
    majority: int  # votes one side needs (panel) or 0 (commission: more votes than the other side)
    outcome: Outcome
    by_chair: bool = False  # the chair's additional vote decided a tie

    @property
    def decided(self) -> bool:
        return self.outcome in (Outcome.ADOPTED, Outcome.REJECTED)


def majority_of(body_size: int) -> int:
    """50 % + 1 of a body: 3 of 4, 3 of 5, 4 of 6."""
    if body_size < 1:
        raise ValueError("a body votes with at least one member")
    return body_size // 2 + 1


def _count(choices: Iterable[Choice | str], body_size: int) -> Counter[Choice]:
    counted = Counter(Choice(choice) for choice in choices)
    if sum(counted.values()) > body_size:
        raise ValueError("more votes than members")
    return counted


def panel_outcome(choices: Iterable[Choice | str], panel_size: int) -> Tally:
    """What the panel's vote decided: a side needs the votes of more than half of all the panel's experts."""
    counted = _count(choices, panel_size)
    needed = majority_of(panel_size)
    votes_for, against, abstain = counted[Choice.FOR], counted[Choice.AGAINST], counted[Choice.ABSTAIN]
    if votes_for >= needed:
        outcome = Outcome.ADOPTED
    elif against >= needed:
        outcome = Outcome.REJECTED
    else:
        outcome = Outcome.NO_MAJORITY
    return Tally(votes_for, against, abstain, panel_size - votes_for - against - abstain, panel_size, needed, outcome)


def commission_outcome(choices: Iterable[Choice | str], members: int, chair_extra: Choice | str | None = None) -> Tally:
    """What the commission's vote decided: more votes wins; a tie is broken by the chair's additional vote
    (FOR or AGAINST; an abstaining additional vote breaks nothing)."""
    counted = _count(choices, members)
    votes_for, against, abstain = counted[Choice.FOR], counted[Choice.AGAINST], counted[Choice.ABSTAIN]
    not_voted = members - votes_for - against - abstain
    by_chair = False
    if votes_for > against:
        outcome = Outcome.ADOPTED
    elif against > votes_for:
        outcome = Outcome.REJECTED
    elif chair_extra is not None and Choice(chair_extra) is not Choice.ABSTAIN:
        outcome = Outcome.ADOPTED if Choice(chair_extra) is Choice.FOR else Outcome.REJECTED
        by_chair = True
    else:
        outcome = Outcome.NEEDS_CHAIR
    return Tally(votes_for, against, abstain, not_voted, members, 0, outcome, by_chair)
