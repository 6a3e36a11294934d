"""MS-1…MS-5 over the API: the same domain functions, the same refusals."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from profmaster.accounts.domain import create_api_token
from profmaster.marking.models import MarkingScheme

from ..russian_plurals import CRITERIA, russian_forms

pytestmark = pytest.mark.django_db

ASPECT = {"code": "A1.1", "kind": "judgement", "description": "Аккуратность", "max_points": "2.00",
          "descriptors": ["0", "1", "2", "3"]}


def call(user, method, path, body=None):
    secret = create_api_token(user, name="t")[1]
    return getattr(Client(), method)(f"/api/v1{path}", data=json.dumps(body) if body is not None else None,
                                     content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")


def content(*letters: str) -> dict:
    return {"criteria": [{"code": c, "title": f"Критерий {c}", "skill_sections": [1], "sub_criteria": [
        {"code": f"{c}1", "title": "Суб", "aspects": [{**ASPECT, "code": f"{c}1.1"}]}]} for c in letters]}


def test_ms5_scheme_content_via_api_and_lock(scheme, panel):
    chief, _ = panel
    with russian_forms(CRITERIA):
        response = call(chief, "put", f"/schemes/{scheme.pk}/content", content("A", "B"))
    assert response.status_code == 200
    body = response.json()
    assert body["total_points"] == "4.00"
    assert body["problems"] == [{"place": "", "message": "В схеме 2 критерия, а должно быть от 3 до 9."}]
    response = call(chief, "post", f"/schemes/{scheme.pk}/lock")
    assert response.status_code == 400
    assert "В схеме 2 критерия" in response.json()["detail"]
    call(chief, "put", f"/schemes/{scheme.pk}/content", content("A", "B", "C"))
    response = call(chief, "post", f"/schemes/{scheme.pk}/lock")
    assert response.status_code == 201
    assert MarkingScheme.objects.get(pk=scheme.pk).lock_document_id == response.json()["document_id"]
    response = call(chief, "put", f"/schemes/{scheme.pk}/content", content("A", "B", "C"))
    assert response.status_code == 409


def test_ms5_bad_content_is_refused_whole(scheme, panel):
    chief, _ = panel
    before = call(chief, "get", f"/schemes/{scheme.pk}").json()["criteria"]
    bad = content("A", "B", "C")
    bad["criteria"][2]["skill_sections"] = [99]
    response = call(chief, "put", f"/schemes/{scheme.pk}/content", bad)
    assert response.status_code == 400
    assert response.json()["detail"] == "Критерий C: нет раздела спецификации навыков № 99."
    for broken in ({"criteria": "x"}, {"criteria": [{"code": "A\x00"}]}, {"criteria": [], "extra": 1}):
        assert call(chief, "put", f"/schemes/{scheme.pk}/content", broken).status_code == 422
    assert call(chief, "get", f"/schemes/{scheme.pk}").json()["criteria"] == before
