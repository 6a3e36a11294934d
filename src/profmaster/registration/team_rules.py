"""The team rules of registration (SPEC REG-2, REG-3, REG-9…REG-12; 003 §3.1, §3.3, §3.6–3.10) as a pure check.

No Django here: the domain turns applications into the plain values below and calls :func:`check_team`
on submit, on every later change and from the API alike. Every rule reads its limits from data (the age
category and the championship's :class:`ChampionshipRules`), so another contest changes the data, not this
code. Each violation names the rule, the person (by the caller's key) and the field to fix, and carries a
Russian message template marked for translation with ``gettext_noop``; the domain translates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

PARTICIPANT = "participant"
RELATIVE = "relative"
MENTOR = "mentor"


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue without translating it (the domain does)."""
    return message


#: Close relatives of the family category (003 §3.1), as stored codes with their Russian names.
RELATIVE_KINDS: dict[str, str] = {
    "mother": gettext_noop("мать"),
    "father": gettext_noop("отец"),
    "grandmother": gettext_noop("бабушка"),
    "grandfather": gettext_noop("дедушка"),
    "brother": gettext_noop("брат"),
    "sister": gettext_noop("сестра"),
    "legal_representative": gettext_noop("законный представитель"),
}


@dataclass(frozen=True)
class CategoryRules:
    """Admission rules of one age category (the fields of ``championships.AgeCategory``)."""

    name: str
    grade_min: int
    grade_max: int
    participants_per_team: int
    relatives_per_team: int = 0
    mentors_per_team: int = 1
    moscow_school_required: bool = True
    sibling_exception_grade_min: int | None = None
    sibling_exception_grade_max: int | None = None

    @property
    def has_sibling_exception(self) -> bool:
        return self.sibling_exception_grade_min is not None and self.sibling_exception_grade_max is not None


@dataclass(frozen=True)
class ChampionshipRules:
    """The championship-wide rules (``registration.RegistrationRules``); defaults are 003's."""

    relative_kinds: frozenset[str] = frozenset(RELATIVE_KINDS)
    same_organisation_required: bool = True  # REG-12
    one_application_per_organisation: bool = True  # REG-9
    one_competency_per_participant: bool = True  # REG-10
    mentor_single_organisation: bool = True  # REG-11
    mentor_no_overlapping_dates: bool = True  # REG-11


@dataclass(frozen=True)
class Person:
    """A team member. ``identity`` recognises the same person in other applications (name + birth date
    for a participant, e-mail for a mentor)."""

    key: str
    kind: str
    name: str
    organisation_id: int | None = None
    organisation_is_moscow: bool = True
    grade: int | None = None
    relation: str = ""
    identity: str = ""


DateRange = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Team:
    """An application with its members, as the rules see it."""

    organisation_id: int | None
    competency_id: int
    age_category_id: int
    members: Sequence[Person]
    participants_are_siblings: bool = False
    dates: Sequence[DateRange] = ()


@dataclass(frozen=True)
class OtherApplication:
    """Another live application of the same championship (submitted, returned, resubmitted or approved)."""

    label: str
    organisation_id: int | None
    competency_id: int
    age_category_id: int
    participant_identities: frozenset[str] = frozenset()
    mentor_identities: frozenset[str] = frozenset()
    dates: Sequence[DateRange] = ()


@dataclass(frozen=True)
class Violation:
    """One broken rule: which (``rule``, a SPEC id), whom (``person`` key, None for the whole team),
    where (``field``) and what to fix (``template`` % ``params``)."""

    rule: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    person: str | None = None
    field: str = ""

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template


# --- Small pure rules (exhaustively and property-tested) ----------------------------------------


def in_range(grade: int | None, low: int | None, high: int | None) -> bool:
    return grade is not None and low is not None and high is not None and low <= grade <= high


