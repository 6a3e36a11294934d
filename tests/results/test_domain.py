"""AW-1…AW-5, SC-9, DOC-1, DOC-4: results computed from locked totals, decisions, publication."""

from __future__ import annotations

import pytest

from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.models import DocumentType
from profmaster.results import computation, domain
from profmaster.results.models import GroupDecision, Nomination, ResultsVersion
from profmaster.results.visibility import visible_results

from ..factories import UserFactory


def _rows(data, stage_kind="final"):
    group = next(g for g in data["groups"] if g["stage_kind"] == stage_kind)
    return [(r["team_id"], r["rank"], r["total"], r["medal"]) for r in group["rows"]]


def test_aw1_aw3_ranking_and_medals_from_locked_totals(results):
    a, b, c, d = (results.team() for _ in range(4))
    out = results.team(out=True)
    results.lock(results.final, [(a, "90.00"), (b, "88.00"), (c, "80.00"), (d, "70.00"), (out, "99.00")])
    data = computation.competency_results(results.competency)
    assert _rows(data) == [(out.pk, None, "99.00", ""), (a.pk, 1, "90.00", "gold"), (b.pk, 1, "88.00", "gold"),
                           (c.pk, 2, "80.00", "silver"), (d.pk, 3, "70.00", "bronze")]
    assert data["pending"] == []


def _four_within_window(results):
    teams = [results.team() for _ in range(5)]
    results.lock(results.final, list(zip(teams, ["90.00", "89.50", "88.50", "88.00", "70.00"], strict=True)))
    return teams


def test_aw4_undecided_place_needs_proposal_and_directorate_decision(results, chief_expert, directorate_user):
    a, b, c, d, e = _four_within_window(results)
    data = computation.competency_results(results.competency)
    assert data["pending"] and not data["groups"][0]["settled"]
    with pytest.raises(TransitionError):
        domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    ids = {"stage_id": results.final.pk, "category_id": results.category.pk}
    with pytest.raises(DomainError):  # a reason is required
        domain.propose_medals(results.competency, **ids, distribution={a.pk: "gold"}, reason=" ", by=chief_expert)
    with pytest.raises(DomainError):  # better medal than a team with a higher total
        domain.propose_medals(results.competency, **ids, distribution={a.pk: "silver", b.pk: "gold"},
                              reason="x", by=chief_expert)
    proposal = {a.pk: "gold", b.pk: "gold", c.pk: "gold", d.pk: "gold", e.pk: "silver"}
    decision = domain.propose_medals(results.competency, **ids, distribution=proposal, reason="Четыре команды в "
                                     "пределах двух баллов", by=chief_expert)
    assert decision.status == GroupDecision.Status.PROPOSED
    assert not computation.competency_results(results.competency)["groups"][0]["settled"]
    # the Directorate changes it: fewer golds
    decision = domain.decide_medals(results.competency, **ids, distribution={a.pk: "gold", b.pk: "gold",
                                                                               c.pk: "silver", d.pk: "silver"},
                                    reason="Решение Дирекции", by=directorate_user)
    assert decision.status == GroupDecision.Status.APPROVED and decision.decided_by == directorate_user
    assert [m for *_, m in _rows(computation.competency_results(results.competency))] == [
        "gold", "gold", "silver", "silver", ""]
    # a changed total makes the decision stale
    results.lock(results.final, [(e, "71.00")])
    assert computation.competency_results(results.competency)["pending"]


def test_aw4_directorate_approves_the_proposal_as_is(results, chief_expert, directorate_user):
    a, b, c, d, _e = _four_within_window(results)
    ids = {"stage_id": results.final.pk, "category_id": results.category.pk}
    with pytest.raises(TransitionError):
        domain.decide_medals(results.competency, **ids, distribution=None, reason="ok", by=directorate_user)
    domain.propose_medals(results.competency, **ids, distribution={a.pk: "gold", b.pk: "silver", c.pk: "silver",
                                                                   d.pk: "bronze"}, reason="x", by=chief_expert)
    domain.decide_medals(results.competency, **ids, distribution=None, reason="Согласовано", by=directorate_user)
    assert [m for *_, m in _rows(computation.competency_results(results.competency))] == [
        "gold", "silver", "silver", "bronze", ""]


