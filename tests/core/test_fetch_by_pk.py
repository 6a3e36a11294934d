"""X-5 performance: :func:`profmaster.core.postgres.fetch_by_pk` reads a row (and its joined forward relations) as the
ORM does — the same field values after the ORM's converters — through one prepared statement on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from profmaster.core.postgres import fetch_by_pk
from profmaster.exams.models import Exam

from ..exams.factories import make_exam

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def _values(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@postgresql_only
def test_x5_fetch_by_pk_reads_what_the_orm_reads(championship, competency, chief_expert, django_assert_num_queries):
    exam = make_exam(championship, competency, chief_expert)
    Exam.objects.filter(pk=exam.pk).update(allowed_networks="10.0.0.0/8\n192.168.1.0/24")
    orm = Exam.objects.select_related("championship").get(pk=exam.pk)
    with django_assert_num_queries(1):
        fetched = fetch_by_pk(Exam, exam.pk, related=("championship",))
        assert fetched.championship.time_zone == orm.championship.time_zone  # joined: no second read
    assert _values(fetched) == _values(orm)
    assert _values(fetched.championship) == _values(orm.championship)
    assert not fetched._state.adding and fetched._state.db == "default"
    assert fetch_by_pk(Exam, 987654321, related=("championship",)) is None
    # A nullable relation that is empty is None, not an instance of Nones.
    assert fetch_by_pk(Exam, exam.pk, related=("stage",)).stage is None


def test_x5_fetch_by_pk_follows_paths_as_select_related_does(championship, competency, chief_expert,
                                                          django_assert_num_queries):
    """Paths of two steps (the bank's championship) and a step from an empty relation (the stage's championship,
    no stage) — on PostgreSQL one prepared statement, elsewhere the ORM's query: the same instances either way."""
    exam = make_exam(championship, competency, chief_expert)
    paths = ("bank__championship", "championship", "bank__competency", "stage__championship")
    orm = Exam.objects.select_related(*paths).get(pk=exam.pk)
    with django_assert_num_queries(1):
        fetched = fetch_by_pk(Exam, exam.pk, related=paths)
        assert _values(fetched.bank) == _values(orm.bank)
        assert _values(fetched.bank.championship) == _values(orm.bank.championship)
        assert (fetched.bank.competency is None) == (orm.bank.competency is None)
        assert fetched.stage is None
        assert _values(fetched.championship) == _values(orm.championship)
    assert _values(fetched) == _values(orm)
    assert fetch_by_pk(Exam, 987654321, related=paths) is None