def grade_violations(grades: Sequence[int | None], category: CategoryRules, *,
                     siblings: bool) -> list[tuple[int, str]]:
    """Indexes of participants whose grade breaks REG-3, each with the reason code.

    Codes: ``missing`` (no grade), ``out_of_range`` (outside the category), ``second_sibling`` (the
    sibling exception is used by one participant only). The exception (003 §3.3: in «3–4 класс» one of
    two siblings may be in grade 1 or 2) applies only when the team declares its participants siblings.
    """
    result: list[tuple[int, str]] = []
    exception_used = False
    for index, grade in enumerate(grades):
        if grade is None:
            result.append((index, "missing"))
        elif in_range(grade, category.grade_min, category.grade_max):
            continue
        elif (siblings and category.has_sibling_exception and len(grades) > 1
              and in_range(grade, category.sibling_exception_grade_min, category.sibling_exception_grade_max)):
            if exception_used:
                result.append((index, "second_sibling"))
            exception_used = True
        else:
            result.append((index, "out_of_range"))
    return result


def dates_overlap(first: Iterable[DateRange], second: Iterable[DateRange]) -> bool:
    """Whether any day of one set of competition dates is also a day of the other (adjacent days do not)."""
    second = list(second)
    return any(a_start <= b_end and b_start <= a_end for a_start, a_end in first for b_start, b_end in second)


def _grades(category: CategoryRules, low: int | None = None, high: int | None = None) -> str:
    low = category.grade_min if low is None else low
    high = category.grade_max if high is None else high
    return f"{low}–{high}" if low != high else str(low)


# --- The whole check ---------------------------------------------------------------------------