def test_aw4_proposal_refused_when_rule_decided(results, chief_expert):
    a, b = results.team(), results.team()
    results.lock(results.final, [(a, "90"), (b, "50")])
    with pytest.raises(TransitionError):
        domain.propose_medals(results.competency, stage_id=results.final.pk, category_id=results.category.pk,
                              distribution={a.pk: "gold"}, reason="x", by=chief_expert)


def test_aw5_nomination_for_finalist_without_medal_one_per_team(results, expert, directorate_user):
    teams = [results.team() for _ in range(5)]
    results.lock(results.final, list(zip(teams, ["90", "80", "70", "60", "50"], strict=True)))
    with pytest.raises(DomainError):  # a medallist
        domain.propose_nomination(results.competency, team=teams[0], title="Аккуратность", reason="x", by=expert)
    nomination = domain.propose_nomination(results.competency, team=teams[3], title="Лучший в номинации: "
                                           "аккуратность", reason="Чистое рабочее место", by=expert)
    with pytest.raises(DomainError):
        domain.propose_nomination(results.competency, team=teams[3], title="Вторая", reason="x", by=expert)
    with pytest.raises(DomainError):  # a refusal needs a reason
        domain.decide_nomination(nomination, approve=False, reason="", by=directorate_user)
    domain.decide_nomination(nomination, approve=True, reason="", by=directorate_user)
    with pytest.raises(TransitionError):
        domain.decide_nomination(nomination, approve=True, reason="", by=directorate_user)
    row = next(r for r in computation.competency_results(results.competency)["groups"][0]["rows"]
               if r["team_id"] == teams[3].pk)
    assert row["nomination"] == "Лучший в номинации: аккуратность"
    assert Nomination.objects.get().status == "approved"


def test_qualification_quota_and_tie_on_the_cut_decided_by_directorate(results, directorate_user):
    teams = [results.team() for _ in range(3)] + [results.team(barred=True)]
    results.lock(results.remote, list(zip(teams, ["90", "80", "80", "95"], strict=True)))
    domain.set_quota(results.competency, results.category, 2, by=directorate_user)
    data = computation.competency_results(results.competency)
    group = data["groups"][0]
    assert [(r["team_id"], r["qualified"], r["tied_on_cut"]) for r in group["rows"]] == [
        (teams[3].pk, False, False), (teams[0].pk, True, False), (teams[1].pk, False, True),
        (teams[2].pk, False, True)]
    assert data["pending"]
    ids = {"stage_id": results.remote.pk, "category_id": results.category.pk}
    with pytest.raises(DomainError):
        domain.decide_qualification(results.competency, **ids, qualified=[teams[3].pk], reason="x",
                                    by=directorate_user)
    domain.decide_qualification(results.competency, **ids, qualified=[teams[2].pk], reason="По баллу за критерий A",
                                by=directorate_user)
    group = computation.competency_results(results.competency)["groups"][0]
    assert {r["team_id"] for r in group["rows"] if r["qualified"]} == {teams[0].pk, teams[2].pk}


