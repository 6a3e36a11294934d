"""AP-1 (003 §7.1–7.3, §22.8): a question raised at the venue, put to the vote of the panel, decided by a simple
majority of all its experts, recorded in a protocol signed by the chief expert and every expert, sent to the
Directorate at once; the Directorate's investigation. Bad input is refused and changes nothing."""

from __future__ import annotations

import pytest

from profmaster.core.errors import DomainError, TransitionError
from profmaster.disputes import domain
from profmaster.disputes.models import Dispute, Explanation, Vote, VoteRound
from profmaster.documents.models import DocumentType
from profmaster.notifications.models import OutboundEmail


def _raise(world, **kwargs):
    fields = {"question": "Эксперт подсказывал команде № 2 во время модуля", "concerns": "Эксперт Шевчук Ю.",
              "circumstances": "Видео с камеры 3, 11:40", "team": world.team}
    fields.update(kwargs)
    return domain.raise_dispute(world.competency, by=world.mentor_user, **fields)


def _vote_all(world, dispute, choices):
    for expert, choice in zip(world.experts, choices, strict=False):
        domain.cast_vote(dispute, choice=choice, by=expert)
    dispute.refresh_from_db()
    return dispute


def test_ap1_mentor_raises_for_own_team_and_the_chief_expert_is_told(world):
    dispute = _raise(world)
    assert dispute.number == 1 and dispute.state == Dispute.State.OPEN and dispute.raised_as == "mentor"
    mail = OutboundEmail.objects.get(template="dispute_event")
    assert mail.to == world.chief.email and "Спорный вопрос № 1" in mail.subject


def test_ap1_mentor_on_behalf_of_own_participant(world):
    member = world.team.members.filter(kind="participant").first()
    dispute = _raise(world, on_behalf_of=member)
    assert dispute.on_behalf_of == member


def test_ap1_mentor_raising_on_another_team_refused_nothing_saved(world):
    with pytest.raises(DomainError, match="Вы не наставник этой команды"):
        _raise(world, team=world.other_team)
    with pytest.raises(DomainError, match="Укажите свою команду"):
        _raise(world, team=None)
    foreign = world.other_team.members.filter(kind="participant").first()
    with pytest.raises(DomainError, match="От имени участника"):
        _raise(world, on_behalf_of=foreign)
    with pytest.raises(DomainError, match="наставник команды этой компетенции"):
        domain.raise_dispute(world.competency, question="?", concerns="?", by=world.expert)
    assert Dispute.objects.count() == 0


def test_ap1_venue_admin_raises_without_a_team(world):
    dispute = domain.raise_dispute(world.competency, question="Отключили электричество на 20 минут",
                                   concerns="Все команды потока 1", by=world.venue_admin)
    assert dispute.raised_as == "venue_admin" and dispute.team is None


def test_ap1_majority_of_all_experts_decides_at_once_protocol_and_directorate(world):
    dispute = _raise(world)
    vote_round = domain.put_to_vote(dispute, proposal="Снять 2 балла с команды № 1", by=world.chief)
    assert vote_round.panel_size == 3 and set(vote_round.panel) == {e.pk for e in world.experts}
    domain.cast_vote(dispute, choice="for", by=world.experts[0])
    assert [u.pk for u in domain.not_voted(vote_round)] == sorted(
        [world.experts[1].pk, world.experts[2].pk], key=lambda pk: [e.pk for e in domain.not_voted(vote_round)].index(pk))
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.VOTING
    domain.cast_vote(dispute, choice="for", by=world.experts[1])  # 2 of 3: the majority
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.DECIDED and dispute.outcome == Dispute.Outcome.ADOPTED
    assert dispute.decision == "Снять 2 балла с команды № 1"
    protocol = dispute.protocol
    assert protocol.doc_type == DocumentType.DISPUTE
    signers = set(protocol.required_signers.values_list("user_id", flat=True))
    assert signers == {world.chief.pk, *(e.pk for e in world.experts)}
    assert "Эксперт подсказывал" in str(protocol.data) and "За — 2" in str(protocol.data)
    to_directorate = OutboundEmail.objects.filter(template="dispute_event", to=world.directorate.email)
    assert to_directorate.count() == 1 and "принято" in to_directorate.get().subject
    # the third expert can no longer vote: the question is decided
    with pytest.raises(TransitionError, match="уже решён"):
        domain.cast_vote(dispute, choice="against", by=world.experts[2])
    assert Vote.objects.count() == 2


