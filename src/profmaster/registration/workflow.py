"""The states of an application and the allowed transitions (REG-1). Pure: no Django import.

draft → submitted → (returned ⇄ resubmitted) → approved | rejected; withdrawn by the applicant from any
state that is not final. Anything else is refused by the domain with a message, never done silently.
"""

from __future__ import annotations

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
RESUBMITTED = "resubmitted"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SUBMITTED, WITHDRAWN}),
    SUBMITTED: frozenset({RETURNED, APPROVED, REJECTED, WITHDRAWN}),
    RETURNED: frozenset({RESUBMITTED, WITHDRAWN}),
    RESUBMITTED: frozenset({RETURNED, APPROVED, REJECTED, WITHDRAWN}),
    APPROVED: frozenset({WITHDRAWN}),
    REJECTED: frozenset(),
    WITHDRAWN: frozenset(),
}

#: States in which the applicant edits the team (before the deadline, or after it when reopened).
EDITABLE = frozenset({DRAFT, RETURNED})
#: States awaiting the Directorate's decision.
AWAITING_REVIEW = frozenset({SUBMITTED, RESUBMITTED})
#: States that hold a place: other applications are checked against these (REG-9…REG-11).
LIVE = frozenset({SUBMITTED, RETURNED, RESUBMITTED, APPROVED})


def can_move(current: str, to: str) -> bool:
    return to in TRANSITIONS.get(current, frozenset())
