"""Automatic scoring of exam answers (RM-1), free of Django.

A question's key is a :class:`Key`; an examinee's response is plain JSON. :func:`clean_response`
checks a response's shape against the key (wrong type, unknown option, oversized text are refused
with :class:`BadResponse`) and :func:`score` turns a clean response into points, all in ``Decimal``.

Response shapes, by kind:

====================  =============================================  =========================================
kind                  response                                       scoring
====================  =============================================  =========================================
``single``            option id (str)                                points × the option's fraction
``multiple``          list of option ids                             by :class:`MultipleRule`
``short``             text                                           best fraction of a matching alternative
``numeric``           number or text ("3,14" and "3.14" both read)  best fraction of an answer within tolerance
``matching``          {stem option id: chosen answer text}           points × correct stems / all stems
``ordering``          list of all option ids in the chosen order     by :class:`OrderingRule`
``questionnaire``     option id                                      0 points; the option's scale values
``essay``             text                                           by hand (manual grading queue)
====================  =============================================  =========================================

Short answers imported from Moodle are scored by Moodle's own rule (``*`` wildcards, first match;
:class:`ShortRule`).

Fractions may be negative (a penalty, as in Moodle); a question's points never go below zero nor
above its maximum.
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ZERO = Decimal(0)
ONE = Decimal(1)
POINTS_PLACES = Decimal("0.01")
#: Longest text answer kept (short answer, numeric text, essay): a few pages.
MAX_TEXT = 20_000
MAX_NUMERIC_TEXT = 100


class Kind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SHORT = "short"
    NUMERIC = "numeric"
    MATCHING = "matching"
    ORDERING = "ordering"
    QUESTIONNAIRE = "questionnaire"
    ESSAY = "essay"


#: Kinds scored by hand.
MANUAL_KINDS = frozenset({Kind.ESSAY})
#: Kinds that do not count towards the score (no right answer).
UNSCORED_KINDS = frozenset({Kind.QUESTIONNAIRE})
#: Kinds whose options are shown to the examinee and may be shuffled.
SHUFFLABLE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.QUESTIONNAIRE, Kind.ORDERING, Kind.MATCHING})


class MultipleRule(enum.StrEnum):
    #: Sum of the chosen options' fractions (right options share +1, wrong ones carry penalties).
    SUM = "sum"
    #: Full points only for exactly the set of right options.
    ALL_OR_NOTHING = "all_or_nothing"
    #: right chosen / all right − wrong chosen / all wrong.
    RIGHT_MINUS_WRONG = "right_minus_wrong"


class OrderingRule(enum.StrEnum):
    #: Share of items in their correct position.
    POSITIONS = "positions"
    #: Share of adjacent pairs kept in the correct order (n − 1 pairs).
    NEXT_PAIRS = "next_pairs"
    ALL_OR_NOTHING = "all_or_nothing"


class ShortRule(enum.StrEnum):
    #: Ours: compared after :func:`normalise_text`; the best fraction of the matching alternatives.
    NORMALISED = "normalised"
    #: Moodle's (qtype_shortanswer, questions imported from Moodle XML): ``*`` matches any run of
    #: characters (``\\*`` a literal star), everything else literally, the whole trimmed answer, case
    #: ignored unless ``usecase``; the first matching alternative in order gives the fraction.
    MOODLE = "moodle"


class BadResponse(ValueError):
    """The response does not fit the question (wrong type, unknown option, too long)."""


@dataclass(frozen=True)
class Option:
    id: str
    text: str = ""
    fraction: Decimal = ZERO
    #: matching: the answer that belongs to this stem; numeric: unused.
    match: str = ""
    #: numeric: the accepted value and tolerance.
    value: Decimal | None = None
    tolerance: Decimal = ZERO
    #: questionnaire: points on each scale.
    scales: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Key:
    kind: Kind
    points: Decimal
    options: tuple[Option, ...] = ()
    multiple_rule: MultipleRule = MultipleRule.SUM
    ordering_rule: OrderingRule = OrderingRule.POSITIONS
    case_sensitive: bool = False
    short_rule: ShortRule = ShortRule.NORMALISED
    #: matching: extra answers offered that belong to no stem.
    distractors: tuple[str, ...] = ()

    def option_ids(self) -> list[str]:
        return [o.id for o in self.options]


@dataclass(frozen=True)
class Result:
    #: Points earned; None while a manual kind waits for grading.
    points: Decimal | None
    needs_grading: bool = False
    scales: Mapping[str, Decimal] = field(default_factory=dict)


# --- Normalisation -----------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalise_text(value: str, *, case_sensitive: bool = False) -> str:
    """The form in which short answers are compared: Unicode NFKC, «ё» as «е», single spaces,
    no surrounding spaces, case folded unless the question is case-sensitive."""
    text = unicodedata.normalize("NFKC", value)
    text = _SPACES.sub(" ", text).strip()
    text = text.replace("ё", "е").replace("Ё", "Е")
    return text if case_sensitive else text.casefold()


_STARS = re.compile(r"(?<!\\)\*+")


def moodle_wildcard_match(response: str, pattern: str, *, case_sensitive: bool = False) -> bool:
    """Moodle's ``qtype_shortanswer_question::compare_string_with_wildcard``: both sides NFC-normalised,
    the pattern split on unescaped runs of ``*`` (each matching any characters but a line break, as
    PHP's ``.``), ``\\*`` a literal star, the rest literal; the whole response, trimmed, must match."""
    pattern = unicodedata.normalize("NFC", pattern)
    response = unicodedata.normalize("NFC", response)
    bits = [re.escape(bit.replace("\\*", "*")) for bit in _STARS.split(pattern)]
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(".*".join(bits), response.strip(" \t\n\r\0\x0b"), flags) is not None


def moodle_short_fraction(key: Key, response: str) -> Decimal:
    """The fraction Moodle gives: that of the first alternative that matches (a lone ``*`` matches any
    non-empty answer); no answer, or only an empty one, is not gradable and scores nothing."""
    if not response and response != "0":
        return ZERO
    for option in key.options:
        if option.text == "*" or moodle_wildcard_match(response, option.text, case_sensitive=key.case_sensitive):
            return option.fraction
    return ZERO


def parse_number(value: Any) -> Decimal:
    """A number typed by a person: "3,14", "3.14", " 1 000 ", 2 — NaN and infinities refused."""
    if isinstance(value, bool):
        raise BadResponse("ожидается число")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        raise BadResponse("ожидается число")
    if len(value) > MAX_NUMERIC_TEXT:
        raise BadResponse("слишком длинное число")
    text = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadResponse("ожидается число") from None
    if not number.is_finite():
        raise BadResponse("ожидается конечное число")
    return number


def _clamp(points: Decimal, maximum: Decimal) -> Decimal:
    return min(max(points, ZERO), maximum).quantize(POINTS_PLACES, rounding=ROUND_HALF_UP)


# --- Checking a response -----------------------------------------------------------------------------


def _text(response: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(response, str):
        raise BadResponse("ожидается текст")
    if len(response) > limit:
        raise BadResponse(f"ответ длиннее {limit} символов")
    if "\x00" in response:
        raise BadResponse("ответ содержит недопустимый символ")
    return response


def _option_id(response: Any, ids: set[str]) -> str:
    if not isinstance(response, str):
        raise BadResponse("ожидается один вариант ответа")
    if response not in ids:
        raise BadResponse("такого варианта ответа нет")
    return response


def clean_response(key: Key, response: Any) -> Any:
    """The response in its stored form, or :class:`BadResponse`. ``None`` (no answer) is always clean."""
    if response is None:
        return None
    ids = set(key.option_ids())
    kind = key.kind
    if kind in (Kind.SINGLE, Kind.QUESTIONNAIRE):
        return _option_id(response, ids)
    if kind is Kind.MULTIPLE:
        if not isinstance(response, list) or len(response) > len(ids):
            raise BadResponse("ожидается список вариантов ответа")
        chosen = [_option_id(item, ids) for item in response]
        if len(set(chosen)) != len(chosen):
            raise BadResponse("вариант ответа выбран дважды")
        return sorted(chosen, key=key.option_ids().index)
    if kind in (Kind.SHORT, Kind.ESSAY):
        return _text(response)
    if kind is Kind.NUMERIC:
        if isinstance(response, str):
            _text(response, MAX_NUMERIC_TEXT)
            if not response.strip():
                return None
        parse_number(response)
        return response if isinstance(response, str) else str(response)
    if kind is Kind.MATCHING:
        if not isinstance(response, dict) or len(response) > len(ids):
            raise BadResponse("ожидается соответствие «вопрос → ответ»")
        offered = {o.match for o in key.options} | set(key.distractors)
        cleaned: dict[str, str] = {}
        for stem, chosen in response.items():
            _option_id(stem, ids)
            if chosen is None or chosen == "":
                continue
            if not isinstance(chosen, str) or chosen not in offered:
                raise BadResponse("такого ответа в списке нет")
            cleaned[stem] = chosen
        return cleaned
    if kind is Kind.ORDERING:
        if not isinstance(response, list) or len(response) != len(ids) or set(response) != ids:
            raise BadResponse("ожидается порядок всех элементов")
        if not all(isinstance(item, str) for item in response):
            raise BadResponse("ожидается порядок всех элементов")
        return list(response)
    raise BadResponse("неизвестный вид вопроса")


# --- Scoring -----------------------------------------------------------------------------------------


def score(key: Key, response: Any) -> Result:
    """Points for a clean response (see :func:`clean_response`); no answer earns zero."""
    if key.kind in MANUAL_KINDS:
        return Result(None, needs_grading=response not in (None, ""))
    if response is None:
        return Result(ZERO)
    maximum = key.points
    by_id = {o.id: o for o in key.options}
    kind = key.kind
    if kind is Kind.QUESTIONNAIRE:
        return Result(ZERO, scales=dict(by_id[response].scales))
    if kind is Kind.SINGLE:
        return Result(_clamp(maximum * by_id[response].fraction, maximum))
    if kind is Kind.MULTIPLE:
        return Result(_clamp(maximum * _multiple_fraction(key, set(response)), maximum))
    if kind is Kind.SHORT and key.short_rule is ShortRule.MOODLE:
        return Result(_clamp(maximum * moodle_short_fraction(key, response), maximum))
    if kind is Kind.SHORT:
        typed = normalise_text(response, case_sensitive=key.case_sensitive)
        fractions = [o.fraction for o in key.options
                     if normalise_text(o.text, case_sensitive=key.case_sensitive) == typed]
        return Result(_clamp(maximum * max(fractions, default=ZERO), maximum))
    if kind is Kind.NUMERIC:
        number = parse_number(response)
        fractions = [o.fraction for o in key.options
                     if o.value is not None and abs(number - o.value) <= abs(o.tolerance)]
        return Result(_clamp(maximum * max(fractions, default=ZERO), maximum))
    if kind is Kind.MATCHING:
        if not key.options:
            return Result(ZERO)
        right = sum(1 for o in key.options if response.get(o.id) == o.match)
        return Result(_clamp(maximum * Decimal(right) / Decimal(len(key.options)), maximum))
    if kind is Kind.ORDERING:
        return Result(_clamp(maximum * _ordering_fraction(key, response), maximum))
    raise BadResponse("неизвестный вид вопроса")


def _multiple_fraction(key: Key, chosen: set[str]) -> Decimal:
    right = {o.id for o in key.options if o.fraction > 0}
    wrong = {o.id for o in key.options} - right
    if key.multiple_rule is MultipleRule.ALL_OR_NOTHING:
        return ONE if chosen == right else ZERO
    if key.multiple_rule is MultipleRule.RIGHT_MINUS_WRONG:
        gained = Decimal(len(chosen & right)) / Decimal(len(right)) if right else ZERO
        lost = Decimal(len(chosen & wrong)) / Decimal(len(wrong)) if wrong else ZERO
        return gained - lost
    return sum((o.fraction for o in key.options if o.id in chosen), ZERO)


def _ordering_fraction(key: Key, response: list[str]) -> Decimal:
    correct = key.option_ids()
    n = len(correct)
    if n == 0:
        return ZERO
    if key.ordering_rule is OrderingRule.ALL_OR_NOTHING:
        return ONE if response == correct else ZERO
    if key.ordering_rule is OrderingRule.NEXT_PAIRS:
        if n == 1:
            return ONE
        position = {item: index for index, item in enumerate(response)}
        kept = sum(1 for a, b in itertools.pairwise(correct) if position[b] == position[a] + 1)
        return Decimal(kept) / Decimal(n - 1)
    placed = sum(1 for a, b in zip(response, correct, strict=True) if a == b)
    return Decimal(placed) / Decimal(n)


def max_points(key: Key) -> Decimal:
    """What the question can add to the exam's maximum (questionnaire items add nothing)."""
    return ZERO if key.kind in UNSCORED_KINDS else key.points
