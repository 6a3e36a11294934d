"""AW-6, issue 13 §2 (browser): the Directorate opens the review list of declined names, sees the doubtful
name on top, corrects it, and the diploma (its verification page, which prints the diploma's text) shows
the correction."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.results import diplomas, domain
from profmaster.results.models import Diploma

from ..factories import PASSWORD, CompetencyFactory, UserFactory, give_role
from ..results.conftest import Results
from .conftest import login

pytestmark = pytest.mark.browser


def test_aw6_directorate_corrects_a_doubtful_name_and_the_diploma_shows_it(page):
    competency = CompetencyFactory(name="Кондитерское дело")
    results = Results(competency)
    directorate = UserFactory(email="directorate@example.ru", last_name="Дирекцияева", first_name="Анна",
                              patronymic="Петровна")
    give_role(directorate, Role.DIRECTORATE, competency.championship)
    team = results.team(participants=("Петров Иван Иванович", "Орёл Пётр Ильич"))
    results.lock(results.final, [(team, "90")])
    domain.publish_results(results.championship, by=directorate)  # diplomas follow the published final
    orel = team.members.get(last_name="Орёл")
    spec = next(s for s in diplomas.recipients(results.championship)
                if s.member_id == orel.pk and s.kind == "participant")
    diploma = diplomas.issue(results.championship, spec)
    assert diploma.declined_name == "Орёлу Петру Ильичу"

    login(page, "directorate@example.ru", PASSWORD)
    page.goto(f"/results/championships/{results.championship.pk}/diplomas/")
    page.locator("#review-names").click()
    expect(page.locator("h1")).to_have_text("Склонение ФИО в дипломах")
    first = page.locator("#names tbody tr").first
    expect(first).to_contain_text("Орёл Пётр Ильич")
    expect(first).to_have_attribute("data-doubtful", "1")
    expect(first.locator(".alternative")).to_have_text("Орлу Петру Ильичу")
    row = page.locator(f"#name-member-{orel.pk}")
    row.get_by_label("ФИО в дательном падеже").fill("Орлу Петру Ильичу")
    row.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("сохранено для дипломов")
    row = page.locator(f"#name-member-{orel.pk}")
    expect(row).to_have_attribute("data-doubtful", "0")
    expect(row.locator(".printed", has_text="Орлу Петру Ильичу")).to_have_count(1)  # dative: «вручается»
    expect(row).to_contain_text("исправлено вручную")

    diploma = Diploma.objects.get(pk=diploma.pk)
    assert diploma.declined_name == "Орлу Петру Ильичу"
    page.goto(f"/results/verify/{diploma.code}/")
    expect(page.locator("#diploma-facts")).to_contain_text(
        re.compile(r"вручается Орлу Петру Ильичу за участие в компетенции «Кондитерское дело»"))