def test_ap1_no_majority_keeps_it_open_revote_needs_a_reason(world):
    dispute = _raise(world)
    domain.put_to_vote(dispute, proposal="Снять 2 балла", by=world.chief)
    dispute = _vote_all(world, dispute, ["for", "against", "abstain"])
    assert dispute.state == Dispute.State.OPEN and dispute.protocol is None
    assert VoteRound.objects.get().result == "no_majority"
    with pytest.raises(DomainError, match="причину повторного голосования"):
        domain.put_to_vote(dispute, proposal="Снять 1 балл", by=world.chief)
    second = domain.put_to_vote(dispute, proposal="Снять 1 балл", revote_reason="Уточнено предложение",
                                by=world.chief)
    assert second.number == 2
    dispute = _vote_all(world, dispute, ["against", "against"])
    assert dispute.outcome == Dispute.Outcome.REJECTED


def test_ap1_abstentions_do_not_help_the_majority_chief_closes_early(world):
    dispute = _raise(world)
    domain.put_to_vote(dispute, proposal="Снять 2 балла", by=world.chief)
    domain.cast_vote(dispute, choice="for", by=world.experts[0])
    domain.cast_vote(dispute, choice="abstain", by=world.experts[1])
    domain.close_round(dispute, by=world.chief)
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.OPEN


def test_ap1_second_vote_outsider_and_no_vote_refused_nothing_changes(world):
    dispute = _raise(world)
    with pytest.raises(TransitionError, match="не голосуют"):
        domain.cast_vote(dispute, choice="for", by=world.experts[0])
    domain.put_to_vote(dispute, proposal="Снять 2 балла", by=world.chief)
    domain.cast_vote(dispute, choice="for", by=world.experts[0])
    with pytest.raises(TransitionError, match="уже проголосовали"):
        domain.cast_vote(dispute, choice="against", by=world.experts[0])
    for outsider in (world.chief, world.mentor_user, world.directorate):
        with pytest.raises(DomainError, match="нет в составе"):
            domain.cast_vote(dispute, choice="for", by=outsider)
    with pytest.raises(DomainError, match="за, против"):
        domain.cast_vote(dispute, choice="maybe", by=world.experts[1])
    assert list(Vote.objects.values_list("expert_id", "choice")) == [(world.experts[0].pk, "for")]
    with pytest.raises(TransitionError, match="уже идёт"):
        domain.put_to_vote(dispute, proposal="Другое", by=world.chief)


def test_ap1_vote_once_is_a_database_constraint(world):
    from django.db import IntegrityError, transaction

    dispute = _raise(world)
    vote_round = domain.put_to_vote(dispute, proposal="Снять 2 балла", by=world.chief)
    Vote.objects.create(round=vote_round, expert=world.experts[0], choice="for")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(round=vote_round, expert=world.experts[0], choice="against")


def test_ap1_removed_expert_is_not_in_the_next_panel(world):
    from profmaster.checkin.domain import revoke_access
    from profmaster.checkin.models import Accreditation

    badge = Accreditation.objects.get(user=world.experts[2], competency=world.competency)
    revoke_access(badge, reason="Удалён с площадки", by=world.chief)
    vote_round = domain.put_to_vote(_raise(world), proposal="Снять 2 балла", by=world.chief)
    assert vote_round.panel_size == 2 and world.experts[2].pk not in vote_round.panel


def test_ap1_investigation_explanations_answered_on_the_case(world):
    dispute = _raise(world)
    domain.put_to_vote(dispute, proposal="Снять 2 балла", by=world.chief)
    dispute = _vote_all(world, dispute, ["for", "for"])
    with pytest.raises(TransitionError, match="назначьте расследование"):
        domain.request_explanation(dispute, person=world.experts[1], question="Что вы сказали?", by=world.directorate)
    domain.open_investigation(dispute, reason="Проверить подсказку", by=world.directorate)
    with pytest.raises(DomainError, match="экспертов, главного эксперта и наставников"):
        domain.request_explanation(dispute, person=world.venue_admin, question="?", by=world.directorate)
    asked = domain.request_explanation(dispute, person=world.experts[1], question="Что вы сказали команде?",
                                       by=world.directorate)
    mentor_asked = domain.request_explanation(dispute, person=world.other_mentor, question="Что вы видели?",
                                              by=world.directorate)
    with pytest.raises(DomainError, match="тот, у кого оно запрошено"):
        domain.answer_explanation(asked, answer="Ничего", by=world.experts[0])
    domain.answer_explanation(asked, answer="Напомнил о времени до конца модуля", by=world.experts[1])
    with pytest.raises(TransitionError, match="уже дано"):
        domain.answer_explanation(asked, answer="Ещё", by=world.experts[1])
    assert Explanation.objects.get(pk=asked.pk).answer == "Напомнил о времени до конца модуля"
    assert Explanation.objects.get(pk=mentor_asked.pk).answered_at is None
