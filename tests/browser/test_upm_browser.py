"""UPM-5 in a real browser at phone width (390 px): a parent opens the coordinator's link, is told their child needs
the online diagnostic first, the child passes it, the parent confirms; a second confirmation is refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from profmaster.upm import domain
from profmaster.upm.models import Confirmation

from ..exams.factories import make_exam
from ..factories import PASSWORD
from ..upm.world import build
from .conftest import login

pytestmark = pytest.mark.browser


def test_upm5_parent_confirms_after_the_child_passes_the_diagnostic_at_390px(page):
    page.set_viewport_size({"width": 390, "height": 844})
    world = build()
    exam = make_exam(world.championship, world.konditer.competency, world.people["operator"], kinds=["single"],
                     pass_mark=1)
    world.festival.diagnostic_exams.set([exam])
    link = reverse("upm:confirm", args=[domain.confirmation_token(world.lesson, world.near)])

    child = f"#child-{world.people['shevchuk_child'].pk}"
    login(page, "shevchuk@example.ru", PASSWORD)
    page.goto(link)
    steps = page.locator(f"{child} .steps")
    assert "Сначала ребёнку нужно пройти онлайн-диагностику — вот ссылка." in steps.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing cut off or scrolled sideways
    diagnostic = steps.get_by_role("link", name="Пройти онлайн-диагностику").get_attribute("href")

    # the child passes the diagnostic in their own account
    page.context.clear_cookies()
    login(page, "shevchuk_child@example.ru", PASSWORD)
    page.goto(diagnostic)
    page.get_by_role("button", name="Начать экзамен").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    with page.expect_response(lambda r: r.url.endswith("/answers") and r.status == 200):
        page.get_by_label("31 °C").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Завершить").first.click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/result/$"))

    # the parent comes back by the same link and confirms
    page.context.clear_cookies()
    login(page, "shevchuk@example.ru", PASSWORD)
    page.goto(link)
    page.locator(child).get_by_role(
        "button", name="Подтвердить участие").click()
    assert "Участие подтверждено" in page.locator(".alert-success").inner_text()
    assert "Участие подтверждено." in page.locator(f"{child} .confirmed").inner_text()
    assert Confirmation.objects.filter(pupil=world.people["shevchuk_child"]).count() == 1

    # a second confirmation of the same child (a second tab's old form) is refused and changes nothing
    page.goto(link)
    page.evaluate("""(pk) => { const f = document.createElement('form'); f.method = 'post';
        f.innerHTML = '<input name="csrfmiddlewaretoken" value="' +
          document.cookie.replace(/(?:^|.*;\\s*)csrftoken=([^;]*).*$|^.*$/, '$1') + '">' +
          '<input name="pupil" value="' + pk + '">'; document.body.appendChild(f); f.submit(); }""",
                  world.people["shevchuk_child"].pk)
    page.wait_for_selector("#confirm-error")
    assert page.locator("#confirm-error").inner_text() == "Участие этого ребёнка в уроке уже подтверждено."
    assert Confirmation.objects.filter(pupil=world.people["shevchuk_child"]).count() == 1
