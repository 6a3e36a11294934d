"""RM-1: question banks — a question's checks and saving with its options (exams.domain.banks)."""

from __future__ import annotations

import pytest

from profmaster.core.errors import DomainError
from profmaster.exams import domain
from profmaster.exams.models import Question

pytestmark = pytest.mark.django_db


def test_rm1_question_without_right_answer_refused(exam, chief_expert):
    question = Question(bank=exam.bank, category=exam.bank.categories.get(), kind="single", name="Б", text="?")
    with pytest.raises(DomainError, match="полный балл"):
        domain.save_question(question, options=[domain.OptionData("a"), domain.OptionData("b")], by=chief_expert)


def test_rm1_answered_question_keeps_its_option_ids(exam, examinee, chief_expert):
    """RM-1: editing an answered question keeps its options' ids (saved answers stay valid); changing their
    number is refused."""
    question = Question.objects.get(bank=exam.bank, kind="single")
    ids = list(question.options.order_by("order").values_list("pk", flat=True))
    attempt, token = domain.start_attempt(exam, examinee)
    domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=str(ids[0]), seq=1, token=token)
    options = [domain.OptionData(o.text + " (исправлено)", o.fraction) for o in question.options.order_by("order")]
    domain.save_question(question, options=options, by=chief_expert)
    assert list(question.options.order_by("order").values_list("pk", flat=True)) == ids
    with pytest.raises(DomainError) as caught:
        domain.save_question(question, options=options[:2], by=chief_expert)
    assert caught.value.field == "options"
    assert question.options.count() == len(ids)


def test_rm1_key_of_a_stored_question(exam):
    question = Question.objects.get(bank=exam.bank, kind="single")
    key = domain.key_for(question)
    assert key.kind.value == "single"
    assert key.points == question.points
    assert [o.id for o in key.options] == [str(pk) for pk in question.options.order_by("order", "pk")
                                           .values_list("pk", flat=True)]
