"""Russian full names in the grammatical case a document's wording needs (AW-6, DOC-3).

The primary path is pytrovich (the petrovich rules for Russian anthroponyms, with gender rules for each
part of the name); pymorphy3's dictionary is a second opinion: it tells when a surname is also a common
noun (Орёл, Сова, Ворона) and it declines the noun-type feminine surnames (Сова → Сове) that the rules
treat as possessive ones (Совой). Every result says whether it can be trusted; the doubts are codes
(:data:`DOUBTS` names them) shown to the organiser, who corrects a name before diplomas are issued.

Decisions (each is a documented Russian norm, and each doubtful case is flagged for the organiser):

* Gender: the recorded one, else the patronymic (-ич, «оглы»/«улы» → male; -вна/-чна/-шна, «кызы»/«гызы» →
  female), else guessed from the first name — a guess is a doubt.
* A woman's surname ending in a consonant does not decline (Шевчук, Ким, Орёл); a man's does (Шевчуку).
* The stem of a surname is kept as written, including a «fleeting» vowel and ё: Орёл → Орёлу,
  Заяц → Заяцу, Кузнец → Кузнецу (Розенталь, «Справочник по правописанию и литературной правке», § 151:
  in Slavic surnames the vowel is kept in the oblique cases; for a document the name must be recoverable
  from the form). The variant without the vowel (Орлу, Зайцу) is offered as the doubt's alternative.
  First names follow the dictionary (Пётр → Петру, Лев → Льву, Павел → Павлу).
* Declension never adds ё, and never removes it from a surname (Кремова → Кремовой, not Крёмовой).
* Indeclinable: surnames ending in -ых/-их (Седых), -ко (Шевченко), -аго/-яго, -ово, a vowel other
  than -а/-я (Джугашвили, Шеварднадзе, Гюго), -а/-я after a vowel (Гулиа); the French stressed -а
  (Дюма) comes from the rules' exceptions. Surnames in -ия decline (Данелия → Данелии, Гарсия → Гарсии;
  the spelling Гарсиа does not) — the norm of Грамота.ру's reference service.

Free of Django; typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pymorphy3
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

CASES = {"nomn", "gent", "datv", "accs", "ablt", "loct"}
MALE = "masc"
FEMALE = "femn"
GENDERS = (MALE, FEMALE)

_CASE = {"gent": Case.GENITIVE, "datv": Case.DATIVE, "accs": Case.ACCUSATIVE, "ablt": Case.INSTRUMENTAL,
         "loct": Case.PREPOSITIONAL, "nomn": Case.NOMINATIVE}
_GENDER = {MALE: Gender.MALE, FEMALE: Gender.FEMALE}

#: Doubt codes a result may carry (the review list translates them).
GENDER_GUESSED = "gender_guessed"      # no recorded gender, no patronymic: guessed from the first name
GENDER_UNKNOWN = "gender_unknown"      # not even a guess: the surname is left as written
GENDER_CONFLICT = "gender_conflict"    # the recorded gender disagrees with the patronymic
COMMON_NOUN = "common_noun"            # the surname is also a common noun: Орёл, Гусь, Сова
FLEETING_VOWEL = "fleeting_vowel"      # Орёлу / Орлу: both forms are in use
NOT_DECLINED = "not_declined"          # the rules left a part unchanged although its ending usually declines
NOT_CYRILLIC = "not_cyrillic"          # letters other than Russian ones
DOUBTS = (GENDER_UNKNOWN, GENDER_CONFLICT, GENDER_GUESSED, COMMON_NOUN, FLEETING_VOWEL, NOT_DECLINED, NOT_CYRILLIC)

_VOWELS = set("аеёиоуыэюя")
_INDECLINABLE_SURNAME = re.compile(r"(ых|их|ко|аго|яго|ово|[еёиоуыэю]|[аеёиоуыэюя]а)$")
_ADJECTIVE_MASCULINE = ("ий", "ый", "ой")
_POSSESSIVE_FEMININE = re.compile(r"^.{3,}(ова|ева|ёва|ина|ына)$")
_CYRILLIC = re.compile(r"^[а-яё]+(-[а-яё]+)*$")
_MALE_PATRONYMIC = ("вич", "ич", "оглы", "улы", "уулу")
_FEMALE_PATRONYMIC = ("вна", "чна", "шна", "кызы", "гызы")


@lru_cache(maxsize=1)
def _morph() -> Any:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=1)
def _maker() -> PetrovichDeclinationMaker:
    return PetrovichDeclinationMaker()


@lru_cache(maxsize=1)
def _detector() -> PetrovichGenderDetector:
    return PetrovichGenderDetector()


@dataclass(frozen=True)
class FullName:
    last_name: str
    first_name: str
    patronymic: str = ""

    def __str__(self) -> str:
        return " ".join(p for p in (self.last_name.strip(), self.first_name.strip(), self.patronymic.strip()) if p)


@dataclass(frozen=True)
class Declension:
    """A full name in one case, with what makes it doubtful and the other form in use (if any)."""

    text: str
    case: str
    gender: str | None
    doubts: tuple[str, ...] = ()
    alternative: str = ""
    notes: dict[str, str] = field(default_factory=dict)  # doubt code → the part it concerns

    @property
    def confident(self) -> bool:
        return not self.doubts


def gender_from_patronymic(patronymic: str) -> str | None:
    value = patronymic.strip().lower()
    if value.endswith(_MALE_PATRONYMIC):
        return MALE
    if value.endswith(_FEMALE_PATRONYMIC):
        return FEMALE
    return None


def _guess_gender(name: FullName) -> str | None:
    first = name.first_name.strip()
    if not first:
        return None
    genders = {str(p.tag.gender) for p in _morph().parse(first)
               if "Name" in p.tag and p.tag.case == "nomn" and p.tag.gender in GENDERS and p.score >= 0.2}
    if len(genders) == 1:
        return genders.pop()
    detected = _detector().detect(firstname=first, lastname=name.last_name.strip() or None)
    return {Gender.MALE: MALE, Gender.FEMALE: FEMALE}.get(detected)


def gender_of(name: FullName, recorded: str | None = None) -> str | None:
    """The gender the name declines by: the recorded one, else the patronymic's, else a guess."""
    if recorded in GENDERS:
        return recorded
    return gender_from_patronymic(name.patronymic) or _guess_gender(name)


