"""AP-1, AP-3: the vote arithmetic of the panel (majority of all its experts) and of the appeal commission
(more votes wins; the chair's additional vote breaks a tie), as a table."""

import pytest

from profmaster.core.votes import Choice, Outcome, commission_outcome, majority_of, panel_outcome

F, A, X = Choice.FOR, Choice.AGAINST, Choice.ABSTAIN


@pytest.mark.parametrize(("size", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4)])
def test_ap1_majority_is_half_plus_one(size, needed):
    assert majority_of(size) == needed


@pytest.mark.parametrize(
    ("votes", "panel", "outcome"),
    [
        ([F, F, F], 5, Outcome.ADOPTED),  # 3 of 5
        ([F, F, A, A], 5, Outcome.NO_MAJORITY),  # nobody has 3
        ([F, F, X, X, X], 5, Outcome.NO_MAJORITY),  # abstentions do not help
        ([A, A, A, F], 5, Outcome.REJECTED),
        ([F, F], 4, Outcome.NO_MAJORITY),  # half is not a majority
        ([F, F, F], 4, Outcome.ADOPTED),
        ([F, F], 3, Outcome.ADOPTED),
        ([], 3, Outcome.NO_MAJORITY),
        ([F], 1, Outcome.ADOPTED),
    ],
)
def test_ap1_panel_needs_majority_of_all_experts(votes, panel, outcome):
    tally = panel_outcome(votes, panel)
    assert tally.outcome is outcome
    assert tally.not_voted == panel - len(votes)
    assert tally.decided is (outcome in (Outcome.ADOPTED, Outcome.REJECTED))


@pytest.mark.parametrize(
    ("votes", "chair", "outcome", "by_chair"),
    [
        ([F, F, F, A, A], None, Outcome.ADOPTED, False),
        ([F, F, A, A, A], None, Outcome.REJECTED, False),
        ([F, F, A, A, X], None, Outcome.NEEDS_CHAIR, False),  # a tie: the hearing cannot close yet
        ([F, F, A, A, X], F, Outcome.ADOPTED, True),
        ([F, F, A, A, X], A, Outcome.REJECTED, True),
        ([F, F, A, A, X], X, Outcome.NEEDS_CHAIR, False),  # an abstaining extra vote breaks nothing
        ([F, F, F, A, A], A, Outcome.ADOPTED, False),  # no tie: the extra vote is not counted
        ([X, X, X, X, X], F, Outcome.ADOPTED, True),
    ],
)
def test_ap3_commission_chair_breaks_tie(votes, chair, outcome, by_chair):
    tally = commission_outcome(votes, 5, chair)
    assert tally.outcome is outcome
    assert tally.by_chair is by_chair


def test_ap1_more_votes_than_members_is_refused():
    with pytest.raises(ValueError):
        panel_outcome([F, F, F], 2)
    with pytest.raises(ValueError):
        commission_outcome([F] * 6, 5)
    with pytest.raises(ValueError):
        majority_of(0)
