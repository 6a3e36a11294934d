"""AP-2, AP-3 (003 §7.4, §8.1–8.10): the commission's composition, approval and chair's election; filing an appeal
with its deadlines; the hearing, the tie broken by the chair, the final protocol; what a pending appeal holds."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from zoneinfo import ZoneInfo

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.appeals import domain
from profmaster.appeals.models import Appeal, ChairElection, Commission, HearingVote
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.documents.domain import regenerate_document
from profmaster.documents.models import DocumentType
from profmaster.marking.marks import lock_problems
from profmaster.marking.models import MarkingScheme
from profmaster.notifications.models import OutboundEmail
from profmaster.permissions import has_perm
from profmaster.results.domain import publish_results
from profmaster.results.models import ResultsVersion

from ..factories import UserFactory, give_role
from .world import make_world, pdf

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int, minute: int, zone: str, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=ZoneInfo(zone))


# --- The commission (AP-3, 003 §8.5) ---------------------------------------------------------------------------


def test_ap3_commission_needs_five_of_the_directorates_people(world):
    for user in world.members[:4]:
        domain.add_member(world.championship, user=user, by=world.directorate)
    with pytest.raises(DomainError, match="не менее 5 человек, сейчас — 4"):
        domain.approve_commission(world.championship, by=world.directorate,
                                  now=domain.approval_deadline(world.championship) - dt.timedelta(days=1))
    with pytest.raises(DomainError, match="только сотрудников Дирекции"):
        domain.add_member(world.championship, user=world.mentor, by=world.directorate)
    with pytest.raises(DomainError, match="уже в составе"):
        domain.add_member(world.championship, user=world.members[0], by=world.directorate)
    assert Commission.objects.get().state == Commission.State.DRAFT


@pytest.mark.parametrize("zone", ["Asia/Vladivostok", "Europe/Kaliningrad"])
def test_ap3_approval_deadline_two_days_before_the_remote_stage_at_the_edges(zone, settings, tmp_path):
    """The stage starts on D: approval until D−2 23:59:59 on the championship's clocks; at D−1 00:00 refused."""
    settings.MEDIA_ROOT = str(tmp_path)
    world = make_world(zone)
    for user in world.members:
        domain.add_member(world.championship, user=user, by=world.directorate)
    edge = world.stage.starts_on - dt.timedelta(days=2)
    assert domain.approval_deadline(world.championship) == _at(edge, 23, 59, zone, 59).replace(microsecond=999999)
    with pytest.raises(DomainError, match="не позднее чем за 2 дня") as caught:
        domain.approve_commission(world.championship, by=world.directorate, now=_at(edge + dt.timedelta(days=1), 0, 0,
                                                                                      zone))
    assert f"{edge:%d.%m.%Y} 23:59" in caught.value.message and ("Владивосток" in caught.value.message
                                                                  or "Калининград" in caught.value.message)
    assert Commission.objects.get().state == Commission.State.DRAFT
    commission = domain.approve_commission(world.championship, by=world.directorate, now=_at(edge, 23, 59, zone))
    assert commission.state == Commission.State.APPROVED
    # every member now holds a role of the commission; the composition is closed
    assert set(RoleAssignment.objects.filter(championship=world.championship, role=Role.APPEAL_MEMBER)
               .values_list("user_id", flat=True)) == {u.pk for u in world.members}
    with pytest.raises(TransitionError, match="изменить его нельзя"):
        domain.add_member(world.championship, user=world.directorate, by=world.directorate)