def _keep_case(template: str, word: str) -> str:
    """Copy the capitalisation of the original (Иванов → Иванову, ИВАНОВ → ИВАНОВУ)."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _same_yo(original: str, declined: str) -> str:
    """Never add ё: a letter ё the original did not have is written е."""
    return declined if "ё" in original.lower() else declined.replace("ё", "е").replace("Ё", "Е")


def _common_noun(word: str) -> Any:
    """pymorphy3's parse of the word as a common noun in the nominative singular, spelt exactly so."""
    lower = word.lower()
    for parse in _morph().parse(lower):
        tag = parse.tag
        if ("NOUN" in tag and tag.case == "nomn" and tag.number == "sing" and parse.word == lower
                and not {"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr"} & set(tag.grammemes)
                and type(parse.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"):
            return parse
    return None


_MASC_ENDINGS = {"gent": "а", "datv": "у", "accs": "а", "ablt": "ом", "loct": "е"}
_MASC_SOFT_ENDINGS = {"gent": "я", "datv": "ю", "accs": "я", "ablt": "ем", "loct": "е"}


def _keep_stem(word: str, case: str) -> str:
    """A man's consonant-ending surname declined with its stem as written (Орёл → Орёлу, Заяц → Заяцу)."""
    last = word[-1].lower()
    if last in "ьй":
        return word[:-1] + _MASC_SOFT_ENDINGS[case]
    ending = _MASC_ENDINGS[case]
    if case == "ablt" and last in "жшчщц":
        ending = "ем"
    return word + ending


@dataclass
class _Part:
    text: str
    doubts: list[str] = field(default_factory=list)
    alternative: str = ""


def _surname_piece(piece: str, gender: str | None, case: str, known: bool) -> _Part:
    lower = piece.lower()
    if gender is None:
        return _Part(piece, [GENDER_UNKNOWN])
    result = _Part(piece)
    if not _CYRILLIC.match(lower):
        result.doubts.append(NOT_CYRILLIC)
        return result
    if gender == FEMALE and lower[-1] not in _VOWELS:
        return result  # Шевчук, Ким, Орёл: a woman's surname ending in a consonant does not decline
    noun = _common_noun(piece)
    if noun is not None:
        result.doubts.append(COMMON_NOUN)
    if _INDECLINABLE_SURNAME.search(lower):
        return result
    declined = _maker().make(NamePart.LASTNAME, _GENDER[gender], _CASE[case], piece, known_gender=known)
    if (noun is not None and lower[-1] in "ая" and not _POSSESSIVE_FEMININE.match(lower)
            and ("femn" in noun.tag or "ms-f" in noun.tag)):
        # Сова, Ворона, Чайка decline as the nouns do, for a man and a woman alike (Сове, not Совой).
        inflected = noun.inflect({case})
        if inflected is not None:
            as_noun = _keep_case(piece, _same_yo(piece, inflected.word))
            if as_noun != declined:
                result.alternative = declined
            declined = as_noun
    elif gender == MALE and lower[-1] not in _VOWELS and not lower.endswith(_ADJECTIVE_MASCULINE):
        stem = lower[:-1] if lower[-1] in "ьй" else lower
        kept = declined if declined.lower().startswith(stem) else _keep_stem(piece, case)
        # The other form in use: the common noun's (Орёл → Орлу, Заяц → Зайцу), else the rules' own when
        # they dropped a vowel of the stem (Кравец → Кравцу). The stem as written is what we print.
        other = declined
        if noun is not None and noun.inflect({case}) is not None:
            other = _keep_case(piece, _same_yo(piece, noun.inflect({case}).word))
        if other != kept:
            result.doubts.append(FLEETING_VOWEL)
            result.alternative = other
        declined = kept
    if declined == piece:
        result.doubts.append(NOT_DECLINED)
    if declined.lower().count("ё") != lower.count("ё"):
        declined = piece  # never change the letters ё of a surname; leave it for the organiser
        result.doubts.append(NOT_DECLINED)
    result.text = declined
    return result


def _inflect_surname(last: str, gender: str | None, case: str, known: bool) -> _Part:
    pieces = [_surname_piece(p, gender, case, known) for p in last.split("-")]
    doubts = [d for p in pieces for d in p.doubts]
    alternative = "-".join(p.alternative or p.text for p in pieces) if any(p.alternative for p in pieces) else ""
    return _Part("-".join(p.text for p in pieces), list(dict.fromkeys(doubts)), alternative)


def _inflect_plain(part: NamePart, word: str, gender: str | None, case: str, known: bool) -> _Part:
    if not word:
        return _Part(word)
    lower = word.lower()
    if part == NamePart.MIDDLENAME and " " in word:
        return _Part(word)  # «Гасан кызы», «Ильхам оглы»: the father's name and the particle do not decline
    if not _CYRILLIC.match(lower):
        return _Part(word, [NOT_CYRILLIC])
    pytrovich_gender = _GENDER.get(gender or "", Gender.ANDROGYNOUS)
    declined = _same_yo(word, _maker().make(part, pytrovich_gender, _CASE[case], word, known_gender=known))
    doubts: list[str] = []
    declinable_ending = lower[-1] in "ая" or (gender == MALE and lower[-1] not in _VOWELS)
    if declined == word and declinable_ending and not _INDECLINABLE_SURNAME.search(lower):
        doubts.append(NOT_DECLINED)
    return _Part(declined, doubts)


def decline_full(name: FullName, case: str, *, gender: str | None = None) -> Declension:
    """The full name in ``case`` (nomn, gent, datv, accs, ablt, loct) with its doubts.

    ``gender`` is the person's recorded gender (``MALE``/``FEMALE``) or None."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}")
    last, first, patronymic = name.last_name.strip(), name.first_name.strip(), name.patronymic.strip()
    doubts: list[str] = []
    from_patronymic = gender_from_patronymic(patronymic)
    if gender in GENDERS:
        if from_patronymic and from_patronymic != gender:
            doubts.append(GENDER_CONFLICT)
        resolved: str | None = gender
    elif from_patronymic:
        resolved = from_patronymic
    else:
        resolved = _guess_gender(name)
        doubts.append(GENDER_GUESSED if resolved else GENDER_UNKNOWN)
    known = gender in GENDERS or from_patronymic is not None
    if case == "nomn":
        surname, given, middle = _Part(last), _Part(first), _Part(patronymic)
        if any(_common_noun(p) is not None for p in last.split("-") if p):
            surname.doubts.append(COMMON_NOUN)
    else:
        surname = _inflect_surname(last, resolved, case, known) if last else _Part("")
        given = _inflect_plain(NamePart.FIRSTNAME, first, resolved, case, known)
        middle = _inflect_plain(NamePart.MIDDLENAME, patronymic, resolved, case, known)
    for part in (surname, given, middle):
        doubts.extend(part.doubts)
    text = " ".join(p for p in (surname.text, given.text, middle.text) if p)
    alternative = ""
    if surname.alternative:
        alternative = " ".join(p for p in (surname.alternative, given.text, middle.text) if p)
    ordered = tuple(d for d in DOUBTS if d in doubts)
    return Declension(text=text, case=case, gender=resolved, doubts=ordered, alternative=alternative)


def decline(name: FullName, case: str, *, gender: str | None = None) -> str:
    """The full name in ``case`` (a pymorphy3 case: nomn, gent, datv, accs, ablt, loct)."""
    return decline_full(name, case, gender=gender).text
