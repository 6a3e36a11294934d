"""Issue 13 §3 (X-3): counts meet nouns through ngettext / blocktranslate count, so Russian reads «1 вопрос,
2 вопроса, 5 вопросов, 21 вопрос» — not «3 случайных вопросов» or «3 экспертов»."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(("n", "expected"), [(1, "1 вопрос"), (2, "2 вопроса"), (5, "5 вопросов"),
                                             (21, "21 вопрос")])
def test_x3_exam_section_count_of_random_questions_agrees_with_the_number(n, expected):
    source = ('{% load i18n %}{% blocktranslate count n=s.count %}{{ n }} вопрос{% plural %}{{ n }} вопросов'
              '{% endblocktranslate %}')
    with translation.override("ru"):
        assert Template(source).render(Context({"s": {"count": n}})) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "Не хватает 1 эксперта"), (2, "Не хватает 2 экспертов"),
                                             (5, "Не хватает 5 экспертов"), (21, "Не хватает 21 эксперта")])
def test_x3_panel_short_of_experts_agrees_with_the_number(n, expected):
    source = ('{% load i18n %}{% blocktranslate count n=n %}Не хватает {{ n }} эксперта до нормы п. 6.4.{% plural %}'
              'Не хватает {{ n }} экспертов до нормы п. 6.4.{% endblocktranslate %}')
    with translation.override("ru"):
        assert Template(source).render(Context({"n": n})).startswith(expected)