def test_ap3_chair_elected_by_majority_and_the_role_follows(world):
    previous = UserFactory(last_name="Председателев", first_name="Пётр")
    give_role(previous, Role.APPEAL_CHAIR, world.championship)
    world.approve(elect=None)
    with pytest.raises(TransitionError, match="не открыто"):
        domain.cast_ballot(world.championship, candidate=world.members[1], by=world.members[0])
    election = domain.open_election(world.championship, by=world.directorate)
    with pytest.raises(AccessDenied, match="члены апелляционной комиссии"):
        domain.cast_ballot(world.championship, candidate=world.members[1], by=world.mentor)
    with pytest.raises(DomainError, match="из членов комиссии"):
        domain.cast_ballot(world.championship, candidate=world.mentor, by=world.members[0])
    domain.cast_ballot(world.championship, candidate=world.members[1], by=world.members[0])
    with pytest.raises(DomainError, match="уже проголосовали"):
        domain.cast_ballot(world.championship, candidate=world.members[2], by=world.members[0])
    domain.cast_ballot(world.championship, candidate=world.members[1], by=world.members[2])
    assert Commission.objects.get().chair is None  # 2 of 5: not yet a majority
    domain.cast_ballot(world.championship, candidate=world.members[1], by=world.members[3])
    election.refresh_from_db()
    commission = Commission.objects.get()
    assert (election.state, election.elected, commission.chair) == ("elected", world.members[1], world.members[1])
    assert list(RoleAssignment.objects.filter(championship=world.championship, role=Role.APPEAL_CHAIR)
                .values_list("user_id", flat=True)) == [world.members[1].pk]
    with pytest.raises(TransitionError, match="уже избран"):
        domain.open_election(world.championship, by=world.directorate)


def test_ap3_a_round_without_majority_fails_and_a_new_one_elects(world):
    world.approve(elect=None)
    domain.open_election(world.championship, by=world.directorate)
    for voter, candidate in zip(world.members, (0, 0, 1, 1, 2), strict=True):
        domain.cast_ballot(world.championship, candidate=world.members[candidate], by=voter)
    assert ChairElection.objects.get(round=1).state == "failed"
    domain.open_election(world.championship, by=world.members[4])
    for voter in world.members[:3]:
        domain.cast_ballot(world.championship, candidate=world.members[4], by=voter)
    assert Commission.objects.get().chair == world.members[4]


# --- Filing (AP-2, 003 §8.2–8.4, §7.4) --------------------------------------------------------------------------


def test_ap2_mentor_files_with_scan_and_dispute_protocol(world):
    world.approve()
    dispute = world.dispute()
    appeal = world.file(dispute, respondent="Пьеха Эдита Станиславовна")
    assert (appeal.number, appeal.state, appeal.team, appeal.dispute_protocol) == (1, "filed", world.team,
                                                                                   dispute.protocol)
    assert (appeal.scan_type, appeal.scan_size) == ("application/pdf", len(pdf().read()))
    assert appeal.scan.path.startswith(os.path.join(str(world_media(appeal)), "private"))
    with pytest.raises(ValueError):
        appeal.scan.url  # noqa: B018 — a private scan has no public URL
    to = set(OutboundEmail.objects.filter(template="appeal_event").values_list("to", flat=True))
    assert to == {"dir@example.ru", "mentor@example.ru", *(f"appeal{i}@example.ru" for i in range(5))}


def world_media(appeal: Appeal) -> str:
    from django.conf import settings

    return settings.MEDIA_ROOT


def test_ap2_refusals_change_nothing(world):
    open_dispute = world.dispute(state="open")
    with pytest.raises(DomainError, match="только после решения спорного вопроса"):
        world.file(open_dispute)
    decided = world.dispute()
    with pytest.raises(DomainError, match="наставник команды"):
        world.file(decided, by=world.other_mentor)
    with pytest.raises(DomainError, match="наставник команды"):
        world.file(decided, by=world.chief)
    with pytest.raises(DomainError, match="Описание претензии"):
        world.file(decided, claim="  ")
    with pytest.raises(DomainError, match="не PDF, PNG или JPEG"):
        world.file(decided, scan=SimpleUploadedFile("appeal.pdf", b"MZ\x90\x00binary", "application/pdf"))
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(6 * 1024 * 1024)
        handle.seek(0)
        with pytest.raises(DomainError, match="больше допустимых 5 МБ"):
            world.file(decided, scan=File(handle, name="big.pdf"))
    with pytest.raises(DomainError, match="Приложите скан"):
        world.file(decided, scan=None)
    assert Appeal.objects.count() == 0
    assert OutboundEmail.objects.filter(template="appeal_event").count() == 0
    world.file(decided)
    with pytest.raises(DomainError, match="повторная апелляция не принимается"):
        world.file(decided)
    assert Appeal.objects.count() == 1


