"""Mark entry, sheets, discrepancies, lock and unlock (SPEC SC-2…SC-8)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from profmaster.accounts.models import Role
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.documents.domain import sign_document
from profmaster.documents.models import DocumentType
from profmaster.marking import marks
from profmaster.marking import panel as panels
from profmaster.marking.calculation import MarkError
from profmaster.marking.models import (
    Aspect,
    JudgingRole,
    Mark,
    SchemeMarking,
    Sheet,
    SpreadResolution,
    SubCriterion,
    TeamResult,
)

from ..factories import PASSWORD, OrganisationFactory, UserFactory, give_role
from ..russian_plurals import PANEL, russian_forms
from .conftest import make_team, mark_everything

pytestmark = pytest.mark.django_db


def _aspect(scheme, code="A1.1"):
    return Aspect.objects.get(sub_criterion__criterion__scheme=scheme, code=code)


def _sub(scheme, code="A1"):
    return SubCriterion.objects.get(criterion__scheme=scheme, code=code)


# --- SC-8 panel -------------------------------------------------------------------------------------


def test_sc8_mentor_expert_never_marks_their_team(locked_scheme, panel, competency):
    chief, (e1, e2) = panel
    team = make_team(competency, mentor=e1)
    assert [e.pk for e in marks.judging_experts(locked_scheme, team)] == [e2.pk]
    with pytest.raises(DomainError, match="наставник"):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), team, 2, expert=e1, by=chief)
    with pytest.raises(DomainError, match="наставник"):
        panels.add_judging_role(competency, e1, "Оценка команды", by=chief, team=team)
    assert not Mark.objects.exists() and not JudgingRole.objects.exists()


def test_sc8_own_organisation_conflict_is_configurable(locked_scheme, panel, competency):
    chief, (e1, _e2) = panel
    organisation = OrganisationFactory()
    give_role(e1, Role.MENTOR, competency.championship).__class__.objects.filter(
        user=e1, role=Role.MENTOR).update(organisation=organisation)
    team = make_team(competency, organisation=organisation)
    with pytest.raises(DomainError, match="организации"):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), team, 2, expert=e1, by=chief)
    panel_row = panels.panel_of(competency)
    panel_row.exclude_own_organisation = False
    panels.save_panel(panel_row, by=chief)
    competency = type(competency).objects.get(pk=competency.pk)
    locked_scheme.competency = competency
    assert marks.save_mark(locked_scheme, _aspect(locked_scheme), team, 2, expert=e1, by=chief).value == 2


def test_sc8_short_panel_is_warned(competency, panel):
    competency.expert_count = 4
    competency.save()
    with russian_forms(PANEL):
        assert panels.warnings(competency) == ["В жюри 2 эксперта из 4, положенных по п. 6.4 методики."]


def test_sc8_roles_protocol_is_a_signed_document(competency, panel):
    chief, (e1, _e2) = panel
    with pytest.raises(DomainError):
        panels.roles_protocol(competency, by=chief)
    panels.add_judging_role(competency, e1, "Эксперт-оценщик критерия A", by=chief)
    with pytest.raises(DomainError):
        panels.add_judging_role(competency, e1, "Эксперт-оценщик критерия A", by=chief)
    with pytest.raises(DomainError):
        panels.add_judging_role(competency, UserFactory(), "Чужой", by=chief)
    document = panels.roles_protocol(competency, by=chief)
    assert document.doc_type == DocumentType.JUDGING_ROLES
    assert set(document.required_signers.values_list("user_id", flat=True)) == {chief.pk, *[e.pk for e in panel[1]]}
    assert panels.panel_of(competency).roles_document_id == document.pk


def test_sc8_blind_assessment_gives_work_codes(competency, panel, teams):
    chief, _ = panel
    panel_row = panels.panel_of(competency)
    panel_row.blind = True
    panels.save_panel(panel_row, by=chief)
    codes = {t.pk: t.work_code.code for t in type(teams[0]).objects.filter(pk__in=[t.pk for t in teams])}
    assert len(set(codes.values())) == 2 and all(len(c) == 5 for c in codes.values())
    team = type(teams[0]).objects.get(pk=teams[0].pk)
    assert marks.team_label(team) == codes[team.pk]


# --- SC-2 sheets and the four-eyes check -------------------------------------------------------------


def test_sc2_sheet_completes_only_when_every_aspect_is_marked(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    aspect, sub = _aspect(locked_scheme), _sub(locked_scheme)
    marks.save_mark(locked_scheme, aspect, teams[0], 0, expert=e1, by=chief)
    with pytest.raises(DomainError, match="Не оценены"):
        marks.complete_sheet(locked_scheme, teams[0], sub, by=chief)
    marks.save_mark(locked_scheme, aspect, teams[0], 1, expert=e2, by=chief)
    sheet = marks.complete_sheet(locked_scheme, teams[0], sub, by=chief)
    assert sheet.completed_by == chief
    with pytest.raises(TransitionError):
        marks.complete_sheet(locked_scheme, teams[0], sub, by=chief)


def test_sc3_correction_after_completion_needs_a_reason(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    aspect, sub = _aspect(locked_scheme), _sub(locked_scheme)
    for expert in (e1, e2):
        marks.save_mark(locked_scheme, aspect, teams[0], 1, expert=expert, by=chief)
    marks.complete_sheet(locked_scheme, teams[0], sub, by=chief)
    with pytest.raises(DomainError, match="причины"):
        marks.save_mark(locked_scheme, aspect, teams[0], 2, expert=e1, by=chief)
    assert Mark.objects.get(aspect=aspect, team=teams[0], expert=e1).value == 1
    marks.save_mark(locked_scheme, aspect, teams[0], 2, expert=e1, by=chief, reason="Ошибка переноса")
    assert Mark.objects.get(aspect=aspect, team=teams[0], expert=e1).value == 2


def test_sc3_four_eyes_mismatch_blocks_completion(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    panel_row = panels.panel_of(locked_scheme.competency)
    panel_row.four_eyes = True
    panels.save_panel(panel_row, by=chief)
    aspect, sub = _aspect(locked_scheme), _sub(locked_scheme)
    for expert in (e1, e2):
        marks.save_mark(locked_scheme, aspect, teams[0], 1, expert=expert, by=chief)
    with pytest.raises(AccessDenied):
        marks.check_mark(locked_scheme, aspect, teams[0], 1, expert=e1, by=chief)  # not the one who typed
    marks.check_mark(locked_scheme, aspect, teams[0], 1, expert=e1, by=e2)
    marks.check_mark(locked_scheme, aspect, teams[0], 2, expert=e2, by=e1)
    with pytest.raises(DomainError, match="не совпал"):
        marks.complete_sheet(locked_scheme, teams[0], sub, by=chief)
    marks.check_mark(locked_scheme, aspect, teams[0], 1, expert=e2, by=e1)
    marks.complete_sheet(locked_scheme, teams[0], sub, by=chief)
    assert marks.verify(locked_scheme) == []


def test_sc3_check_without_four_eyes_refused(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=chief)
    with pytest.raises(TransitionError):
        marks.check_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=e2)


# --- SC-4 results and discrepancies ------------------------------------------------------------------


def test_sc4_exact_totals_and_subtotals(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    # A: (2, 1) → 2 × 1.5 / 3 = 1; B: (1, 1) → 2/3; C: (2, 2) → 4/3; total 3 exactly
    for code, (m1, m2) in {"A1.1": (2, 1), "B1.1": (1, 1), "C1.1": (2, 2)}.items():
        marks.save_mark(locked_scheme, _aspect(locked_scheme, code), teams[0], m1, expert=e1, by=chief)
        marks.save_mark(locked_scheme, _aspect(locked_scheme, code), teams[0], m2, expert=e2, by=chief)
    score = next(s for s in marks.scheme_scores(locked_scheme) if s.team == teams[0])
    assert score.total == Decimal("3.00")
    assert score.totals.rounded(score.totals.by_criterion) == {"A": Decimal("1.00"), "B": Decimal("0.67"),
                                                                "C": Decimal("1.33")}
    other = next(s for s in marks.scheme_scores(locked_scheme) if s.team == teams[1])
    assert other.total is None and other.missing == 3


def test_sc4_spread_flag_blocks_lock_until_resolved(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    mark_everything(locked_scheme, teams, chief)
    aspect = _aspect(locked_scheme)
    marks.save_mark(locked_scheme, aspect, teams[0], 0, expert=e1, by=chief, reason="Перенос")
    marks.save_mark(locked_scheme, aspect, teams[0], 3, expert=e2, by=chief, reason="Перенос")
    problems = marks.lock_problems(locked_scheme)
    assert len(problems) == 1 and "A1.1" in problems[0] and "0, 3" in problems[0]
    with pytest.raises(DomainError):
        marks.lock_marks(locked_scheme, by=chief)
    with pytest.raises(DomainError):
        marks.resolve_spread(locked_scheme, aspect, teams[0], by=chief, reason="  ")
    with pytest.raises(TransitionError):
        marks.resolve_spread(locked_scheme, _aspect(locked_scheme, "B1.1"), teams[0], by=chief, reason="Нет")
    marks.resolve_spread(locked_scheme, aspect, teams[0], by=chief, reason="Эксперты обсудили, оценки оставлены")
    assert marks.lock_problems(locked_scheme) == []
    # a later change of those marks makes the resolution stale
    marks.save_mark(locked_scheme, aspect, teams[0], 2, expert=e1, by=chief, reason="Пересмотр")
    assert marks.lock_problems(locked_scheme) == []  # spread 1 now: within the limit
    assert not SpreadResolution.objects.exists()
    marks.save_mark(locked_scheme, aspect, teams[0], 0, expert=e1, by=chief, reason="Пересмотр")
    assert len(marks.lock_problems(locked_scheme)) == 1


def test_sc4_flags_come_with_the_totals_lowest_mark_first(locked_scheme, panel, teams, django_assert_num_queries):
    """SC-4: the discrepancy flags of every team come from the same grouped read as the totals (a count of each
    judgement value), so a results page or a full recompute reads no individual marks; a mark that no judgement
    scale allows (written outside the application) is refused, as team_totals refuses it."""
    chief, (e1, e2) = panel
    mark_everything(locked_scheme, teams, chief)
    aspect = _aspect(locked_scheme)
    marks.save_mark(locked_scheme, aspect, teams[0], 3, expert=e1, by=chief, reason="Перенос")
    marks.save_mark(locked_scheme, aspect, teams[0], 0, expert=e2, by=chief, reason="Перенос")
    marks.save_mark(locked_scheme, aspect, teams[1], 0, expert=e1, by=chief, reason="Перенос")
    with django_assert_num_queries(5):  # aspects, teams, resolutions, the rules, the grouped marks
        scores = marks.all_scores([locked_scheme])[locked_scheme.pk]
    assert [s.flags for s in scores] == [[("A1.1", [0, 3], aspect.pk)], [("A1.1", [0, 2], aspect.pk)]]
    assert [s.flags for s in marks.scheme_scores(locked_scheme)] == [s.flags for s in scores]
    Mark.objects.filter(scheme=locked_scheme, aspect=aspect, team=teams[0], expert=e1).update(value=4)
    with pytest.raises(MarkError, match="out of range"):  # the sum (4 of 2 marks) alone would not show it
        marks.scheme_scores(locked_scheme)


# --- SC-5…SC-7 lock and unlock ----------------------------------------------------------------------


def test_sc5_lock_writes_team_results_and_renders_the_sheets(locked_scheme, panel, teams,
                                                             django_capture_on_commit_callbacks):
    chief, (e1, e2) = panel
    with pytest.raises(DomainError, match="не завершено"):
        marks.lock_marks(locked_scheme, by=chief)
    mark_everything(locked_scheme, teams, chief)
    with django_capture_on_commit_callbacks(execute=True):
        marking = marks.lock_marks(locked_scheme, by=chief)
    assert marking.is_locked
    results = {r.team_id: r for r in TeamResult.objects.filter(scheme=locked_scheme)}
    assert {t.pk for t in teams} == set(results)
    assert results[teams[0].pk].total == Decimal("4.00")  # 3 aspects × 2 × 2/3
    assert [c["points"] for c in results[teams[0].pk].criteria] == ["1.33", "1.33", "1.33"]
    marking.refresh_from_db()
    assert marking.pdf_status == SchemeMarking.PdfStatus.READY and bytes(marking.pdf).startswith(b"%PDF")
    # SC-7: every expert signs the lock-acceptance form
    assert marking.lock_document.doc_type == DocumentType.MARKS_LOCK
    assert set(marking.lock_document.required_signers.values_list("user_id", flat=True)) == {chief.pk, e1.pk, e2.pk}
    with pytest.raises(TransitionError):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 3, expert=e1, by=chief, reason="После")
    with pytest.raises(TransitionError):
        marks.lock_marks(locked_scheme, by=chief)


def test_sc6_unlock_needs_the_signed_protocol_and_the_directorate(locked_scheme, panel, teams, directorate_user):
    chief, (e1, e2) = panel
    mark_everything(locked_scheme, teams, chief)
    with pytest.raises(TransitionError):
        marks.request_marks_unlock(locked_scheme, by=chief, reason="Ошибка")
    marks.lock_marks(locked_scheme, by=chief)
    with pytest.raises(DomainError):
        marks.request_marks_unlock(locked_scheme, by=chief, reason="")
    document = marks.request_marks_unlock(locked_scheme, by=chief, reason="Ошибка переноса в A1.1")
    with pytest.raises(TransitionError):
        marks.request_marks_unlock(locked_scheme, by=chief, reason="Ещё раз")
    with pytest.raises(TransitionError):
        marks.unlock_marks(locked_scheme, by=directorate_user)
    for user in (chief, e1, e2):
        sign_document(document, signer=user, password=PASSWORD)
    marking = marks.unlock_marks(locked_scheme, by=directorate_user)
    assert not marking.is_locked and marking.unlock_approved_by == directorate_user
    assert not TeamResult.objects.filter(scheme=locked_scheme).exists()
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 3, expert=e1, by=chief, reason="Исправлено")
    marks.lock_marks(locked_scheme, by=chief)
    assert TeamResult.objects.get(scheme=locked_scheme, team=teams[0]).total == Decimal("4.33")


def test_sc6_unlock_signers_are_the_chief_and_the_experts_who_marked(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    late = UserFactory(last_name="Поздний")
    mark_everything(locked_scheme, teams, chief)
    give_role(late, Role.EXPERT, locked_scheme.competency.championship, locked_scheme.competency)
    assert {u.pk for u, _label in marks.markers_of(locked_scheme)} == {chief.pk, e1.pk, e2.pk}


def test_sc2_sheet_is_stored_once(locked_scheme, panel, teams):
    chief, _ = panel
    mark_everything(locked_scheme, teams[:1], chief)
    assert Sheet.objects.filter(team=teams[0]).count() == 3


def test_sc3_remote_mode_each_expert_completes_their_own_sheets(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    competency = locked_scheme.competency
    competency.mark_entry_mode = "remote"
    competency.save()
    locked_scheme = type(locked_scheme).objects.select_related("competency").get(pk=locked_scheme.pk)
    subs = list(SubCriterion.objects.filter(criterion__scheme=locked_scheme))
    for team in teams:
        for aspect in marks.aspects_of(locked_scheme):
            marks.save_mark(locked_scheme, aspect, team, 2, expert=e1, by=e1)
    for team in teams:
        for sub in subs:
            marks.complete_sheet(locked_scheme, team, sub, by=e1)
    with pytest.raises(DomainError, match="Не оценены"):
        marks.complete_sheet(locked_scheme, teams[0], subs[0], by=e2)
    assert any("не завершено" in p for p in marks.lock_problems(locked_scheme))
    for team in teams:
        for aspect in marks.aspects_of(locked_scheme):
            marks.save_mark(locked_scheme, aspect, team, 1, expert=e2, by=e2)
        for sub in subs:
            marks.complete_sheet(locked_scheme, team, sub, by=e2)
    assert Sheet.objects.filter(expert=e1).count() == 6 and Sheet.objects.filter(expert=e2).count() == 6
    marks.lock_marks(locked_scheme, by=chief)
    assert TeamResult.objects.get(team=teams[0]).total == Decimal("3.00")  # 3 × 2 × 1.5 / 3


def test_sc4_order_of_entry_does_not_change_stored_results(locked_scheme, panel, teams):
    """The same marks entered in the opposite order give the same exact results."""
    chief, (e1, e2) = panel
    plan = [(a, t, e, (a.pk + t.pk + e.pk) % 4) for a in marks.aspects_of(locked_scheme) for t in teams
            for e in (e1, e2)]
    for aspect, team, expert, value in plan:
        marks.save_mark(locked_scheme, aspect, team, value, expert=expert, by=chief)
    first = [(s.team.pk, s.totals.total if s.totals else None) for s in marks.scheme_scores(locked_scheme)]
    Mark.objects.all().delete()
    for aspect, team, expert, value in reversed(plan):
        marks.save_mark(locked_scheme, aspect, team, value, expert=expert, by=chief)
    assert [(s.team.pk, s.totals.total if s.totals else None) for s in marks.scheme_scores(locked_scheme)] == first


def test_sc4_scores_of_a_scheme_without_aspects_are_zero_like_team_totals(competency, panel, teams):
    """SC-4: a draft scheme with no aspect yet gives every team 0 and nothing missing, as before the one-pass
    computation (``team_totals`` of nothing)."""
    from profmaster.marking import domain
    from profmaster.marking.models import MarkingScheme

    from ..factories import StageFactory

    chief, _experts = panel
    empty = MarkingScheme(competency=competency, stage=StageFactory(championship=competency.championship),
                          title="Черновик")
    domain.save_scheme_part(empty, by=chief)
    scores = marks.scheme_scores(empty)
    assert [(s.team.pk, s.total, s.missing) for s in scores] == [(t.pk, Decimal("0.00"), 0) for t in teams]
    assert marks.all_scores([empty])[empty.pk][0].total == Decimal("0.00")
