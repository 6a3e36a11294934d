"""REG-2, REG-3, REG-9…REG-12: the pure team rules, table-driven, with property tests over the grade rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.registration import team_rules as tr
from profmaster.registration import workflow

CAT_12 = tr.CategoryRules("1–2 класс", 1, 2, 2)
CAT_34 = tr.CategoryRules("3–4 класс", 3, 4, 2, sibling_exception_grade_min=1, sibling_exception_grade_max=2)
FAMILY = tr.CategoryRules("Семья мастеров 5–8 класс", 5, 8, 1, relatives_per_team=1, moscow_school_required=False)
RULES = tr.ChampionshipRules()
ORG = 10


def pupil(key: str, grade: int | None, *, org: int | None = ORG, moscow: bool = True, identity: str = "") -> tr.Person:
    return tr.Person(key=key, kind=tr.PARTICIPANT, name=f"Ученик {key}", organisation_id=org,
                     organisation_is_moscow=moscow, grade=grade, identity=identity or f"p:{key}")


def mentor(key: str = "m", identity: str = "m:mentor@example.ru") -> tr.Person:
    return tr.Person(key=key, kind=tr.MENTOR, name="Наставникова Н. Н.", organisation_id=ORG, identity=identity)


def relative(key: str = "r", relation: str = "mother", org: int | None = None) -> tr.Person:
    return tr.Person(key=key, kind=tr.RELATIVE, name="Родственникова Р. Р.", organisation_id=org, relation=relation)


def team(*members: tr.Person, siblings: bool = False, org: int = ORG, comp: int = 1, cat: int = 1,
         dates: tuple[tr.DateRange, ...] = ()) -> tr.Team:
    return tr.Team(organisation_id=org, competency_id=comp, age_category_id=cat, members=members,
                   participants_are_siblings=siblings, dates=dates)


def rules_of(violations: list[tr.Violation]) -> list[tuple[str, str | None, str]]:
    return [(v.rule, v.person, v.field) for v in violations]


def test_reg2_reg3_valid_team_of_each_category_passes():
    assert tr.check_team(team(pupil("a", 1), pupil("b", 2), mentor()), CAT_12, RULES) == []
    assert tr.check_team(team(pupil("a", 3), pupil("b", 4), mentor()), CAT_34, RULES) == []
    assert tr.check_team(team(pupil("a", 5), relative(), mentor()), FAMILY, RULES) == []


@pytest.mark.parametrize(("members", "expected"), [
    ((), [("REG-2", None, "members")] * 2),
    (("p1", "m"), [("REG-2", None, "members")]),
    (("p1", "p2", "p3", "m"), [("REG-2", None, "members")]),
    (("p1", "p2", "m", "m2"), [("REG-2", None, "members")]),
])
def test_reg2_team_composition_counts(members, expected):
    people = {"p1": pupil("p1", 1), "p2": pupil("p2", 2), "p3": pupil("p3", 1), "m": mentor(),
              "m2": mentor("m2", "m:other@example.ru")}
    violations = tr.check_team(team(*(people[m] for m in members)), CAT_12, RULES)
    assert rules_of(violations) == expected


def test_reg2_composition_message_names_the_numbers_and_the_fix():
    [violation] = tr.check_team(team(pupil("a", 1), mentor()), CAT_12, RULES)
    assert violation.message == ("В категории «1–2 класс» в команде должно быть участников: 2, сейчас: 1. "
                                 "Добавьте недостающих.")


@pytest.mark.parametrize("relation", list(tr.RELATIVE_KINDS))
def test_reg2_every_close_relative_kind_allowed(relation):
    assert tr.check_team(team(pupil("a", 6), relative(relation=relation), mentor()), FAMILY, RULES) == []


@pytest.mark.parametrize("relation", ["", "aunt", "neighbour"])
def test_reg2_other_relations_refused_naming_the_person(relation):
    violations = tr.check_team(team(pupil("a", 6), relative(relation=relation), mentor()), FAMILY, RULES)
    assert rules_of(violations) == [("REG-2", "r", "relation")]
    assert violations[0].message.startswith("Родственникова Р. Р.: укажите родство с участником — одно из: мать, отец,")


def test_reg2_relative_kinds_are_data():
    rules = tr.ChampionshipRules(relative_kinds=frozenset({"mother"}))
    assert rules_of(tr.check_team(team(pupil("a", 6), relative(relation="father"), mentor()), FAMILY, rules)) == [
        ("REG-2", "r", "relation")]


@pytest.mark.parametrize(("grades", "bad"), [
    ((1, 2), []), ((2, 2), []), ((1, 1), []),
    ((0, 1), ["a"]), ((3, 1), ["a"]), ((1, 3), ["b"]), ((13, 12), ["a", "b"]),
])
def test_reg3_grades_of_1_2_category_with_boundaries(grades, bad):
    violations = tr.check_team(team(pupil("a", grades[0]), pupil("b", grades[1]), mentor()), CAT_12, RULES)
    assert [(v.rule, v.person) for v in violations] == [("REG-3", k) for k in bad]


@pytest.mark.parametrize(("grades", "siblings", "bad"), [
    ((3, 4), False, []),
    ((2, 4), False, ["a"]),      # the exception is for siblings only
    ((2, 4), True, []),          # one sibling in grade 2: allowed
    ((4, 1), True, []),          # either of the two
    ((1, 2), True, ["b"]),       # both younger: only one may use the exception
    ((5, 3), True, ["a"]),       # grade 5 is outside both ranges
    ((0, 3), True, ["a"]),
])
def test_reg3_sibling_exception_of_3_4_category(grades, siblings, bad):
    violations = tr.check_team(team(pupil("a", grades[0]), pupil("b", grades[1]), mentor(), siblings=siblings),
                               CAT_34, RULES)
    assert [(v.rule, v.person) for v in violations] == [("REG-3", k) for k in bad]


def test_reg3_second_sibling_message():
    violations = tr.check_team(team(pupil("a", 1), pupil("b", 2), mentor(), siblings=True), CAT_34, RULES)
    assert [v.message for v in violations] == [
        "Ученик b: в 2 классе может учиться только один из братьев и сестёр; второй участник должен учиться в 3–4 классе."]


def test_reg3_out_of_range_message_names_person_grade_and_fix():
    [violation] = tr.check_team(team(pupil("a", 3), pupil("b", 2), mentor()), CAT_12, RULES)
    assert violation.message == ("Ученик a: в категории «1–2 класс» участник учится в 1–2 классе, указан 3 класс. "
                                 "Исправьте класс или выберите другую категорию.")


@pytest.mark.parametrize(("grade", "ok"), [(4, False), (5, True), (8, True), (9, False)])
def test_reg3_family_pupil_grades_5_to_8(grade, ok):
    violations = tr.check_team(team(pupil("a", grade), relative(), mentor()), FAMILY, RULES)
    assert (violations == []) is ok


def test_reg3_missing_grade_is_named():
    violations = tr.check_team(team(pupil("a", None), pupil("b", 1), mentor()), CAT_12, RULES)
    assert [(v.rule, v.person, v.field, v.message) for v in violations] == [
        ("REG-3", "a", "grade", "Ученик a: укажите класс обучения.")]


def test_reg3_moscow_school_required_except_family():
    outside = pupil("a", 1, org=ORG, moscow=False)
    assert rules_of(tr.check_team(team(outside, pupil("b", 1), mentor()), CAT_12, RULES)) == [
        ("REG-3", "a", "organisation")]
    assert tr.check_team(team(pupil("a", 5, moscow=False), relative(), mentor()), FAMILY, RULES) == []


def test_reg12_participants_from_the_applying_organisation_relative_exempt():
    assert rules_of(tr.check_team(team(pupil("a", 1), pupil("b", 1, org=99), mentor()), CAT_12, RULES)) == [
        ("REG-12", "b", "organisation")]
    assert tr.check_team(team(pupil("a", 5), relative(org=77), mentor()), FAMILY, RULES) == []
    off = tr.ChampionshipRules(same_organisation_required=False)
    assert tr.check_team(team(pupil("a", 1), pupil("b", 1, org=99), mentor()), CAT_12, off) == []


def other(label: str = "№ 7", *, org: int = ORG, comp: int = 1, cat: int = 1, pupils: tuple[str, ...] = (),
          mentors: tuple[str, ...] = (), dates: tuple[tr.DateRange, ...] = ()) -> tr.OtherApplication:
    return tr.OtherApplication(label=label, organisation_id=org, competency_id=comp, age_category_id=cat,
                               participant_identities=frozenset(pupils), mentor_identities=frozenset(mentors),
                               dates=dates)


def valid_team(**kwargs):
    return team(pupil("a", 1), pupil("b", 2), mentor(), **kwargs)


def test_reg9_one_application_per_organisation_competency_category():
    assert rules_of(tr.check_team(valid_team(), CAT_12, RULES, [other()])) == [("REG-9", None, "competency")]
    # another category, another competency or another organisation: allowed (003 §3.9)
    assert tr.check_team(valid_team(), CAT_12, RULES, [other(cat=2), other(comp=2), other(org=11)]) == []
    assert tr.check_team(valid_team(), CAT_12, tr.ChampionshipRules(one_application_per_organisation=False),
                         [other()]) == []


def test_reg10_participant_in_one_competency_and_category_only():
    violations = tr.check_team(valid_team(), CAT_12, RULES, [other(comp=2, pupils=("p:b",))])
    assert rules_of(violations) == [("REG-10", "b", "last_name")]
    assert violations[0].message == ("Ученик b уже заявлен(а) в другой команде (№ 7): участник выступает только по "
                                     "одной компетенции в одной категории.")


D = dt.date


@pytest.mark.parametrize(("ours", "theirs", "refused"), [
    (((D(2023, 4, 3), D(2023, 4, 3)),), ((D(2023, 4, 3), D(2023, 4, 3)),), True),    # same day
    (((D(2023, 4, 3), D(2023, 4, 5)),), ((D(2023, 4, 5), D(2023, 4, 6)),), True),    # overlapping by one day
    (((D(2023, 4, 3), D(2023, 4, 4)),), ((D(2023, 4, 5), D(2023, 4, 6)),), False),   # adjacent: no overlap
    (((D(2023, 4, 3), D(2023, 4, 3)),), ((D(2023, 4, 10), D(2023, 4, 10)),), False),
    ((), ((D(2023, 4, 3), D(2023, 4, 3)),), False),                                   # dates not known yet
])
def test_reg11_mentor_dates_overlapping_vs_adjacent(ours, theirs, refused):
    violations = tr.check_team(valid_team(dates=ours), CAT_12, RULES,
                               [other(comp=2, mentors=("m:mentor@example.ru",), dates=theirs)])
    assert rules_of(violations) == ([("REG-11", "m", "email")] if refused else [])


def test_reg11_mentor_teams_of_one_organisation_only():
    violations = tr.check_team(valid_team(), CAT_12, RULES, [other(org=11, comp=2, mentors=("m:mentor@example.ru",))])
    assert rules_of(violations) == [("REG-11", "m", "email")]
    assert "команды другой организации" in violations[0].message
    assert tr.check_team(valid_team(), CAT_12, tr.ChampionshipRules(mentor_single_organisation=False),
                         [other(org=11, comp=2, mentors=("m:mentor@example.ru",))]) == []


@pytest.mark.parametrize(("current", "to", "ok"), [
    ("draft", "submitted", True), ("draft", "approved", False), ("submitted", "returned", True),
    ("returned", "resubmitted", True), ("returned", "approved", False), ("resubmitted", "approved", True),
    ("approved", "withdrawn", True), ("approved", "rejected", False), ("rejected", "submitted", False),
    ("withdrawn", "draft", False), ("submitted", "submitted", False),
])
def test_reg1_transition_table(current, to, ok):
    assert workflow.can_move(current, to) is ok


# --- Property tests over the grade rules ---------------------------------------------------------

grades_st = st.integers(min_value=-2, max_value=14)


@st.composite
def categories(draw):
    low = draw(st.integers(1, 11))
    high = draw(st.integers(low, 11))
    if draw(st.booleans()):
        s_low = draw(st.integers(1, 11))
        s_high = draw(st.integers(s_low, 11))
    else:
        s_low = s_high = None
    return tr.CategoryRules("К", low, high, 2, sibling_exception_grade_min=s_low, sibling_exception_grade_max=s_high)


@given(categories(), st.lists(grades_st, min_size=1, max_size=4), st.booleans())
def test_reg3_property_every_grade_in_range_passes_and_out_of_both_ranges_fails(category, grades, siblings):
    flagged = {index for index, _code in tr.grade_violations(grades, category, siblings=siblings)}
    for index, grade in enumerate(grades):
        in_main = category.grade_min <= grade <= category.grade_max
        in_sibling = tr.in_range(grade, category.sibling_exception_grade_min, category.sibling_exception_grade_max)
        if in_main:
            assert index not in flagged
        elif not in_sibling or not siblings or len(grades) < 2:
            assert index in flagged


@given(categories(), st.lists(grades_st, min_size=2, max_size=4))
def test_reg3_property_sibling_exception_excuses_at_most_one_participant(category, grades):
    flagged = {index for index, _code in tr.grade_violations(grades, category, siblings=True)}
    outside_main = {i for i, g in enumerate(grades) if not category.grade_min <= g <= category.grade_max}
    assert len(outside_main - flagged) <= (1 if category.has_sibling_exception else 0)
    # without the siblings declaration nobody outside the main range is excused
    assert {i for i, _c in tr.grade_violations(grades, category, siblings=False)} == outside_main


@given(st.integers(1, 11), st.integers(1, 11), st.integers(-2, 14))
def test_reg3_property_single_grade_check_is_the_interval(low, high, grade):
    low, high = min(low, high), max(low, high)
    category = tr.CategoryRules("К", low, high, 1)
    assert (tr.grade_violations([grade], category, siblings=False) == []) is (low <= grade <= high)
