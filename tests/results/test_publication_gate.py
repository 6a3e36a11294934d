"""SC-7, DOC-2, issue 13 §3: results are published only when the criteria-lock protocol and the marks-lock
acceptance form of every published scheme are signed by all their signers; the refusal names what is missing."""

from __future__ import annotations

import pytest

from profmaster.core.errors import TransitionError
from profmaster.results import domain
from profmaster.results.models import ResultsVersion

from ..factories import UserFactory


def _four_signers():
    return [UserFactory(last_name=name, first_name="Анна", patronymic="") for name in
            ("Первова", "Второва", "Третьева", "Четвертова")]


def test_sc7_doc2_publication_refused_with_one_of_four_marks_signatures_and_no_criteria_signature(
        results, directorate_user):
    a, b = results.team(), results.team()
    signers = _four_signers()
    scheme = results.lock_protocols(results.final, criteria_signed=0, marks_signed=1, signers=signers)
    results.lock(results.final, [(a, "90"), (b, "80")], signed=False)
    with pytest.raises(TransitionError) as caught:
        domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    message = caught.value.message
    criteria, marks = scheme.lock_document, scheme.marking.lock_document
    assert message == (
        f"«{results.competency.name}»: итоги нельзя опубликовать, пока не подписаны протоколы блокировки: "
        f"схема «{scheme.title}»: протокол блокировки критериев № {criteria.number} — подписали 0 из 4 "
        "(не подписали: Первова Анна, Второва Анна, Третьева Анна, Четвертова Анна); "
        f"схема «{scheme.title}»: форма принятия блокировки оценок № {marks.number} — подписали 1 из 4 "
        "(не подписали: Второва Анна, Третьева Анна, Четвертова Анна).")
    assert not ResultsVersion.objects.exists()
    # the whole-championship publication is refused the same way
    with pytest.raises(TransitionError):
        domain.publish_results(results.championship, by=directorate_user)


def test_sc7_publication_refused_without_a_lock_protocol_then_allowed_when_all_signed(results, directorate_user):
    a = results.team()
    results.lock(results.final, [(a, "90")], signed=False)
    with pytest.raises(TransitionError) as caught:
        domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    assert "протокол блокировки критериев не сформирован" in caught.value.message
    assert "форма принятия блокировки оценок не сформирован" in caught.value.message
    results.lock_protocols(results.final)
    version = domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    assert version.number == 1


def test_sc7_a_signature_for_older_content_does_not_count(results, directorate_user):
    a = results.team()
    scheme = results.lock_protocols(results.final)
    results.lock(results.final, [(a, "90")])
    form = scheme.marking.lock_document
    form.content_hash = "f" * 64  # the content changed after signing: the signatures are for the old hash
    form.save(update_fields=["content_hash"])
    with pytest.raises(TransitionError) as caught:
        domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    assert f"форма принятия блокировки оценок № {form.number} — подписали 0 из 4" in caught.value.message
