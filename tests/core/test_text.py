"""X-5 (bad input never gives a 500 and never loses data): :func:`profmaster.core.text.clean_text`, the one way
every domain function cleans a free-text field — NUL characters dropped (PostgreSQL cannot store them, and
nobody means one), surrounding whitespace stripped, a required field left empty refused with a clear Russian
message, text longer than the field refused naming the limit (never cut)."""

from __future__ import annotations

import pytest

from profmaster.core.errors import DomainError
from profmaster.core.text import clean_text

from ..russian_plurals import TEXT, russian_forms

LIMIT = 20

#: (typed, required, what is kept — or the refusal's message)
CASES = [
    ("Орёл", True, "Орёл"),
    ("ё", True, "ё"),
    ("Ёлки-палки, ёжик", True, "Ёлки-палки, ёжик"),
    ("  Орёл \n", True, "Орёл"),
    ("Ор\x00ёл", True, "Орёл"),
    ("\x00 Орёл \x00", True, "Орёл"),
    ("строка\nвторая", True, "строка\nвторая"),
    ("я" * LIMIT, True, "я" * LIMIT),
    ("я" * LIMIT + "\x00", True, "я" * LIMIT),
    ("   ", True, DomainError("Заполните поле «Основание».")),
    ("\x00", True, DomainError("Заполните поле «Основание».")),
    ("", True, DomainError("Заполните поле «Основание».")),
    (None, True, DomainError("Заполните поле «Основание».")),
    ("   ", False, ""),
    (None, False, ""),
    ("я" * (LIMIT + 1), True, DomainError("Поле «Основание» длиннее 20 символов.")),
    ("я" * (LIMIT + 1), False, DomainError("Поле «Основание» длиннее 20 символов.")),
]


@pytest.mark.parametrize(("typed", "required", "expected"), CASES)
def test_x5_clean_text_table(typed, required, expected):
    with russian_forms(TEXT):
        if isinstance(expected, DomainError):
            with pytest.raises(DomainError) as refused:
                clean_text(typed, field="reason", what="Основание", required=required, max_length=LIMIT)
            assert (refused.value.message, refused.value.field) == (expected.message, "reason")
        else:
            assert clean_text(typed, field="reason", what="Основание", required=required, max_length=LIMIT) == expected


def test_x5_clean_text_missing_sentence_replaces_the_default():
    """Where the existing message is a full sentence («Укажите причину отмены: …»), it is shown as it is."""
    with pytest.raises(DomainError) as refused:
        clean_text(" \x00 ", field="reason", what="Причина отмены", max_length=LIMIT,
                   missing="Укажите причину отмены: её получат родители и координаторы.")
    assert (refused.value.message, refused.value.field) == (
        "Укажите причину отмены: её получат родители и координаторы.", "reason")


@pytest.mark.parametrize(("limit", "expected"), [
    (1, "Поле «Тема» длиннее 1 символа."), (2, "Поле «Тема» длиннее 2 символов."),
    (5, "Поле «Тема» длиннее 5 символов."), (21, "Поле «Тема» длиннее 21 символа.")])
def test_x5_clean_text_limit_agrees_with_the_number(limit, expected):
    """X-3: the limit's noun agrees with it."""
    with russian_forms(TEXT), pytest.raises(DomainError) as refused:
        clean_text("ж" * (limit + 1), field="subject", what="Тема", max_length=limit)
    assert refused.value.message == expected


def test_x5_clean_text_takes_what_is_not_a_string_as_text():
    assert clean_text(42, field="n", what="Число", max_length=LIMIT) == "42"
    assert clean_text(0, field="n", what="Число", max_length=LIMIT) == "0"
