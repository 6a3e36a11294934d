"""X-6 (browser): the Directorate opens its championship's e-mails from the championship page, sees what failed
and why, sends the failed e-mail again and sees it sent — in the championship's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.notifications.models import OutboundEmail

from ..factories import PASSWORD, ChampionshipFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser


def test_x6_directorate_resends_a_failed_email_from_the_championship_page(page):
    championship = ChampionshipFactory(time_zone="Asia/Vladivostok")
    directorate = UserFactory(email="directorate@example.ru")
    give_role(directorate, Role.DIRECTORATE, championship)
    at = dt.datetime(2023, 4, 21, 14, 0, tzinfo=dt.UTC)
    OutboundEmail.objects.create(championship=championship, to="sent@example.ru", template="application_approved",
                                 subject="Заявка одобрена", body_text="Дирекция одобрила заявку.", status="sent",
                                 attempts=1, created_at=at, sent_at=at)
    failed = OutboundEmail.objects.create(
        championship=championship, to="mentor@example.ru", template="application_rejected", subject="Заявка отклонена",
        body_text="Дирекция отклонила заявку. Причина: нет документов.", status="failed", attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed", created_at=at)

    login(page, "directorate@example.ru", PASSWORD)
    page.goto(f"/championships/{championship.pk}/")
    page.locator("#link-emails").click()
    expect(page.locator("h1")).to_contain_text("Письма участникам и наставникам")
    row = page.locator(f'#emails tr[data-email="{failed.pk}"]')
    expect(row).to_contain_text("22.04.2023 00:00 (Владивосток, UTC+10)")
    expect(row).to_contain_text("Ошибка отправки")
    expect(row).to_contain_text("SMTPServerDisconnected")
    row.locator("summary").click()
    expect(row.locator("pre")).to_contain_text("Причина: нет документов.")
    row.get_by_role("button", name="Отправить повторно").click()
    expect(page.locator(".alert-success")).to_contain_text("mentor@example.ru")
    row = page.locator(f'#emails tr[data-email="{failed.pk}"]')
    expect(row).to_contain_text("Отправлено")
    expect(page.locator("#resend-all")).to_have_count(0)
    assert [m.to for m in mail.outbox] == [["mentor@example.ru"]]
