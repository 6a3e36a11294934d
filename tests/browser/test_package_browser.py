"""The Directorate follows a competency's document package and records a handwritten sheet (SC-10, SC-1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.marking import domain
from profmaster.marking.models import Aspect, Criterion, MarkingScheme, SheetReceipt, SubCriterion

from ..factories import PASSWORD, CompetencyFactory, StageFactory, UserFactory, give_role
from ..marking.conftest import make_team
from .conftest import login

pytestmark = pytest.mark.browser


def test_sc10_directorate_sees_a_missing_sheet_and_records_its_receipt(page):
    competency = CompetencyFactory(name="Кондитерское дело")
    championship = competency.championship
    directorate = UserFactory(email="directorate@example.ru")
    give_role(directorate, Role.DIRECTORATE, championship)
    chief = UserFactory(last_name="Сладкова")
    give_role(chief, Role.CHIEF_EXPERT, championship, competency)
    scheme = MarkingScheme.objects.create(competency=competency, stage=StageFactory(championship=championship),
                                          title="Схема оценки финала")
    criterion = Criterion.objects.create(scheme=scheme, code="A", title="Выпечка")
    sub = SubCriterion.objects.create(criterion=criterion, code="A1", title="Тесто")
    Aspect.objects.create(sub_criterion=sub, code="A1.1", kind="binary", description="Есть", max_points=1)
    team = make_team(competency)
    assert domain.total_points(scheme) == 1

    login(page, "directorate@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/championships/{championship.pk}/")
    page.get_by_role("link", name="Пакеты документов").click()
    expect(page.locator(f"#package-{competency.pk} .missing-count")).to_have_text("7")
    page.get_by_role("link", name="Кондитерское дело").click()

    expect(page.locator("#package-summary")).to_contain_text("срок истёк")
    expect(page.locator("#package-documents")).to_contain_text("Протокол блокировки критериев — Схема оценки финала")
    cell = page.locator(f"#sheet-{scheme.pk}-{sub.pk}-{team.pk}")
    expect(cell).to_have_attribute("data-status", "missing")
    cell.get_by_role("button", name="Получена").click()

    expect(page.locator(".alert-success")).to_contain_text("ведомостей — 1")
    expect(page.locator(f"#sheet-{scheme.pk}-{sub.pk}-{team.pk}")).to_have_attribute("data-status", "received")
    expect(page.locator("#package-summary")).to_contain_text("Не хватает документов: 6 из 7.")
    assert SheetReceipt.objects.get().received_by == directorate
