"""Seed defaults of the championship structure (003 §3.3, §6.4). Pure: no Django import.

An organiser who runs another contest changes the data these produce, never this code.
"""

from __future__ import annotations

from dataclasses import dataclass

#: 003 §6.4: experts per competency by how it is evaluated.
EXPERTS_AFTER_COMPLETION = 4
EXPERTS_DURING_OR_BLIND = 6
EXPERTS_FIVE_WORKPLACES = 15

EVALUATION_MODE_EXPERTS = {
    "after_completion": EXPERTS_AFTER_COMPLETION,
    "during": EXPERTS_DURING_OR_BLIND,
    "parallel": EXPERTS_DURING_OR_BLIND,
    "blind": EXPERTS_DURING_OR_BLIND,
    "five_workplaces": EXPERTS_FIVE_WORKPLACES,
}


def default_expert_count(evaluation_mode: str) -> int:
    """Number of experts 003 §6.4 prescribes for an evaluation mode."""
    try:
        return EVALUATION_MODE_EXPERTS[evaluation_mode]
    except KeyError:
        raise ValueError(f"unknown evaluation mode: {evaluation_mode!r}") from None


@dataclass(frozen=True)
class AgeCategoryRules:
    """Admission rules of an age category as data (003 §3.1, §3.3)."""

    code: str
    name: str
    grade_min: int
    grade_max: int
    participants_per_team: int
    relatives_per_team: int
    moscow_school_required: bool
    sibling_exception_grade_min: int | None = None
    sibling_exception_grade_max: int | None = None


#: The three age categories of «Мастерята» (003 §3.3).
MASTERYATA_AGE_CATEGORIES = (
    AgeCategoryRules("1-2", "1–2 класс", 1, 2, 2, 0, True),
    AgeCategoryRules("3-4", "3–4 класс", 3, 4, 2, 0, True, 1, 2),
    AgeCategoryRules("family", "Семья мастеров 5–8 класс", 5, 8, 1, 1, False),
)


#: Stage phases in their order; a stage moves one phase forward, or one back with a reason.
STAGE_PHASES = ("preparation", "registration", "competition", "assessment", "results", "closed")


def allowed_phase_moves(current: str) -> dict[str, bool]:
    """Phases a stage may move to from ``current``, each mapped to whether a reason is required."""
    index = STAGE_PHASES.index(current)
    moves: dict[str, bool] = {}
    if index + 1 < len(STAGE_PHASES):
        moves[STAGE_PHASES[index + 1]] = False
    if index > 0:
        moves[STAGE_PHASES[index - 1]] = True
    return moves


#: Championship statuses: draft → active → archived; archived may be reactivated with a reason.
CHAMPIONSHIP_TRANSITIONS: dict[str, dict[str, bool]] = {
    "draft": {"active": False},
    "active": {"archived": False, "draft": True},
    "archived": {"active": True},
}
