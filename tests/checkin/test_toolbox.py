"""OP-4 (003 §14): the daily toolbox check in the participant's presence, findings marked and removed without a
sanction, the chief expert and the mentor notified, the toolbox-check protocol generated."""

from __future__ import annotations

import pytest

from profmaster.checkin import domain
from profmaster.checkin.models import ToolboxCheck
from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.models import DocumentType
from profmaster.notifications.models import OutboundEmail

from ..venue_world import make_venue

ITEMS = [domain.ItemData("Венчик"), domain.ItemData("Нож кондитерский", "suspicious", "Для мастики"),
         domain.ItemData("Газовая горелка", "prohibited")]


def test_op4_toolbox_check_marks_findings_notifies_and_generates_protocol(venue):
    check = domain.record_toolbox_check(venue.competency, venue.team, participant_present="Орёл Семён",
                                        items=ITEMS, by=venue.expert)
    items = {i.name: (i.status, i.removed) for i in check.items.all()}
    assert items == {"Венчик": ("allowed", False), "Нож кондитерский": ("suspicious", False),
                     "Газовая горелка": ("prohibited", True)}
    assert check.document.doc_type == DocumentType.TOOLBOX_CHECK
    signers = [s.user for s in check.document.required_signers.order_by("order")]
    assert signers == [venue.chief, venue.expert, venue.mentor_user]
    assert "санкции" in check.document.data["text"]
    emails = OutboundEmail.objects.filter(template="toolbox_finding")
    assert sorted(e.to for e in emails) == ["chief@example.ru", "mentor@example.ru"]
    assert "Газовая горелка" in emails[0].body_text


def test_op4_clean_toolbox_notifies_nobody(venue):
    domain.record_toolbox_check(venue.competency, venue.team, participant_present="Орёл Семён",
                                items=[domain.ItemData("Венчик")], by=venue.expert)
    assert not OutboundEmail.objects.filter(template="toolbox_finding").exists()


def test_op4_bad_input_changes_nothing(venue):
    with pytest.raises(DomainError, match="присутствии"):
        domain.record_toolbox_check(venue.competency, venue.team, participant_present=" ", items=ITEMS,
                                    by=venue.expert)
    with pytest.raises(DomainError, match="Неизвестная оценка"):
        domain.record_toolbox_check(venue.competency, venue.team, participant_present="Орёл Семён",
                                    items=[domain.ItemData("Венчик", "dangerous")], by=venue.expert)
    assert ToolboxCheck.objects.count() == 0
    domain.record_toolbox_check(venue.competency, venue.team, participant_present="Орёл Семён", items=ITEMS,
                                by=venue.expert)
    with pytest.raises(TransitionError, match="уже проверен"):
        domain.record_toolbox_check(venue.competency, venue.team, participant_present="Орёл Семён", items=ITEMS,
                                    by=venue.expert)
    assert ToolboxCheck.objects.count() == 1


def test_op4_competency_without_toolbox_refuses(db):
    venue = make_venue(toolbox=False)
    with pytest.raises(DomainError, match="не предусмотрен"):
        domain.record_toolbox_check(venue.competency, venue.team, participant_present="Орёл Семён", items=ITEMS,
                                    by=venue.expert)