def test_ap2_one_appeal_per_dispute_is_a_database_constraint(world):
    from django.db import IntegrityError, transaction

    appeal = world.file()
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(championship=appeal.championship, competency=appeal.competency, number=2,
                              dispute=appeal.dispute, team=appeal.team, filed_by=world.mentor,
                              filed_at=timezone.now(), persons="x", claim="y", scan="a.pdf", scan_name="a.pdf",
                              scan_type="application/pdf", scan_size=1)


@pytest.mark.parametrize("zone", ["Asia/Vladivostok", "Europe/Kaliningrad"])
def test_ap2_deadline_is_the_end_of_the_day_in_the_championships_zone(zone, settings, tmp_path):
    """003 §8.4: 23:59 of the day the problem arose (its zone) accepted; 00:00 of the next day refused."""
    settings.MEDIA_ROOT = str(tmp_path)
    world = make_world(zone)
    day = dt.date(2023, 4, 21)
    late = world.dispute(arose_on=day)
    with pytest.raises(DomainError, match="Срок подачи апелляции истёк") as caught:
        world.file(late, now=_at(day + dt.timedelta(days=1), 0, 0, zone))
    assert "21.04.2023 23:59" in caught.value.message
    assert ("Владивосток, UTC+10" if zone == "Asia/Vladivostok" else "Калининград, UTC+2") in caught.value.message
    assert Appeal.objects.count() == 0
    appeal = world.file(late, now=_at(day, 23, 59, zone))
    assert appeal.filed_at == _at(day, 23, 59, zone)


def _published(world, at: dt.datetime) -> ResultsVersion:
    version = ResultsVersion(championship=world.championship, competency=world.competency, number=1,
                             content={"competencies": []}, competency_ids=[world.competency.pk],
                             published_by=world.directorate)
    version.save()
    ResultsVersion.objects.filter(pk=version.pk).update(published_at=at)
    version.refresh_from_db()
    return version


def test_ap2_no_appeal_from_the_moment_of_publication(world):
    """003 §7.4, §6.20: results published (after the problem arose) end the right to appeal — at that very moment."""
    zone = "Europe/Moscow"
    day = dt.date(2023, 4, 21)
    dispute = world.dispute(arose_on=day)
    moment = _at(day, 18, 0, zone)
    _published(world, moment)
    with pytest.raises(DomainError, match=r"опубликованы 21\.04\.2023 18:00 .*прекращено"):
        world.file(dispute, now=moment)
    assert Appeal.objects.count() == 0
    assert world.file(dispute, now=moment - dt.timedelta(seconds=1)).number == 1


def test_ap2_an_earlier_stages_publication_does_not_end_the_right(world):
    day = dt.date(2023, 4, 21)
    _published(world, _at(day - dt.timedelta(days=30), 12, 0, "Europe/Moscow"))
    assert world.file(world.dispute(arose_on=day), now=_at(day, 12, 0, "Europe/Moscow")).state == "filed"


def test_ap2_pending_appeal_blocks_publication_and_marks_lock(world):
    """003 §8.6: while the appeal waits for the decision, the competency's results are neither published nor
    locked; the message names the appeal."""
    appeal = world.file()
    with pytest.raises(TransitionError, match="нельзя опубликовать итоги, пока апелляционная комиссия не приняла "
                                              "решение по апелляции № 1"):
        publish_results(world.championship, competency=world.competency, by=world.directorate)
    assert ResultsVersion.objects.count() == 0
    scheme = MarkingScheme.objects.create(competency=world.competency, stage=world.stage, title="Схема")
    assert any("нельзя заблокировать оценки" in p and "№ 1" in p for p in lock_problems(scheme))
    _decide(world, appeal, ["for", "for", "for", "against", "abstain"])
    with pytest.raises(DomainError, match="нет заблокированных итогов"):  # the appeal no longer holds it
        publish_results(world.championship, competency=world.competency, by=world.directorate)
    assert not any("апелляц" in p for p in lock_problems(scheme))


# --- The hearing (AP-3, 003 §8.8–8.10) ---------------------------------------------------------------------------


def _decide(world, appeal, choices, *, chair_extra=None):
    world.approve() if not Commission.objects.filter(championship=world.championship).exists() else None
    domain.open_hearing(appeal, by=world.chair)
    for member, choice in zip(world.members, choices, strict=False):
        domain.cast_vote(appeal, choice=choice, by=member)
    if chair_extra:
        domain.cast_chair_vote(appeal, choice=chair_extra, by=world.chair)
    return domain.decide_appeal(appeal, decision="Пересчитать аспект B1.2", reasons="Оформление не учтено", by=world.chair)


