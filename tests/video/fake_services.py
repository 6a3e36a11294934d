"""A fake BigBlueButton server on a local HTTP port (a thread), checking every call's checksum by the rule of the
published API — hex digest of ``callName + queryString + sharedSecret``, the query string exactly as received
without ``&checksum=…`` — and answering XML as BBB does. It also serves recording files of a chosen size, with or
without a Content-Length, to test the copy's size limit. It is written from the API description, not from our
adapter, so a wrong checksum or a wrong parameter name in the adapter fails here."""

from __future__ import annotations

import hashlib
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

SECRET = "8cd8ef52e8e101574e400365b55e11a6"


@dataclass
class FakeBBB:
    secret: str = SECRET
    algorithm: str = "sha256"
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    meetings: dict[str, dict[str, str]] = field(default_factory=dict)
    #: meetingID → [(external user id, full name, role)]
    attendees: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    #: meetingID → [recording dicts: record_id, start_ms, end_ms, video_path]
    recordings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: path → (size in bytes, send Content-Length)
    files: dict[str, tuple[int, bool]] = field(default_factory=dict)
    served_bytes: int = 0
    base_url: str = ""
    server: Any = None

    def checksum_ok(self, call: str, raw_query: str) -> bool:
        query, _, checksum = raw_query.rpartition("&checksum=")
        if not checksum and raw_query.startswith("checksum="):
            query, checksum = "", raw_query[len("checksum="):]
        expected = hashlib.new(self.algorithm, f"{call}{query}{self.secret}".encode()).hexdigest()
        return checksum == expected

    def api(self, call: str, raw_query: str) -> str:
        params = dict(urllib.parse.parse_qsl(raw_query.rpartition("&checksum=")[0], keep_blank_values=True))
        self.calls.append((call, params))
        if not self.checksum_ok(call, raw_query):
            return _fail("checksumError", "You did not pass the checksum security check")
        meeting_id = params.get("meetingID", "")
        if call == "create":
            self.meetings.setdefault(meeting_id, params)
            return _ok(f"<meetingID>{escape(meeting_id)}</meetingID><createTime>1681000000000</createTime>")
        if call == "getMeetingInfo":
            if meeting_id not in self.meetings:
                return _fail("notFound", "We could not find a meeting with that meeting ID")
            people = "".join(
                f"<attendee><userID>w_{i}</userID><fullName>{escape(name)}</fullName><role>{role}</role>"
                f"<isPresenter>false</isPresenter><customdata><profmaster_uid><![CDATA[{uid}]]></profmaster_uid>"
                f"</customdata></attendee>" for i, (uid, name, role) in enumerate(self.attendees.get(meeting_id, [])))
            return _ok(f"<meetingID>{escape(meeting_id)}</meetingID><running>true</running>"
                       f"<attendees>{people}</attendees>")
        if call == "getRecordings":
            items = "".join(
                f"<recording><recordID>{r['record_id']}</recordID><meetingID>{escape(meeting_id)}</meetingID>"
                f"<published>true</published><state>published</state><startTime>{r['start_ms']}</startTime>"
                f"<endTime>{r['end_ms']}</endTime><playback>"
                f"<format><type>presentation</type><url>{self.base_url}/playback/presentation/2.3/{r['record_id']}"
                f"</url><length>3</length></format>"
                f"<format><type>video</type><url>{self.base_url}{r['video_path']}</url><length>3</length></format>"
                f"</playback></recording>" for r in self.recordings.get(meeting_id, []))
            return _ok(f"<recordings>{items}</recordings>" if items else
                       "<recordings></recordings><messageKey>noRecordings</messageKey>")
        if call == "end":
            self.meetings.pop(meeting_id, None)
            return _ok("<messageKey>sentEndMeetingRequest</messageKey>")
        return _fail("unsupportedRequest", "This request is not supported.")


def _ok(body: str) -> str:
    return f"<response><returncode>SUCCESS</returncode>{body}</response>"


def _fail(key: str, message: str) -> str:
    return f"<response><returncode>FAILED</returncode><messageKey>{key}</messageKey><message>{message}</message></response>"


def start(fake: FakeBBB) -> FakeBBB:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path.startswith("/bigbluebutton/api/"):
                body = fake.api(path.rsplit("/", 1)[-1], query).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if path in fake.files:
                size, declared = fake.files[path]
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                if declared:
                    self.send_header("Content-Length", str(size))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command == "HEAD":
                    return
                chunk = b"\x00\x00\x00\x18ftypmp42" + b"v" * (64 * 1024 - 12)
                sent = 0
                try:
                    while sent < size:
                        part = chunk[: min(len(chunk), size - sent)]
                        self.wfile.write(part)
                        sent += len(part)
                        fake.served_bytes += len(part)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            self.send_response(404)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.server = server
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    return fake
