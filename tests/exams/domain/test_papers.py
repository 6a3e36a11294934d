"""RM-1: the exam's question pool and the paper drawn from it (exams.domain.papers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.cache import cache

from profmaster.audit.models import AuditEntry
from profmaster.exams import domain
from profmaster.exams.models import Attempt, AttemptEvent, Question
from profmaster.exams.paper import Section, build_paper

from ...api.conftest import ApiClient
from ...factories import UserFactory, give_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_rm1_start_builds_a_reproducible_paper(exam, examinee):
    attempt, _token = domain.start_attempt(exam, examinee)
    assert (attempt.status, attempt.number, len(attempt.paper)) == ("in_progress", 1, 8)
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=60)
    assert attempt.accept_until == attempt.deadline + dt.timedelta(seconds=30)
    assert attempt.max_score == D("15.00")
    again = domain._build_paper(exam, attempt.seed)
    assert again == attempt.paper
    pool = {exam.bank.categories.get().pk: list(Question.objects.filter(bank=exam.bank).values_list("pk", flat=True))}
    assert [i["question"] for i in attempt.paper] == [
        p.question for p in build_paper(seed=attempt.seed, sections=[Section(*pool.keys(), 0)], pool=pool, options={},
                                        shuffle_questions=True, shuffle_options=False)]
    assert list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True)) == ["start"]
    assert AuditEntry.objects.filter(object_type="exams.Attempt", action="create").count() == 1


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

    resumed = _attempt_out(Attempt.objects.get(pk=first["id"]), with_paper=True)
    texts = {item["question_id"]: item["text"] for item in resumed["paper"]}
    assert (len(texts), texts[essay.pk]) == (len(first["paper"]), essay.text)