def test_ap3_tie_of_five_is_decided_by_the_chairs_additional_vote(world):
    world.approve()
    appeal = world.file()
    with pytest.raises(AccessDenied, match="ведёт председатель"):
        domain.open_hearing(appeal, by=world.members[1])
    domain.open_hearing(appeal, by=world.chair)
    domain.record_note(appeal, kind="appellant", person="Наставникова Нина", text="Оформление не оценили", by=world.chair)
    domain.record_note(appeal, kind="respondent", person="Пьеха Эдита", text="Оценено по схеме", by=world.chair)
    domain.record_note(appeal, kind="witness", person="Орлов Семён", text="Видел торт", by=world.chair)
    for member, choice in zip(world.members, ["for", "for", "against", "against", "abstain"], strict=True):
        domain.cast_vote(appeal, choice=choice, by=member)
    with pytest.raises(DomainError, match="уже проголосовали"):
        domain.cast_vote(appeal, choice="against", by=world.members[0])
    with pytest.raises(AccessDenied, match="Голосуют только члены"):
        domain.cast_vote(appeal, choice="for", by=world.directorate)
    assert HearingVote.objects.count() == 5
    with pytest.raises(TransitionError, match=r"поровну .*не может закрыться без решения"):
        domain.decide_appeal(appeal, decision="Удовлетворить", reasons="Так", by=world.chair)
    with pytest.raises(AccessDenied):
        domain.cast_chair_vote(appeal, choice="for", by=world.members[1])
    domain.cast_chair_vote(appeal, choice="for", by=world.chair)
    with pytest.raises(DomainError, match="уже подан"):
        domain.cast_chair_vote(appeal, choice="against", by=world.chair)
    decided = domain.decide_appeal(appeal, decision="Пересчитать аспект B1.2", reasons="Оформление не учтено",
                                   by=world.chair)
    assert (decided.state, decided.outcome, decided.decided_by_chair) == ("decided", "upheld", True)
    protocol = decided.protocol
    assert protocol.doc_type == DocumentType.APPEAL_DECISION
    assert [(s.user, s.role_label) for s in protocol.required_signers.all()] == [
        (world.chair, "Председатель апелляционной комиссии")]
    assert "дополнительный голос председателя" in protocol.data["Итог голосования"]
    assert protocol.data["Обоснование"] == "Оформление не учтено"
    assert len(protocol.data["Заслушаны"]) == 3
    told = OutboundEmail.objects.filter(template="appeal_event", body_text__contains="Пересчитать аспект")
    assert set(told.values_list("to", flat=True)) == {"dir@example.ru", "appeal0@example.ru", "mentor@example.ru"}


def test_ap3_hearing_never_closes_without_a_decision_and_the_decision_is_final(world):
    world.approve()
    appeal = world.file()
    with pytest.raises(TransitionError, match="не открыто"):
        domain.cast_vote(appeal, choice="for", by=world.members[1])
    domain.open_hearing(appeal, by=world.chair)
    for member in world.members[:3]:
        domain.cast_vote(appeal, choice="against", by=member)
    with pytest.raises(TransitionError, match="проголосовали 3 из 5"):
        domain.decide_appeal(appeal, decision="Отказать", reasons="Оценка верна", by=world.chair)
    with pytest.raises(TransitionError, match="только при равенстве"):
        domain.cast_chair_vote(appeal, choice="for", by=world.chair)
    for member in world.members[3:]:
        domain.cast_vote(appeal, choice="for", by=member)
    with pytest.raises(DomainError, match="Обоснование"):
        domain.decide_appeal(appeal, decision="Отказать", reasons="", by=world.chair)
    decided = domain.decide_appeal(appeal, decision="Отказать", reasons="Оценка верна", by=world.chair)
    assert (decided.outcome, decided.decided_by_chair) == ("rejected", False)
    for attempt in (lambda: domain.cast_vote(appeal, choice="for", by=world.members[4]),
                    lambda: domain.decide_appeal(appeal, decision="Иначе", reasons="Иначе", by=world.chair),
                    lambda: domain.record_note(appeal, kind="witness", person="Кто-то", text="Поздно",
                                               by=world.chair)):
        with pytest.raises(TransitionError, match="окончательно"):
            attempt()
    with pytest.raises(TransitionError, match="заново не формируется"):
        regenerate_document(decided.protocol, by=world.directorate, reason="Исправить")
    with pytest.raises(DomainError, match="повторная апелляция"):
        world.file(appeal.dispute)


