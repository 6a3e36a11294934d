"""Admission of one contestant of «Лучший по профессии» (000 §1, REG-1) as a pure check. No Django here.

The organiser sets the conditions per nomination (age, length of service, education); the employer enters one
adult worker individually — no team, no mentor, no grade. Each broken condition is a
:class:`~profmaster.registration.team_rules.Violation` that names the condition, the value required and the
value entered, with a Russian template marked for translation; the domain translates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from profmaster.registration.team_rules import MENTOR, PARTICIPANT, RELATIVE, Violation, gettext_noop


@dataclass(frozen=True)
class Conditions:
    """A nomination's admission conditions."""

    nomination: str
    min_age: int = 18
    max_age: int | None = None
    min_years_of_service: Decimal = Decimal(0)
    #: The lowest education accepted (a key of ``education_order``), "" for any.
    min_education: str = ""
    education_order: Sequence[str] = ()
    education_labels: dict[str, str] | None = None
    #: Other conditions the employer must confirm («Нет дисциплинарных взысканий»); "" for none.
    note: str = ""


@dataclass(frozen=True)
class Contestant:
    key: str
    kind: str
    name: str
    birth_date: dt.date | None
    years_of_service: Decimal | None
    education: str
    position: str
    organisation_id: int | None
    conditions_confirmed: bool = False
    identity: str = ""


@dataclass(frozen=True)
class Entry:
    """An application of this contest: the employer and its people (only one contestant is valid)."""

    organisation_id: int | None
    organisation_is_employer: bool
    people: Sequence[Contestant]


@dataclass(frozen=True)
class OtherEntry:
    label: str
    identities: frozenset[str]


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years on ``day`` (born 29 February: the birthday is 1 March in other years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _years(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def check_contestant(person: Contestant, conditions: Conditions, *, on: dt.date) -> list[Violation]:
    """Every admission condition of the nomination ``person`` does not meet on day ``on``."""
    violations: list[Violation] = []
    base = {"name": person.name, "nomination": conditions.nomination}
    if person.birth_date is None:
        violations.append(Violation("REG-1", gettext_noop("%(name)s: укажите дату рождения."), base,
                                    person=person.key, field="birth_date"))
    else:
        age = age_on(person.birth_date, on)
        if age < conditions.min_age:
            violations.append(Violation(
                "REG-1", gettext_noop("%(name)s: в номинации «%(nomination)s» участвуют работники не моложе "
                                      "%(min)s лет, участнику %(age)s (на %(day)s)."),
                {**base, "min": conditions.min_age, "age": age, "day": on.strftime("%d.%m.%Y")},
                person=person.key, field="birth_date"))
        if conditions.max_age is not None and age > conditions.max_age:
            violations.append(Violation(
                "REG-1", gettext_noop("%(name)s: в номинации «%(nomination)s» участвуют работники не старше "
                                      "%(max)s лет, участнику %(age)s (на %(day)s)."),
                {**base, "max": conditions.max_age, "age": age, "day": on.strftime("%d.%m.%Y")},
                person=person.key, field="birth_date"))
    if person.years_of_service is None:
        violations.append(Violation("REG-1", gettext_noop("%(name)s: укажите стаж работы по профессии."), base,
                                    person=person.key, field="years_of_service"))
    elif person.years_of_service < conditions.min_years_of_service:
        violations.append(Violation(
            "REG-1", gettext_noop("%(name)s: в номинации «%(nomination)s» нужен стаж по профессии не менее %(min)s "
                                  "лет, указано %(have)s."),
            {**base, "min": _years(conditions.min_years_of_service), "have": _years(person.years_of_service)},
            person=person.key, field="years_of_service"))
    if conditions.min_education:
        order = list(conditions.education_order)
        labels = conditions.education_labels or {}
        have = order.index(person.education) if person.education in order else -1
        if have < order.index(conditions.min_education):
            violations.append(Violation(
                "REG-1", gettext_noop("%(name)s: в номинации «%(nomination)s» нужно образование не ниже "
                                      "«%(min)s», указано «%(have)s»."),
                {**base, "min": labels.get(conditions.min_education, conditions.min_education),
                 "have": labels.get(person.education, person.education or "—")},
                person=person.key, field="education"))
    if not person.position.strip():
        violations.append(Violation("REG-1", gettext_noop("%(name)s: укажите должность."), base,
                                    person=person.key, field="position"))
    if conditions.note.strip() and not person.conditions_confirmed:
        violations.append(Violation(
            "REG-1", gettext_noop("%(name)s: работодатель не подтвердил условия допуска номинации «%(nomination)s»: "
                                  "%(note)s"), {**base, "note": conditions.note.strip()},
            person=person.key, field="conditions_confirmed"))
    return violations


def check_entry(entry: Entry, conditions: Conditions, *, on: dt.date,
                others: Sequence[OtherEntry] = ()) -> list[Violation]:
    """REG-1 for this contest: one contestant entered individually by an employer, who meets the nomination's
    conditions and is not entered a second time in the championship."""
    violations: list[Violation] = []
    if not entry.organisation_is_employer:
        violations.append(Violation(
            "REG-1", gettext_noop("Участника конкурса «Лучший по профессии» заявляет организация-работодатель; "
                                  "заявитель не указан как работодатель."), field="organisation"))
    contestants = [p for p in entry.people if p.kind == PARTICIPANT]
    for person in entry.people:
        if person.kind in (MENTOR, RELATIVE):
            violations.append(Violation(
                "REG-1", gettext_noop("%(name)s: в конкурсе «Лучший по профессии» участник выступает сам — без "
                                      "наставника и родственников. Удалите его из заявки."),
                {"name": person.name}, person=person.key, field="kind"))
    if len(contestants) != 1:
        violations.append(Violation(
            "REG-1", gettext_noop("В заявке должен быть ровно один участник, сейчас: %(count)s."),
            {"count": len(contestants)}, field="members"))
    for person in contestants:
        violations.extend(check_contestant(person, conditions, on=on))
        if entry.organisation_id is not None and person.organisation_id != entry.organisation_id:
            violations.append(Violation(
                "REG-1", gettext_noop("%(name)s: участника заявляет его работодатель — укажите организацию заявки "
                                      "местом работы."), {"name": person.name}, person=person.key,
                field="organisation"))
        for other in others:
            if person.identity and person.identity in other.identities:
                violations.append(Violation(
                    "REG-1", gettext_noop("%(name)s уже заявлен(а) на конкурс (%(other)s): участник выступает в одной "
                                          "номинации."), {"name": person.name, "other": other.label},
                    person=person.key, field="last_name"))
    return violations
