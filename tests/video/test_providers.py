"""RM-3: the adapters at the services' HTTP boundary — BigBlueButton's checksum rule and calls against a fake BBB
server that checks them independently, Jitsi's JWT claims, the recording-ready callback's JWT, the streamed download
with its size limit. No Django model is involved (providers.py is plain Python)."""

from __future__ import annotations

import urllib.parse

import jwt
import pytest

from profmaster.video import providers
from profmaster.video.providers import BigBlueButton, Jitsi, Meeting, Person, ProviderConfig, ProviderError

from .fake_services import SECRET, FakeBBB

APP_SECRET = "jitsi-app-secret-of-the-region-0123456789"
FORGED = "a-forged-secret-of-the-same-length-012345"

# Examples published with the API (docs.bigbluebutton.org «API Reference», a widely quoted tutorial, and the
# bbbserver.com API guide): call name + query string + shared secret.
PUBLISHED = [
    ("create", "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444",
     "639259d4-9dd8-4b25-bf01-95f9567eaf4b", "sha1", "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"),
    ("create", "name=Test&meetingID=test01&moderatorPW=mp&attendeePW=ap", "dfc658adec2de8a5d56b06ea51089883",
     "sha1", "5bb1dd0a153abffedb7abd96825fbecb32fef020"),
    ("create", "name=Demo&meetingID=replace-with-meeting-id&attendeePW=replace-with-password&moderatorPW=replace-with-password",
     "replace-with-secret", "sha256", "7e5a0a48f1542462e56ca034dc83d741bff1deb5feab0cd9ef74fa6e009fe1fd"),
]

MEETING = Meeting(room="pm-room-1", name="Видеосвязь с Орлом С.", record=True, moderator_password="mod-pw",
                  attendee_password="att-pw", recording_ready_url="https://pm.example.ru/video/callbacks/bbb/1/",
                  logout_url="https://pm.example.ru/video/1/", duration_minutes=90)


@pytest.mark.parametrize(("call", "query", "secret", "algorithm", "expected"), PUBLISHED)
def test_rm3_bbb_checksum_matches_the_published_examples(call, query, secret, algorithm, expected):
    assert providers.bbb_checksum(call, query, secret, algorithm) == expected


def _bbb(fake: FakeBBB, **overrides) -> BigBlueButton:
    config = {"kind": "bbb", "server_url": fake.base_url + "/bigbluebutton/", "secret": fake.secret,
              "checksum": fake.algorithm, **overrides}
    return BigBlueButton(ProviderConfig(**config))


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_rm3_bbb_create_with_recording_passes_the_servers_checksum(bbb, algorithm):
    bbb.algorithm = algorithm
    _bbb(bbb).prepare(MEETING)
    call, params = bbb.calls[-1]
    assert call == "create"
    assert params == {"name": "Видеосвязь с Орлом С.", "meetingID": "pm-room-1", "attendeePW": "att-pw",
                      "moderatorPW": "mod-pw", "record": "true", "autoStartRecording": "true",
                      "allowStartStopRecording": "false", "duration": "90",
                      "logoutURL": "https://pm.example.ru/video/1/",
                      "meta_bbb-recording-ready-url": "https://pm.example.ru/video/callbacks/bbb/1/"}


def test_rm3_bbb_wrong_secret_is_refused_by_the_server_with_a_clear_message(bbb):
    with pytest.raises(ProviderError) as refused:
        _bbb(bbb, secret="not-the-secret").prepare(MEETING)
    assert refused.value.key == "checksumError"
    assert "контрольную сумму" in refused.value.message


def test_rm3_bbb_wrong_algorithm_is_refused(bbb):
    with pytest.raises(ProviderError):
        _bbb(bbb, checksum="sha1").prepare(MEETING)  # the server is configured for SHA-256