@pytest.mark.parametrize(
    ("votes", "chair_extra", "outcome", "by_chair"),
    [
        # «каждый член апелляционной комиссии обладает одним голосом»: the side with more votes wins
        (("for", "for", "for", "against", "against"), None, "upheld", False),
        (("against", "against", "against", "for", "abstain"), None, "rejected", False),
        # no «50 % + 1 of all members» here (that is the panel's rule, 003 §7.2, §22.8): abstentions count for
        # neither side, so two votes «for» against none decide
        (("for", "for", "abstain", "abstain", "abstain"), None, "upheld", False),
        (("against", "abstain", "abstain", "abstain", "abstain"), None, "rejected", False),
        # «в случае равного количества голосов» the chair's additional vote decides, whichever way
        (("for", "for", "against", "against", "abstain"), "against", "rejected", True),
        (("for", "against", "abstain", "abstain", "abstain"), "for", "upheld", True),
        (("abstain", "abstain", "abstain", "abstain", "abstain"), "against", "rejected", True),
        # the chair votes as a member too (world.chair is members[0]); the additional vote is a separate one
        (("for", "against", "against", "for", "abstain"), "against", "rejected", True),
    ],
)
def test_ap3_commission_decides_by_more_votes_cast_and_the_chairs_extra_vote_on_a_tie(world, votes, chair_extra,
                                                                                    outcome, by_chair):
    """AP-3, 003 §8.10: each member has one vote; on an equal number of votes the chair has the exclusive right
    of an additional vote; the commission reaches a decision in every case. The methodology (003 §8.5, §8.10)
    sets no quorum and no share of all members for the decision, and says nothing of a member's conflict of
    interest: what it does not set, the platform keeps as it is — every member of the approved composition
    votes (abstaining is a vote) before the hearing closes."""
    world.approve()
    appeal = world.file()
    decided = _decide(world, appeal, votes, chair_extra=chair_extra)
    assert (decided.state, decided.outcome, decided.decided_by_chair) == ("decided", outcome, by_chair)
    summary = decided.protocol.data["Итог голосования"]
    assert summary.startswith(f"за — {votes.count('for')}, против — {votes.count('against')}, "
                              f"воздержались — {votes.count('abstain')} из 5 членов комиссии")
    assert ("дополнительный голос председателя" in summary) is by_chair


def test_ap3_every_member_votes_before_the_hearing_closes(world):
    """AP-3, 003 §8.10: the seeds set no quorum, so the hearing keeps needing a vote (or an abstention) of every
    member of the approved composition: with four of five votes cast — even four «for» — it does not close, and
    the chair's additional vote is not taken while a member has not voted."""
    world.approve()
    appeal = world.file()
    domain.open_hearing(appeal, by=world.chair)
    for member, choice in zip(world.members[:4], ("for", "for", "against", "against"), strict=True):
        domain.cast_vote(appeal, choice=choice, by=member)
    with pytest.raises(TransitionError, match="только при равенстве голосов, когда проголосовали все"):
        domain.cast_chair_vote(appeal, choice="for", by=world.chair)
    with pytest.raises(TransitionError, match="проголосовали 4 из 5"):
        domain.decide_appeal(appeal, decision="Удовлетворить", reasons="Так", by=world.chair)
    appeal.refresh_from_db()
    assert (appeal.state, appeal.outcome, appeal.protocol_id) == ("hearing", "", None)
    domain.cast_vote(appeal, choice="abstain", by=world.members[4])
    domain.cast_chair_vote(appeal, choice="for", by=world.chair)
    decided = domain.decide_appeal(appeal, decision="Удовлетворить", reasons="Так", by=world.chair)
    assert (decided.outcome, decided.decided_by_chair) == ("upheld", True)


