"""Russian full names in the grammatical case a diploma's wording needs (AW-6), using pymorphy3.

«награждается Иванову Ивану Ивановичу» (dative), «вручается Петровой Марии Сергеевне». The gender
comes from the patronymic (-вич/-ич/«оглы» → male, -вна/-чна/«кызы» → female), else from the first
name's dictionary entry. Surnames pymorphy3 marks as indeclinable (Fixd), surnames ending in -ых/-их,
-ко, -аго/-яго, -ово/-аго and a woman's surname ending in a consonant are left as they are.
Free of Django; typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pymorphy3

CASES = {"nomn", "gent", "datv", "accs", "ablt", "loct"}
MALE = "masc"
FEMALE = "femn"
_INDECLINABLE_SURNAME_ENDINGS = ("ых", "их", "ко", "аго", "яго", "ово", "ёво", "иа", "уа")
_VOWELS = set("аеёиоуыэюя")


@lru_cache(maxsize=1)
def _morph() -> Any:
    return pymorphy3.MorphAnalyzer()


@dataclass(frozen=True)
class FullName:
    last_name: str
    first_name: str
    patronymic: str = ""

    def __str__(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


def gender_of(name: FullName) -> str | None:
    patronymic = name.patronymic.strip().lower()
    if patronymic.endswith(("вич", "ич", "оглы", "улы")):
        return MALE
    if patronymic.endswith(("вна", "чна", "кызы", "гызы", "шна")):
        return FEMALE
    first = name.first_name.strip()
    if first:
        for parse in _morph().parse(first):
            if "Name" in parse.tag and parse.tag.case == "nomn" and parse.tag.gender in (MALE, FEMALE):
                return str(parse.tag.gender)
    return None


def _keep_case(template: str, word: str) -> str:
    """Copy the capitalisation of the original (Иванов → Иванову, ИВАНОВ → ИВАНОВУ)."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@lru_cache(maxsize=20_000)
def _inflect_word(word: str, grammeme: str, gender: str | None, case: str) -> str:
    if case == "nomn" or not word:
        return word
    candidates = []
    for parse in _morph().parse(word):
        tag = parse.tag
        if grammeme not in tag or tag.case != "nomn" or tag.number == "plur":
            continue
        if gender and gender not in tag and "ms-f" not in tag:
            continue
        candidates.append(parse)
    if not candidates:
        return word
    parse = candidates[0]
    if "Fixd" in parse.tag:
        return word
    inflected = parse.inflect({case})
    if inflected is None:
        return word
    return _keep_case(word, inflected.word)


def _inflect_surname_part(part: str, gender: str | None, case: str) -> str:
    lower = part.lower()
    if lower.endswith(_INDECLINABLE_SURNAME_ENDINGS):
        return part
    if gender == FEMALE and lower[-1:] not in _VOWELS and not lower.endswith(("ова", "ева", "ина", "ая", "ёва")):
        return part  # Ким, Жук, Шмидт: a woman's surname ending in a consonant does not decline
    return _inflect_word(part, "Surn", gender, case)


def decline(name: FullName, case: str) -> str:
    """The full name in ``case`` (a pymorphy3 case: nomn, gent, datv, accs, ablt, loct)."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}")
    gender = gender_of(name)
    # A double surname (Римский-Корсаков) declines part by part.
    last = "-".join(_inflect_surname_part(p, gender, case) for p in name.last_name.strip().split("-"))
    first = _inflect_word(name.first_name.strip(), "Name", gender, case)
    patronymic = _inflect_word(name.patronymic.strip(), "Patr", gender, case)
    return " ".join(p for p in (last, first, patronymic) if p)
