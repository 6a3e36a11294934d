"""MS-1…MS-5 through the domain functions: editing drafts, locking by protocol, unlocking by protocol."""

from __future__ import annotations

from decimal import Decimal

import pytest

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.domain import sign_document
from profmaster.marking import domain
from profmaster.marking.models import Aspect, Criterion, MarkingScheme
from profmaster.permissions import has_perm

from ..factories import PASSWORD, CompetencyFactory, StageFactory, UserFactory, give_role
from ..russian_plurals import CRITERIA, russian_forms

pytestmark = pytest.mark.django_db

DESCRIPTORS = ["Не выполнено", "Выполнено частично", "Выполнено хорошо", "Выполнено отлично"]


def test_ms1_valid_scheme_locks_by_the_criteria_lock_protocol(scheme, panel):
    chief, experts = panel
    assert domain.validate(scheme) == []
    document = domain.lock_scheme(scheme, by=chief)
    scheme.refresh_from_db()
    assert scheme.status == "locked" and scheme.lock_document == document
    assert document.doc_type == "criteria_lock"
    assert [s.user for s in document.required_signers.all()] == [chief, *experts]
    assert document.data["Аспекты схемы"][0] == {"Аспект": "A1.1", "Вид": "Судейская (0–3)", "Макс. балл": "2,00",
                                                 "Критерий": "A. Критерий A", "Субкритерий": "A1. Суб"}


def test_ms4_locked_scheme_cannot_change(scheme, panel):
    chief, _ = panel
    domain.lock_scheme(scheme, by=chief)
    aspect = Aspect.objects.get(code="A1.1")
    aspect.max_points = Decimal("1.00")
    with pytest.raises(TransitionError, match="заблокирована"):
        domain.save_scheme_part(aspect, by=chief)
    with pytest.raises(TransitionError, match="заблокирована"):
        domain.delete_scheme_part(Criterion.objects.get(code="C"), by=chief)
    assert Aspect.objects.get(code="A1.1").max_points == Decimal("2.00")
    with pytest.raises(TransitionError, match="уже заблокирована"):
        domain.lock_scheme(scheme, by=chief)


def test_ms4_unlock_needs_the_signed_unlock_protocol(scheme, panel):
    chief, experts = panel
    domain.lock_scheme(scheme, by=chief)
    with pytest.raises(TransitionError, match="только по протоколу"):
        domain.unlock_scheme(scheme, by=chief)
    with pytest.raises(DomainError, match="Укажите"):
        domain.request_unlock(scheme, by=chief, reason=" ")
    protocol = domain.request_unlock(scheme, by=chief, reason="Опечатка в аспекте A1.1")
    assert protocol.doc_type == "unlock"
    for signer in [chief, experts[0]]:
        sign_document(protocol, signer=signer, password=PASSWORD)
    with pytest.raises(TransitionError, match="подписанному всеми"):
        domain.unlock_scheme(scheme, by=chief)
    sign_document(protocol, signer=experts[1], password=PASSWORD)
    domain.unlock_scheme(scheme, by=chief)
    scheme.refresh_from_db()
    assert (scheme.status, scheme.version, scheme.lock_document) == ("draft", 2, None)
    assert AuditEntry.objects.filter(object_type="marking.MarkingScheme", action="transition").count() == 2


def test_ms1_invalid_scheme_is_refused_with_reasons(competency, panel):
    chief, _ = panel
    scheme = MarkingScheme(competency=competency, stage=StageFactory(championship=competency.championship),
                           title="Неполная")
    domain.save_scheme_part(scheme, by=chief)
    domain.save_scheme_part(Criterion(scheme=scheme, code="A", title="Пустой"), by=chief)
    with pytest.raises(DomainError) as info:
        domain.lock_scheme(scheme, by=chief)
    assert "В схеме 1 критерий, а должно быть от 3 до 9." in info.value.message
    assert "Критерий A: В критерии нет ни одного субкритерия." in info.value.message
    assert MarkingScheme.objects.get(pk=scheme.pk).status == "draft"


def test_ms1_limits_come_from_the_championship(scheme, competency):
    rules = domain.rules_for(competency.championship)
    rules.min_criteria, rules.max_criteria = 4, 5
    rules.save()
    with russian_forms(CRITERIA):
        assert [p.message for p in domain.validate(scheme)] == ["В схеме 3 критерия, а должно быть от 4 до 5."]


def test_ms3_criterion_cannot_map_to_another_competencys_sections(scheme, competency, panel):
    chief, _ = panel
    other = CompetencyFactory(championship=competency.championship)
    foreign = other.skill_sections.create(number=1, title="Чужой раздел")
    with pytest.raises(DomainError, match="другой компетенции"):
        domain.save_scheme_part(Criterion(scheme=scheme, code="D", title="D"), by=chief,
                                m2m={"skill_sections": [foreign]})


def test_scheme_permissions_follow_the_competency(scheme, competency, panel):
    chief, experts = panel
    other = CompetencyFactory(championship=competency.championship)
    other_chief = UserFactory()
    give_role(other_chief, Role.CHIEF_EXPERT, competency.championship, other)
    assert has_perm(chief, "marking.manage_scheme", scheme)
    assert has_perm(experts[0], "marking.view_scheme", scheme)
    assert not has_perm(experts[0], "marking.manage_scheme", scheme)
    assert not has_perm(other_chief, "marking.view_scheme", scheme)
