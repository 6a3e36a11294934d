"""Concurrent mark writers (SPEC SC-2, X-2): two connections saving the same aspect at once never give
two current marks, and the ledger chain stays gapless. PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from profmaster.accounts.models import Role
from profmaster.marking import domain, marks
from profmaster.marking.models import Aspect, Criterion, Mark, MarkEntry, MarkingScheme, SubCriterion

from ..factories import CompetencyFactory, StageFactory, UserFactory, give_role
from .conftest import make_team

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel connections")


def run_parallel(count, work):
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _setup(remote: bool):
    competency = CompetencyFactory(mark_entry_mode="remote" if remote else "in_person")
    chief = UserFactory()
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    experts = [UserFactory() for _ in range(2)]
    for expert in experts:
        give_role(expert, Role.EXPERT, competency.championship, competency)
    scheme = domain.save_scheme_part(MarkingScheme(competency=competency, title="Схема",
                                                   stage=StageFactory(championship=competency.championship)),
                                     by=chief)
    section = competency.skill_sections.create(number=1, title="Раздел")
    for letter in "ABC":
        criterion = domain.save_scheme_part(Criterion(scheme=scheme, code=letter, title=letter), by=chief,
                                            m2m={"skill_sections": [section]})
        sub = domain.save_scheme_part(SubCriterion(criterion=criterion, code=f"{letter}1", title="С"), by=chief)
        domain.save_scheme_part(Aspect(sub_criterion=sub, code=f"{letter}1.1", kind="judgement", description="А",
                                       max_points=Decimal("2"), descriptors=["0", "1", "2", "3"]), by=chief)
    domain.lock_scheme(scheme, by=chief)
    scheme.refresh_from_db()
    return scheme, chief, experts, make_team(competency)


@pytest.mark.django_db(transaction=True)
def test_x2_two_connections_saving_the_same_mark_give_one_current_mark():
    scheme, chief, (e1, _e2), team = _setup(remote=False)
    aspect = Aspect.objects.get(code="A1.1", sub_criterion__criterion__scheme=scheme)
    results = run_parallel(4, lambda i: marks.save_mark(scheme, aspect.pk, team.pk, i % 4, expert=e1, by=chief))
    assert all(isinstance(r, Mark) for r in results), results
    assert Mark.objects.filter(aspect=aspect, team=team, expert=e1).count() == 1
    assert marks.verify(scheme) == []


@pytest.mark.django_db(transaction=True)
def test_x2_two_experts_saving_the_same_aspect_at_once_remote():
    scheme, _chief, experts, team = _setup(remote=True)
    aspect = Aspect.objects.get(code="A1.1", sub_criterion__criterion__scheme=scheme)
    results = run_parallel(6, lambda i: marks.save_mark(scheme, aspect.pk, team.pk, i % 4,
                                                        expert=experts[i % 2], by=experts[i % 2]))
    assert all(isinstance(r, Mark) for r in results), results
    assert sorted(Mark.objects.filter(aspect=aspect, team=team).values_list("expert_id", flat=True)) == sorted(
        e.pk for e in experts)
    seqs = list(MarkEntry.objects.filter(scheme=scheme).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert marks.verify(scheme) == []
