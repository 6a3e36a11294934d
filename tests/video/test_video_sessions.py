"""RM-3 end to end on the platform's side: the schedule (UTC stored, the championship's zone shown and named),
invitations, join links that refuse anyone not invited, attendance from BBB and from the host, recordings listed,
copied privately with a size limit, viewable by the competency's panel only with each view logged, the verified
recording-ready callback, and erasure past the retention date. BBB is the fake server of fake_services.py."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import jwt
import pytest
from django.test import Client
from django.utils import timezone

from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.core.errors import AccessDenied, DomainError
from profmaster.jobs.models import Job
from profmaster.notifications.models import OutboundEmail
from profmaster.video import domain
from profmaster.video.models import Attendance, Invitation, Recording, RecordingView, VideoSession

from .conftest import bbb_provider, contestant_session

VLADIVOSTOK = dt.timezone(dt.timedelta(hours=10))


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The schedule ---------------------------------------------------------------------------------------------


def test_rm3_session_stored_in_utc_shown_in_the_championships_zone_named(vw):
    starts = dt.datetime(2023, 4, 21, 10, 0, tzinfo=VLADIVOSTOK)
    session = domain.schedule_session(vw.championship, kind="instruction", competency=vw.konditer,
                                      title="Инструктаж участников", starts_at=starts,
                                      ends_at=starts + dt.timedelta(minutes=45), provider_kind="link",
                                      link_url="https://meet.example.ru/instr", by=vw.directorate)
    session.refresh_from_db()
    assert session.starts_at == dt.datetime(2023, 4, 21, 0, 0, tzinfo=dt.UTC)
    assert domain.when(session) == "21.04.2023 10:00–10:45 (Владивосток, UTC+10)"
    page = client_of(vw.directorate).get(f"/video/{session.pk}/")
    assert "21.04.2023 10:00–10:45 (Владивосток, UTC+10)" in page.content.decode()
    assert list(session.invitations.values_list("user_id", "role")) == [(vw.directorate.pk, "host")]


def test_rm3_contestant_expert_session_is_always_recorded(vw):
    session = contestant_session(vw, record=False)
    assert session.record is True
    with pytest.raises(Exception):  # noqa: B017 — the database holds it too
        VideoSession.objects.filter(pk=session.pk).update(record=False)


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "evaluation", "competency": None}, "competency"),
    ({"provider_kind": "link", "link_url": "ftp://x"}, "link_url"),
    ({"ends_at": dt.datetime(2023, 4, 21, 9, 0, tzinfo=VLADIVOSTOK)}, "ends_at"),
    ({"title": "  "}, "title"),
])
def test_rm3_bad_session_input_is_refused_and_nothing_saved(vw, changes, field):
    fields = {"kind": "instruction", "competency": vw.konditer, "title": "Инструктаж",
              "starts_at": dt.datetime(2023, 4, 21, 10, 0, tzinfo=VLADIVOSTOK),
              "ends_at": dt.datetime(2023, 4, 21, 11, 0, tzinfo=VLADIVOSTOK), "provider_kind": "link",
              "link_url": "https://meet.example.ru/x", **changes}
    with pytest.raises(DomainError) as refused:
        domain.schedule_session(vw.championship, by=vw.directorate, **fields)
    assert refused.value.field == field
    assert not VideoSession.objects.exists()


def test_rm3_chief_expert_plans_own_competency_only_through_the_page(vw):
    client = client_of(vw.chief)
    base = {"kind": "instruction", "title": "Инструктаж", "starts_at": "2023-04-21T10:00",
            "ends_at": "2023-04-21T11:00", "provider_kind": "link", "link_url": "https://meet.example.ru/a"}
    foreign = client.post(f"/video/championships/{vw.championship.pk}/new/", {**base, "competency": vw.robotics.pk})
    assert foreign.status_code == 400 and not VideoSession.objects.exists()
    own = client.post(f"/video/championships/{vw.championship.pk}/new/", {**base, "competency": vw.konditer.pk})
    session = VideoSession.objects.get()
    assert own["Location"] == f"/video/{session.pk}/"
    assert session.starts_at == dt.datetime(2023, 4, 21, 0, 0, tzinfo=dt.UTC)  # typed in Vladivostok time


def test_rm3_cancel_tells_the_invited(vw):
    session = contestant_session(vw)
    OutboundEmail.objects.all().delete()
    domain.cancel_session(session, reason="Перенос по просьбе участника", by=vw.directorate)
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted(
        ["chief@example.ru", "expert@example.ru", "orel@example.ru"])
    with pytest.raises(DomainError):
        domain.cancel_session(session, reason="ещё раз", by=vw.directorate)


# --- Invitations ----------------------------------------------------------------------------------------------


def test_rm3_invite_the_panel_and_the_contestants_of_the_competency(vw):
    session = domain.schedule_session(vw.championship, kind="evaluation", competency=vw.konditer, title="Оценка",
                                      starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(hours=1),
                                      provider_kind="link", link_url="https://meet.example.ru/e", by=vw.directorate)
    panel = domain.invite_group(session, domain.Group.PANEL, by=vw.directorate)
    contestants = domain.invite_group(session, domain.Group.CONTESTANTS, by=vw.directorate)
    assert sorted(i.user.last_name for i in panel) == ["Пирожкова", "Сладкова"]
    assert [i.user.last_name for i in contestants] == ["Орёл"]  # not the robotics contestant
    invitation = OutboundEmail.objects.filter(to="orel@example.ru").get()
    assert f"/video/{session.pk}/join/" in invitation.body_text
    assert domain.invite_group(session, domain.Group.PANEL, by=vw.directorate) == []  # nobody twice


def test_rm3_people_outside_the_championship_cannot_be_invited(vw):
    session = contestant_session(vw)
    with pytest.raises(DomainError, match="Чужой"):
        domain.invite(session, [vw.outsider], by=vw.directorate)
    assert not session.invitations.filter(user=vw.outsider).exists()


# --- Joining ------------------------------------------------------------------------------------------------


def test_rm3_join_link_of_someone_elses_session_is_refused_clearly(vw):
    session = contestant_session(vw)
    for user in (vw.contestant_other, vw.expert_other, vw.directorate):  # even the Directorate, not invited
        with pytest.raises(AccessDenied):
            domain.join_url(session, user)
    page = client_of(vw.contestant_other).get(f"/video/{session.pk}/join/")
    assert page.status_code == 403
    assert "Вы не приглашены на эту видеосессию" in page.content.decode()
    assert not AuditEntry.objects.filter(action="video.join").exists()


def test_rm3_join_outside_the_window_says_when_it_opens(vw):
    session = contestant_session(vw, starts_in=dt.timedelta(days=2))
    page = client_of(vw.contestant).get(f"/video/{session.pk}/join/")
    assert page.status_code == 409
    assert "Вход откроется" in page.content.decode() and "(Владивосток, UTC+10)" in page.content.decode()


def test_rm3_invited_contestant_is_sent_to_bbb_with_identity(vw, bbb):
    session = contestant_session(vw, provider=bbb_provider(vw, bbb))
    host = client_of(vw.chief).get(f"/video/{session.pk}/join/")
    answer = client_of(vw.contestant).get(f"/video/{session.pk}/join/")
    assert [c for c, _p in bbb.calls] == ["create"]  # the host opened the meeting, the contestant joins it
    assert bbb.meetings[session.room]["record"] == "true"
    for response, role in ((host, "MODERATOR"), (answer, "VIEWER")):
        url = urllib.parse.urlsplit(response["Location"])
        assert url.path == "/bigbluebutton/api/join" and bbb.checksum_ok("join", url.query)
        params = dict(urllib.parse.parse_qsl(url.query))
        assert params["role"] == role and params["meetingID"] == session.room
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer["Location"]).query))
    assert (params["fullName"], params["userID"]) == (vw.contestant.full_name, f"pm-{vw.contestant.pk}")
    assert AuditEntry.objects.filter(action="video.join", actor=vw.contestant).count() == 1


def test_rm3_jitsi_join_token_names_the_person_and_room(vw, settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "VIDEO_JITSI_URL": "https://meet.region.ru",
                           "VIDEO_JITSI_APP_ID": "profmaster", "VIDEO_JITSI_SECRET": "jitsi-secret-0123456789abcdef0123"}
    session = contestant_session(vw, provider=None, provider_kind="jitsi", link_url="")
    url = domain.join_url(session, vw.contestant)
    claims = jwt.decode(url.split("jwt=")[1], "jitsi-secret-0123456789abcdef0123", algorithms=["HS256"],
                        audience="jitsi")
    assert (claims["room"], claims["sub"], claims["context"]["user"]["name"]) == (
        session.room, "meet.region.ru", vw.contestant.full_name)
    assert url.startswith(f"https://meet.region.ru/{session.room}?jwt=")


def test_rm3_unconfigured_service_is_a_clear_error_not_a_500(vw):
    session = contestant_session(vw, provider=None, provider_kind="bbb", link_url="")
    page = client_of(vw.contestant).get(f"/video/{session.pk}/join/")
    assert page.status_code == 409 and "не настроен" in page.content.decode()


# --- Attendance ----------------------------------------------------------------------------------------------


def test_rm3_attendance_polled_from_bbb_join_and_leave_times(vw, bbb):
    session = contestant_session(vw, provider=bbb_provider(vw, bbb))
    domain.join_url(session, vw.chief)
    t0 = timezone.now()
    bbb.attendees[session.room] = [(f"pm-{vw.contestant.pk}", "Орёл Семён", "VIEWER"),
                                   (f"pm-{vw.chief.pk}", "Сладкова Елена", "MODERATOR"),
                                   ("pm-999999", "Посторонний", "VIEWER")]  # not invited: not counted
    assert domain.poll_attendance(session, now=t0) == {"joined": 2, "left": 0}
    bbb.attendees[session.room] = [(f"pm-{vw.chief.pk}", "Сладкова Елена", "MODERATOR")]
    assert domain.poll_attendance(session, now=t0 + dt.timedelta(minutes=20)) == {"joined": 0, "left": 1}
    row = Attendance.objects.get(session=session, user=vw.contestant)
    assert (row.joined_at, row.left_at, row.source) == (t0, t0 + dt.timedelta(minutes=20), "service")
    assert domain.poll_all(now=t0) == 1


def test_rm3_host_marks_attendance_and_others_cannot(vw):
    session = contestant_session(vw)
    response = client_of(vw.chief).post(f"/video/{session.pk}/attendance/", {"user": vw.contestant.pk, "present": "1"})
    assert response.status_code == 302
    row = Attendance.objects.get(session=session, user=vw.contestant)
    assert (row.present, row.source, row.recorded_by) == (True, "host", vw.chief)
    assert client_of(vw.contestant).post(f"/video/{session.pk}/attendance/",
                                         {"user": vw.contestant.pk, "present": "0"}).status_code == 403
    row.refresh_from_db()
    assert row.present is True


# --- Recordings --------------------------------------------------------------------------------------------


def _stored_recording(vw, bbb, django_capture_on_commit_callbacks, *, size: int = 150_000):
    session = contestant_session(vw, provider=bbb_provider(vw, bbb))
    bbb.recordings[session.room] = [{"record_id": "rec-1", "start_ms": 1681000000000, "end_ms": 1681001800000,
                                     "video_path": "/files/rec-1.mp4"}]
    bbb.files["/files/rec-1.mp4"] = (size, True)
    with django_capture_on_commit_callbacks(execute=True):
        domain.sync_recordings(session, by=vw.chief)
    return session, Recording.objects.get(session=session)


def test_rm3_recording_copied_privately_viewed_by_the_panel_and_logged(vw, bbb, django_capture_on_commit_callbacks):
    session, recording = _stored_recording(vw, bbb, django_capture_on_commit_callbacks)
    assert (recording.state, recording.size) == ("stored", 150_000)
    assert recording.file.name.startswith(f"video-recordings/{vw.championship.pk}/")
    assert recording.retention_until == timezones.local_date(session.ends_at, vw.championship) + dt.timedelta(days=365)
    job = Job.objects.get(kind="video.copy_recording")
    assert (job.status, job.report["summary"]) == ("done", "Запись скопирована: 150000 байт.")
    with pytest.raises(ValueError):
        recording.file.url  # noqa: B018 — no public URL
    for user in (vw.expert, vw.chief, vw.directorate):
        response = client_of(user).get(f"/video/recordings/{recording.pk}/")
        assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
        assert b"".join(response.streaming_content)[:12] == b"\x00\x00\x00\x18ftypmp42"
        assert response["Cache-Control"] == "private, no-store"
    assert list(RecordingView.objects.order_by("pk").values_list("user_id", flat=True)) == [
        vw.expert.pk, vw.chief.pk, vw.directorate.pk]


@pytest.mark.parametrize("who", ["expert_other", "contestant", "commission", "outsider"])
def test_rm3_recording_refused_to_anyone_outside_the_panel(vw, bbb, django_capture_on_commit_callbacks, who):
    _session, recording = _stored_recording(vw, bbb, django_capture_on_commit_callbacks)
    response = client_of(getattr(vw, who)).get(f"/video/recordings/{recording.pk}/")
    assert response.status_code == 403
    assert "доступны только экспертам её экспертной группы и Дирекции" in response.content.decode()
    assert not RecordingView.objects.exists()


def test_rm3_oversized_recording_refused_with_the_reason_recorded(vw, bbb, django_capture_on_commit_callbacks,
                                                                  settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "VIDEO_RECORDING_MAX_BYTES": 100_000}
    _session, recording = _stored_recording(vw, bbb, django_capture_on_commit_callbacks, size=300_000)
    assert recording.state == "refused" and not recording.file
    assert recording.refusal_reason.startswith("Запись — 300000 байт, больше допустимых 100000 байт. Ничего не "
                                               "сохранено")
    job = Job.objects.get(kind="video.copy_recording")
    assert job.status == "failed" and job.message == recording.refusal_reason
    assert AuditEntry.objects.filter(action="video.refused", object_id=str(recording.pk)).exists()


def test_rm3_oversized_undeclared_download_stops_and_keeps_nothing(vw, bbb, django_capture_on_commit_callbacks,
                                                                   settings):
    settings.PROFMASTER = {**settings.PROFMASTER, "VIDEO_RECORDING_MAX_BYTES": 100_000}
    session = contestant_session(vw, provider=bbb_provider(vw, bbb))
    bbb.files["/files/live.mp4"] = (400_000, False)
    with django_capture_on_commit_callbacks(execute=True):
        domain.add_recording(session, url=bbb.base_url + "/files/live.mp4", by=vw.chief)
    recording = Recording.objects.get(session=session)
    assert recording.state == "refused" and "загрузка остановлена" in recording.refusal_reason
    assert not recording.file


def test_rm3_recording_ready_callback_lists_and_fetches(vw, bbb, django_capture_on_commit_callbacks):
    session = contestant_session(vw, provider=bbb_provider(vw, bbb))
    bbb.recordings[session.room] = [{"record_id": "rec-9", "start_ms": 1681000000000, "end_ms": 1681000600000,
                                     "video_path": "/files/rec-9.mp4"}]
    bbb.files["/files/rec-9.mp4"] = (10_000, True)
    token = jwt.encode({"meeting_id": session.room, "record_id": "rec-9"}, bbb.secret, algorithm="HS256")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/video/callbacks/bbb/{session.pk}/recording-ready/", {"signed_parameters": token})
    assert response.status_code == 200
    recording = Recording.objects.get(session=session)
    assert (recording.provider_record_id, recording.state, recording.size) == ("rec-9", "stored", 10_000)


@pytest.mark.parametrize("claims_secret", [
    ({"record_id": "rec-9"}, "the-shared-secret-is-not-this-one-0123456789"),  # forged signature
    ({"record_id": "rec-9", "meeting_id": "pm-someone-else"}, None),  # another meeting
    ({"record_id": "rec-9"}, "")])
def test_rm3_forged_callback_is_403_and_changes_nothing(vw, bbb, claims_secret):
    session = contestant_session(vw, provider=bbb_provider(vw, bbb))
    claims, secret = claims_secret
    claims = {"meeting_id": session.room, **claims}
    token = "" if secret == "" else jwt.encode(claims, secret or bbb.secret, algorithm="HS256")
    audit_before = AuditEntry.objects.count()
    response = Client().post(f"/video/callbacks/bbb/{session.pk}/recording-ready/", {"signed_parameters": token})
    assert response.status_code == 403
    assert not Recording.objects.exists() and not Job.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_rm3_callback_of_a_plain_link_session_is_refused(vw):
    session = contestant_session(vw)
    response = Client().post(f"/video/callbacks/bbb/{session.pk}/recording-ready/", {"signed_parameters": "x"})
    assert response.status_code == 403 and not Recording.objects.exists()


def test_rm7_recordings_past_retention_are_erased_and_the_erasure_recorded(vw, bbb, django_capture_on_commit_callbacks):
    _session, recording = _stored_recording(vw, bbb, django_capture_on_commit_callbacks)
    storage, name = recording.file.storage, recording.file.name
    assert storage.exists(name)
    assert domain.erase_expired_recordings(today=recording.retention_until) == []  # the last day still kept
    with django_capture_on_commit_callbacks(execute=True):
        [erased] = domain.erase_expired_recordings(today=recording.retention_until + dt.timedelta(days=1))
    recording.refresh_from_db()
    assert (recording.state, recording.file.name, recording.erased_at is not None) == ("erased", "", True)
    assert not storage.exists(name) and erased.pk == recording.pk
    entry = AuditEntry.objects.get(action="video.erased")
    assert entry.before["file"] == name and "Истёк срок хранения" in entry.reason
    assert client_of(vw.expert).get(f"/video/recordings/{recording.pk}/").status_code == 404


def test_rm3_my_sessions_lists_the_invited_and_the_cabinet_links_it(vw):
    session = contestant_session(vw)
    page = client_of(vw.contestant).get("/video/my/")
    text = page.content.decode()
    assert session.title in text and "(Владивосток, UTC+10)" in text and 'id="session-support-link"' in text
    assert client_of(vw.contestant_other).get("/video/my/").content.decode().count(session.title) == 0
    cabinet = client_of(vw.contestant).get("/cabinet/").content.decode()
    assert 'id="my-video-link"' in cabinet and f"/video/{session.pk}/join/" in cabinet


def test_rm3_session_page_has_the_support_link_and_hides_recordings_from_the_contestant(vw):
    session = contestant_session(vw)
    contestant_page = client_of(vw.contestant).get(f"/video/{session.pk}/").content.decode()
    assert 'id="session-support-link" href="/support/new/?' in contestant_page and 'id="join-button"' in contestant_page
    assert 'id="recordings"' not in contestant_page
    expert_page = client_of(vw.expert).get(f"/video/{session.pk}/").content.decode()
    assert 'id="recordings"' in expert_page
    assert client_of(vw.expert_other).get(f"/video/{session.pk}/").status_code == 403


def test_rm3_invite_page_form_invites_and_mails(vw):
    session = contestant_session(vw)
    response = client_of(vw.chief).post(f"/video/{session.pk}/invite/", {"group": "commission", "role": "participant"})
    assert response.status_code == 302
    assert session.invitations.filter(user=vw.commission, role=Invitation.Role.PARTICIPANT).exists()
    assert OutboundEmail.objects.filter(to="rkk@example.ru", template="video_invitation").exists()


def test_x1_a_viewing_is_logged_once_however_often_the_player_asks(vw, bbb, django_capture_on_commit_callbacks):
    _session, recording = _stored_recording(vw, bbb, django_capture_on_commit_callbacks)
    t0 = timezone.now()
    first = domain.log_view(recording, vw.expert, now=t0)
    assert domain.log_view(recording, vw.expert, now=t0 + dt.timedelta(minutes=4)) == first
    RecordingView.objects.filter(pk=first.pk).update(viewed_at=t0 - dt.timedelta(minutes=6))
    domain.log_view(recording, vw.expert, now=t0)
    assert RecordingView.objects.filter(recording=recording, user=vw.expert).count() == 2
