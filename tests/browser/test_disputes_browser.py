"""AP-1, AP-4 in a real browser: the mentor raises a dispute from the cabinet, the chief expert puts it to the vote,
the experts vote on their phones (390 px), the majority decides, the chief expert takes a deduction, the protocol is
signed, and the deduction is its own numbered line of the team's result."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from profmaster.disputes.models import Dispute
from profmaster.documents.models import Signature
from profmaster.marking.models import MarkingScheme, TeamResult

from ..disputes.conftest import make_world
from ..factories import PASSWORD, StageFactory
from .conftest import login

pytestmark = pytest.mark.browser


def _as(page, user, *, form=False):
    """Sign in: through the login form, or (for the later people of the flow) with a session made for them."""
    page.context.clear_cookies()
    if form:
        login(page, user.email, PASSWORD)
        page.wait_for_url(re.compile(r"/cabinet/$"))
        return
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    origin = re.match(r"https?://[^/]+", page.url)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": origin.group(0) if origin else "",
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


def test_ap1_ap4_mentor_raises_experts_vote_protocol_signed_deduction_in_results(page):
    world = make_world()
    scheme = MarkingScheme.objects.create(competency=world.competency, title="Схема финала",
                                          stage=StageFactory(championship=world.championship, name="Финал"))
    TeamResult.objects.create(scheme=scheme, team=world.team, total=Decimal("40.50"), locked_at=timezone.now())

    # the mentor, from the cabinet
    _as(page, world.mentor_user, form=True)
    page.locator("#disputes-cabinet").get_by_role("link", name="Поднять спорный вопрос").click()
    page.locator("#team").select_option(str(world.team.pk))
    page.locator("#question").fill("Эксперт подсказывал команде № 2 во время модуля Б")
    page.locator("#concerns").fill("Эксперт Шевчук Ю.")
    page.locator("#circumstances").fill("Видео с камеры 3, 11:40")
    page.locator("#dispute-submit").click()
    page.wait_for_url(re.compile(r"/disputes/\d+/$"))
    expect(page.locator("#dispute-state")).to_have_text("Открыт")
    dispute = Dispute.objects.get()

    # the chief expert puts it to the vote
    _as(page, world.chief)
    page.goto(f"/disputes/{dispute.pk}/")
    page.locator("#proposal").fill("Вычесть 2,5 балла у команды № 1")
    page.locator("#put-to-vote").click()
    expect(page.locator("#dispute-state")).to_have_text("Идёт голосование")
    expect(page.locator(".not-voted")).to_contain_text("Шевчук")

    # two of the three experts vote on a phone: the majority of all three decides
    page.set_viewport_size({"width": 390, "height": 800})
    for expert in world.experts[:2]:
        _as(page, expert)
        page.goto("/cabinet/")
        page.locator("#disputes-cabinet").get_by_role("link", name="Голосовать").click()
        expect(page.locator("#vote-proposal")).to_have_text("Вычесть 2,5 балла у команды № 1")
        page.locator("#vote-for").click()
        expect(page.locator("#vote-done")).to_contain_text("За")
    expect(page.locator("#vote-closed")).to_contain_text("Предложение принято")
    page.set_viewport_size({"width": 1280, "height": 900})
    dispute.refresh_from_db()
    assert dispute.state == "decided" and dispute.protocol is not None

    # the chief expert takes the deduction; the protocol is formed again with it
    _as(page, world.chief)
    page.goto(f"/disputes/{dispute.pk}/")
    page.locator("#sanction-kind").select_option("deduction")
    page.locator("#sanction-points").fill("2,5")
    page.locator("#sanction-reason").fill("Преимущество — подсказка по модулю Б")
    page.locator("#sanction-submit").click()
    expect(page.locator("#sanctions")).to_contain_text("Решение № 1: Вычет баллов")

    # everyone signs the protocol: the chief expert and the three experts
    for signer in [world.chief, *world.experts]:
        _as(page, signer)
        page.goto(f"/disputes/{dispute.pk}/")
        page.locator("#dispute-protocol").click()
        page.get_by_label("Пароль для подтверждения").fill(PASSWORD)
        page.get_by_role("button", name="Подписать").click()
        expect(page.locator(".alert-success")).to_contain_text("Документ подписан")
    protocol = Dispute.objects.get().protocol
    assert Signature.objects.filter(document=protocol, voided_at__isnull=True).count() == 4
    expect(page.locator("body")).to_contain_text("Вычет баллов")

    # the team's result: the marks' total, the deduction as its own numbered line, the total after it
    page.goto(f"/results/competencies/{world.competency.pk}/")
    line = page.locator(".result-decision[data-number='1']")
    expect(line).to_contain_text("Решение № 1: Вычет баллов −2,50 — Спорный вопрос № 1")
    expect(page.locator("table")).to_contain_text("38,00")