def test_rm3_bbb_join_url_carries_identity_role_and_a_valid_checksum(bbb):
    adapter = _bbb(bbb)
    url = adapter.join_url(MEETING, Person(user_id="pm-17", full_name="Орёл Семён", host=False))
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == bbb.base_url + "/bigbluebutton/api/join"
    assert bbb.checksum_ok("join", parts.query)
    params = dict(urllib.parse.parse_qsl(parts.query))
    assert {k: params[k] for k in ("fullName", "meetingID", "role", "userID", "password", "redirect",
                                   "userdata-profmaster_uid")} == {
        "fullName": "Орёл Семён", "meetingID": "pm-room-1", "role": "VIEWER", "userID": "pm-17", "password": "att-pw",
        "redirect": "true", "userdata-profmaster_uid": "pm-17"}
    host = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
        adapter.join_url(MEETING, Person(user_id="pm-3", full_name="Сладкова Елена", host=True))).query))
    assert (host["role"], host["password"]) == ("MODERATOR", "mod-pw")


def test_rm3_bbb_attendees_come_back_with_the_platform_id(bbb):
    adapter = _bbb(bbb)
    assert adapter.attendees(MEETING) is None  # not running yet: BBB answers notFound
    adapter.prepare(MEETING)
    bbb.attendees["pm-room-1"] = [("pm-17", "Орёл Семён", "VIEWER"), ("pm-3", "Сладкова Елена", "MODERATOR")]
    assert adapter.attendees(MEETING) == [
        providers.Attendee(user_id="pm-17", full_name="Орёл Семён", moderator=False),
        providers.Attendee(user_id="pm-3", full_name="Сладкова Елена", moderator=True)]
    assert [c for c, _p in bbb.calls].count("getMeetingInfo") == 2


def test_rm3_bbb_recordings_give_the_video_file_and_playback(bbb):
    bbb.recordings["pm-room-1"] = [{"record_id": "abc-1681000000000", "start_ms": 1681000000000,
                                    "end_ms": 1681001800000, "video_path": "/files/abc.mp4"}]
    [found] = _bbb(bbb).recordings(MEETING)
    assert found.record_id == "abc-1681000000000"
    assert found.download_url == bbb.base_url + "/files/abc.mp4"
    assert found.playback_url == bbb.base_url + "/playback/presentation/2.3/abc-1681000000000"
    assert found.started_at.isoformat() == "2023-04-09T00:26:40+00:00"
    assert (found.ended_at - found.started_at).total_seconds() == 1800


def test_rm3_bbb_end_is_signed(bbb):
    adapter = _bbb(bbb)
    adapter.prepare(MEETING)
    adapter.end(MEETING)
    assert bbb.calls[-1] == ("end", {"meetingID": "pm-room-1", "password": "mod-pw"})
    assert "pm-room-1" not in bbb.meetings


def test_rm3_bbb_unreachable_server_is_a_clear_error():
    adapter = BigBlueButton(ProviderConfig(kind="bbb", server_url="http://127.0.0.1:9/bigbluebutton/", secret="x"))
    with pytest.raises(ProviderError, match="недоступен"):
        adapter.prepare(MEETING)


def test_rm3_bbb_needs_url_and_secret():
    with pytest.raises(ProviderError, match="не настроен"):
        BigBlueButton(ProviderConfig(kind="bbb", server_url="", secret=""))


def test_rm3_jitsi_token_names_user_and_room_signed_hs256():
    adapter = Jitsi(ProviderConfig(kind="jitsi", server_url="https://Meet.Region.ru", secret=APP_SECRET,
                                   app_id="profmaster"), now=1_700_000_000)
    url = adapter.join_url(MEETING, Person(user_id="pm-17", full_name="Орёл Семён", email="orel@example.ru"))
    assert url.startswith("https://Meet.Region.ru/pm-room-1?jwt=")
    token = url.split("jwt=", 1)[1]
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, APP_SECRET, algorithms=["HS256"], audience="jitsi",
                        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})
    assert claims == {
        "iss": "profmaster", "aud": "jitsi", "sub": "meet.region.ru", "room": "pm-room-1",
        "iat": 1_700_000_000, "nbf": 1_699_999_990, "exp": 1_700_000_300,
        "context": {"user": {"id": "pm-17", "name": "Орёл Семён", "email": "orel@example.ru", "moderator": "false",
                             "affiliation": "member"}}}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, FORGED, algorithms=["HS256"], audience="jitsi", options={"verify_exp": False})


