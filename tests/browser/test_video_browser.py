"""RM-3 in a real browser (000 §6, §10): an expert of the competency opens «Мои видеосессии» from the cabinet,
the contestant's recorded session and its recording (the viewing is logged); an expert of another competency
cannot open the session nor the recording; the contestant's join link of someone else's session is refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.video import domain
from profmaster.video.models import Recording, RecordingView

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import login

pytestmark = pytest.mark.browser

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def _world(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    championship = ChampionshipFactory(name="Лучший по профессии — Приморье", time_zone="Asia/Vladivostok")
    konditer = CompetencyFactory(championship=championship, name="Кондитерское дело")
    robotics = CompetencyFactory(championship=championship, name="Мобильная робототехника")
    people = {
        "directorate": UserFactory(email="dir@example.ru", last_name="Дирекцияева"),
        "chief": UserFactory(email="chief@example.ru", last_name="Сладкова", first_name="Елена"),
        "expert": UserFactory(email="expert@example.ru", last_name="Пирожкова", first_name="Анна"),
        "robot": UserFactory(email="robot@example.ru", last_name="Шевчук", first_name="Юрий"),
        "orel": UserFactory(email="orel@example.ru", last_name="Орёл", first_name="Семён"),
        "pieha": UserFactory(email="pieha@example.ru", last_name="Пьеха", first_name="Эдита"),
    }
    give_role(people["directorate"], Role.DIRECTORATE, championship)
    give_role(people["chief"], Role.CHIEF_EXPERT, championship, konditer)
    give_role(people["expert"], Role.EXPERT, championship, konditer)
    give_role(people["robot"], Role.EXPERT, championship, robotics)
    give_role(people["orel"], Role.PARTICIPANT, championship, konditer)
    give_role(people["pieha"], Role.PARTICIPANT, championship, robotics)
    starts = timezone.now() - dt.timedelta(hours=2)
    session = domain.schedule_session(championship, kind="contestant_expert", competency=konditer,
                                      title="Видеосвязь с Орлом С.", starts_at=starts,
                                      ends_at=starts + dt.timedelta(minutes=30), provider_kind="link",
                                      link_url="https://meet.example.ru/orel", hosts=[people["chief"]],
                                      by=people["directorate"])
    domain.invite_group(session, domain.Group.PANEL, by=people["chief"])
    domain.invite(session, [people["orel"]], by=people["chief"])
    recording = Recording(session=session, provider_record_id="rec-1", state="stored", size=len(MP4),
                          content_type="video/mp4", retention_until=domain.default_retention(session),
                          started_at=starts)
    recording.file.save("orel.mp4", ContentFile(MP4), save=False)
    recording.save()
    return session, recording


def test_rm3_expert_opens_the_contestants_recording_and_another_competencys_expert_cannot(page, tmp_path, settings):
    session, recording = _world(tmp_path, settings)

    login(page, "expert@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    page.locator("#my-video-link").click()
    page.wait_for_url(re.compile(r"/video/my/$"))
    page.get_by_role("link", name="Видеосвязь с Орлом С.").click()
    page.wait_for_url(re.compile(rf"/video/{session.pk}/$"))
    assert "(Владивосток, UTC+10)" in page.locator("#session-when").inner_text()
    assert page.locator("#session-support-link").get_attribute("href").startswith("/support/new/?")
    with page.expect_popup() as popup:
        page.locator(f"#recording-{recording.pk} .recording-link").click()
    viewer = popup.value
    viewer.wait_for_load_state()
    assert viewer.url.endswith(f"/video/recordings/{recording.pk}/")
    assert "Запись недоступна" not in viewer.content()
    assert list(RecordingView.objects.values_list("user__email", flat=True)) == ["expert@example.ru"]
    viewer.close()
    page.get_by_role("button", name="Выйти").click()

    login(page, "robot@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    assert page.locator("#my-video-link").count() == 0  # not invited: no card
    response = page.goto(f"/video/{session.pk}/")
    assert response.status == 403
    response = page.goto(f"/video/recordings/{recording.pk}/")
    assert response.status == 403
    assert "доступны только экспертам её экспертной группы и Дирекции" in page.locator("#refusal-message").inner_text()
    assert RecordingView.objects.count() == 1  # the refused attempt is not a viewing


def test_rm3_contestant_joins_own_session_and_is_refused_someone_elses(page, tmp_path, settings):
    session, _recording = _world(tmp_path, settings)
    login(page, "pieha@example.ru", PASSWORD)
    page.wait_for_url(re.compile(r"/cabinet/$"))
    response = page.goto(f"/video/{session.pk}/join/")
    assert response.status == 403
    assert "Вы не приглашены на эту видеосессию" in page.locator("#refusal-message").inner_text()
    assert page.locator("#session-support-link").is_visible()
