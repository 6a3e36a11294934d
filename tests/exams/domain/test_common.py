"""RM-1: what every part of the exam domain shares — the attempt's refusals and the token comparison
(exams.domain.common)."""

from __future__ import annotations

from profmaster.core.errors import AccessDenied, TransitionError
from profmaster.exams import domain
from profmaster.exams.domain import common


def test_rm1_refusals_carry_their_codes_for_every_channel():
    locked, closed = domain.AttemptLocked(), domain.AttemptClosed()
    assert isinstance(locked, AccessDenied) and locked.code == "locked"
    assert isinstance(closed, TransitionError) and closed.code == "closed"
    assert "проктору" in locked.message
    assert closed.message == ("Время экзамена истекло: ответы больше не принимаются. Сохранённые ответы учтены.")
    assert domain.AttemptClosed("Попытка завершена.").message == "Попытка завершена."


def test_rm1_an_empty_token_never_matches():
    """RM-1, item 3: a freed attempt (empty token) is not held by a browser sending no token."""
    assert common._same("abc", "abc")
    assert not common._same("abc", "abd")
    assert not common._same("", "")
    assert not common._same("", None)
    assert not common._same("abc", None)


def test_rm1_the_package_reexports_what_the_interfaces_use():
    """The split keeps ``profmaster.exams.domain`` the one name views, API, jobs and tests import."""
    from profmaster.exams.domain import attempts, autosave, banks, grading, papers

    assert domain.start_attempt is attempts.start_attempt
    assert domain.save_answer is autosave.save_answer
    assert domain.finish_attempt is grading.finish_attempt
    assert domain.exam_pool is papers.exam_pool
    assert domain.OptionData is banks.OptionData
    assert set(domain.__all__) <= set(dir(domain))