def test_rm3_jitsi_host_is_moderator_and_token_expires_quickly():
    adapter = Jitsi(ProviderConfig(kind="jitsi", server_url="https://meet.region.ru", secret=APP_SECRET, app_id="pm"))
    token = adapter.token(MEETING, Person(user_id="pm-3", full_name="Сладкова Елена", host=True))
    claims = jwt.decode(token, APP_SECRET, algorithms=["HS256"], audience="jitsi")  # valid now
    assert claims["context"]["user"]["moderator"] == "true"
    assert claims["exp"] - claims["iat"] == providers.JITSI_TOKEN_SECONDS == 300


def _bbb_callback_token(payload: dict, secret: str, algorithm: str = "HS256") -> str:
    # what BBB's post_publish_recording_ready_callback.rb sends: JWT.encode(payload, secret) → HS256
    return jwt.encode(payload, secret, algorithm=algorithm)


def test_rm3_recording_ready_callback_verified_with_the_shared_secret():
    token = _bbb_callback_token({"meeting_id": "pm-room-1", "record_id": "abc-1"}, SECRET)
    assert providers.verify_recording_ready(token, SECRET) == {"meeting_id": "pm-room-1", "record_id": "abc-1"}


@pytest.mark.parametrize("token", [
    _bbb_callback_token({"meeting_id": "pm-room-1", "record_id": "abc-1"}, FORGED),
    _bbb_callback_token({"meeting_id": "pm-room-1"}, SECRET),
    jwt.encode({"meeting_id": "pm-room-1", "record_id": "abc-1"}, None, algorithm="none"),
    "", "not-a-token"])
def test_rm3_forged_or_malformed_callback_is_refused(token):
    with pytest.raises(ProviderError, match="Подпись"):
        providers.verify_recording_ready(token, SECRET)


@pytest.mark.parametrize("declared", [True, False])
def test_rm3_download_over_the_limit_stops(bbb, declared):
    bbb.files["/files/big.mp4"] = (3 * 1024 * 1024, declared)
    read = 0
    with pytest.raises(providers.TooLarge) as refused:
        for chunk, _done, _total in providers.stream_download(bbb.base_url + "/files/big.mp4", limit=1024 * 1024,
                                                             chunk_size=64 * 1024):
            read += len(chunk)
    if declared:  # refused on the declared length, before any of the body
        assert (read, refused.value.message) == (0, "Запись — 3 МБ, больше допустимых 1 МБ.")
    else:  # stopped as soon as the limit was passed
        assert read == 1024 * 1024
        assert refused.value.message == "Запись больше допустимых 1 МБ: загрузка остановлена на 1 МБ."


def test_rm3_download_within_the_limit_streams_in_chunks(bbb):
    bbb.files["/files/ok.mp4"] = (200_000, True)
    parts = list(providers.stream_download(bbb.base_url + "/files/ok.mp4", limit=1024 * 1024, chunk_size=64 * 1024))
    assert sum(len(c) for c, _d, _t in parts) == 200_000
    assert parts[-1][1:] == (200_000, 200_000)
    assert len(parts) >= 4


def test_rm3_plain_link_refuses_non_http_schemes():
    adapter = providers.PlainLink()
    with pytest.raises(ProviderError):
        adapter.join_url(Meeting(room="r", name="n", link_url="javascript:alert(1)"), Person("pm-1", "Орёл"))
