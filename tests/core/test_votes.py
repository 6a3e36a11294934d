"""AP-1, AP-3: the vote arithmetic of the panel (majority of all its experts) and of the appeal commission
(more votes wins; the chair's additional vote breaks a tie), as a table."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
        ([F, F, X, X, X], None, Outcome.ADOPTED, False),  # more votes cast wins: no 50 % + 1 of all members
        ([A, X, X, X, X], None, Outcome.REJECTED, False),
    ],
)
def test_ap3_commission_chair_breaks_tie(votes, chair, outcome, by_chair):
    """003 §8.10: one vote each, the side with more votes wins, the chair's additional vote breaks a tie; unlike
    the panel (003 §7.2) the methodology sets no majority of all members for the commission."""
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


votes_and_size = st.integers(min_value=1, max_value=15).flatmap(
    lambda size: st.tuples(st.lists(st.sampled_from(list(Choice)), max_size=size), st.just(size)))


@given(votes_and_size)
def test_ap1_property_a_decision_always_has_a_majority_of_all_experts(case):
    votes, size = case
    tally = panel_outcome(votes, size)
    assert tally.votes_for + tally.votes_against + tally.abstentions + tally.not_voted == size
    if tally.outcome is Outcome.ADOPTED:
        assert tally.votes_for * 2 > size
    elif tally.outcome is Outcome.REJECTED:
        assert tally.votes_against * 2 > size
    else:
        assert tally.votes_for * 2 <= size and tally.votes_against * 2 <= size
    # both sides can never have a majority at once, and adding a vote "for" never undoes an adoption
    if tally.outcome is Outcome.ADOPTED and tally.not_voted:
        assert panel_outcome([*votes, Choice.FOR], size).outcome is Outcome.ADOPTED


@given(votes_and_size, st.sampled_from([Choice.FOR, Choice.AGAINST]))
def test_ap3_property_with_the_chairs_vote_a_hearing_always_decides(case, chair):
    votes, size = case
    tally = commission_outcome(votes, size, chair)
    assert tally.decided
    assert tally.by_chair is (tally.votes_for == tally.votes_against)
    if not tally.by_chair:
        assert (tally.outcome is Outcome.ADOPTED) is (tally.votes_for > tally.votes_against)
