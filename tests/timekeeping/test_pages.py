"""OP-3, OP-2, OP-7: the day board, the venue's countdown screen and its state endpoint, photos and evidence."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from profmaster.timekeeping import domain
from profmaster.timekeeping.models import DayEvidence, Timer, WorkPhoto
from profmaster.timekeeping.selectors import screen_token

from .conftest import DAY

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def board_url(day) -> str:
    return reverse("timekeeping:board", kwargs={"competency_pk": day.competency.pk, "day": DAY.isoformat()})


@pytest.fixture
def timer(day):
    return domain.create_timer(day.flow, kind=Timer.Kind.MODULE, module=day.module, duration_minutes=90, by=day.chief)


def test_op3_board_shows_flow_timeline_and_commands_and_names_the_zone(day, timer):
    response = client_for(day.chief).get(board_url(day))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Время указано: Москва, UTC+3" in text
    assert 'class="tk-bar"' in text and "Поток 1 · 10:00–14:00" in text
    assert f'action="{reverse("timekeeping:timer_command", args=[timer.pk, "start"])}"' in text
    assert "<script>" not in text  # no inline script; the countdown is a static file
    assert "timekeeping/countdown.js" in text


def test_op3_board_start_and_out_of_order_message(day, timer):
    client = client_for(day.keeper)
    response = client.post(reverse("timekeeping:timer_command", args=[timer.pk, "start"]))
    assert response.status_code == 302 and response["Location"] == board_url(day)
    timer.refresh_from_db()
    assert timer.state == "running"
    response = client.post(reverse("timekeeping:timer_command", args=[timer.pk, "resume"]), follow=True)
    assert "Таймер «Модуль A. Торт «Пьеха»» не на паузе: продолжать нечего." in response.content.decode()
    assert timer.events.count() == 1


def test_op3_board_live_block_is_a_fragment_with_state(day, timer):
    domain.start_timer(timer, by=day.chief)
    response = client_for(day.expert).get(
        reverse("timekeeping:board_live", kwargs={"competency_pk": day.competency.pk, "day": DAY.isoformat()}))
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    assert 'data-timer-state="running"' in text and "data-server-ms" in text
    assert "Старт" not in re.sub(r"<th.*?</th>", "", text)  # the expert without the time duty has no buttons


@pytest.mark.parametrize("bad", ["2023-13-45", "9999-12-31", "nonsense"])
def test_op3_board_bad_day_is_404(day, bad):
    url = reverse("timekeeping:board", kwargs={"competency_pk": day.competency.pk, "day": bad})
    assert client_for(day.chief).get(url).status_code == 404


@pytest.mark.parametrize("member", ["abc", "99999999999999999999", ""])
def test_op2_confirmation_of_a_malformed_member_is_a_message(day, member):
    url = reverse("timekeeping:familiarisation", args=[day.flow.pk])
    response = client_for(day.chief).post(url, {"member": member}, follow=True)
    assert response.status_code == 200 and "Выберите участника или наставника." in response.content.decode()


def test_op3_screen_page_public_by_link_with_data_in_json_script(day, timer):
    token = screen_token(day.flow)
    response = Client().get(reverse("timekeeping:screen", args=[token]))
    assert response.status_code == 200
    text = response.content.decode()
    config = json.loads(re.search(r'<script id="screen-config" type="application/json">(.*?)</script>', text,
                                  re.S).group(1))
    assert config["state"]["timers"][0]["title"] == "Модуль A. Торт «Пьеха»"
    assert config["state"]["zone"] == "Москва, UTC+3"
    assert config["state_url"] == reverse("timekeeping:screen_state", args=[token])
    assert Client().get(reverse("timekeeping:screen", args=[token + "x"])).status_code == 404


def test_op3_idle_poll_reads_no_database_and_a_change_moves_the_version(day, timer, django_assert_num_queries,
                                                                         django_capture_on_commit_callbacks):
    caches["shared"].clear()
    url = reverse("timekeeping:screen_state", args=[screen_token(day.flow)])
    full = Client().get(url).json()
    assert full["timers"][0]["state"] == "not_started" and isinstance(full["t"], int)
    with django_assert_num_queries(0):
        idle = Client().get(url, {"v": full["v"]}).json()
    assert set(idle) == {"v", "t"} and idle["v"] == full["v"]
    with django_capture_on_commit_callbacks(execute=True):
        domain.start_timer(timer, by=day.chief)
    changed = Client().get(url, {"v": full["v"]}).json()
    assert changed["v"] != full["v"]
    assert changed["timers"][0]["state"] == "running"
    assert 0 < changed["timers"][0]["remaining_ms"] <= 90 * 60 * 1000


def test_op2_familiarisation_on_venue_device_and_own_device(day):
    for kind, minutes in (("workplace", 30), ("task", 15)):
        step = domain.create_timer(day.flow, kind=kind, duration_minutes=minutes, by=day.chief)
        domain.start_timer(step, by=day.chief)
        domain.stop_timer(step, by=day.chief)
    member = day.teams[0].members.get(kind="participant")
    url = reverse("timekeeping:familiarisation", args=[day.flow.pk])
    response = client_for(day.chief).post(url, {"member": member.pk}, follow=True)
    assert "Ознакомление подтверждено: Пьеха Ёжик." in response.content.decode()
    own = reverse("timekeeping:confirm_own", args=[day.flow.pk])
    mentor = client_for(day.mentors[1])
    page = mentor.get(own).content.decode()
    assert "Лёвин Пётр" in page and "Пьеха" not in page  # only one's own rows
    mentor_member = day.teams[1].members.get(kind="mentor")
    response = mentor.post(own, {"member": member.pk}, follow=True)  # somebody else's row
    assert "Вы не участник и не наставник команды этого потока." in response.content.decode()
    mentor.post(own, {"member": mentor_member.pk})
    assert set(day.flow.familiarisation_confirmations.values_list("member__last_name", "device")) == {
        ("Пьеха", "venue"), ("Лёвин", "own")}


def test_op7_photo_upload_private_and_streamed_after_the_check(day):
    url = reverse("timekeeping:photo_upload", kwargs={"competency_pk": day.competency.pk, "day": DAY.isoformat()})
    client = client_for(day.chief)
    response = client.post(url, {"file": SimpleUploadedFile("tort.png", PNG, "image/png"), "caption": "Торт",
                                 "team": day.teams[0].pk}, follow=True)
    assert "Фото загружено." in response.content.decode()
    photo = WorkPhoto.objects.get()
    assert (photo.content_type, photo.team_id, photo.day) == ("image/png", day.teams[0].pk, DAY)
    streamed = client_for(day.expert).get(reverse("timekeeping:photo", args=[photo.pk]))
    assert streamed.status_code == 200 and b"".join(streamed.streaming_content) == PNG
    assert streamed["Cache-Control"] == "private, no-store"
    assert client_for(day.pupils[0]).get(reverse("timekeeping:photo", args=[photo.pk])).status_code == 403


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"MZ\x90\x00virus", "tort.png", "по содержимому это не JPEG и не PNG"),
    (PNG + b"\x00" * (10 * 1024 * 1024), "big.png", "размер 10.0 МБ больше допустимых 10 МБ"),
])
def test_op7_photo_wrong_type_or_too_big_refused_with_a_clear_message(day, content, name, message):
    url = reverse("timekeeping:photo_upload", kwargs={"competency_pk": day.competency.pk, "day": DAY.isoformat()})
    response = client_for(day.chief).post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)
    text = response.content.decode()
    assert f"Файл «{name}» не принят" in text and message in text
    assert not WorkPhoto.objects.exists()


def test_op7_evidence_retention_a_year_ahead_and_a_shorter_one_refused(day, venue_admin):
    url = reverse("timekeeping:evidence", kwargs={"competency_pk": day.competency.pk, "day": DAY.isoformat()})
    client = client_for(venue_admin)
    response = client.post(url, {"stream_url": "https://stream.example.ru/konditer",
                                 "recording_location": "Сервер площадки, папка 2023-04-21",
                                 "retention_until": "2023-12-31"})
    assert response.status_code == 400
    assert "Запись хранится не меньше года (003 §9.3): не раньше 20.04.2024." in response.content.decode()
    assert not DayEvidence.objects.exists()
    response = client.post(url, {"stream_url": "https://stream.example.ru/konditer",
                                 "recording_location": "Сервер площадки, папка 2023-04-21"})
    assert response.status_code == 302
    evidence = DayEvidence.objects.get()
    assert evidence.retention_until == DAY + dt.timedelta(days=365)


def test_op7_retention_reminder_e_mailed_once_before_the_date(day, directorate_user):
    from profmaster.notifications.models import OutboundEmail

    evidence = domain.record_day_evidence(day.competency, DAY, stream_url="", recording_location="Сервер площадки",
                                          by=day.chief)
    assert domain.send_retention_reminders(today=evidence.retention_until - dt.timedelta(days=30)) == 0
    assert domain.send_retention_reminders(today=evidence.retention_until - dt.timedelta(days=10)) == 1
    assert domain.send_retention_reminders(today=evidence.retention_until - dt.timedelta(days=9)) == 0
    email = OutboundEmail.objects.get()
    assert email.to == "directorate@example.ru"
    assert "Кондитерское дело" in email.subject and "20.04.2024" in email.body_text


def test_op7_package_lists_protocols_video_and_photos(day, timer):
    from profmaster.marking.package import document_package

    photo_url = reverse("timekeeping:photo_upload", kwargs={"competency_pk": day.competency.pk,
                                                             "day": DAY.isoformat()})
    client_for(day.chief).post(photo_url, {"file": SimpleUploadedFile("t.png", PNG)})
    domain.timekeeping_protocol(day.flow, by=day.chief)
    items = {item.key: item for item in document_package(day.competency).items}
    assert items[f"timekeeping:{day.flow.pk}"].status == "awaiting"
    assert items[f"familiarisation:{day.flow.pk}"].status == "missing"
    assert items[f"video:{DAY.isoformat()}"].status == "missing"
    photo = WorkPhoto.objects.get()
    assert items[f"photo:{photo.pk}"].url == reverse("timekeeping:photo", args=[photo.pk])
    page = client_for(day.chief).get(reverse("marking:package", args=[day.championship.pk, day.competency.pk]))
    assert reverse("timekeeping:photo", args=[photo.pk]) in page.content.decode()


def test_op3_cabinet_links_the_day_board(day):
    text = client_for(day.chief).get(reverse("cabinet")).content.decode()
    assert reverse("timekeeping:board_today", args=[day.competency.pk]) in text
    assert "Доска дня" not in client_for(day.pupils[0]).get(reverse("cabinet")).content.decode()


@pytest.fixture
def venue_admin(day):
    from profmaster.accounts.models import Role

    from ..factories import UserFactory, give_role

    user = UserFactory(email="venue@example.ru")
    give_role(user, Role.VENUE_ADMIN, day.championship)
    return user


def test_op2_directorate_sets_the_workplace_familiarisation_and_more_than_30_is_refused(day, directorate_user):
    url = reverse("timekeeping:settings", args=[day.championship.pk])
    client = client_for(directorate_user)
    assert client.post(url, {"workplace_familiarisation_minutes": "45"}).status_code == 400
    assert client.post(url, {"workplace_familiarisation_minutes": "20"}).status_code == 302
    assert domain.settings_of(day.championship).workplace_familiarisation_minutes == 20


def test_op3_board_opens_on_the_competencys_competition_day_and_lists_its_days(day, timer):
    """OP-3 (issue 14 §8): «Доска дня» from the cabinet opens on today only when the competency competes
    today; otherwise on its next competition day (else its last), and the board links every competition day —
    no paging day by day from December back to April."""
    client = client_for(day.chief)
    response = client.get(reverse("timekeeping:board_today", args=[day.competency.pk]))
    assert response.status_code == 302 and response["Location"] == board_url(day)
    assert domain.board_day(day.competency, DAY - dt.timedelta(days=30)) == DAY
    assert domain.board_day(day.competency, DAY) == DAY
    assert domain.board_day(day.competency, DAY + dt.timedelta(days=300)) == DAY
    page = client.get(board_url(day)).content.decode()
    assert 'id="competition-days"' in page and DAY.strftime("%d.%m.%Y") in page
