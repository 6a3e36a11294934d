"""X-2 / SC-5 (issue 13 §5, «verify_marks is defeated by rewriting a score sheet's head hash together with its
subtotals»): the chain head of a scheme's ledger is anchored where its marking row cannot rewrite it — the
signed marks-lock protocol and the audit log — and ``verify_marks`` checks the ledger against the anchors."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from profmaster.documents.models import Document
from profmaster.marking import anchors, ledger, marks
from profmaster.marking.models import Mark, MarkEntry, SchemeMarking, TeamResult

from .conftest import mark_everything

pytestmark = pytest.mark.django_db


def _rewrite_history(scheme, team, new_value):
    """The attack: with the ledger's trigger dropped, change one team's marks in the ledger and in the current
    marks, recompute every later hash and the chain head, and write the locked total and subtotals the forged
    marks give — everything the scheme's own rows say agrees again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER marking_ledger_append_only ON marking_markentry")
        prev = ledger.GENESIS
        for entry in MarkEntry.objects.filter(scheme=scheme).order_by("seq"):
            if entry.team_id == team.pk and entry.kind == MarkEntry.Kind.MARK:
                entry.new_value = new_value
            entry.prev_hash = prev
            entry.hash = prev = ledger.entry_hash(prev, marks.entry_fields(entry))
            cursor.execute("UPDATE marking_markentry SET new_value = %s, prev_hash = %s, hash = %s WHERE id = %s",
                           [entry.new_value, entry.prev_hash, entry.hash, entry.pk])
        cursor.execute("UPDATE marking_mark SET value = %s WHERE team_id = %s", [new_value, team.pk])
        cursor.execute("UPDATE marking_schememarking SET head_hash = %s WHERE scheme_id = %s", [prev, scheme.pk])
    for score in marks.scheme_scores(scheme):
        if score.team.pk == team.pk and score.totals is not None:
            criteria = marks._criteria_json(scheme, score.totals)
            TeamResult.objects.filter(scheme=scheme, team=team).update(total=score.total, criteria=criteria)


@pytest.fixture
def marks_locked(locked_scheme, panel, teams, django_capture_on_commit_callbacks):
    chief, _experts = panel
    mark_everything(locked_scheme, teams, chief)
    marks.lock_marks(locked_scheme, by=chief)
    return locked_scheme


def test_x2_sc5_lock_protocol_carries_the_chain_head(marks_locked):
    marking = SchemeMarking.objects.get(scheme=marks_locked)
    document = Document.objects.get(pk=marking.lock_document_id)
    assert document.data[anchors.LOCK_KEY] == {"Записей": marking.entry_count, "Хеш последней записи": marking.head_hash}
    assert marking.entry_count == MarkEntry.objects.filter(scheme=marks_locked).count() == 12
    assert anchors.anchor_problems(marks_locked) == []


def test_x2_sc5_verify_marks_reports_head_and_subtotals_rewritten_in_sql(marks_locked, teams, capsys):
    call_command("verify_marks", scheme=marks_locked.pk)
    _rewrite_history(marks_locked, teams[0], 3)
    result = TeamResult.objects.get(scheme=marks_locked, team=teams[0])
    assert str(result.total) == "6.00" and Mark.objects.filter(team=teams[0], value=3).count() == 6
    # The scheme's own rows agree with each other again: the chain, the marks and the results verify…
    assert marks.verify(marks_locked) == []
    assert marks.results_problems([marks_locked]) == {}
    # …but not with the anchors.
    marking = SchemeMarking.objects.get(scheme=marks_locked)
    lock_entry = marking.entry_count
    problems = anchors.anchor_problems(marks_locked)
    assert problems[0] == (f"entry #{lock_entry} differs from the one anchored in the marks-lock protocol "
                           f"№ {marking.lock_document.number} (the ledger was rewritten)")
    assert any(p.startswith(f"entry #{lock_entry} differs from the one anchored in the audit entry #") for p in problems)
    with pytest.raises(CommandError, match="problem"):
        call_command("verify_marks", scheme=marks_locked.pk)
    assert "the ledger was rewritten" in capsys.readouterr().out


def test_x2_sc5_lock_protocol_rewritten_with_the_head_is_reported(marks_locked, panel, teams):
    """Rewriting the protocol's anchor as well breaks its content hash, and then what its signers signed."""
    from profmaster.documents.domain import sign_document

    from ..factories import PASSWORD

    chief, _experts = panel
    document = SchemeMarking.objects.get(scheme=marks_locked).lock_document
    sign_document(document, signer=chief, password=PASSWORD)
    _rewrite_history(marks_locked, teams[0], 3)
    marking = SchemeMarking.objects.get(scheme=marks_locked)
    document = Document.objects.get(pk=marking.lock_document_id)
    data = {**document.data, anchors.LOCK_KEY: anchors.lock_block(marking)}
    Document.objects.filter(pk=document.pk).update(data=data)
    problems = anchors.anchor_problems(marks_locked)
    assert f"the marks-lock protocol № {document.number} was altered: its content does not give its content hash" in problems
    from profmaster.documents import hashing

    Document.objects.filter(pk=document.pk).update(content_hash=hashing.content_hash(document.title, document.doc_type,
                                                                                     data))
    assert anchors.anchor_problems(marks_locked)[0] == (
        f"the marks-lock protocol № {document.number} is not the content its signers signed")
    # The audit log's anchor of the lock still differs from the forged ledger.
    assert any("anchored in the audit entry" in p for p in anchors.anchor_problems(marks_locked))


def test_x2_periodic_anchor_catches_a_rewrite_of_open_marks(locked_scheme, panel, teams, capsys):
    """Before the lock only the periodic anchor (``manage.py anchor_marks``, a Celery beat task) holds the head."""
    chief, (e1, _e2) = panel
    aspect = marks.aspects_of(locked_scheme)[0]
    marks.save_mark(locked_scheme, aspect, teams[0], 1, expert=e1, by=chief)
    marks.save_mark(locked_scheme, aspect, teams[1], 2, expert=e1, by=chief)
    call_command("anchor_marks")
    assert "anchored 1 ledger head(s) in audit entry #" in capsys.readouterr().out
    assert anchors.anchor_problems(locked_scheme) == []
    _rewrite_history(locked_scheme, teams[1], 3)
    assert marks.verify(locked_scheme) == []
    problems = anchors.anchor_problems(locked_scheme)
    assert len(problems) == 1 and problems[0].startswith("entry #2 differs from the one anchored in the audit anchor #")


def test_x2_emptied_ledger_is_reported(locked_scheme, panel, teams):
    """A ledger emptied behind the application (TRUNCATE with the trigger dropped) no longer passes as intact."""
    chief, (e1, _e2) = panel
    marks.save_mark(locked_scheme, marks.aspects_of(locked_scheme)[0], teams[0], 1, expert=e1, by=chief)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER marking_ledger_append_only ON marking_markentry")
        cursor.execute("DELETE FROM marking_markentry")
        cursor.execute("DELETE FROM marking_mark")
    assert marks.verify(locked_scheme) == ["the chain head does not match the last entry (entries removed)"]
