"""SC-9, AW-1: before publication a mentor sees no ranking on any channel (page, xlsx, API); after it
everyone does. Decisions and quality control through the pages. AW-7: the medal table and cups."""

from __future__ import annotations

import io

from django.test import Client
from openpyxl import load_workbook

from profmaster.accounts.domain import create_api_token
from profmaster.results import domain
from profmaster.results.models import GroupDecision, QualityCheck


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def _xlsx_text(response) -> str:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


def _channels(user, competency):
    client = _as(user) if user else Client()
    page = client.get(f"/results/competencies/{competency.pk}/").content.decode()
    export = _xlsx_text(client.get(f"/results/competencies/{competency.pk}/export.xlsx"))
    api = None
    if user:
        _, secret = create_api_token(user, name="t")
        api = Client().get(f"/api/v1/competencies/{competency.pk}/results",
                           headers={"Authorization": f"Bearer {secret}"}).json()
    return page, export, api


def test_sc9_no_ranking_on_any_channel_before_publication(results, mentor, chief_expert, directorate_user):
    a, b = results.team(), results.team()
    results.lock(results.final, [(a, "91.25"), (b, "80.00")])
    for user in (mentor, None):
        page, export, api = _channels(user, results.competency)
        assert "91.25" not in page and "91,25" not in page and "Итоги ещё не опубликованы" in page
        assert "91.25" not in export and "не опубликованы" in export
        if api is not None:
            assert api["visible"] is False and api["groups"] == []
    page, export, api = _channels(chief_expert, results.competency)
    assert "91,25" in page and "Рабочие итоги" in page and "91.25" in export and api["live"] is True
    standings = Client().get(f"/results/championships/{results.championship.pk}/").content.decode()
    assert str(a.organisation) not in standings

    _as(directorate_user).post(f"/results/championships/{results.championship.pk}/publish/",
                               {"competency": results.competency.pk})
    page, export, api = _channels(mentor, results.competency)
    assert "91,25" in page and "medal-gold" in page and "Рабочие итоги" not in page
    assert "91.25" in export and "золото" in export
    assert api["visible"] is True and api["live"] is False and api["published_version"] == 1
    assert [r["medal"] for r in api["groups"][0]["rows"]] == ["gold", "silver"]
    anonymous_page = Client().get(f"/results/competencies/{results.competency.pk}/").content.decode()
    assert "medal-gold" in anonymous_page
    standings = Client().get(f"/results/championships/{results.championship.pk}/").content.decode()
    assert "medal-table" in standings and "Кубок за 1 место" in standings and "medal-chart" in standings
    sheet = _xlsx_text(Client().get(f"/results/championships/{results.championship.pk}/medal-table.xlsx"))
    assert str(a.organisation) in sheet
    version = Client().get(f"/results/championships/{results.championship.pk}/versions/1/")
    assert version.status_code == 200 and "91,25" in version.content.decode()
    assert Client().get(f"/results/championships/{results.championship.pk}/versions/9/").status_code == 404


def test_aw4_proposal_and_decision_through_pages(results, chief_expert, directorate_user, mentor):
    teams = [results.team() for _ in range(5)]
    results.lock(results.final, list(zip(teams, ["90.00", "89.50", "88.50", "88.00", "70.00"], strict=True)))
    chief = _as(chief_expert)
    page = chief.get(f"/results/competencies/{results.competency.pk}/").content.decode()
    assert "правило не решает" in page
    assert "правило не решает" not in _as(mentor).get(f"/results/competencies/{results.competency.pk}/") \
        .content.decode()
    form = {"stage": results.final.pk, "category": results.category.pk, "reason": "Четыре в окне",
            **{f"medal_{t.pk}": "gold" for t in teams[:4]}, f"medal_{teams[4].pk}": "silver"}
    response = chief.post(f"/results/competencies/{results.competency.pk}/medals/propose/", form)
    assert response.status_code == 302
    assert GroupDecision.objects.get().status == "proposed"
    # bad input: an unknown team id and garbage never give a 500
    bad = chief.post(f"/results/competencies/{results.competency.pk}/medals/propose/",
                     {"stage": "x", "category": "", "medal_abc": "gold", "reason": "r"})
    assert bad.status_code == 302
    _as(directorate_user).post(f"/results/competencies/{results.competency.pk}/medals/decide/",
                               {"stage": results.final.pk, "category": results.category.pk,
                                "approve_proposal": "1", "reason": "Согласовано"})
    decision = GroupDecision.objects.get()
    assert (decision.status, decision.decided_by) == ("approved", directorate_user)
    assert domain.publish_results(results.championship, competency=results.competency, by=directorate_user)


def test_doc4_quality_control_pages(results, directorate_user, expert, championship):
    from profmaster.accounts.models import Role

    from ..factories import UserFactory, give_role

    quality = UserFactory(email="quality@example.ru")
    give_role(quality, Role.QUALITY_CONTROL, championship)
    client = _as(quality)
    page = client.get(f"/results/championships/{championship.pk}/quality/")
    assert page.status_code == 200 and "Нарушение процедуры оценивания" in page.content.decode()
    client.post(f"/results/competencies/{results.competency.pk}/quality/",
                {"violation": "score_sheets", "outcome": "violation", "finding": "Нет подписи эксперта",
                 "evidence": "Документ № 12"})
    assert QualityCheck.objects.get().finding == "Нет подписи эксперта"
    # quality control cannot invalidate; the Directorate can
    assert client.post(f"/results/competencies/{results.competency.pk}/invalidate/",
                       {"reason": "x"}).status_code == 403
    _as(directorate_user).post(f"/results/competencies/{results.competency.pk}/invalidate/",
                               {"reason": "Ведомости не оформлены", "confirm": "1",
                                "violations": [QualityCheck.objects.get().pk]})
    _as(directorate_user).post(f"/results/championships/{championship.pk}/quality/register/",
                               {"expert": expert.pk, "decision": "Решение № 7 от 01.04.2023"})
    page = client.get(f"/results/championships/{championship.pk}/quality/").content.decode()
    assert "итоги недействительны" in page and "Решение № 7 от 01.04.2023" in page