def test_aw1_sc9_publication_freezes_versions_and_visibility(results, directorate_user, mentor, chief_expert):
    a, b = results.team(), results.team()
    results.lock(results.final, [(a, "90"), (b, "80")])
    assert not visible_results(mentor, results.competency).visible
    assert visible_results(chief_expert, results.competency).live
    v1 = domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    view = visible_results(mentor, results.competency)
    assert (view.live, view.version.number) == (False, 1)
    assert [r["medal"] for r in view.data["groups"][0]["rows"]] == ["gold", "silver"]
    # a correction: the totals change (an upheld appeal), a new version with a changelog
    results.lock(results.final, [(b, "95")])
    with pytest.raises(DomainError):
        domain.publish_results(results.championship, competency=results.competency, by=directorate_user)
    v2 = domain.publish_results(results.championship, competency=results.competency, by=directorate_user,
                                changelog="Апелляция удовлетворена")
    assert v2.number == 2 and "Апелляция удовлетворена" in v2.changelog and "медаль silver → gold" in v2.changelog
    assert visible_results(mentor, results.competency).version == v2
    v1.refresh_from_db()
    assert v1.content["competencies"][0]["groups"][0]["rows"][0]["team_id"] == a.pk  # earlier version readable
    with pytest.raises(ValueError):
        v1.save()
    assert ResultsVersion.objects.count() == 2
    assert v2.content["medal_table"][0]["organisation_id"] == b.organisation_id


def test_doc4_invalid_competency_is_published_as_invalid(results, directorate_user, mentor):
    a = results.team()
    results.lock(results.final, [(a, "90")])
    finding = domain.record_quality_check(results.competency, violation="assessment", outcome="violation",
                                          finding="Оценки выставлены без ведомостей", by=directorate_user)
    domain.invalidate_results(results.competency, reason="Нарушение процедуры оценивания", violations=[finding.pk],
                              by=directorate_user)
    with pytest.raises(TransitionError):
        domain.invalidate_results(results.competency, reason="ещё раз", violations=[finding.pk], by=directorate_user)
    data = visible_results(mentor, results.competency).data
    assert data["invalid"] and data["invalid_reason"] == "Нарушение процедуры оценивания"
    assert domain.published_standings(results.championship) == []


def test_doc4_quality_checklist_and_register(results, directorate_user, expert, championship):
    with pytest.raises(DomainError):
        domain.record_quality_check(results.competency, violation="nope", outcome="ok", by=directorate_user)
    with pytest.raises(DomainError, match="Опишите выявленное нарушение"):  # a violation needs a finding
        domain.record_quality_check(results.competency, violation="safety", outcome="violation", by=directorate_user)
    item = domain.record_quality_check(results.competency, violation="safety", outcome="violation",
                                       finding="Нет защитных очков", evidence="Фото 1", by=directorate_user)
    assert item.get_violation_display().startswith("Несоблюдение правил техники")
    with pytest.raises(DomainError):
        domain.register_unscrupulous_expert(championship, expert=UserFactory(), decision="x", by=directorate_user)
    entry = domain.register_unscrupulous_expert(championship, expert=expert, decision="Решение Дирекции № 5",
                                                by=directorate_user)
    assert entry.decision == "Решение Дирекции № 5"
    with pytest.raises(DomainError):
        domain.register_unscrupulous_expert(championship, expert=expert, decision="again", by=directorate_user)


def test_doc1_results_protocol_lists_ranking_medals_nominations(results, chief_expert, expert, directorate_user):
    a, b = results.team(), results.team()
    results.lock(results.final, [(a, "90"), (b, "80")])
    with pytest.raises(DomainError):
        domain.create_results_protocol(results.competency, stage_kind="remote", by=chief_expert)
    document = domain.create_results_protocol(results.competency, stage_kind="final", by=chief_expert)
    assert document.doc_type == DocumentType.FINAL_RESULTS
    rows = document.data["Финал — 5–7 класс"]
    assert [(r["Место"], r["Медаль"]) for r in rows] == [(1, "золото"), (2, "серебро")]
    assert {s.user for s in document.required_signers.all()} == {chief_expert, expert}


def test_demo_results_skip_without_locked_totals_and_publish_with_them(results, directorate_user):
    from profmaster.demo.data import _demo_results

    _demo_results(results.championship, results.competency, directorate_user)
    assert ResultsVersion.objects.count() == 0
    a = results.team()
    results.lock(results.final, [(a, "77.70")])
    _demo_results(results.championship, results.competency, directorate_user)
    _demo_results(results.championship, results.competency, directorate_user)  # idempotent
    assert ResultsVersion.objects.count() == 1
