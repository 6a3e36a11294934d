"""REG-1 (000 §1): the pure admission check of one contestant of «Лучший по профессии»."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.best_in_profession import admission
from profmaster.best_in_profession.models import EDUCATION_ORDER

ON = dt.date(2024, 4, 10)
CONDITIONS = admission.Conditions(nomination="Лучший сварщик", min_age=18, min_years_of_service=Decimal(3),
                                  min_education="secondary_vocational", education_order=EDUCATION_ORDER,
                                  education_labels={"secondary_general": "Среднее общее",
                                                    "secondary_vocational": "Среднее профессиональное"})


def person(**changes):
    values = {"key": "1", "kind": "participant", "name": "Орёл Семён", "birth_date": dt.date(1990, 1, 1),
              "years_of_service": Decimal(5), "education": "secondary_vocational", "position": "Сварщик",
              "organisation_id": 7, "identity": "p:орел|семен|1990-01-01"}
    values.update(changes)
    return admission.Contestant(**values)


def messages(violations):
    return [v.template % v.params if v.params else v.template for v in violations]


def test_reg1_a_contestant_meeting_every_condition_passes():
    assert admission.check_contestant(person(), CONDITIONS, on=ON) == []


@pytest.mark.parametrize(("born", "ok"), [(dt.date(2006, 4, 10), True), (dt.date(2006, 4, 11), False)])
def test_reg1_age_18_on_the_day_of_the_check(born, ok):
    found = messages(admission.check_contestant(person(birth_date=born), CONDITIONS, on=ON))
    assert (found == []) is ok
    if not ok:
        assert found == ["Орёл Семён: в номинации «Лучший сварщик» участвуют работники не моложе 18 лет, "
                         "участнику 17 (на 10.04.2024)."]


def test_reg1_too_little_service_names_required_and_entered_years():
    found = messages(admission.check_contestant(person(years_of_service=Decimal("2.5")), CONDITIONS, on=ON))
    assert found == ["Орёл Семён: в номинации «Лучший сварщик» нужен стаж по профессии не менее 3 лет, указано 2,5."]


def test_reg1_education_below_the_required_level_is_named():
    found = messages(admission.check_contestant(person(education="secondary_general"), CONDITIONS, on=ON))
    assert found == ["Орёл Семён: в номинации «Лучший сварщик» нужно образование не ниже «Среднее профессиональное», "
                     "указано «Среднее общее»."]


def test_reg1_higher_education_meets_a_vocational_minimum():
    assert admission.check_contestant(person(education="higher"), CONDITIONS, on=ON) == []


def test_reg1_other_conditions_need_the_employers_confirmation():
    conditions = admission.Conditions(nomination="Лучший сварщик", note="Удостоверение НАКС")
    assert [v.field for v in admission.check_contestant(person(), conditions, on=ON)] == ["conditions_confirmed"]
    assert admission.check_contestant(person(conditions_confirmed=True), conditions, on=ON) == []


def test_reg1_entry_is_one_contestant_of_an_employer_without_mentor():
    entry = admission.Entry(organisation_id=7, organisation_is_employer=False,
                            people=[person(), person(key="2", kind="mentor", name="Наставников Н.")])
    rules = sorted(v.field for v in admission.check_entry(entry, CONDITIONS, on=ON))
    assert rules == ["kind", "organisation"]


def test_reg1_the_same_person_is_entered_once():
    entry = admission.Entry(organisation_id=7, organisation_is_employer=True, people=[person()])
    other = admission.OtherEntry(label="№ 5", identities=frozenset({"p:орел|семен|1990-01-01"}))
    found = messages(admission.check_entry(entry, CONDITIONS, on=ON, others=[other]))
    assert found == ["Орёл Семён уже заявлен(а) на конкурс (№ 5): участник выступает в одной номинации."]


def test_reg1_no_contestant_is_refused():
    entry = admission.Entry(organisation_id=7, organisation_is_employer=True, people=[])
    assert messages(admission.check_entry(entry, CONDITIONS, on=ON)) == [
        "В заявке должен быть ровно один участник, сейчас: 0."]


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)),
       st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2060, 12, 31)))
def test_reg1_age_on_counts_full_years(born, day):
    age = admission.age_on(born, day)
    assert 0 <= age <= day.year - born.year
    # the birthday of the (age+1)-th year is after ``day``; the age-th is not
    try:
        last = born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        last = dt.date(born.year + age, 3, 1)
    assert last <= day
