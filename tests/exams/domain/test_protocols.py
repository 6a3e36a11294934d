"""RM-1: the theory stage's results protocol and participant list (exams.domain.protocols)."""

from __future__ import annotations

import pytest

from profmaster.accounts.models import Role
from profmaster.core.errors import DomainError, TransitionError
from profmaster.exams import domain

from ...factories import PASSWORD, UserFactory, give_role
from ..factories import make_exam

pytestmark = pytest.mark.django_db


def test_rm1_results_protocol_is_a_signed_document(exam, examinee, chief_expert, expert):
    attempt, _token = domain.start_attempt(exam, examinee)
    with pytest.raises(TransitionError, match="все попытки"):
        domain.create_results_protocol(exam, by=chief_expert, signers=[(chief_expert, "Главный эксперт")])
    domain.finish_attempt(attempt, by=examinee)
    document = domain.create_results_protocol(exam, by=chief_expert,
                                              signers=[(chief_expert, "Главный эксперт"), (expert, "Эксперт")])
    rows = document.data["Результаты"]
    assert [(r["ФИО"], r["Баллы"], r["Итог"]) for r in rows] == [(examinee.full_name, "0,00", "не сдал")]
    assert document.doc_type == "remote_results"
    assert list(document.required_signers.values_list("role_label", flat=True)) == ["Главный эксперт", "Эксперт"]


def test_rm1_participant_list_is_a_signed_document(exam, examinee, chief_expert, expert):
    """The participant list of the theory stage: every examinee of the competency, admitted or not,
    started or not; the signers sign it with their password (DOC-2)."""
    from profmaster.documents.domain import sign_document

    late = UserFactory(last_name="Яковлева", first_name="Ольга")
    give_role(late, Role.PARTICIPANT, exam.championship)
    domain.start_attempt(exam, examinee)
    document = domain.create_participant_list(exam, by=chief_expert, signers=[(chief_expert, "Главный эксперт")])
    rows = document.data["Участники"]
    assert [(r["№"], r["ФИО"], r["Статус"], r["Допуск"]) for r in rows] == [
        (1, examinee.full_name, "Идёт", "не требуется"), (2, late.full_name, "не начинал(а)", "не требуется")]
    signature = sign_document(document, signer=chief_expert, password=PASSWORD, by=chief_expert)
    assert signature.pk


def test_rm1_participant_list_refused_when_empty(championship, competency, chief_expert):
    from profmaster.accounts.models import RoleAssignment

    other = make_exam(championship, competency, chief_expert)
    RoleAssignment.objects.filter(role__in=["participant", "pupil"]).delete()
    with pytest.raises(DomainError, match="ни одного участника"):
        domain.create_participant_list(other, by=chief_expert, signers=[(chief_expert, "Главный эксперт")])