def check_team(team: Team, category: CategoryRules, rules: ChampionshipRules,
               others: Sequence[OtherApplication] = ()) -> list[Violation]:
    """Every violation of REG-2, REG-3, REG-9…REG-12 by ``team``; an empty list means it may be submitted."""
    violations: list[Violation] = []
    participants = [m for m in team.members if m.kind == PARTICIPANT]
    relatives = [m for m in team.members if m.kind == RELATIVE]
    mentors = [m for m in team.members if m.kind == MENTOR]

    # REG-2: composition of the team per age category.
    for kind_members, wanted, template in (
        (participants, category.participants_per_team,
         gettext_noop("В категории «%(category)s» в команде должно быть участников: %(wanted)s, сейчас: %(actual)s. "
                      "%(fix)s")),
        (relatives, category.relatives_per_team,
         gettext_noop("В категории «%(category)s» в команде должно быть близких родственников: %(wanted)s, "
                      "сейчас: %(actual)s. %(fix)s")),
        (mentors, category.mentors_per_team,
         gettext_noop("В категории «%(category)s» у команды должно быть наставников: %(wanted)s, сейчас: %(actual)s. "
                      "%(fix)s")),
    ):
        if kind_members is relatives and wanted == 0 and relatives:
            continue  # named one by one below: a relative does not belong to this category at all
        if len(kind_members) != wanted:
            fix = gettext_noop("Добавьте недостающих.") if len(kind_members) < wanted else gettext_noop("Уберите лишних.")
            violations.append(Violation("REG-2", template, {"category": category.name, "wanted": wanted,
                                                            "actual": len(kind_members), "fix": fix},
                                        field="members"))

    # REG-2: a close relative is a team member only where the category provides for one (003 §3.1: «Семья
    # мастеров 5–8 класс»); elsewhere the team is participants and a mentor.
    if category.relatives_per_team == 0:
        for relative in relatives:
            violations.append(Violation(
                "REG-2", gettext_noop("%(name)s: в категории «%(category)s» близкий родственник участника в команду не "
                                      "входит — команда состоит из участников и наставника. Удалите его из заявки."),
                {"name": relative.name, "category": category.name}, person=relative.key, field="kind"))
        relatives = []
    # REG-2: who counts as a close relative.
    for relative in relatives:
        if relative.relation not in rules.relative_kinds:
            allowed = ", ".join(RELATIVE_KINDS.get(k, k) for k in sorted(rules.relative_kinds, key=_relative_order))
            violations.append(Violation(
                "REG-2", gettext_noop("%(name)s: укажите родство с участником — одно из: %(allowed)s."),
                {"name": relative.name, "allowed": allowed}, person=relative.key, field="relation"))

    # REG-3: grades, with the sibling exception.
    for index, code in grade_violations([p.grade for p in participants], category, siblings=team.participants_are_siblings):
        person = participants[index]
        if code == "missing":
            violations.append(Violation("REG-3", gettext_noop("%(name)s: укажите класс обучения."),
                                        {"name": person.name}, person=person.key, field="grade"))
        elif code == "second_sibling":
            violations.append(Violation(
                "REG-3", gettext_noop("%(name)s: в %(grade)s классе может учиться только один из братьев и сестёр; "
                                      "второй участник должен учиться в %(grades)s классе."),
                {"name": person.name, "grade": person.grade, "grades": _grades(category)},
                person=person.key, field="grade"))
        else:
            if category.has_sibling_exception:
                template = gettext_noop(
                    "%(name)s: в категории «%(category)s» участник учится в %(grades)s классе (один из братьев и сестёр — "
                    "в %(sibling)s классе), указан %(grade)s класс. Исправьте класс или состав команды.")
                params = {"sibling": _grades(category, category.sibling_exception_grade_min,
                                             category.sibling_exception_grade_max)}
            else:
                template = gettext_noop("%(name)s: в категории «%(category)s» участник учится в %(grades)s классе, "
                                        "указан %(grade)s класс. Исправьте класс или выберите другую категорию.")
                params = {}
            violations.append(Violation("REG-3", template, {"name": person.name, "category": category.name,
                                                            "grades": _grades(category), "grade": person.grade,
                                                            **params}, person=person.key, field="grade"))

    # REG-3: a Moscow school.
    if category.moscow_school_required:
        for person in participants:
            if person.organisation_id is not None and not person.organisation_is_moscow:
                violations.append(Violation(
                    "REG-3", gettext_noop("%(name)s: в категории «%(category)s» участвуют только ученики школ Москвы. "
                                          "Укажите московскую школу участника."),
                    {"name": person.name, "category": category.name}, person=person.key, field="organisation"))

    # REG-12: participants from the applying organisation (the family relative is exempt).
    if rules.same_organisation_required and team.organisation_id is not None:
        for person in participants:
            if person.organisation_id != team.organisation_id:
                violations.append(Violation(
                    "REG-12", gettext_noop("%(name)s: участники команды должны быть из организации, подающей заявку. "
                                           "Укажите организацию заявки или замените участника."),
                    {"name": person.name}, person=person.key, field="organisation"))

    for other in others:
        # REG-9: one application per organisation, competency and age category.
        if (rules.one_application_per_organisation and team.organisation_id is not None
                and other.organisation_id == team.organisation_id and other.competency_id == team.competency_id
                and other.age_category_id == team.age_category_id):
            violations.append(Violation(
                "REG-9", gettext_noop("Организация уже подала заявку по этой компетенции в этой категории (%(other)s). "
                                      "Измените ту заявку вместо новой или выберите другую компетенцию или категорию."),
                {"other": other.label}, field="competency"))
        # REG-10: one competency in one age category per participant.
        if rules.one_competency_per_participant:
            for person in participants:
                if person.identity and person.identity in other.participant_identities:
                    violations.append(Violation(
                        "REG-10", gettext_noop("%(name)s уже заявлен(а) в другой команде (%(other)s): участник выступает "
                                               "только по одной компетенции в одной категории."),
                        {"name": person.name, "other": other.label}, person=person.key, field="last_name"))
        # REG-11: a mentor's teams — one organisation, competition dates that do not overlap.
        for person in mentors:
            if not person.identity or person.identity not in other.mentor_identities:
                continue
            if rules.mentor_single_organisation and other.organisation_id != team.organisation_id:
                violations.append(Violation(
                    "REG-11", gettext_noop("%(name)s уже наставник команды другой организации (%(other)s): наставник "
                                           "ведёт команды только одной организации."),
                    {"name": person.name, "other": other.label}, person=person.key, field="email"))
            elif rules.mentor_no_overlapping_dates and dates_overlap(team.dates, other.dates):
                violations.append(Violation(
                    "REG-11", gettext_noop("%(name)s уже наставник команды (%(other)s), которая соревнуется в те же даты. "
                                           "Назначьте другого наставника."),
                    {"name": person.name, "other": other.label}, person=person.key, field="email"))
    return violations


def _relative_order(code: str) -> int:
    order = list(RELATIVE_KINDS)
    return order.index(code) if code in order else len(order)
