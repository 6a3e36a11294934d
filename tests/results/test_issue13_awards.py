"""Issue 13 §3 and §3b, results and diplomas: participation diplomas only for competencies with results
(AW-6); diplomas wait for the published final and the closing ceremony and follow the published stage
(AW-6); revocation with a reason and the verification page (AW-6, X-2); invalidation publishes itself and
rests on violations (DOC-4); the platform-wide register of unscrupulous experts blocks panel assignment (DOC-4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from profmaster.accounts.domain import assign_role
from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.models import AuditEntry
from profmaster.championships.models import Championship, ProgrammeSlot
from profmaster.core.errors import DomainError, TransitionError
from profmaster.marking.models import JudgingRole
from profmaster.marking.panel import add_judging_role
from profmaster.results import diplomas, domain
from profmaster.results.models import Diploma, Invalidation, ResultsVersion
from profmaster.results.visibility import visible_results

from ..factories import ChampionshipFactory, CompetencyFactory


def _kinds(championship):
    return sorted((s.kind, str(s.name), s.electronic) for s in diplomas.recipients(championship))


def test_aw6_issue13_no_participation_diplomas_for_a_competency_without_results(results, directorate_user, mentor):
    results.team(participants=("Безрезультатов Пётр Ильич",), mentor=mentor)
    specs, skipped = diplomas.plan(results.championship)
    assert specs == []
    assert skipped == [f"«{results.competency.name}»: итоги не опубликованы — дипломы по компетенции не выдаются."]
    assert diplomas.readiness_problems(results.championship, today=dt.date(2100, 1, 1)) == [
        "Итоги финала ещё не опубликованы ни по одной компетенции: дипломы формируются по опубликованным "
        "итогам финала."]
    with pytest.raises(TransitionError):
        diplomas.start_batch(results.championship, by=directorate_user)


def test_aw6_issue13_finalist_mentor_gets_the_final_diploma_only_after_the_final_is_published(
        results, directorate_user, mentor):
    finalist = results.team(participants=("Финалистов Иван Иванович",), mentor=mentor)
    other = results.team(participants=("Удалёнкин Олег Олегович",))
    results.lock(results.remote, [(finalist, "80"), (other, "10")])
    domain.set_quota(results.competency, results.category, 1, by=directorate_user)
    domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    # the final is locked but not yet published: nothing is issued (no «did not reach the final» diploma)
    results.lock(results.final, [(finalist, "90")])
    specs, skipped = diplomas.plan(results.championship)
    assert specs == [] and "итоги финала не опубликованы" in skipped[0]
    domain.publish_results(results.championship, competency=results.competency, by=directorate_user,
                           changelog="Итоги финала")
    assert _kinds(results.championship) == [
        ("mentor", "Наставникова Ольга Петровна", False),
        ("participant", "Удалёнкин Олег Олегович", True),
        ("participant", "Финалистов Иван Иванович", False),
        ("winner", "Финалистов Иван Иванович", False),
    ]


def test_aw6_issue13_generation_waits_for_the_closing_ceremony(results, directorate_user):
    a = results.team()
    results.lock(results.final, [(a, "90")])
    domain.publish_results(results.championship, by=directorate_user)
    ProgrammeSlot.objects.create(championship=results.championship, stage=results.final, kind="ceremony",
                                 title="Церемония закрытия", starts_at=timezone.make_aware(dt.datetime(2100, 5, 20, 15)),
                                 ends_at=timezone.make_aware(dt.datetime(2100, 5, 20, 17)))
    assert diplomas.readiness_problems(results.championship, today=dt.date(2100, 5, 19)) == [
        "Церемония закрытия — 20.05.2100: дипломы формируются не раньше этого дня."]
    assert diplomas.readiness_problems(results.championship, today=dt.date(2100, 5, 20)) == []
    with pytest.raises(TransitionError) as caught:
        diplomas.start_batch(results.championship, by=directorate_user)
    assert "Церемония закрытия — 20.05.2100" in caught.value.message


def test_aw6_issue13_revocation_with_reason_is_audited_and_shown_on_verification(results, directorate_user, mentor):
    a = results.team(mentor=mentor)
    results.lock(results.final, [(a, "90")])
    domain.publish_results(results.championship, by=directorate_user)
    diploma = diplomas.issue(results.championship, next(s for s in diplomas.recipients(results.championship)
                                                        if s.kind == "mentor"))
    client = Client()
    assert "Диплом подлинный" in client.get(f"/results/verify/{diploma.code}/").content.decode()
    with pytest.raises(DomainError):
        domain.revoke_diploma(diploma, reason="  ", by=directorate_user)
    revoked = domain.revoke_diploma(diploma, reason="Наставник заменён решением Дирекции № 9", by=directorate_user)
    assert revoked.revoked_by == directorate_user and revoked.revoke_reason == "Наставник заменён решением Дирекции № 9"
    with pytest.raises(TransitionError):
        domain.revoke_diploma(diploma, reason="ещё раз", by=directorate_user)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION, object_id=str(diploma.pk)).get()
    assert entry.reason == "Наставник заменён решением Дирекции № 9"
    page = client.get(f"/results/verify/{diploma.code}/")
    text = page.content.decode()
    date = timezone.localdate(revoked.revoked_at).strftime("%d.%m.%Y")
    assert page.status_code == 200 and f"Диплом аннулирован {date}." in text
    assert "Наставник заменён решением Дирекции № 9" in text and "Диплом подлинный" not in text
    missing = client.get("/results/verify/NOSUCHCODE12/")
    assert missing.status_code == 404 and "Диплом с таким кодом не найден." in missing.content.decode()
    api = client.get(f"/api/v1/diplomas/verify/{diploma.code}").json()
    assert (api["genuine"], api["revoked"], api["revoke_reason"]) == (
        False, True, "Наставник заменён решением Дирекции № 9")
    # a later batch does not issue the revoked diploma again, and it leaves the owner's cabinet
    again = diplomas.issue(results.championship, next(s for s in diplomas.recipients(results.championship)
                                                      if s.kind == "mentor"))
    assert again.pk == diploma.pk and Diploma.objects.filter(kind="mentor").count() == 1
    assert list(diplomas.diplomas_of(mentor)) == []


def test_doc4_issue13_invalidation_publishes_at_once_and_revokes_award_diplomas(results, directorate_user, mentor):
    a, b = results.team(mentor=mentor), results.team()
    results.lock(results.final, [(a, "90"), (b, "80")])
    domain.publish_results(results.championship, by=directorate_user)
    for spec in diplomas.recipients(results.championship):
        diplomas.issue(results.championship, spec)
    assert domain.published_standings(results.championship)[0]["cup"] == 1
    with pytest.raises(DomainError):  # it must rest on recorded violations
        domain.invalidate_results(results.competency, reason="Нарушения", violations=[], by=directorate_user)
    ok = domain.record_quality_check(results.competency, violation="safety", outcome="ok", by=directorate_user)
    with pytest.raises(DomainError):  # an item without a violation is no basis
        domain.invalidate_results(results.competency, reason="Нарушения", violations=[ok.pk], by=directorate_user)
    finding = domain.record_quality_check(results.competency, violation="assessment", outcome="violation",
                                          finding="Оценки выставлены до конца работы", by=directorate_user)
    preview = domain.invalidation_preview(results.competency)
    assert [(x["team"], x["medal"]) for x in preview["awards"]] == [(computation_label(a), "золото"),
                                                                    (computation_label(b), "серебро")]
    assert [c["before"] for c in preview["cup_changes"]] == [1, 2]
    assert {d.kind for d in preview["diplomas"]} == {"winner", "prize_winner"}
    item = domain.invalidate_results(results.competency, reason="Нарушение процедуры оценивания",
                                     violations=[finding.pk], by=directorate_user)
    assert list(item.violations.all()) == [finding]
    assert item.version == ResultsVersion.objects.order_by("-number").first() and item.version.number == 2
    # every channel at once: the public results, the medal table and cups, the diplomas
    assert visible_results(mentor, results.competency).data["invalid"] is True
    assert domain.published_standings(results.championship) == []
    assert set(Diploma.objects.filter(revoked_at__isnull=False).values_list("kind", flat=True)) == {
        "winner", "prize_winner"}
    assert not Diploma.objects.filter(kind__in=["participant", "mentor"], revoked_at__isnull=False).exists()
    winner = Diploma.objects.filter(kind="winner").first()
    assert winner.revoke_reason == "Итоги компетенции признаны недействительными: Нарушение процедуры оценивания"
    assert Invalidation.objects.count() == 1


def computation_label(team):
    return f"{team.organisation} (команда № {team.pk})"


def test_doc4_issue13_register_blocks_panel_assignment_on_every_championship_until_lifted(
        results, directorate_user, expert, championship):
    entry = domain.register_unscrupulous_expert(championship, expert=expert, decision="Решение Дирекции № 5",
                                                by=directorate_user)
    other = ChampionshipFactory()
    competency = CompetencyFactory(championship=other)
    with pytest.raises(DomainError) as caught:
        assign_role(user=expert, role=Role.EXPERT, championship=other, competency=competency, by=directorate_user)
    assert caught.value.message.startswith(f"{expert.full_name} в реестре недобросовестных экспертов (решение от ")
    assert caught.value.message.endswith("назначение в жюри невозможно, пока запись не исключена из реестра "
                                         "решением Дирекции.")
    with pytest.raises(DomainError):  # nor a judging duty in the panel they already sit on
        add_judging_role(results.competency, expert, "Оценка судейских аспектов", by=directorate_user)
    # other roles are not blocked
    assign_role(user=expert, role=Role.MENTOR, championship=other, by=directorate_user)
    with pytest.raises(DomainError):
        domain.register_unscrupulous_expert(championship, expert=expert, decision="again", by=directorate_user)
    with pytest.raises(DomainError):
        domain.lift_unscrupulous_expert(entry, decision=" ", by=directorate_user)
    lifted = domain.lift_unscrupulous_expert(entry, decision="Решение Дирекции № 8", by=directorate_user)
    assert lifted.lifted_by == directorate_user and lifted.lift_decision == "Решение Дирекции № 8"
    with pytest.raises(TransitionError):
        domain.lift_unscrupulous_expert(entry, decision="ещё раз", by=directorate_user)
    assignment = assign_role(user=expert, role=Role.EXPERT, championship=other, competency=competency,
                             by=directorate_user)
    assert assignment.competency == competency
    assert AuditEntry.objects.filter(reason="Решение Дирекции № 8").exists()


def test_doc4_issue13_registered_expert_loses_panel_roles_in_live_championships_not_in_archived(
        directorate_user, expert, championship, competency):
    """DOC-4 (003 §10.5): the register takes effect at once — the expert's chief-expert/expert roles and
    judging duties in championships that are not archived are withdrawn, audited with the decision; an
    archived championship keeps its history; other roles (mentor) stay."""
    add_judging_role(competency, expert, "Оценка измеримых аспектов", by=directorate_user)
    archived = ChampionshipFactory(status=Championship.Status.ARCHIVED)
    old = CompetencyFactory(championship=archived)
    assign_role(user=expert, role=Role.CHIEF_EXPERT, championship=archived, competency=old, by=directorate_user)
    live = ChampionshipFactory(status=Championship.Status.ACTIVE)
    assign_role(user=expert, role=Role.EXPERT, championship=live, competency=CompetencyFactory(championship=live),
                by=directorate_user)
    assign_role(user=expert, role=Role.MENTOR, championship=live, by=directorate_user)

    domain.register_unscrupulous_expert(championship, expert=expert, decision="Решение Дирекции № 9",
                                        by=directorate_user)
    remaining = set(RoleAssignment.objects.filter(user=expert).values_list("championship_id", "role"))
    assert remaining == {(archived.pk, Role.CHIEF_EXPERT), (live.pk, Role.MENTOR)}
    assert not JudgingRole.objects.filter(user=expert).exists()
    withdrawals = AuditEntry.objects.filter(action=AuditEntry.Action.DELETE,
                                            reason="Внесён в реестр недобросовестных экспертов: Решение Дирекции № 9")
    assert withdrawals.count() == 3  # the judging duty and the two expert roles


def test_aw6_issue13_annulment_by_decision_revokes_the_teams_diplomas(results, directorate_user, mentor):
    """AW-6 (issue 13 §3b): a team whose points are annulled by a recorded decision (OP-5, intoxication) loses
    its diplomas at once, with the decision as the reason; the other team's diplomas stand."""
    a, b = results.team(mentor=mentor), results.team()
    results.lock(results.final, [(a, "90"), (b, "80")])
    domain.publish_results(results.championship, by=directorate_user)
    for spec in diplomas.recipients(results.championship):
        diplomas.issue(results.championship, spec)
    assert Diploma.objects.filter(team=a, revoked_at__isnull=True).exists()
    domain.record_result_decision(a, kind="annulment", points=None, reason="Алкогольное опьянение участника",
                                  basis="Протокол № 7", by=directorate_user)
    revoked = Diploma.objects.filter(team=a)
    assert revoked.exists() and all(d.revoked_at is not None for d in revoked)
    assert all("Протокол № 7" in d.revoke_reason for d in revoked)
    assert not Diploma.objects.filter(team=b, revoked_at__isnull=False).exists()
