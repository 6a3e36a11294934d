"""AP-2, AP-3 in the browser: the mentor appeals a decided dispute the same day with the scanned signed form (and
is refused a second appeal and a non-PDF scan); the commission of five ties and the chair's additional vote decides,
the hearing closes with the final protocol; a non-member's vote is refused."""

from __future__ import annotations

import pytest

from profmaster.appeals import domain
from profmaster.appeals.models import Appeal, HearingVote

from ..appeals.world import PDF, make_world
from ..factories import PASSWORD
from .conftest import login


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return make_world("Asia/Vladivostok")


def test_ap2_mentor_appeals_the_same_day_with_a_scanned_form(page, world):
    world.approve()
    dispute = world.dispute()
    other = world.dispute()
    login(page, world.mentor.email, PASSWORD)
    page.goto("/cabinet/")
    cards = page.locator("#appeals-cabinet .appealable")
    assert cards.count() == 2
    cards.first.get_by_role("link", name="Подать апелляцию").click()
    assert "Владивосток, UTC+10" in page.locator("#appeal-deadline").inner_text()
    # bad input first: a scan that is not a PDF/PNG/JPEG is refused and nothing is saved
    page.get_by_label("Ф. И. О. всех вовлечённых в спор лиц").fill("Наставникова Нина; Пьеха Эдита")
    page.get_by_label("Описание претензии").fill("Аспект B1.2 оценён без учёта оформления")
    page.get_by_label("Скан подписанной апелляции").set_input_files(
        files=[{"name": "appeal.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}])
    page.get_by_role("button", name="Подать апелляцию").click()
    assert "по содержимому это не PDF, PNG или JPEG" in page.locator("#appeal-error").inner_text()
    assert page.get_by_label("Описание претензии").input_value() == "Аспект B1.2 оценён без учёта оформления"
    assert Appeal.objects.count() == 0
    page.get_by_label("Скан подписанной апелляции").set_input_files(
        files=[{"name": "appeal.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Подать апелляцию").click()
    assert page.locator("#appeal-state").inner_text() == "Подана"
    appeal = Appeal.objects.get()
    assert (appeal.dispute_id, appeal.dispute_protocol_id, appeal.scan_type) in {
        (dispute.pk, dispute.protocol_id, "application/pdf"), (other.pk, other.protocol_id, "application/pdf")}
    assert page.locator("#appeal-scan-link").inner_text() == "appeal.pdf"
    # no second appeal on the same question
    page.goto(f"/appeals/disputes/{appeal.dispute_id}/appeal/")
    assert "повторная апелляция не принимается" in page.locator("#appeal-exists").inner_text()
    page.goto("/cabinet/")
    assert page.locator("#appeals-cabinet .appealable").count() == 1
    assert "Подана" in page.locator("#appeals-cabinet .my-appeal").inner_text()


def test_ap3_five_members_tie_and_the_chairs_vote_decides(page, world):
    world.approve()
    appeal = world.file()
    domain.open_hearing(appeal, by=world.chair)
    for member, choice in zip(world.members[1:], ["for", "for", "against", "against"], strict=True):
        domain.cast_vote(appeal, choice=choice, by=member)
    # a non-member (the Directorate) sees the deliberation but has no vote; a forged vote is refused
    login(page, world.directorate.email, PASSWORD)
    page.goto(f"/appeals/{appeal.pk}/")
    assert page.locator("#vote-form").count() == 0
    assert page.request.post(f"/appeals/{appeal.pk}/hearing/vote/", form={"choice": "for"},
                             headers={"X-CSRFToken": _csrf(page)}).status == 403
    page.context.clear_cookies()
    login(page, world.chair.email, PASSWORD)
    page.goto("/cabinet/")
    page.locator(f"#commission-workspace-{world.championship.pk}").click()
    page.locator("#appeals").get_by_role("link", name=str(appeal.number)).click()
    page.locator("#note-form select").select_option("appellant")
    page.locator("#note-form input[name=person]").fill("Наставникова Нина")
    page.locator("#note-form textarea").fill("Оформление изделия не оценили")
    page.locator("#note-form").get_by_role("button", name="Записать").click()
    assert "Наставникова Нина" in page.locator("#hearing-notes").inner_text()
    page.locator("#vote-abstain").click()
    assert "Ваш голос учтён" in page.content()
    assert page.locator("#tie").is_visible()
    # closing without the additional vote is refused: the hearing stays open
    page.locator("#decision-text").fill("Пересчитать аспект B1.2")
    page.locator("#decision-reasons").fill("Оформление не учтено")
    page.locator("#decide-submit").click()
    assert "разделились поровну" in page.locator(".alert-danger, .alert-error").first.inner_text()
    assert Appeal.objects.get().state == "hearing"
    page.locator("#chair-for").click()
    assert "дополнительный голос председателя: за" in page.locator("#hearing-tally").inner_text()
    page.locator("#decision-text").fill("Пересчитать аспект B1.2")
    page.locator("#decision-reasons").fill("Оформление не учтено")
    page.locator("#decide-submit").click()
    assert page.locator("#appeal-outcome").inner_text().startswith("Апелляция удовлетворена")
    assert "дополнительный голос председателя" in page.locator("#appeal-outcome").inner_text()
    page.locator("#appeal-protocol").click()
    assert "Итоговый протокол заседания апелляционной комиссии" in page.content()
    decided = Appeal.objects.get()
    assert (decided.state, decided.outcome, decided.decided_by_chair) == ("decided", "upheld", True)
    assert HearingVote.objects.filter(hearing__appeal=decided).count() == 5


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
