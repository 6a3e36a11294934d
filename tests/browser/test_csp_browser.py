"""X-5 (issue 13 §6, CSP): the main pages, in a browser that enforces the Content-Security-Policy (no
``bypass_csp``), raise no policy violation and no console error — including the API's Swagger page, whose
scripts and styles are served from our own static files."""

from __future__ import annotations

import pytest

from profmaster.accounts.models import Role

from ..factories import PASSWORD, ChampionshipFactory, UserFactory, give_role
from .conftest import login


@pytest.fixture
def strict_page(browser, live_server, transactional_db):
    context = browser.new_context(locale="ru-RU", base_url=live_server.url)  # the policy is enforced
    page = context.new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []

    def console(msg):  # type: ignore[no-untyped-def]
        # Django admin's own pages name no icon, so Chromium asks for /favicon.ico: a 404, not a policy matter
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{page.url}: {msg.text}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    yield page, problems
    context.close()


def test_x5_main_pages_raise_no_csp_violation(strict_page):
    page, problems = strict_page
    championship = ChampionshipFactory(name="Чемпионат Мастерята")
    director = UserFactory(email="directorate@example.ru", is_staff=True, is_superuser=True)
    give_role(director, Role.DIRECTORATE, championship)
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", state="attached")  # the bundle ran and drew the operations
    login(page, "directorate@example.ru", PASSWORD)
    for url in ["/cabinet/", f"/results/championships/{championship.pk}/", "/admin/"]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
    assert problems == []
