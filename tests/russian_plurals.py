"""Russian plural forms in tests before the catalogue is regenerated (issue 13 §3, X-3).

Russian is the source language: code calls ``ngettext(singular, plural, n)`` with Russian msgids, and the
three Russian forms (1 / 2–4 / 5–20, by gettext's ``nplurals=3`` rule) come from ``ru/django.po``. A string
added since the last ``make messages`` is not there yet, so gettext would fall back to the two source
forms. :func:`russian_forms` activates Russian and, only for the msgids the ``ru`` catalogue lacks, adds the
three forms the translator is to write; entries already in the catalogue are used as they are — so these
tests check the real catalogue once it has the entry, and the msgid/msgid_plural/count the code passes to
``ngettext`` in any case.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import translation
from django.utils.translation import trans_real

#: (msgid, msgid_plural) → the three Russian forms (1, 2–4, 5–20).
Forms = dict[tuple[str, str], tuple[str, str, str]]


@contextmanager
def russian_forms(forms: Forms) -> Iterator[None]:
    with translation.override("ru"):
        catalog = trans_real.translation("ru")._catalog  # type: ignore[attr-defined]
        top = catalog._catalogs[0]
        added = []
        for (singular, _plural), three in forms.items():
            if (singular, 0) in catalog:
                continue
            for index, text in enumerate(three):
                top[(singular, index)] = text
                added.append((singular, index))
        try:
            yield
        finally:
            for key in added:
                top.pop(key, None)


# The message families of issue 13 §3 with the forms ru/django.po is to carry.
CRITERIA: Forms = {("В схеме %(n)s критерий, а должно быть от %(min)s до %(max)s.",
                    "В схеме %(n)s критериев, а должно быть от %(min)s до %(max)s."): (
    "В схеме %(n)s критерий, а должно быть от %(min)s до %(max)s.",
    "В схеме %(n)s критерия, а должно быть от %(min)s до %(max)s.",
    "В схеме %(n)s критериев, а должно быть от %(min)s до %(max)s.")}
ASPECT_POINTS: Forms = {("Аспект весит %(points)s балл, больше допустимых %(max)s.",
                         "Аспект весит %(points)s баллов, больше допустимых %(max)s."): (
    "Аспект весит %(points)s балл, больше допустимых %(max)s.",
    "Аспект весит %(points)s балла, больше допустимых %(max)s.",
    "Аспект весит %(points)s баллов, больше допустимых %(max)s.")}
LEVEL_POINTS: Forms = {("Уровень «%(label)s» даёт %(points)s балл: допустимо от 0 до %(max)s.",
                        "Уровень «%(label)s» даёт %(points)s баллов: допустимо от 0 до %(max)s."): (
    "Уровень «%(label)s» даёт %(points)s балл: допустимо от 0 до %(max)s.",
    "Уровень «%(label)s» даёт %(points)s балла: допустимо от 0 до %(max)s.",
    "Уровень «%(label)s» даёт %(points)s баллов: допустимо от 0 до %(max)s.")}
PANEL: Forms = {("В жюри %(count)s эксперт из %(wanted)s, положенных по п. 6.4 методики.",
                 "В жюри %(count)s экспертов из %(wanted)s, положенных по п. 6.4 методики."): (
    "В жюри %(count)s эксперт из %(wanted)s, положенных по п. 6.4 методики.",
    "В жюри %(count)s эксперта из %(wanted)s, положенных по п. 6.4 методики.",
    "В жюри %(count)s экспертов из %(wanted)s, положенных по п. 6.4 методики.")}
SECTION: Forms = {("В категории только %(n)s вопрос.", "В категории только %(n)s вопросов."): (
    "В категории только %(n)s вопрос.", "В категории только %(n)s вопроса.", "В категории только %(n)s вопросов.")}
PAPER: Forms = {("в категории «%(category)s» %(n)s вопрос, а нужно %(needed)s",
                 "в категории «%(category)s» %(n)s вопросов, а нужно %(needed)s"): (
    "в категории «%(category)s» %(n)s вопрос, а нужно %(needed)s",
    "в категории «%(category)s» %(n)s вопроса, а нужно %(needed)s",
    "в категории «%(category)s» %(n)s вопросов, а нужно %(needed)s")}
API: Forms = {
    ("не длиннее %(n)s символа", "не длиннее %(n)s символов"): (
        "не длиннее %(n)s символа", "не длиннее %(n)s символов", "не длиннее %(n)s символов"),
    ("не короче %(n)s символа", "не короче %(n)s символов"): (
        "не короче %(n)s символа", "не короче %(n)s символов", "не короче %(n)s символов"),
    ("не более %(n)s цифры", "не более %(n)s цифр"): ("не более %(n)s цифры", "не более %(n)s цифр", "не более %(n)s цифр"),
    ("не более %(n)s знака после запятой", "не более %(n)s знаков после запятой"): (
        "не более %(n)s знака после запятой", "не более %(n)s знаков после запятой",
        "не более %(n)s знаков после запятой"),
    ("не более %(n)s цифры до запятой", "не более %(n)s цифр до запятой"): (
        "не более %(n)s цифры до запятой", "не более %(n)s цифр до запятой", "не более %(n)s цифр до запятой"),
    ("не более %(n)s элемента", "не более %(n)s элементов"): (
        "не более %(n)s элемента", "не более %(n)s элементов", "не более %(n)s элементов"),
    ("не менее %(n)s элемента", "не менее %(n)s элементов"): (
        "не менее %(n)s элемента", "не менее %(n)s элементов", "не менее %(n)s элементов"),
}
TEXT: Forms = {("Поле «%(what)s» длиннее %(n)s символа.", "Поле «%(what)s» длиннее %(n)s символов."): (
    "Поле «%(what)s» длиннее %(n)s символа.", "Поле «%(what)s» длиннее %(n)s символов.",
    "Поле «%(what)s» длиннее %(n)s символов.")}
ALL: Forms = {**CRITERIA, **ASPECT_POINTS, **LEVEL_POINTS, **PANEL, **SECTION, **PAPER, **API, **TEXT}
