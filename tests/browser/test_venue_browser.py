"""OP-5, OP-6, OP-7 in a real browser: the technical administrator checks a team in and it is refused while its
mentor is missing (003 §19.4); an incident with a photo leads to a final removal and check-in then refuses that
person."""

from __future__ import annotations

import re

import pytest

from profmaster.checkin.models import CheckIn
from profmaster.incidents.models import Evidence, Incident

from ..factories import PASSWORD
from ..venue_world import make_venue
from .conftest import login

pytestmark = pytest.mark.browser

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _check_in(page, code: str) -> None:
    page.get_by_label("Введите код с бейджа или отсканируйте QR-код").fill(code)
    page.get_by_role("button", name="Пропустить").click()
    page.wait_for_selector("#checkin-result")


def test_op6_op7_team_refused_while_its_mentor_is_missing_then_admitted(page):
    venue = make_venue()
    pupil, mentor = venue.badge("participant"), venue.badge("mentor")
    login(page, "venue@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.locator("#venue-cabinet li", has_text="Кондитерское дело").get_by_role("link", name="Допуск на площадку").click()
    page.wait_for_url(re.compile(rf"/checkin/competencies/{venue.competency.pk}/$"))
    assert page.locator("#scan-start").is_visible()  # the camera scanner is offered (ZXing from our static files)
    assert page.evaluate("typeof window.ZXingBrowser.BrowserQRCodeReader") == "function"
    assert "нет — команда не допускается" in page.locator("#teams").inner_text()

    _check_in(page, pupil.display_code)
    result = page.locator("#checkin-result")
    assert result.get_attribute("data-result") == "refused"
    assert "Наставник команды не отметился на площадке" in result.inner_text()
    assert pupil.full_name in result.inner_text()
    assert CheckIn.objects.count() == 0

    _check_in(page, mentor.code)
    assert page.locator("#checkin-result").get_attribute("data-result") == "admitted"
    _check_in(page, pupil.code.lower())
    result = page.locator("#checkin-result")
    assert result.get_attribute("data-result") == "admitted"
    assert "Кондитерское дело" in result.inner_text()
    assert pupil.full_name in page.locator("#checked-in").inner_text()
    assert "на площадке" in page.locator("#teams").inner_text()


def test_op5_incident_with_photo_leads_to_removal_and_check_in_refuses(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    venue = make_venue()
    pupil = venue.badge("participant")
    photo = tmp_path / "perchatki.png"
    photo.write_bytes(PNG)

    login(page, "chief@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.locator("#venue-cabinet").get_by_role("link", name="Внештатные ситуации").click()
    page.get_by_label("Что произошло").select_option("safety")
    page.get_by_label("С кем (аккредитованный)").select_option(str(pupil.pk))
    page.get_by_label("Описание").fill("Работал у плиты без перчаток, повторно после замечания")
    page.get_by_label("Свидетели").fill("Орлова Алёна Петровна")
    page.locator("#file").set_input_files(str(photo))
    page.get_by_role("button", name="Записать").click()
    incident = Incident.objects.get()
    page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/$"))
    assert "perchatki.png" in page.locator("#evidence").inner_text()
    assert Evidence.objects.get().incident == incident

    page.locator("#removal-form select").select_option("final")
    page.locator("#removal-form textarea").fill("Повторное нарушение правил ОТ и ТБ (п. 11.2)")
    page.get_by_role("button", name="Отстранить").click()
    page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/$"))
    assert "отозван" in page.locator("#access-state").inner_text()
    page.get_by_role("button", name="Сформировать протокол согласования").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    assert "Протокол согласования внештатной ситуации № 1" in page.content()

    page.goto(f"/checkin/competencies/{venue.competency.pk}/")
    _check_in(page, pupil.code)
    result = page.locator("#checkin-result")
    assert result.get_attribute("data-result") == "refused"
    assert "Доступ отозван" in result.inner_text()
    assert CheckIn.objects.filter(accreditation=pupil).count() == 0
