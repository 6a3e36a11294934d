"""MS-1…MS-3: a scheme is refused with the exact reason and place (pure module)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from profmaster.marking.scheme_rules import (
    AspectDraft,
    CriterionDraft,
    Problem,
    SchemeLimits,
    SubCriterionDraft,
    validate_scheme,
)

DESCRIPTORS = ("Не выполнено", "Частично", "Хорошо", "Отлично")


def judgement(code: str, points: str = "2") -> AspectDraft:
    return AspectDraft(code, "judgement", Decimal(points), descriptors=DESCRIPTORS)


def criterion(code: str, *aspects: AspectDraft, sections: tuple[int, ...] = (1,)) -> CriterionDraft:
    return CriterionDraft(code, f"Критерий {code}", [SubCriterionDraft(f"{code}1", "Суб", list(aspects))],
                          skill_sections=sections)


def valid_scheme() -> list[CriterionDraft]:
    return [criterion(c, judgement(f"{c}1.1")) for c in "ABC"]


def test_ms1_a_valid_scheme_has_no_problems():
    assert validate_scheme(valid_scheme(), require_skill_sections=True) == []


@pytest.mark.parametrize(("count", "ok"), [(2, False), (3, True), (9, True), (10, False)])
def test_ms1_three_to_nine_criteria(count, ok):
    scheme = [criterion(f"K{i}", judgement(f"K{i}1.1", "1")) for i in range(count)]
    problems = validate_scheme(scheme)
    assert (problems == []) is ok
    if not ok:
        assert problems == [Problem("", f"В схеме {count} критериев, а должно быть от 3 до 9.")]


def test_ms1_empty_criterion_and_sub_criterion_are_named():
    scheme = valid_scheme() + [CriterionDraft("D", "Пустой"),
                               CriterionDraft("E", "С пустым", [SubCriterionDraft("E1", "Пусто")])]
    assert validate_scheme(scheme) == [
        Problem("Критерий D", "В критерии нет ни одного субкритерия."),
        Problem("Критерий E / E1", "В субкритерии нет ни одного аспекта."),
    ]


@pytest.mark.parametrize(("points", "ok"), [("2.00", True), ("2.01", False), ("0", False), ("0.005", False)])
def test_ms1_an_aspect_weighs_at_most_two_points(points, ok):
    scheme = valid_scheme()
    scheme[0] = criterion("A", judgement("A1.1", points))
    assert (validate_scheme(scheme) == []) is ok


def test_ms1_total_over_100_is_refused():
    scheme = [criterion(c, *[judgement(f"{c}1.{i}") for i in range(1, 18)]) for c in "ABC"]  # 3 × 17 × 2 = 102
    assert validate_scheme(scheme)[-1] == Problem("", "Сумма баллов схемы 102 больше 100.00.")


def test_ms1_limits_are_championship_data():
    limits = SchemeLimits(min_criteria=1, max_criteria=2, max_aspect_points=Decimal("5"), max_total_points=Decimal(10))
    assert validate_scheme([criterion("A", judgement("A1.1", "5"))], limits) == []


def test_ms2_judgement_needs_meaning_of_each_mark_and_discrete_needs_levels():
    scheme = valid_scheme()
    scheme[0] = criterion("A", AspectDraft("A1.1", "judgement", Decimal(1), descriptors=("", "", "", "")),
                          AspectDraft("A1.2", "discrete", Decimal(1), levels=[("нет", Decimal(0)),
                                                                                ("да", Decimal("1.5"))]),
                          AspectDraft("A1.3", "discrete", Decimal(1), levels=[("один", Decimal(1))]))
    places = [(p.place, p.message) for p in validate_scheme(scheme)]
    assert places == [
        ("Критерий A / A1 / аспект A1.1", "Для судейского аспекта опишите, что означает каждая оценка 0, 1, 2 и 3."),
        ("Критерий A / A1 / аспект A1.2", "Уровень «да» даёт 1.5 баллов: допустимо от 0 до 1."),
        ("Критерий A / A1 / аспект A1.3", "Для дискретного аспекта задайте не меньше двух уровней."),
    ]


def test_ms3_criteria_map_to_skill_sections_and_codes_are_unique():
    scheme = valid_scheme()
    scheme[1] = criterion("A", judgement("A1.1"), sections=())
    messages = [p.message for p in validate_scheme(scheme, require_skill_sections=True)]
    assert "Код A уже использован в схеме." in messages
    assert "Критерий не связан ни с одним разделом спецификации навыков." in messages
