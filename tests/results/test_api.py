"""AW-1, AW-5, AW-6, SC-9 on the API channel: publication, versions, nominations, diploma verification."""

from __future__ import annotations

import json

from django.test import Client

from profmaster.accounts.domain import create_api_token
from profmaster.results import diplomas, domain


class Api:
    def __init__(self, user=None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {create_api_token(user, name='t')[1]}"} if user else {}

    def get(self, path):
        return self.client.get("/api/v1" + path, headers=self.headers)

    def post(self, path, data):
        return self.client.post("/api/v1" + path, json.dumps(data), content_type="application/json",
                                headers=self.headers)


def test_aw1_publish_correct_and_read_versions_over_api(results, directorate_user, mentor, expert):
    a, b, c, d = (results.team() for _ in range(4))
    results.lock(results.final, [(a, "90"), (b, "80"), (c, "70"), (d, "60")])
    api = Api(directorate_user)
    assert Api(mentor).post(f"/championships/{results.championship.pk}/publish", {}).status_code == 403
    first = api.post(f"/championships/{results.championship.pk}/publish", {"competency_id": results.competency.pk})
    assert first.status_code == 201 and first.json()["number"] == 1
    nominated = Api(expert).post(f"/competencies/{results.competency.pk}/nominations",
                                 {"team_id": d.pk, "title": "Лучший в номинации: аккуратность", "reason": "Чисто"})
    assert nominated.status_code == 201 and nominated.json()["status"] == "proposed"
    again = Api(expert).post(f"/competencies/{results.competency.pk}/nominations",
                             {"team_id": d.pk, "title": "Вторая", "reason": "x"})
    assert again.status_code == 400
    results.lock(results.final, [(b, "95")])
    refused = api.post(f"/championships/{results.championship.pk}/publish", {"competency_id": results.competency.pk})
    assert refused.status_code == 400 and "что и почему" in refused.json()["detail"]
    second = api.post(f"/championships/{results.championship.pk}/publish",
                      {"competency_id": results.competency.pk, "changelog": f"Апелляция команды № {b.pk}"})
    assert second.json()["number"] == 2
    versions = Api(mentor).get(f"/championships/{results.championship.pk}/results-versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    old = Api(mentor).get(f"/championships/{results.championship.pk}/results-versions/1").json()
    assert old["competencies"][0]["groups"][0]["rows"][0]["team_id"] == a.pk
    table = Api(mentor).get(f"/championships/{results.championship.pk}/medal-table").json()
    assert table[0] == {"organisation_id": b.organisation_id, "organisation": str(b.organisation), "gold": 1,
                        "silver": 0, "bronze": 0, "total": 1, "cup": 1}
    bad = api.post(f"/championships/{results.championship.pk}/publish", {"competency_id": 987654})
    assert bad.status_code == 422


def test_aw6_verify_over_api_without_login(results, directorate_user, mentor):
    a = results.team(mentor=mentor)
    results.lock(results.final, [(a, "90")])
    domain.publish_results(results.championship, by=directorate_user)
    spec = next(s for s in diplomas.recipients(results.championship) if s.kind == "mentor")
    diploma = diplomas.issue(results.championship, spec)
    response = Api().get(f"/diplomas/verify/{diploma.code.lower()}")
    assert response.status_code == 200
    assert response.json()["genuine"] is True and "Наставниковой Ольге Петровне" in response.json()["text"]
    assert Api().get("/diplomas/verify/XXXXXXXXXXXX").status_code == 404
    mine = Api(mentor).get("/me/diplomas").json()
    assert [d["code"] for d in mine] == [diploma.code]
