"""Issue 13 §3: decimals in the Russian UI carry the locale's comma (pages, forms, protocols, CSV); English
shows a dot; typed input takes «3,5» and «3.5» alike."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from django.template import Context, Template
from django.utils import translation

from profmaster.core.numbers import format_number, parse_decimal


@pytest.mark.parametrize(("value", "places", "ru", "en"), [
    (Decimal("3.50"), None, "3,5", "3.5"), (Decimal("87.17"), 2, "87,17", "87.17"), ("7.08", 2, "7,08", "7.08"),
    (Decimal("100"), None, "100", "100"), (Decimal("1E+2"), None, "100", "100"), (2, 2, "2,00", "2.00"),
    (0.25, None, "0,25", "0.25"), ("вне зачёта", None, "вне зачёта", "вне зачёта"), (None, None, "", "")])
def test_x3_format_number_follows_the_language(value, places, ru, en):
    with translation.override("ru"):
        assert format_number(value, places) == ru
    with translation.override("en"):
        assert format_number(value, places) == en
    assert format_number(value, places, language="ru") == ru


@pytest.mark.parametrize(("text", "expected"), [("3,5", "3.5"), ("3.5", "3.5"), (" 3,5 ", "3.5"), ("1 234,5", "1234.5"),
                                                ("1\u00a0234,5", "1234.5"), ("-0,25", "-0.25"), (",5", "0.5"), ("7", "7")])
def test_x3_parse_decimal_takes_comma_and_dot(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "3,5,1", "3.5.1", "1,2.3", "abc", "3,5 б", "NaN", "Infinity"])
def test_x3_parse_decimal_refuses_what_is_not_a_number(text):
    with pytest.raises(InvalidOperation):
        parse_decimal(text)


def test_x3_number_filter_formats_numbers_carried_as_text():
    source = "{% load numbers %}{{ total|number:2 }} / {{ weight|number }}"
    context = Context({"total": "87.17", "weight": Decimal("1.50")})
    with translation.override("ru"):
        assert Template(source).render(context) == "87,17 / 1,5"
    with translation.override("en"):
        assert Template(source).render(context) == "87.17 / 1.5"


def test_x3_results_table_shows_totals_with_a_comma():
    source = "{% include 'results/_table.html' %}"
    data = {"groups": [{"stage": "Финал", "age_category": "1–2 класс", "rows": [
        {"rank": 1, "team": "Школа № 1", "total": "7.08", "medal": "gold", "team_id": 1}]}]}
    with translation.override("ru"):
        html = Template(source).render(Context({"data": data}))
    assert "7,08" in html and "7.08" not in html