def test_ap3_deliberation_is_visible_only_to_members_and_the_directorate(world):
    world.approve()
    appeal = world.file()
    outsider = UserFactory()
    give_role(outsider, Role.APPEAL_MEMBER, world.championship)  # the role alone is not the approved composition
    seen = {name: (has_perm(user, "appeals.view_appeal", appeal), has_perm(user, "appeals.view_case", appeal))
            for name, user in (("mentor", world.mentor), ("other_mentor", world.other_mentor), ("chief", world.chief),
                               ("member", world.members[3]), ("directorate", world.directorate),
                               ("role_only", outsider))}
    assert seen == {"mentor": (True, False), "other_mentor": (False, False), "chief": (False, False),
                    "member": (True, True), "directorate": (True, True), "role_only": (False, False)}


def _decided_hearing(world, votes=("for", "for", "for", "against", "against")):
    world.approve()
    appeal = world.file()
    domain.open_hearing(appeal, by=world.chair)
    for member, choice in zip(world.members, votes, strict=True):
        domain.cast_vote(appeal, choice=choice, by=member)
    return appeal


def test_ap4_commission_sanction_is_its_own_numbered_decision_in_results_and_protocol(world):
    """AP-4 (003 §8.11): the commission's deduction reaches the team's result only as a recorded decision with
    the appeal as its basis, decided with the appeal in one transaction and stated in the final protocol."""
    from decimal import Decimal

    from profmaster.results.computation import adjusted_total
    from profmaster.results.models import ResultDecision

    appeal = _decided_hearing(world)
    decided = domain.decide_appeal(appeal, decision="Вычесть баллы", reasons="Преимущество от подсказки наставника",
                                   sanction=domain.sanction_from("deduction", "2,5"), by=world.chair)
    decision = ResultDecision.objects.get(team=world.team)
    assert (decision.kind, decision.points, decision.basis) == (
        "deduction", Decimal("2.50"), f"Апелляция № {decided.number}, решение комиссии")
    assert decision.reason == "Преимущество от подсказки наставника"
    assert adjusted_total(Decimal("40"), [decision]) == Decimal("37.50")
    assert decided.protocol.data["Санкции"] == (
        f"Решение о баллах № {decision.number}: Вычет баллов 2,50 (основание: Апелляция № {decided.number}, "
        "решение комиссии)")


@pytest.mark.parametrize(("kind", "points", "criteria", "message"), [
    ("fine", None, (), "Неизвестная санкция"),
    ("deduction", "ноль", (), "Укажите число"),
    ("deduction", "-1", (), "Укажите число"),
    ("deduction", "NaN", (), "Укажите число"),
    ("part_zeroing", None, (), "Выберите критерии"),
    ("part_zeroing", None, ("x",), "Выберите критерии"),
])
def test_ap4_bad_sanction_is_refused_before_anything_changes(world, kind, points, criteria, message):
    appeal = _decided_hearing(world)
    with pytest.raises(DomainError, match=message):
        domain.decide_appeal(appeal, decision="Вычесть", reasons="Так",
                             sanction=domain.sanction_from(kind, points, criteria), by=world.chair)
    appeal.refresh_from_db()
    assert appeal.state == "hearing" and appeal.protocol_id is None


def test_ap4_sanction_on_another_competencys_criterion_rolls_the_decision_back(world):
    from profmaster.marking.models import Criterion
    from profmaster.results.models import ResultDecision

    from ..factories import CompetencyFactory, StageFactory

    appeal = _decided_hearing(world)
    other = CompetencyFactory(championship=world.championship, name="Флористика")
    scheme = MarkingScheme.objects.create(competency=other, stage=StageFactory(championship=world.championship),
                                          title="Схема оценки")
    foreign = Criterion.objects.create(scheme=scheme, code="A", title="Чужой критерий")
    with pytest.raises(DomainError, match="другой компетенции"):
        domain.decide_appeal(appeal, decision="Обнулить", reasons="Так",
                             sanction=domain.sanction_from("part_zeroing", None, [foreign.pk]), by=world.chair)
    appeal.refresh_from_db()
    assert appeal.state == "hearing" and appeal.protocol_id is None
    assert not ResultDecision.objects.exists()


