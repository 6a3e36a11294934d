"""Adapters to the external video services (RM-3): the platform integrates a service, it is not one.

Three adapters share one interface (:class:`Provider`):

* :class:`BigBlueButton` speaks the published HTTP API (``/bigbluebutton/api/<call>?<query>&checksum=…``):
  ``create``, ``join``, ``end``, ``getMeetingInfo`` and ``getRecordings``. Every call carries the checksum the
  API defines: the hex digest (SHA-1, or SHA-256 on servers configured for it) of the call name, the query string
  exactly as sent, and the shared secret, concatenated without separators. Answers are XML with
  ``<returncode>SUCCESS|FAILED</returncode>``. The recording-ready callback (``meta_bbb-recording-ready-url``)
  is a POST with ``signed_parameters``: a JWT (HS256, the shared secret) of ``{"meeting_id", "record_id"}``
  — :func:`verify_recording_ready` checks it.
* :class:`Jitsi` gives each person a room URL with a signed JWT (HS256 over the app secret): ``iss`` = the app
  id, ``aud`` = the accepted audience (``jitsi`` by default), ``sub`` = the server's domain, ``room`` = the
  room name, ``exp``/``nbf``, and ``context.user`` naming the person (``moderator`` for hosts). Jitsi has no
  server API for attendance or recordings: those are marked by the host or added by URL.
* :class:`PlainLink` is any other service: everyone gets the link as it is.

No Django model is imported here: the domain passes a :class:`ProviderConfig` and plain data in, and gets plain
data back. HTTP goes through :func:`http_get` (urllib, a timeout, no redirects to other schemes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from xml.etree.ElementTree import Element  # types only; parsing is defusedxml's

import jwt
from defusedxml import ElementTree

TIMEOUT_SECONDS = 15
#: The largest XML answer read from a service (a getRecordings of a long session is a few kB).
MAX_ANSWER_BYTES = 2 * 1024 * 1024
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
#: Jitsi join tokens are short-lived: the link is opened at once by the redirect.
JITSI_TOKEN_SECONDS = 5 * 60


class ProviderError(Exception):
    """The service refused or could not be reached; the message is for the person (Russian)."""

    def __init__(self, message: str, *, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.key = key


@dataclass(frozen=True)
class ProviderConfig:
    kind: str
    server_url: str = ""
    secret: str = field(default="", repr=False)
    app_id: str = ""
    checksum: str = "sha1"
    audience: str = "jitsi"


@dataclass(frozen=True)
class Meeting:
    """What a service needs to know about a session."""

    room: str
    name: str
    record: bool = False
    link_url: str = ""
    moderator_password: str = field(default="", repr=False)
    attendee_password: str = field(default="", repr=False)
    recording_ready_url: str = ""
    logout_url: str = ""
    duration_minutes: int = 0


@dataclass(frozen=True)
class Person:
    user_id: str
    full_name: str
    email: str = ""
    host: bool = False


@dataclass(frozen=True)
class Attendee:
    """One person in a running meeting: ``user_id`` is the platform's id passed at join, when the service
    reports it back; else empty."""

    user_id: str
    full_name: str
    moderator: bool


@dataclass(frozen=True)
class RecordingInfo:
    record_id: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    published: bool
    playback_url: str
    download_url: str
    size: int


class Provider(Protocol):
    kind: str
    lists_attendance: bool
    lists_recordings: bool

    def prepare(self, meeting: Meeting) -> None: ...
    def join_url(self, meeting: Meeting, person: Person) -> str: ...
    def end(self, meeting: Meeting) -> None: ...
    def attendees(self, meeting: Meeting) -> list[Attendee] | None: ...
    def recordings(self, meeting: Meeting) -> list[RecordingInfo]: ...


# --- HTTP ----------------------------------------------------------------------------------------------


def _check_scheme(url: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ProviderError("Адрес видеосервиса должен начинаться с http:// или https://.")


def http_get(url: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """GET a small answer (XML); a failure to connect or an HTTP error is a :class:`ProviderError`."""
    _check_scheme(url)
    request = urllib.request.Request(url, headers={"Accept": "application/xml, text/xml"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310  (scheme checked)
            body: bytes = answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ProviderError(f"Видеосервис ответил ошибкой HTTP {exc.code}.") from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise ProviderError("Видеосервис недоступен: нет соединения с сервером.") from exc
    if len(body) > MAX_ANSWER_BYTES:
        raise ProviderError("Видеосервис прислал слишком большой ответ.")
    return body


class TooLarge(ProviderError):
    pass


def stream_download(url: str, *, limit: int, chunk_size: int = 1024 * 1024,
                    timeout: float = TIMEOUT_SECONDS * 4) -> Iterator[tuple[bytes, int, int]]:
    """Download ``url`` in chunks, yielding ``(chunk, done, total)`` (``total`` 0 when the server does not say).

    Refuses before reading the body when the declared length is over ``limit``, and stops as soon as more than
    ``limit`` bytes have arrived when it is not declared: :class:`TooLarge` either way.
    """
    _check_scheme(url)
    request = urllib.request.Request(url)  # noqa: S310
    try:
        answer = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310  (scheme checked)
    except urllib.error.HTTPError as exc:
        raise ProviderError(f"Сервер записи ответил ошибкой HTTP {exc.code}.") from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise ProviderError("Сервер записи недоступен: нет соединения.") from exc
    with answer:
        try:
            total = int(answer.headers.get("Content-Length") or 0)
        except ValueError:
            total = 0
        if total > limit:
            raise TooLarge(f"Запись — {_size_label(total)}, больше допустимых {_size_label(limit)}.")
        done = 0
        while True:
            try:
                chunk = answer.read(chunk_size)
            except (OSError, TimeoutError) as exc:
                raise ProviderError("Соединение с сервером записи прервалось.") from exc
            if not chunk:
                break
            done += len(chunk)
            if done > limit:
                raise TooLarge(f"Запись больше допустимых {_size_label(limit)}: загрузка остановлена на "
                               f"{_size_label(done)}.")
            yield chunk, done, total


def _size_label(value: int) -> str:
    mb = 1024 * 1024
    return f"{value / mb:.0f} МБ" if value >= mb else f"{value} байт"


# --- BigBlueButton ---------------------------------------------------------------------------------------


def bbb_checksum(call: str, query: str, secret: str, algorithm: str = "sha1") -> str:
    """The API's checksum: hex digest of ``call + query + secret`` (the query string as sent, without
    ``checksum``)."""
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ProviderError(f"Неизвестный алгоритм контрольной суммы «{algorithm}».")
    return hashlib.new(algorithm, f"{call}{query}{secret}".encode()).hexdigest()


def _text(node: Element | None, tag: str) -> str:
    if node is None:
        return ""
    child = node.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _moment(millis: str) -> dt.datetime | None:
    try:
        value = int(millis)
    except (TypeError, ValueError):
        return None
    return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC) if value > 0 else None


class BigBlueButton:
    kind = "bbb"
    lists_attendance = True
    lists_recordings = True
    #: join's ``userdata-<key>``: comes back in getMeetingInfo's ``<customdata>`` (attendee ``userID`` there is the
    #: server's internal id)
    USERDATA_KEY = "profmaster_uid"

    def __init__(self, config: ProviderConfig) -> None:
        if not config.server_url or not config.secret:
            raise ProviderError("Сервер BigBlueButton не настроен: укажите адрес и общий секрет.")
        base = config.server_url.rstrip("/")
        if not base.endswith("/api"):
            base = base + ("/api" if base.endswith("/bigbluebutton") else "/bigbluebutton/api")
        self.base = base + "/"
        self.secret = config.secret
        self.algorithm = config.checksum or "sha1"

    def url(self, call: str, params: dict[str, Any]) -> str:
        query = urllib.parse.urlencode([(k, str(v)) for k, v in params.items()])
        checksum = bbb_checksum(call, query, self.secret, self.algorithm)
        return f"{self.base}{call}?{query}{'&' if query else ''}checksum={checksum}"

    def _call(self, call: str, params: dict[str, Any], *, missing_ok: bool = False) -> Element | None:
        body = http_get(self.url(call, params))
        try:
            root = ElementTree.fromstring(body)
        except Exception as exc:  # defusedxml refuses entities; a broken answer is the service's fault
            raise ProviderError("Видеосервис прислал ответ, который не удалось разобрать.") from exc
        if _text(root, "returncode") != "SUCCESS":
            key = _text(root, "messageKey")
            if missing_ok and key in ("notFound", "invalidMeetingIdentifier"):
                return None
            if key == "checksumError":
                raise ProviderError("BigBlueButton не принял контрольную сумму: проверьте общий секрет и "
                                    "алгоритм (SHA-1/SHA-256).", key=key)
            message = _text(root, "message") or key or "FAILED"
            raise ProviderError(f"BigBlueButton отказал: {message}", key=key)
        return root

    def prepare(self, meeting: Meeting) -> None:
        """``create`` is idempotent on BBB for a running meeting id: calling it before each join is safe."""
        params: dict[str, Any] = {
            "name": meeting.name[:256], "meetingID": meeting.room,
            "attendeePW": meeting.attendee_password, "moderatorPW": meeting.moderator_password,
            "record": "true" if meeting.record else "false",
        }
        if meeting.record:
            # 000 §6: recorded from the first minute, nobody can pause it
            params.update({"autoStartRecording": "true", "allowStartStopRecording": "false"})
        if meeting.duration_minutes:
            params["duration"] = meeting.duration_minutes
        if meeting.logout_url:
            params["logoutURL"] = meeting.logout_url
        if meeting.recording_ready_url:
            params["meta_bbb-recording-ready-url"] = meeting.recording_ready_url
        self._call("create", params)

    def join_url(self, meeting: Meeting, person: Person) -> str:
        params: dict[str, Any] = {
            "fullName": person.full_name[:256], "meetingID": meeting.room,
            "password": meeting.moderator_password if person.host else meeting.attendee_password,
            "role": "MODERATOR" if person.host else "VIEWER",
            "userID": person.user_id, f"userdata-{self.USERDATA_KEY}": person.user_id,
            "redirect": "true",
        }
        return self.url("join", params)

    def end(self, meeting: Meeting) -> None:
        self._call("end", {"meetingID": meeting.room, "password": meeting.moderator_password}, missing_ok=True)

    def attendees(self, meeting: Meeting) -> list[Attendee] | None:
        """Who is in the meeting now; ``None`` when the meeting is not running on the server."""
        root = self._call("getMeetingInfo", {"meetingID": meeting.room}, missing_ok=True)
        if root is None or _text(root, "running") != "true":
            return None
        people = []
        for node in root.iterfind("attendees/attendee"):
            custom = node.find("customdata")
            user_id = _text(custom, self.USERDATA_KEY) or _text(node, "userID")
            people.append(Attendee(user_id=user_id, full_name=_text(node, "fullName"),
                                   moderator=_text(node, "role") == "MODERATOR"))
        return people

    def recordings(self, meeting: Meeting) -> list[RecordingInfo]:
        root = self._call("getRecordings", {"meetingID": meeting.room})
        found = []
        for node in root.iterfind("recordings/recording") if root is not None else []:
            playback = download = ""
            size = 0
            for fmt in node.iterfind("playback/format"):
                kind, url = _text(fmt, "type"), _text(fmt, "url")
                if kind == "presentation" and not playback:
                    playback = url
                elif kind in ("video", "video_mp4", "mp4") and not download:
                    download = url
                    size = int(_text(fmt, "size") or 0) if _text(fmt, "size").isdigit() else 0
            found.append(RecordingInfo(
                record_id=_text(node, "recordID"), started_at=_moment(_text(node, "startTime")),
                ended_at=_moment(_text(node, "endTime")), published=_text(node, "published") == "true",
                playback_url=playback or download, download_url=download, size=size))
        return [r for r in found if r.record_id]


def verify_recording_ready(signed_parameters: str, secret: str) -> dict[str, str]:
    """The recording-ready callback's claims, or :class:`ProviderError` for a token not signed with the shared
    secret (HS256), malformed, or without ``meeting_id``/``record_id``."""
    try:
        claims = jwt.decode(signed_parameters or "", secret, algorithms=["HS256"],
                            options={"require": ["meeting_id", "record_id"]})
    except jwt.PyJWTError as exc:
        raise ProviderError("Подпись уведомления видеосервиса не прошла проверку.") from exc
    return {"meeting_id": str(claims["meeting_id"]), "record_id": str(claims["record_id"])}


# --- Jitsi Meet --------------------------------------------------------------------------------------------


class Jitsi:
    kind = "jitsi"
    lists_attendance = False
    lists_recordings = False

    def __init__(self, config: ProviderConfig, *, now: float | None = None) -> None:
        if not config.server_url or not config.secret or not config.app_id:
            raise ProviderError("Сервер Jitsi Meet не настроен: укажите адрес, идентификатор приложения и секрет.")
        self.base = config.server_url.rstrip("/")
        self.domain = (urllib.parse.urlsplit(self.base).hostname or "").lower()
        self.secret = config.secret
        self.app_id = config.app_id
        self.audience = config.audience or "jitsi"
        self.now = now

    def token(self, meeting: Meeting, person: Person) -> str:
        issued = int(self.now if self.now is not None else time.time())
        claims = {
            "iss": self.app_id, "aud": self.audience, "sub": self.domain, "room": meeting.room,
            "iat": issued, "nbf": issued - 10, "exp": issued + JITSI_TOKEN_SECONDS,
            "context": {"user": {"id": person.user_id, "name": person.full_name, "email": person.email,
                                 "moderator": "true" if person.host else "false",
                                 "affiliation": "owner" if person.host else "member"}},
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def prepare(self, meeting: Meeting) -> None:
        return None  # the room is made by the first person who joins with a valid token

    def join_url(self, meeting: Meeting, person: Person) -> str:
        return f"{self.base}/{urllib.parse.quote(meeting.room)}?jwt={self.token(meeting, person)}"

    def end(self, meeting: Meeting) -> None:
        return None

    def attendees(self, meeting: Meeting) -> list[Attendee] | None:
        return None

    def recordings(self, meeting: Meeting) -> list[RecordingInfo]:
        return []


# --- Any other service --------------------------------------------------------------------------------------


class PlainLink:
    kind = "link"
    lists_attendance = False
    lists_recordings = False

    def __init__(self, config: ProviderConfig | None = None) -> None:
        pass

    def prepare(self, meeting: Meeting) -> None:
        if not meeting.link_url:
            raise ProviderError("У видеосессии нет ссылки на встречу.")

    def join_url(self, meeting: Meeting, person: Person) -> str:
        _check_scheme(meeting.link_url)
        return meeting.link_url

    def end(self, meeting: Meeting) -> None:
        return None

    def attendees(self, meeting: Meeting) -> list[Attendee] | None:
        return None

    def recordings(self, meeting: Meeting) -> list[RecordingInfo]:
        return []


def adapter(config: ProviderConfig) -> Provider:
    if config.kind == "bbb":
        return BigBlueButton(config)
    if config.kind == "jitsi":
        return Jitsi(config)
    if config.kind == "link":
        return PlainLink(config)
    raise ProviderError(f"Неизвестный видеосервис «{config.kind}».")
