"""Concurrent writers (SPEC DOC-2): numbering and signing hold under parallel requests.

Real parallel transactions need separate connections to a server database, so these run on
PostgreSQL only (SQLite serialises writers anyway: the settings open transactions IMMEDIATE).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from profmaster.accounts.models import Role
from profmaster.core.errors import TransitionError
from profmaster.documents.domain import create_document, sign_document
from profmaster.documents.models import Document, DocumentType, Signature

from ..factories import PASSWORD, ChampionshipFactory, UserFactory, give_role

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel connections")


def run_parallel(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
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


@pytest.mark.django_db(transaction=True)
def test_doc2_parallel_creation_numbers_without_gaps_or_duplicates():
    championship = ChampionshipFactory()
    user = UserFactory()
    give_role(user, Role.DIRECTORATE, championship)

    def create(index: int) -> int:
        return create_document(championship=championship, doc_type=DocumentType.OTHER, title=f"Протокол {index}",
                               data={"text": str(index)}, signers=[(user, "Дирекция")], by=user).number

    numbers = run_parallel(6, create)
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert Document.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_doc2_parallel_double_sign_gives_one_signature():
    championship = ChampionshipFactory()
    user = UserFactory()
    give_role(user, Role.DIRECTORATE, championship)
    document = create_document(championship=championship, doc_type=DocumentType.OTHER, title="Протокол",
                               data={"text": "Текст"}, signers=[(user, "Дирекция")], by=user)

    results = run_parallel(4, lambda _i: sign_document(document, signer=user, password=PASSWORD))
    signatures = [r for r in results if isinstance(r, Signature)]
    refusals = [r for r in results if isinstance(r, TransitionError)]
    assert (len(signatures), len(refusals)) == (1, 3)
    assert Signature.objects.filter(document=document, voided_at__isnull=True).count() == 1