def test_ap4_suspension_during_the_appeal_ends_with_the_decision_without_time_when_it_fails(world):
    """003 §8.13: a participant suspended during the appeal returns with the decision; a failed appeal gives
    no time back."""
    from profmaster.disputes import sanctions

    participant = world.team.members.get(kind="participant")
    suspension = sanctions.suspend_participant(participant, reason="До решения комиссии", basis="Апелляция",
                                               by=world.chief)
    appeal = _decided_hearing(world, votes=("against", "against", "against", "for", "for"))
    decided = domain.decide_appeal(appeal, decision="Отказать", reasons="Оценка верна", by=world.chair)
    suspension.refresh_from_db()
    assert suspension.ended_at is not None
    assert (suspension.appeal_upheld, suspension.compensated_minutes) == (False, 0)
    assert decided.protocol.data["Отстранение на время апелляции"] == [
        "Орёл Семён: возвращён(а) к заданию, компенсировано минут — 0"]


def test_ap4_commission_removes_a_person_from_the_venue_with_its_decision(world):
    """AP-4 (003 §8.11): the commission's decision may remove an expert, mentor or other staff from the venue:
    their access ends and the final protocol names them; a person of another competency is refused."""
    from profmaster.checkin.models import Accreditation
    from profmaster.incidents.models import Removal

    from ..factories import CompetencyFactory

    badge = Accreditation.objects.create(championship=world.championship, competency=world.competency,
                                         kind="expert", code="EXP-ШЕВЧУК", full_name="Шевчук Юрий Юлианович",
                                         created_by=world.chief)
    foreign = Accreditation.objects.create(
        championship=world.championship, competency=CompetencyFactory(championship=world.championship),
        kind="expert", code="EXP-ЧУЖОЙ", full_name="Чужой Эксперт", created_by=world.chief)
    appeal = _decided_hearing(world)
    assert badge in domain.removable_people(appeal) and foreign not in domain.removable_people(appeal)
    with pytest.raises(DomainError, match="нет среди аккредитованных"):
        domain.decide_appeal(appeal, decision="Удалить", reasons="Подсказывал",
                             sanction=domain.sanction_from("removal", accreditation=foreign.pk), by=world.chair)
    appeal.refresh_from_db()
    assert appeal.state == "hearing" and not Removal.objects.exists()
    with pytest.raises(DomainError, match="Выберите, кого"):
        domain.sanction_from("removal", accreditation="")
    decided = domain.decide_appeal(appeal, decision="Удалить эксперта", reasons="Подсказывал команде",
                                   sanction=domain.sanction_from("removal", accreditation=badge.pk), by=world.chair)
    badge.refresh_from_db()
    assert badge.revoked_at is not None
    assert Removal.objects.get(accreditation=badge).basis == f"Апелляция № {decided.number}, решение комиссии"
    assert decided.protocol.data["Санкции"].startswith("Удаление с площадки: Шевчук Юрий Юлианович (Эксперт)")


def test_ap4_chair_suspends_a_participant_during_the_appeal_only(world):
    """003 §8.13: only the chair suspends, only a participant of the appealing team, only before the decision."""
    from profmaster.timekeeping.models import Suspension

    world.approve()
    appeal = world.file()
    participant = world.team.members.get(kind="participant")
    mentor = world.team.members.get(kind="mentor")
    with pytest.raises(AccessDenied):
        domain.suspend_during_appeal(appeal, participant, reason="До решения", by=world.members[1])
    with pytest.raises(DomainError, match="только участника"):
        domain.suspend_during_appeal(appeal, mentor, reason="До решения", by=world.chair)
    assert not Suspension.objects.exists()
    suspension = domain.suspend_during_appeal(appeal, participant, reason="До решения комиссии", by=world.chair)
    assert suspension.basis == f"Апелляция № {appeal.number}: отстранение на время рассмотрения"
    domain.open_hearing(appeal, by=world.chair)
    for member, choice in zip(world.members, ("for", "for", "for", "against", "against"), strict=True):
        domain.cast_vote(appeal, choice=choice, by=member)
    domain.decide_appeal(appeal, decision="Удовлетворить", reasons="Оценка занижена", by=world.chair)
    suspension.refresh_from_db()
    assert suspension.ended_at is not None and suspension.appeal_upheld is True
    with pytest.raises(TransitionError, match="окончательно"):
        domain.suspend_during_appeal(appeal, participant, reason="Ещё", by=world.chair)
