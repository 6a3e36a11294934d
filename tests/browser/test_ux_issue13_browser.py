"""Issue 13 §3 dead ends, as the people meet them: a mentor gives the whole team's consents in one submit and
submits (REG-6); a mentor whose application was returned sees the remarks and the fix button first (REG-1);
the chief expert corrects a completed score sheet with a reason typed on the page (SC-3); the marks grid is
usable at 390 px and Tab goes from mark to mark across sheets (SC-3)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from profmaster.accounts.models import Role
from profmaster.marking import marks
from profmaster.marking.models import MarkEntry, SubCriterion
from profmaster.registration import domain
from profmaster.registration.models import Application, Consent

from ..factories import PASSWORD, CompetencyFactory, UserFactory, give_role
from ..marking.conftest import make_locked_scheme, make_team
from ..registration.conftest import Reg
from .conftest import login

pytestmark = pytest.mark.browser

KINDS = (("participation", "Согласие на участие"), ("personal_data", "Согласие на обработку данных"),
         ("photo_video", "Согласие на фото- и видеосъёмку"))


@pytest.fixture
def reg(transactional_db):
    reg = Reg()
    reg.mentor_user.set_password(PASSWORD)
    reg.mentor_user.save()
    for kind, title in KINDS:
        domain.publish_consent_version(championship=reg.championship, kind=kind, title=title, text=title,
                                       by=reg.director)
    return reg


def test_reg6_mentor_gives_all_consents_of_the_team_in_one_submit_then_submits(page, reg):
    application = reg.valid_team()
    login(page, "mentor@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/registration/applications/{application.pk}/")
    expect(page.locator("#missing-consents")).to_contain_text("Не записано 9 согласий")
    page.get_by_role("button", name="Подать заявку").click()
    expect(page.locator(".alert-danger")).to_contain_text("Не записаны согласия")
    assert Application.objects.get(pk=application.pk).status == "draft"

    page.locator("#team-consents-link").click()
    people = page.locator("fieldset.person-consents")
    expect(people).to_have_count(3)
    for box in page.locator("fieldset.person-consents input[type=checkbox]").all():
        box.check()
    pupil = page.locator("fieldset.person-consents", has_text="Алексеев Алексей")
    expect(pupil.get_by_label("Кем дано")).to_have_value("mentor")  # the mentor is the one recording it
    expect(pupil.get_by_label("ФИО давшего согласие")).not_to_have_value("")
    page.locator("#save-consents").click()  # one submit for the whole team
    expect(page.locator(".alert-success.alert-dismissible")).to_contain_text("Записано 9 согласий.")
    expect(page.locator("#consents-complete")).to_be_visible()
    assert Consent.objects.filter(member__application=application).count() == 9

    page.get_by_role("button", name="Подать заявку").click()
    expect(page.locator("#application-status")).to_have_text("Подана")


def test_reg1_returned_application_cabinet_shows_remarks_and_fix_button(page, reg):
    application = reg.valid_team()
    domain.record_consents(application, [
        domain.ConsentEntry(member=m, versions=domain.current_consent_versions(reg.championship),
                            given_by="self" if m.kind == "mentor" else "mentor", given_by_name="Наставникова Нина")
        for m in domain.active_members(application)], by=reg.mentor_user)
    domain.submit_application(application, by=reg.mentor_user)
    pupil = application.members.get(last_name="Борисова")
    domain.return_application(application, by=reg.director, remarks=[(pupil, "grade", "Класс не совпадает со справкой")])

    login(page, "mentor@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    card = page.locator(f"#returned-{application.pk}")
    expect(card).to_contain_text("Заявка возвращена на доработку")
    expect(card).to_contain_text("Борисова Вера: Класс не совпадает со справкой")
    box = card.bounding_box()
    todo = page.locator("#todo").bounding_box()
    assert box and todo and box["y"] < todo["y"]  # first thing on the page
    card.get_by_role("link", name="Исправить заявку").click()
    expect(page.locator(f"#member-{pupil.pk} .remark")).to_contain_text("Класс не совпадает со справкой")
    page.locator(f"#member-{pupil.pk}").get_by_role("link", name="Изменить").click()
    page.get_by_label("Класс").fill("1")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("button", name="Подать повторно").click()
    expect(page.locator("#application-status")).to_have_text("Подана повторно")


def _marking_world():
    competency = CompetencyFactory(name="Кондитерское дело")
    chief = UserFactory(email="chief@example.ru", last_name="Главная")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    for name in ("Альфа", "Бета"):
        give_role(UserFactory(last_name=name), Role.EXPERT, competency.championship, competency)
    scheme = make_locked_scheme(competency, chief)
    return scheme, chief, make_team(competency)


def test_sc3_correction_on_a_completed_sheet_takes_the_reason_typed_on_the_page(page):
    scheme, chief, team = _marking_world()
    sub = SubCriterion.objects.get(criterion__scheme=scheme, code="A1")
    aspect = marks.aspects_of(scheme)[0]
    experts = marks.judging_experts(scheme, team)
    for expert in experts:
        marks.save_mark(scheme, aspect, team, 2, expert=expert, by=chief)
    marks.complete_sheet(scheme, team, sub, by=chief)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/marking/schemes/{scheme.pk}/marks/{team.pk}/")
    first = page.locator("#sheet-A1 input.mark-input").first
    first.fill("3")
    first.press("Tab")
    reason = page.locator("#sheet-A1 input.sheet-reason")
    expect(reason).to_have_class(re.compile("is-invalid"))
    expect(page.locator("#sheet-A1 .reason-error")).to_contain_text("исправление требует причины")
    expect(reason).to_be_focused()
    reason.fill("Ошибка переноса с бумажной ведомости")
    reason.press("Enter")
    expect(first).to_have_class(re.compile("is-valid"))
    expect(page.locator("#save-state")).to_have_text("Все изменения сохранены")
    entry = MarkEntry.objects.filter(aspect=aspect, team=team, new_value=3).get()
    assert (entry.old_value, entry.reason) == (2, "Ошибка переноса с бумажной ведомости")


def test_sc3_grid_at_390px_scrolls_and_tab_goes_mark_to_mark_across_sheets(page):
    scheme, _chief, team = _marking_world()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.goto(f"/marking/schemes/{scheme.pk}/marks/{team.pk}/")
    grid = page.locator("#entry-grid input.mark-input")
    expect(grid).to_have_count(6)
    # nothing sticks out of the page: the page itself does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for index in range(6):  # every mark cell can be reached on screen (inside its sheet's scroll box)
        grid.nth(index).scroll_into_view_if_needed()
        box = grid.nth(index).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, index
    expect(grid.first).to_be_focused()
    codes = []
    for _ in range(6):
        codes.append(page.evaluate("document.activeElement.getAttribute('aria-label')"))
        page.keyboard.press("Tab")
    assert codes == ["A1.1 — Альфа И.И.", "A1.1 — Бета И.И.", "B1.1 — Альфа И.И.", "B1.1 — Бета И.И.",
                     "C1.1 — Альфа И.И.", "C1.1 — Бета И.И."]
    # after the last mark, Tab reaches the sheets' completion buttons
    assert page.evaluate("document.activeElement.textContent").strip() == "Завершить ведомость A1"
