"""AP-2, AP-3 on the pages and the API: bad input refused with a clear message and nothing saved (an oversized
body, a forged dispute id), the register's filters and its xlsx (formulas escaped), the public composition, and
the commission's members voting through the API (the deliberation hidden from the appellant)."""

from __future__ import annotations

import base64
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from profmaster.appeals import domain
from profmaster.appeals.models import Appeal

from ..api.conftest import ApiClient
from .world import PDF

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ap2_page_refuses_an_oversized_body_and_keeps_the_typed_text(world):
    dispute = world.dispute()
    response = _client(world.mentor).post(f"/appeals/disputes/{dispute.pk}/appeal/", {
        "persons": "Наставникова Н.", "claim": "Претензия", "scan": io.BytesIO(b"%PDF-1.4" + b"0" * (7 * 1024 * 1024))})
    assert response.status_code == 413
    assert "больше допустимых 5 МБ" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_ap2_page_files_and_a_forged_dispute_is_404(world):
    dispute = world.dispute()
    client = _client(world.mentor)
    assert client.get("/appeals/disputes/987654/appeal/").status_code == 404
    response = client.post(f"/appeals/disputes/{dispute.pk}/appeal/", {
        "persons": "Наставникова Н.", "claim": "=HYPERLINK(\"http://x\")", "scan": io.BytesIO(PDF)})
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{appeal.pk}/"
    assert _client(world.other_mentor).get(f"/appeals/{appeal.pk}/").status_code == 403
    scan = client.get(f"/appeals/{appeal.pk}/scan/")
    assert scan["Content-Type"] == "application/pdf" and b"".join(scan.streaming_content) == PDF


def test_ap3_register_filters_and_xlsx_escapes_formulas(world):
    world.file(world.dispute(), claim="Претензия")
    world.dispute(state="open").__class__.objects.filter(state="open").update(question="=1+1")
    client = _client(world.directorate)
    page = client.get(f"/appeals/register/?championship={world.championship.pk}&state=appeal_pending")
    assert page.status_code == 200 and page.content.decode().count("/appeals/") >= 1
    assert "=1+1" not in page.content.decode()  # the open question is filtered out
    sheet = load_workbook(io.BytesIO(client.get("/appeals/register/xlsx/?state=dispute_open").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Чемпионат" and len(rows) == 2 and rows[1][6] == "'=1+1"
    # forged filters are ignored, not an error; an outsider Directorate sees none of this championship's rows
    assert client.get("/appeals/register/?championship=abc&from=не-дата&state=x").status_code == 200


def test_ap3_public_regulations_show_the_approved_composition(world):
    anonymous = Client()
    assert "ещё не утверждён" in anonymous.get(f"/appeals/championships/{world.championship.pk}/regulations/"
                                               ).content.decode()
    world.approve()
    text = anonymous.get(f"/appeals/championships/{world.championship.pk}/regulations/").content.decode()
    assert all(user.full_name in text for user in world.members) and "председатель" in text


def test_ap3_members_vote_through_the_api_and_the_appellant_sees_no_deliberation(world):
    world.approve()
    appeal = world.file()
    chair = ApiClient(world.chair)
    assert chair.post(f"/appeals/{appeal.pk}/hearing").status_code == 201
    for member, choice in zip(world.members, ["for", "for", "against", "against", "abstain"], strict=True):
        assert ApiClient(member).post(f"/appeals/{appeal.pk}/hearing/votes", {"choice": choice}).status_code == 201
    second = ApiClient(world.members[1]).post(f"/appeals/{appeal.pk}/hearing/votes", {"choice": "against"})
    assert (second.status_code, second.json()["detail"]) == (400, "Вы уже проголосовали: каждый член комиссии "
                                                                    "голосует один раз.")
    tie = chair.post(f"/appeals/{appeal.pk}/decision", {"decision": "Удовлетворить", "reasons": "Так"})
    assert tie.status_code == 409 and "поровну" in tie.json()["detail"]
    assert chair.post(f"/appeals/{appeal.pk}/hearing/chair-vote", {"choice": "against"}).status_code == 201
    decided = chair.post(f"/appeals/{appeal.pk}/decision", {"decision": "Отказать", "reasons": "Оценка верна"})
    assert decided.status_code == 201
    assert (decided.json()["outcome"], decided.json()["decided_by_chair"], len(decided.json()["votes"])) == (
        "rejected", True, 5)
    mine = ApiClient(world.mentor).get(f"/appeals/{appeal.pk}").json()
    assert mine["outcome"] == "rejected" and mine["votes"] is None and mine["notes"] is None


def test_ap2_api_files_with_a_base64_scan_and_refuses_a_png_pretending(world):
    dispute = world.dispute()
    api = ApiClient(world.mentor)
    body = {"persons": "Наставникова Н.", "claim": "Претензия", "scan_name": "a.png",
            "scan_base64": base64.b64encode(b"GIF89a fake").decode()}
    refused = api.post(f"/disputes/{dispute.pk}/appeals", body)
    assert refused.status_code == 400 and "не PDF, PNG или JPEG" in refused.json()["detail"]
    assert Appeal.objects.count() == 0
    created = api.post(f"/disputes/{dispute.pk}/appeals", {**body, "scan_base64": base64.b64encode(PDF).decode()})
    assert created.status_code == 201 and created.json()["state"] == "filed"
    assert domain.appeal_refusal(dispute, world.mentor) is not None


def test_ap2_decided_dispute_page_offers_the_mentor_an_appeal_then_links_it(world):
    """AP-2: the mentor appeals from the decided dispute's own page; once filed, the page links the appeal."""
    dispute = world.dispute()
    client = _client(world.mentor)
    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert 'id="dispute-appeal-file"' in page and f"/appeals/disputes/{dispute.pk}/appeal/" in page
    appeal = world.file(dispute)
    page = client.get(f"/disputes/{dispute.pk}/").content.decode()
    assert 'id="dispute-appeal"' in page and f"/appeals/{appeal.pk}/" in page
    assert 'id="dispute-appeal-file"' not in page
