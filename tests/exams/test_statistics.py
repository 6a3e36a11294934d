"""RM-1: item statistics — facility, discrimination and the per-question distribution, as a table."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from profmaster.exams.statistics import item_statistics

ONE = D(1)


def test_rm1_item_statistics_table():
    # question 1 separates strong from weak examinees, question 2 everybody gets, question 3 is partial
    attempts = [
        {1: (ONE, ONE), 2: (ONE, ONE), 3: (D("0.5"), ONE), 4: (D(2), D(2))},
        {1: (ONE, ONE), 2: (ONE, ONE), 3: (D("0.25"), ONE), 4: (D(2), D(2))},
        {1: (D(0), ONE), 2: (ONE, ONE), 3: (D("0.75"), ONE), 4: (D(0), D(2))},
        {1: (D(0), ONE), 2: (ONE, ONE), 3: (ONE, ONE), 4: (D(0), D(2))},
    ]
    stats = {s.question: s for s in item_statistics(attempts)}
    assert (stats[1].attempts, stats[1].facility, stats[1].distribution) == (4, D("0.5"), (2, 0, 0, 2))
    assert stats[1].discrimination > D("0.9")
    assert (stats[2].facility, stats[2].discrimination, stats[2].distribution) == (D(1), None, (0, 0, 0, 4))
    assert (stats[3].facility, stats[3].distribution) == (D("0.625"), (0, 1, 2, 1))
    assert stats[3].discrimination < 0


@pytest.mark.parametrize("attempts", [[], [{1: (ONE, ONE)}], [{1: (D(0), D(0))}, {1: (D(0), D(0))}]])
def test_rm1_item_statistics_undefined_cases(attempts):
    stats = item_statistics(attempts)
    assert all(s.discrimination is None for s in stats)
    assert [s.question for s in stats] == ([1] if attempts and attempts[0][1][1] > 0 else [])
