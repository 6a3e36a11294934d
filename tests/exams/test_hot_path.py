"""RM-1 performance without losing correctness: the autosave is three statements (lock, upsert, event),
the start draws from a cached question pool that follows every edit of the bank."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from profmaster.exams import domain
from profmaster.exams.models import Answer, AttemptEvent, Question

from ..api.conftest import ApiClient
from ..factories import UserFactory, give_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_rm1_autosave_is_three_statements(exam, examinee, django_assert_max_num_queries):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="essay")
    # SAVEPOINT/RELEASE (the test's transaction) + the locking read + the upsert + the event
    with django_assert_max_num_queries(5):
        ack = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="а", seq=1, token=token)
    with django_assert_max_num_queries(5):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="б", seq=2, token=token)
    assert ack.replay is False
    assert list(Answer.objects.values_list("response", "seq")) == [("б", 2)]


def test_rm1_upsert_keeps_the_newest_seq_and_logs_replays(exam, examinee):
    """Saves arriving out of order (a retried old request after a newer one) never overwrite the newer."""
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="essay")
    save = lambda text, seq: domain.save_answer(attempt.pk, examinee, question_id=question.pk,  # noqa: E731
                                                response=text, seq=seq, token=token)
    first = save("три", 3)
    older = save("один", 1)
    same = save("три-бис", 3)
    newer = save("четыре", 4)
    assert [(a.seq, a.replay) for a in (first, older, same, newer)] == [(3, False), (3, True), (3, True), (4, False)]
    assert (older.saved_at, same.saved_at) == (first.saved_at, first.saved_at)
    assert list(Answer.objects.values_list("response", "seq")) == [("четыре", 4)]
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == ["start", "save", "replay", "replay", "save"]


def test_rm1_cached_pool_follows_edits_and_archiving(exam, examinee, chief_expert, championship):
    api = ApiClient(examinee)
    first = api.post(f"/exams/{exam.pk}/attempts", {}).json()
    texts = {item["question_id"]: item["text"] for item in first["paper"]}
    single = Question.objects.get(bank=exam.bank, kind="single")
    assert texts[single.pk] == "При какой температуре темперируют шоколад?"
    single.text = "Исправленный текст"
    domain.save_question(single, options=[domain.OptionData(o.text, o.fraction) for o in single.options.all()],
                         by=chief_expert)
    essay = Question.objects.get(bank=exam.bank, kind="essay")
    Question.objects.filter(pk=essay.pk).update(is_archived=True)  # even without touching updated_at
    other = UserFactory()
    give_role(other, "participant", championship)
    second = ApiClient(other).post(f"/exams/{exam.pk}/attempts", {}).json()
    texts = {item["question_id"]: item["text"] for item in second["paper"]}
    assert texts[single.pk] == "Исправленный текст"
    assert essay.pk not in texts
    assert len(second["paper"]) == len(first["paper"]) - 1
    # the first examinee resumes with the paper they drew, the archived question's text still shown
    from profmaster.exams.api import _attempt_out
    from profmaster.exams.models import Attempt

    resumed = _attempt_out(Attempt.objects.get(pk=first["id"]), with_paper=True)
    texts = {item["question_id"]: item["text"] for item in resumed["paper"]}
    assert (len(texts), texts[essay.pk]) == (len(first["paper"]), essay.text)


def test_rm1_save_refusals_keep_their_answers(exam, examinee, expert):
    """The lean save route still answers 404 to a stranger and 403 to the panel, and writes nothing."""
    body = ApiClient(examinee).post(f"/exams/{exam.pk}/attempts", {}).json()
    question = Question.objects.get(bank=exam.bank, kind="essay")
    payload = {"question_id": question.pk, "response": "x", "seq": 1, "token": body["token"]}
    assert ApiClient(UserFactory()).post(f"/attempts/{body['id']}/answers", payload).status_code == 404
    assert ApiClient(expert).post(f"/attempts/{body['id']}/answers", payload).status_code == 403
    assert ApiClient(examinee).post("/attempts/987654/answers", payload).status_code == 404
    assert not Answer.objects.exists()
