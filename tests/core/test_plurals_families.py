"""Issue 13 §3 (X-3): every message where a count meets a noun goes through ngettext — the panel warning,
the exam section and paper checks, the marking-scheme rules and the API's validation messages — and reads
right in Russian for 1, 2, 5 and 21 (see tests/russian_plurals.py for the catalogue)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils.translation import ngettext

from profmaster.api.messages import error_message
from profmaster.core.numbers import format_number
from profmaster.marking.scheme_rules import (
    AspectDraft,
    CriterionDraft,
    SchemeLimits,
    SubCriterionDraft,
    Wording,
    validate_scheme,
)

from ..russian_plurals import ALL, russian_forms

COUNTS = [1, 2, 5, 21]
WORDING = Wording(ngettext=ngettext, number=format_number)


def _criteria(count: int) -> list[CriterionDraft]:
    return [CriterionDraft(f"K{i}", "Критерий", [SubCriterionDraft(f"K{i}-s", "Суб", [
        AspectDraft(f"K{i}-a", "binary", Decimal("0.5"))])]) for i in range(count)]


@pytest.mark.parametrize(("n", "noun"), list(zip(COUNTS, ["критерий", "критерия", "критериев", "критерий"], strict=True)))
def test_x3_scheme_criteria_count(n, noun):
    limits = SchemeLimits(min_criteria=30, max_criteria=40, max_total_points=Decimal(1000))
    with russian_forms(ALL):
        problems = validate_scheme(_criteria(n), limits, wording=WORDING)
    assert [p.message for p in problems] == [f"В схеме {n} {noun}, а должно быть от 30 до 40."]


@pytest.mark.parametrize(("points", "expected"), [
    ("1", "Аспект весит 1 балл, больше допустимых 0,5."), ("2", "Аспект весит 2 балла, больше допустимых 0,5."),
    ("5", "Аспект весит 5 баллов, больше допустимых 0,5."), ("21", "Аспект весит 21 балл, больше допустимых 0,5."),
    ("1.5", "Аспект весит 1,5 балла, больше допустимых 0,5.")])
def test_x3_aspect_points_agree_and_use_the_decimal_comma(points, expected):
    limits = SchemeLimits(min_criteria=1, max_aspect_points=Decimal("0.5"), max_total_points=Decimal(1000))
    scheme = [CriterionDraft("A", "К", [SubCriterionDraft("A1", "С", [AspectDraft("A1.1", "binary", Decimal(points))])])]
    with russian_forms(ALL):
        assert [p.message for p in validate_scheme(scheme, limits, wording=WORDING)] == [expected]


@pytest.mark.parametrize(("points", "noun"), [("1", "балл"), ("2", "балла"), ("5", "баллов"), ("21", "балл"),
                                              ("0.25", "балла")])
def test_x3_level_points_agree(points, noun):
    limits = SchemeLimits(min_criteria=1, max_aspect_points=Decimal(100), max_total_points=Decimal(1000))
    aspect = AspectDraft("A1.1", "discrete", Decimal("0.1"), levels=[("нет", Decimal(0)), ("да", Decimal(points))])
    scheme = [CriterionDraft("A", "К", [SubCriterionDraft("A1", "С", [aspect])])]
    with russian_forms(ALL):
        messages = [p.message for p in validate_scheme(scheme, limits, wording=WORDING)]
    assert messages == [f"Уровень «да» даёт {format_number(Decimal(points)).replace('.', ',')} {noun}: "
                        f"допустимо от 0 до 0,1."]


@pytest.mark.parametrize(("n", "expected"), [
    (1, "не длиннее 1 символа"), (2, "не длиннее 2 символов"), (5, "не длиннее 5 символов"),
    (21, "не длиннее 21 символа")])
def test_x3_api_string_too_long(n, expected):
    with russian_forms(ALL):
        assert error_message({"type": "string_too_long", "ctx": {"max_length": n}}) == expected


@pytest.mark.parametrize(("kind", "key", "forms"), [
    ("decimal_max_digits", "max_digits", ["цифры", "цифр", "цифр", "цифры"]),
    ("decimal_max_places", "decimal_places", ["знака после запятой", "знаков после запятой", "знаков после запятой",
                                              "знака после запятой"]),
    ("too_long", "max_length", ["элемента", "элементов", "элементов", "элемента"]),
    ("string_too_short", "min_length", [None, "символов", "символов", "символа"]),
])
def test_x3_api_counted_messages(kind, key, forms):
    with russian_forms(ALL):
        for n, noun in zip(COUNTS, forms, strict=True):
            message = error_message({"type": kind, "ctx": {key: n}})
            if noun is None:  # min_length 1 reads «не может быть пустым»
                assert message == "не может быть пустым"
            else:
                assert message.endswith(f" {n} {noun}"), message


def test_x3_api_bounds_use_the_decimal_comma():
    with russian_forms(ALL):
        assert error_message({"type": "less_than_equal", "ctx": {"le": Decimal("2.50")}}) == "должно быть не больше 2,5"


@pytest.mark.django_db
@pytest.mark.parametrize(("n", "noun"), list(zip(COUNTS, ["эксперт", "эксперта", "экспертов", "эксперт"], strict=True)))
def test_x3_panel_warning_counts_experts(n, noun):
    from profmaster.accounts.models import Role
    from profmaster.marking import panel

    from ..factories import CompetencyFactory, UserFactory, give_role

    competency = CompetencyFactory(expert_count=30)
    for i in range(n):
        give_role(UserFactory(last_name=f"Эксперт{i}"), Role.EXPERT, competency.championship, competency)
    with russian_forms(ALL):
        warnings = panel.warnings(competency)
    assert warnings[0] == f"В жюри {n} {noun} из 30, положенных по п. 6.4 методики."


@pytest.mark.parametrize(("n", "noun"), list(zip(COUNTS, ["вопрос", "вопроса", "вопросов", "вопрос"], strict=True)))
def test_x3_exam_section_and_paper_messages(n, noun):
    with russian_forms(ALL):
        assert (ngettext("В категории только %(n)s вопрос.", "В категории только %(n)s вопросов.", n) % {"n": n}
                == f"В категории только {n} {noun}.")
        assert (ngettext("в категории «%(category)s» %(n)s вопрос, а нужно %(needed)s",
                         "в категории «%(category)s» %(n)s вопросов, а нужно %(needed)s", n)
                % {"category": "Раздел", "n": n, "needed": 30}) == f"в категории «Раздел» {n} {noun}, а нужно 30"
