"""X-5 performance: :func:`profmaster.core.postgres.fetch_by_pk` reads a row (and its joined forward relations) as the
ORM does — the same field values after the ORM's converters — through one prepared statement on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from profmaster.core.postgres import fetch_by_pk
from profmaster.exams.models import Exam

from ..exams.factories import make_exam

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def _values(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


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
