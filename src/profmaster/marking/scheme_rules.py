"""Validation of a marking scheme's structure (SPEC MS-1…MS-3, 003 §4.6). Pure: no Django import.

Limits are championship data (:class:`SchemeLimits`); the defaults are the seed's: 3–9 criteria,
at least one sub-criterion per criterion and one aspect per sub-criterion, an aspect weighs at most
2 points, the total is at most 100. Each problem names its place so the editor can point at it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .calculation import BINARY, DISCRETE, JUDGEMENT, KINDS


@dataclass(frozen=True)
class SchemeLimits:
    min_criteria: int = 3
    max_criteria: int = 9
    max_aspect_points: Decimal = Decimal("2.00")
    max_total_points: Decimal = Decimal("100.00")


@dataclass(frozen=True)
class AspectDraft:
    code: str
    kind: str
    max_points: Decimal
    description: str = ""
    #: Judgement: the published meaning of marks 0, 1, 2, 3 (003 §6.8).
    descriptors: Sequence[str] = ()
    #: Discrete: (level label, points) pairs.
    levels: Sequence[tuple[str, Decimal]] = ()


@dataclass(frozen=True)
class SubCriterionDraft:
    code: str
    title: str
    aspects: Sequence[AspectDraft] = ()


@dataclass(frozen=True)
class CriterionDraft:
    code: str
    title: str
    sub_criteria: Sequence[SubCriterionDraft] = ()
    skill_sections: Sequence[int] = field(default_factory=tuple)


def source_ngettext(singular: str, plural: str, n: int) -> str:
    """gettext without a catalogue: the source's two forms (the domain passes Django's ``ngettext``)."""
    return singular if n == 1 else plural


def plain_number(value: Decimal) -> str:
    return str(value)


@dataclass(frozen=True)
class Wording:
    """How counts and numbers are put into words. Pure default; the domain passes Django's ``ngettext``
    (Russian plural forms from the catalogue, issue 13 §3) and the locale's number format (decimal comma)."""

    ngettext: Callable[[str, str, int], str] = source_ngettext
    number: Callable[[Decimal], str] = plain_number

    def points(self, value: Decimal) -> int:
        """The count that picks the noun's form for ``value`` points: a fraction reads as «1,5 балла», the
        form of 2 (in English «1.5 points», also the form of 2)."""
        return int(value) if value == value.to_integral_value() else 2


@dataclass(frozen=True)
class Problem:
    place: str  # e.g. "Критерий B / B2 / аспект B2.3"; empty for the scheme as a whole
    message: str


def validate_scheme(criteria: Sequence[CriterionDraft], limits: SchemeLimits = SchemeLimits(),
                    *, require_skill_sections: bool = False, wording: Wording = Wording()) -> list[Problem]:
    """Every reason the scheme cannot be accepted, in the order a person would fix them."""
    problems: list[Problem] = []
    count = len(criteria)
    if count < limits.min_criteria or count > limits.max_criteria:
        problems.append(Problem("", wording.ngettext(
            "В схеме %(n)s критерий, а должно быть от %(min)s до %(max)s.",
            "В схеме %(n)s критериев, а должно быть от %(min)s до %(max)s.", count)
            % {"n": count, "min": limits.min_criteria, "max": limits.max_criteria}))
    total = Decimal(0)
    seen: set[str] = set()
    for criterion in criteria:
        place = f"Критерий {criterion.code}"
        _unique(criterion.code, place, seen, problems)
        if require_skill_sections and not criterion.skill_sections:
            problems.append(Problem(place, "Критерий не связан ни с одним разделом спецификации навыков."))
        if not criterion.sub_criteria:
            problems.append(Problem(place, "В критерии нет ни одного субкритерия."))
        for sub in criterion.sub_criteria:
            sub_place = f"{place} / {sub.code}"
            _unique(sub.code, sub_place, seen, problems)
            if not sub.aspects:
                problems.append(Problem(sub_place, "В субкритерии нет ни одного аспекта."))
            for aspect in sub.aspects:
                aspect_place = f"{sub_place} / аспект {aspect.code}"
                _unique(aspect.code, aspect_place, seen, problems)
                problems.extend(_aspect_problems(aspect, aspect_place, limits, wording))
                total += aspect.max_points
    if total > limits.max_total_points:
        problems.append(Problem("", f"Сумма баллов схемы {wording.number(total)} больше "
                                    f"{wording.number(limits.max_total_points)}."))
    return problems


def _unique(code: str, place: str, seen: set[str], problems: list[Problem]) -> None:
    if not code.strip():
        problems.append(Problem(place, "Не указан код."))
    elif code in seen:
        problems.append(Problem(place, f"Код {code} уже использован в схеме."))
    seen.add(code)


def _aspect_problems(aspect: AspectDraft, place: str, limits: SchemeLimits, wording: Wording) -> list[Problem]:
    problems = []
    if aspect.kind not in KINDS:
        return [Problem(place, f"Неизвестный вид аспекта «{aspect.kind}».")]
    if aspect.max_points <= 0:
        problems.append(Problem(place, "Максимальный балл аспекта должен быть больше нуля."))
    if aspect.max_points > limits.max_aspect_points:
        problems.append(Problem(place, wording.ngettext(
            "Аспект весит %(points)s балл, больше допустимых %(max)s.",
            "Аспект весит %(points)s баллов, больше допустимых %(max)s.", wording.points(aspect.max_points))
            % {"points": wording.number(aspect.max_points), "max": wording.number(limits.max_aspect_points)}))
    if aspect.max_points.as_tuple().exponent < -2:  # type: ignore[operator]
        problems.append(Problem(place, "Балл задаётся с точностью до сотых."))
    if aspect.kind == JUDGEMENT and (len(aspect.descriptors) != 4 or not all(d.strip() for d in aspect.descriptors)):
        problems.append(Problem(place, "Для судейского аспекта опишите, что означает каждая оценка 0, 1, 2 и 3."))
    if aspect.kind == DISCRETE:
        if len(aspect.levels) < 2:
            problems.append(Problem(place, "Для дискретного аспекта задайте не меньше двух уровней."))
        labels = [label for label, _ in aspect.levels]
        if len(set(labels)) != len(labels):
            problems.append(Problem(place, "Названия уровней повторяются."))
        for label, points in aspect.levels:
            if points < 0 or points > aspect.max_points:
                problems.append(Problem(place, wording.ngettext(
                    "Уровень «%(label)s» даёт %(points)s балл: допустимо от 0 до %(max)s.",
                    "Уровень «%(label)s» даёт %(points)s баллов: допустимо от 0 до %(max)s.", wording.points(points))
                    % {"label": label, "points": wording.number(points), "max": wording.number(aspect.max_points)}))
    if aspect.kind == BINARY and aspect.levels:
        problems.append(Problem(place, "У бинарного аспекта нет уровней: да — полный балл, нет — 0."))
    return problems
