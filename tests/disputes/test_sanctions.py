"""AP-4 (003 §8.11–8.13): sanctions reach the results only as numbered recorded decisions (their own lines in the
breakdown and the results protocol, marks never edited); a removed expert's venue access ends, they enter no more
marks and the marks they entered stay, flagged for review; a suspended participant gets no time back when the
appeal fails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from profmaster.checkin.models import Accreditation
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.disputes import domain, sanctions
from profmaster.incidents.models import Removal
from profmaster.marking import marks
from profmaster.marking.models import Criterion, Mark, MarkEntry, MarksReview, TeamResult
from profmaster.results import computation
from profmaster.results.domain import _results_protocol_content
from profmaster.results.models import ResultDecision

from ..marking.conftest import make_locked_scheme


def _decided(world, proposal="Снять баллы с команды № 1"):
    dispute = domain.raise_dispute(world.competency, question="Подсказка эксперта", concerns="Команда № 1",
                                   team=world.team, by=world.mentor_user)
    domain.put_to_vote(dispute, proposal=proposal, by=world.chief)
    for expert in world.experts[:2]:
        domain.cast_vote(dispute, choice="for", by=expert)
    dispute.refresh_from_db()
    return dispute


def _locked(world, total="40.50", criteria=None):
    from profmaster.marking.models import MarkingScheme

    from ..factories import StageFactory

    scheme = MarkingScheme.objects.create(competency=world.competency, stage=StageFactory(
        championship=world.championship, name="Финал"), title="Схема финала")
    return TeamResult.objects.create(scheme=scheme, team=world.team, total=Decimal(total),
                                     criteria=criteria or [], locked_at=timezone.now())


def test_ap4_deduction_is_its_own_numbered_line_in_results_and_protocol(world):
    result = _locked(world)
    dispute = _decided(world)
    decision = sanctions.deduct_points(world.team, "3,5".replace(",", "."), reason="Преимущество — 1 модуль",
                                       by=world.chief, dispute=dispute)
    assert decision.number == 1 and decision.kind == ResultDecision.Kind.DEDUCTION
    assert decision.basis == "Спорный вопрос № 1" and list(dispute.result_decisions.all()) == [decision]
    row = computation.competency_results(world.competency)["groups"][0]["rows"][0]
    assert row["total"] == "37.00" and row["marks_total"] == "40.50"
    assert row["decisions"][0]["number"] == 1 and row["decisions"][0]["label"] == "Вычет баллов"
    result.refresh_from_db()
    assert result.total == Decimal("40.50")
    _title, data = _results_protocol_content(world.competency, "final")
    line = next(v for v in data.values() if isinstance(v, list))[0]
    assert "№ 1. Вычет баллов 3,50 — Спорный вопрос № 1: Преимущество — 1 модуль" in line["Решения о баллах"]
    # the dispute's protocol was formed again and states the sanction
    dispute.protocol.refresh_from_db()
    assert dispute.protocol.version == 2 and "Вычет баллов" in str(dispute.protocol.data)


def test_ap4_sanction_needs_an_adopted_decision_and_reasons(world):
    dispute = domain.raise_dispute(world.competency, question="?", concerns="Все", team=world.team,
                                   by=world.mentor_user)
    with pytest.raises(TransitionError, match="решённому вопросу"):
        sanctions.deduct_points(world.team, "1", reason="Нарушение", by=world.chief, dispute=dispute)
    with pytest.raises(DomainError, match="Укажите решение"):
        sanctions.deduct_points(world.team, "1", reason="Нарушение", by=world.chief)
    decided = _decided(world)
    for bad in ("0", "-1", "abc", "1e9", "NaN"):
        with pytest.raises(DomainError):
            sanctions.deduct_points(world.team, bad, reason="Нарушение", by=world.chief, dispute=decided)
    with pytest.raises(DomainError):
        sanctions.deduct_points(world.team, "1", reason=" ", by=world.chief, dispute=decided)
    assert ResultDecision.objects.count() == 0


def test_ap4_appeal_basis_without_a_dispute(world):
    decision = sanctions.deduct_points(world.team, "2", reason="Решение комиссии", basis="Апелляция № 1",
                                       by=world.directorate)
    assert decision.basis == "Апелляция № 1" and decision.number == 1


def test_ap4_zero_criteria_from_locked_result_and_whole_result(world):
    _locked(world, "40.50", criteria=[{"code": "A", "points": "12.25"}, {"code": "B", "points": "28.25"}])
    scheme = TeamResult.objects.get().scheme
    criterion = Criterion.objects.create(scheme=scheme, code="A", title="Критерий A")
    dispute = _decided(world)
    part = sanctions.zero_part(world.team, criteria=[criterion], reason="Работа по критерию A не своя",
                               by=world.chief, dispute=dispute)
    assert part.points == Decimal("12.25") and part.scope == {"criteria": ["A"], "aspects": []}
    row = computation.competency_results(world.competency)["groups"][0]["rows"][0]
    assert row["total"] == "28.25" and row["decisions"][0]["scope"] == "критерии A"
    whole = sanctions.zero_result(world.team, reason="Грубое нарушение", by=world.chief, dispute=dispute)
    assert whole.number == 2
    assert computation.competency_results(world.competency)["groups"][0]["rows"][0]["total"] == "0.00"
    with pytest.raises(TransitionError, match="уже аннулированы"):
        sanctions.zero_result(world.team, reason="Ещё раз", by=world.chief, dispute=dispute)


def test_ap4_zero_aspects_from_current_marks(world):
    scheme = make_locked_scheme(world.competency, world.chief)
    aspect = marks.aspects_of(scheme)[0]
    for expert in marks.judging_experts(scheme, world.team):
        marks.save_mark(scheme, aspect, world.team, 3, expert=expert, by=world.chief)
    decision = sanctions.zero_part(world.team, aspects=[aspect], reason="Аспект A1.1", by=world.chief,
                                   dispute=_decided(world))
    assert decision.points == Decimal("2.00") and decision.scope == {"criteria": [], "aspects": ["A1.1"]}
    with pytest.raises(DomainError, match="Выберите критерии"):
        sanctions.zero_part(world.team, reason="?", by=world.chief, dispute=_decided(world))


def test_ap4_removed_expert_cannot_enter_marks_marks_kept_and_flagged(world):
    scheme = make_locked_scheme(world.competency, world.chief)
    aspect = marks.aspects_of(scheme)[0]
    shevchuk = world.experts[1]
    marks.save_mark(scheme, aspect, world.team, 2, expert=shevchuk, by=world.chief)
    entries = MarkEntry.objects.count()
    badge = Accreditation.objects.get(user=shevchuk, competency=world.competency)
    first, second = _decided(world), _decided(world)
    removal = sanctions.remove_from_venue(badge, reason="Подсказывал команде", by=world.chief, dispute=first)
    badge.refresh_from_db()
    assert removal.kind == Removal.Kind.FINAL and removal.incident is None and badge.revoked_at is not None
    review = MarksReview.objects.get(expert=shevchuk)
    assert review.marks_count == 1 and review.reviewed_at is None
    # the mark stays; no new mark of the removed expert, by the chief expert (in person) or anyone
    assert Mark.objects.get(expert=shevchuk).value == 2
    with pytest.raises(DomainError, match="отстранён"):
        marks.save_mark(scheme, aspect, world.team, 3, expert=shevchuk, by=world.chief)
    target = marks.entry_target(scheme.pk, world.team.pk, world.chief, shevchuk.pk)
    with pytest.raises(DomainError, match="отстранён"):
        marks.enter_mark(target.scheme, aspect, target.team, 3, expert=target.expert, by=world.chief)
    assert MarkEntry.objects.count() == entries and Mark.objects.get(expert=shevchuk).value == 2
    # the other experts' marks go on
    marks.save_mark(scheme, aspect, world.team, 3, expert=world.experts[0], by=world.chief)
    with pytest.raises(TransitionError, match="уже удалён"):
        sanctions.remove_from_venue(badge, reason="Ещё раз", by=world.chief, dispute=second)


def test_ap4_removed_chief_expert_enters_no_marks(world):
    scheme = make_locked_scheme(world.competency, world.chief)
    aspect = marks.aspects_of(scheme)[0]
    badge = Accreditation.objects.get(user=world.chief, competency=world.competency, kind="chief_expert")
    sanctions.remove_from_venue(badge, reason="Нарушение", basis="Апелляция № 1", by=world.directorate)
    with pytest.raises(AccessDenied, match="отстранены"):
        marks.save_mark(scheme, aspect, world.team, 3, expert=world.experts[0], by=world.chief)


def test_ap4_participant_is_not_removed_but_suspended(world):
    pupil = Accreditation.objects.get(application=world.team, kind="participant", member__last_name="Орёл")
    with pytest.raises(DomainError, match="отстраняют на время апелляции"):
        sanctions.remove_from_venue(pupil, reason="?", by=world.chief, dispute=_decided(world))


def test_ap4_suspension_failed_appeal_no_compensation_upheld_gets_minutes_back(world):
    from profmaster.timekeeping.models import ExtraTime, Suspension

    member = world.team.members.get(last_name="Орёл")
    suspension = sanctions.suspend_participant(member, reason="На время рассмотрения", basis="Апелляция № 1",
                                               by=world.directorate)
    with pytest.raises(TransitionError, match="уже отстранён"):
        sanctions.suspend_participant(member, reason="Ещё", basis="Апелляция № 1", by=world.directorate)
    ended = sanctions.end_suspension(suspension, appeal_upheld=False, by=world.directorate)
    assert ended.compensated_minutes == 0 and ended.extra_time is None
    with pytest.raises(TransitionError, match="уже окончено"):
        sanctions.end_suspension(suspension, appeal_upheld=True, by=world.directorate)
    # upheld: the minutes away come back on the running module
    from profmaster.timekeeping import domain as timekeeping
    from profmaster.timekeeping.models import Timer

    scheme = make_locked_scheme(world.competency, world.chief)
    timer = Timer.objects.create(flow=world.flow, competency=world.competency, kind="module",
                                 module=scheme.criteria.first(), title="Модуль A", duration_minutes=120)
    timekeeping.start_timer(timer, by=world.chief)
    again = timekeeping.suspend_member(member, basis="Апелляция № 2", reason="На время рассмотрения",
                                       by=world.directorate, now=timezone.now() - dt.timedelta(minutes=25))
    back = sanctions.end_suspension(again, appeal_upheld=True, by=world.directorate)
    assert back.compensated_minutes == 25 and back.extra_time.minutes == 25
    assert ExtraTime.objects.get().team == world.team
    assert Suspension.objects.filter(ended_at__isnull=True).count() == 0
