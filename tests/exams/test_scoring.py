"""RM-1: automatic scoring of every question kind, in Decimal, with partial credit and bad responses."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.exams.scoring import (
    BadResponse,
    Key,
    Kind,
    MultipleRule,
    Option,
    OrderingRule,
    Result,
    clean_response,
    normalise_text,
    parse_number,
    score,
)

SINGLE = Key(Kind.SINGLE, D(2), (Option("a", "Верно", D(1)), Option("b", "Почти", D("0.5")),
                                  Option("c", "Неверно", D(0)), Option("d", "Вредно", D(-1))))
MULTI = (Option("a", fraction=D("0.5")), Option("b", fraction=D("0.5")), Option("c", fraction=D(-1)),
         Option("d", fraction=D(0)))
SHORT = Key(Kind.SHORT, D(1), (Option("1", "Ёлочная игрушка", D(1)), Option("2", "игрушка", D("0.5"))))
NUMERIC = Key(Kind.NUMERIC, D(3), (Option("1", fraction=D(1), value=D("3.14"), tolerance=D("0.01")),
                                    Option("2", fraction=D("0.5"), value=D(3), tolerance=D("0.5"))))
MATCHING = Key(Kind.MATCHING, D(3), (Option("1", "Мука", match="сыпучее"), Option("2", "Молоко", match="жидкое"),
                                      Option("3", "Масло", match="твёрдое")), distractors=("газ",))
ORDER = (Option("1"), Option("2"), Option("3"), Option("4"))
QUESTIONNAIRE = Key(Kind.QUESTIONNAIRE, D(1), (Option("1", scales={"интерес": D(2), "опыт": D(1)}),
                                               Option("2", scales={"интерес": D(0)})))
ESSAY = Key(Kind.ESSAY, D(5))

TABLE = [
    ("single right", SINGLE, "a", D("2.00")),
    ("single half", SINGLE, "b", D("1.00")),
    ("single wrong", SINGLE, "c", D("0.00")),
    ("single penalty clamps at zero", SINGLE, "d", D("0.00")),
    ("single unanswered", SINGLE, None, D(0)),
    ("multiple sum: both right", Key(Kind.MULTIPLE, D(2), MULTI), ["a", "b"], D("2.00")),
    ("multiple sum: one right", Key(Kind.MULTIPLE, D(2), MULTI), ["a"], D("1.00")),
    ("multiple sum: right + penalty", Key(Kind.MULTIPLE, D(2), MULTI), ["a", "b", "c"], D("0.00")),
    ("multiple sum: neutral wrong", Key(Kind.MULTIPLE, D(2), MULTI), ["a", "d"], D("1.00")),
    ("multiple all-or-nothing exact", Key(Kind.MULTIPLE, D(2), MULTI, MultipleRule.ALL_OR_NOTHING), ["b", "a"],
     D("2.00")),
    ("multiple all-or-nothing extra", Key(Kind.MULTIPLE, D(2), MULTI, MultipleRule.ALL_OR_NOTHING),
     ["a", "b", "d"], D("0.00")),
    ("multiple right-minus-wrong", Key(Kind.MULTIPLE, D(3), MULTI, MultipleRule.RIGHT_MINUS_WRONG),
     ["a", "b", "d"], D("1.50")),
    ("multiple right-minus-wrong one each", Key(Kind.MULTIPLE, D(4), MULTI, MultipleRule.RIGHT_MINUS_WRONG),
     ["a", "c"], D("0.00")),
    ("short exact", SHORT, "Ёлочная игрушка", D("1.00")),
    ("short normalised: case, ё, spaces", SHORT, "  елочная   ИГРУШКА ", D("1.00")),
    ("short alternative", SHORT, "Игрушка", D("0.50")),
    ("short wrong", SHORT, "шар", D("0.00")),
    ("short case-sensitive", Key(Kind.SHORT, D(1), (Option("1", "NaCl", D(1)),), case_sensitive=True), "nacl",
     D("0.00")),
    ("numeric exact", NUMERIC, "3.14", D("3.00")),
    ("numeric comma, within tolerance", NUMERIC, "3,149", D("3.00")),
    ("numeric second answer", NUMERIC, "2.6", D("1.50")),
    ("numeric out of tolerance", NUMERIC, "4", D("0.00")),
    ("numeric as a JSON number", NUMERIC, 3.14, D("3.00")),
    ("matching all", MATCHING, {"1": "сыпучее", "2": "жидкое", "3": "твёрдое"}, D("3.00")),
    ("matching two of three", MATCHING, {"1": "сыпучее", "2": "твёрдое", "3": "твёрдое"}, D("2.00")),
    ("matching partly unanswered", MATCHING, {"1": "сыпучее"}, D("1.00")),
    ("ordering positions: all", Key(Kind.ORDERING, D(4), ORDER), ["1", "2", "3", "4"], D("4.00")),
    ("ordering positions: swap", Key(Kind.ORDERING, D(4), ORDER), ["2", "1", "3", "4"], D("2.00")),
    ("ordering next pairs: rotated", Key(Kind.ORDERING, D(3), ORDER, ordering_rule=OrderingRule.NEXT_PAIRS),
     ["4", "1", "2", "3"], D("2.00")),
    ("ordering all-or-nothing", Key(Kind.ORDERING, D(3), ORDER, ordering_rule=OrderingRule.ALL_OR_NOTHING),
     ["1", "2", "4", "3"], D("0.00")),
]


@pytest.mark.parametrize(("case", "key", "response", "points"), TABLE, ids=[c[0] for c in TABLE])
def test_rm1_scoring_table(case, key, response, points):
    assert score(key, clean_response(key, response)).points == points


def test_rm1_questionnaire_scores_scales_not_points():
    assert score(QUESTIONNAIRE, "1") == Result(D(0), scales={"интерес": D(2), "опыт": D(1)})


def test_rm1_essay_waits_for_manual_grading():
    assert score(ESSAY, "Моё сочинение") == Result(None, needs_grading=True)
    assert score(ESSAY, None) == Result(None, needs_grading=False)


BAD = [
    ("single gets a list", SINGLE, ["a"]),
    ("single unknown option", SINGLE, "z"),
    ("multiple gets a string", Key(Kind.MULTIPLE, D(1), MULTI), "a"),
    ("multiple duplicate", Key(Kind.MULTIPLE, D(1), MULTI), ["a", "a"]),
    ("multiple unknown", Key(Kind.MULTIPLE, D(1), MULTI), ["a", "q"]),
    ("short gets a number", SHORT, 5),
    ("short 5 MB", SHORT, "я" * 5_000_000),
    ("short NUL", SHORT, "a\x00"),
    ("numeric text", NUMERIC, "три"),
    ("numeric NaN", NUMERIC, "NaN"),
    ("numeric infinity", NUMERIC, "Infinity"),
    ("numeric bool", NUMERIC, True),
    ("matching list", MATCHING, ["сыпучее"]),
    ("matching unknown answer", MATCHING, {"1": "плазма"}),
    ("matching unknown stem", MATCHING, {"9": "газ"}),
    ("ordering missing item", Key(Kind.ORDERING, D(1), ORDER), ["1", "2", "3"]),
    ("ordering repeated item", Key(Kind.ORDERING, D(1), ORDER), ["1", "2", "3", "3"]),
    ("questionnaire unknown", QUESTIONNAIRE, "7"),
]


@pytest.mark.parametrize(("case", "key", "response"), BAD, ids=[c[0] for c in BAD])
def test_rm1_bad_responses_refused(case, key, response):
    with pytest.raises(BadResponse):
        clean_response(key, response)


def test_rm1_normalise_and_parse():
    assert normalise_text("  Ёж\u00a0 ЕЖ ") == "еж еж"
    assert parse_number(" 1 000,5 ") == D("1000.5")


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True), st.sampled_from(list(MultipleRule)),
       st.decimals(min_value=0, max_value=100, places=2))
def test_rm1_multiple_points_within_bounds(chosen, rule, points):
    key = Key(Kind.MULTIPLE, points, MULTI, rule)
    earned = score(key, clean_response(key, chosen)).points
    assert D(0) <= earned <= points


@given(st.permutations(["1", "2", "3", "4"]), st.sampled_from(list(OrderingRule)))
def test_rm1_ordering_full_marks_only_for_the_right_order(order, rule):
    key = Key(Kind.ORDERING, D(4), ORDER, ordering_rule=rule)
    earned = score(key, clean_response(key, list(order))).points
    assert (earned == D("4.00")) == (list(order) == ["1", "2", "3", "4"])
    assert D(0) <= earned <= D(4)
