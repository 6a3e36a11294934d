"""Marks and the marks ledger (SC-2, SC-3, X-2): one current mark, every change a chained entry,
``verify_marks`` finds what was altered outside the application."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.marking import ledger, marks
from profmaster.marking.models import Aspect, Mark, MarkEntry, SchemeMarking

from .conftest import make_team

pytestmark = pytest.mark.django_db


def _aspect(scheme, code="A1.1"):
    return Aspect.objects.get(sub_criterion__criterion__scheme=scheme, code=code)


def test_x2_every_change_is_a_chained_entry(locked_scheme, panel, teams):
    chief, (e1, _e2) = panel
    aspect = _aspect(locked_scheme)
    marks.save_mark(locked_scheme, aspect, teams[0], 2, expert=e1, by=chief)
    marks.save_mark(locked_scheme, aspect, teams[0], 3, expert=e1, by=chief, reason="опечатка")
    entries = list(MarkEntry.objects.filter(scheme=locked_scheme).order_by("seq"))
    assert [(e.seq, e.old_value, e.new_value, e.reason, e.by_id) for e in entries] == [
        (1, None, 2, "", chief.pk), (2, 2, 3, "опечатка", chief.pk)]
    assert entries[0].prev_hash == ledger.GENESIS and entries[1].prev_hash == entries[0].hash
    assert Mark.objects.get(aspect=aspect, team=teams[0], expert=e1).value == 3
    assert SchemeMarking.objects.get(scheme=locked_scheme).head_hash == entries[1].hash
    assert marks.verify(locked_scheme) == []


def test_sc2_same_value_again_writes_nothing(locked_scheme, panel, teams):
    chief, (e1, _) = panel
    aspect = _aspect(locked_scheme)
    marks.save_mark(locked_scheme, aspect, teams[0], 1, expert=e1, by=chief)
    marks.save_mark(locked_scheme, aspect, teams[0], "1", expert=e1, by=chief)
    assert MarkEntry.objects.filter(scheme=locked_scheme).count() == 1


@pytest.mark.parametrize("value", [4, -1, "x", "", None, "2.5"])
def test_sc2_judgement_mark_out_of_range_refused(locked_scheme, panel, teams, value):
    chief, (e1, _) = panel
    with pytest.raises(DomainError):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], value, expert=e1, by=chief)
    assert not Mark.objects.exists() and not MarkEntry.objects.exists()


def test_sc2_marks_need_a_locked_scheme(scheme, panel, teams):
    chief, (e1, _) = panel
    with pytest.raises(TransitionError):
        marks.save_mark(scheme, _aspect(scheme), teams[0], 1, expert=e1, by=chief)


def test_sc2_judgement_mark_needs_a_panel_expert(locked_scheme, panel, teams):
    from ..factories import UserFactory

    chief, _ = panel
    with pytest.raises(DomainError):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, by=chief)
    with pytest.raises(DomainError):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=UserFactory(), by=chief)


def test_sc2_team_and_aspect_must_belong_to_the_scheme(locked_scheme, panel, competency):
    from ..factories import CompetencyFactory

    chief, (e1, _) = panel
    other_team = make_team(CompetencyFactory(championship=competency.championship))
    with pytest.raises(DomainError):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), other_team, 1, expert=e1, by=chief)
    with pytest.raises(DomainError):
        marks.save_mark(locked_scheme, 999999, make_team(competency), 1, expert=e1, by=chief)


def test_sc3_in_person_only_the_chief_expert_enters(locked_scheme, panel, teams):
    _chief, (e1, _) = panel
    with pytest.raises(AccessDenied):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=e1)


def test_sc3_remote_each_expert_fills_only_their_own_sheet(locked_scheme, panel, teams):
    _chief, (e1, e2) = panel
    competency = locked_scheme.competency
    competency.mark_entry_mode = "remote"
    competency.save()
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=e1)
    with pytest.raises(AccessDenied):
        marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e2, by=e1)


def test_x2_verify_reports_a_mark_updated_directly_in_sql(locked_scheme, panel, teams):
    """Tampering test: an UPDATE done outside the application is reported by ``verify_marks``."""
    chief, (e1, _) = panel
    mark = marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=chief)
    call_command("verify_marks")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE marking_mark SET value = 3 WHERE id = %s", [mark.pk])
    problems = marks.verify(locked_scheme)
    assert len(problems) == 1 and "is 3, the ledger says 1" in problems[0]
    with pytest.raises(CommandError):
        call_command("verify_marks")


def test_x2_verify_reports_a_mark_inserted_without_the_ledger(locked_scheme, panel, teams):
    chief, (e1, e2) = panel
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=chief)
    Mark.objects.create(scheme=locked_scheme, aspect=_aspect(locked_scheme), team=teams[0], expert=e2, value=3,
                        entered_by=chief, entered_at=Mark.objects.first().entered_at)
    assert any("no ledger entry" in p for p in marks.verify(locked_scheme))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the trigger refuses the edit on PostgreSQL")
def test_x2_verify_reports_an_altered_ledger_entry(locked_scheme, panel, teams):
    chief, (e1, _) = panel
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=chief)
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 2, expert=e1, by=chief)
    MarkEntry.objects.filter(seq=1).update(reason="подделка")
    assert any("altered" in p for p in marks.verify(locked_scheme))
    MarkEntry.objects.filter(seq=1).delete()
    assert any("missing" in p for p in marks.verify(locked_scheme))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_x2_ledger_refuses_update_and_delete_on_postgresql(locked_scheme, panel, teams):
    chief, (e1, _) = panel
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=chief)
    for statement in ("UPDATE marking_markentry SET new_value = 3", "DELETE FROM marking_markentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert MarkEntry.objects.get().new_value == 1


def test_x2_database_refuses_a_second_current_mark(locked_scheme, panel, teams):
    from django.db import IntegrityError

    chief, (e1, _) = panel
    mark = marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=chief)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(scheme=locked_scheme, aspect=mark.aspect, team=mark.team, expert=e1, value=2,
                            entered_by=chief, entered_at=mark.entered_at)


def test_x2_verify_command_reports_intact_ledger(locked_scheme, panel, teams, capsys):
    chief, (e1, _) = panel
    marks.save_mark(locked_scheme, _aspect(locked_scheme), teams[0], 1, expert=e1, by=chief)
    call_command("verify_marks", scheme=locked_scheme.pk)
    assert "intact" in capsys.readouterr().out


def test_x2_verify_recomputes_locked_results_and_reports_a_changed_total(locked_scheme, panel, teams,
                                                                         django_capture_on_commit_callbacks):
    """X-2/SC-5: ``verify_marks`` recomputes every locked scheme's results from the marks (a full recompute)
    and reports a frozen total or criterion subtotal changed outside the application."""
    from decimal import Decimal

    from profmaster.marking.models import TeamResult

    from .conftest import mark_everything

    chief, _experts = panel
    mark_everything(locked_scheme, teams, chief)
    with django_capture_on_commit_callbacks(execute=True):
        marks.lock_marks(locked_scheme, by=chief)
    assert marks.results_problems([locked_scheme]) == {}
    call_command("verify_marks", scheme=locked_scheme.pk)
    TeamResult.objects.filter(team=teams[0]).update(total=Decimal("99.00"))
    result = TeamResult.objects.get(team=teams[1])
    result.criteria[0]["points"] = "0.01"
    result.save()
    problems = marks.results_problems([locked_scheme])[locked_scheme.pk]
    assert any("is 99.00, the marks give 4.00" in p for p in problems)
    assert any(f"subtotals of team {teams[1].pk} differ" in p for p in problems)
    with pytest.raises(CommandError, match="problem"):
        call_command("verify_marks", scheme=locked_scheme.pk)
