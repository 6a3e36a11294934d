"""The countdown screen's polls answered in the WSGI layer (OP-3: 500 screens polling about once a second).

``GET /timekeeping/screen/<token>/state/?v=<version>`` is asked by every screen of the venue all day long. In
its common case — the signed link is valid and the screen already holds the flow's current version — the
answer is only ``{"v", "t"}`` (the version and the server's clock) from one read of the shared cache; right
after a change, once the first screen has fetched the new state through Django, the others get it from the
shared cache too. This layer answers exactly those cases, with the headers Django's middleware would add (the
helpers of the exam's autosave shortcut, :mod:`profmaster.exams.autosave`), and hands every other request — a
change nobody fetched yet, a bad link, any other URL — to Django unchanged, so the view
:func:`profmaster.timekeeping.views.screen_state` stays the one definition of the behaviour.
"""

from __future__ import annotations

import json
import logging
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import caches

from profmaster.exams.autosave import AutosaveApp

from .domain import CACHE, flow_version
from .selectors import flow_of_token, state_key

logger = logging.getLogger(__name__)

#: How long a worker reuses the flow's version it read from the shared cache: 500 screens then cost a worker
#: about 20 reads a second instead of hundreds, for at most this much more delay in seeing a change.
VERSION_MEMO_SECONDS = 0.05
_memo: dict[int, tuple[float, str]] = {}

PATH = re.compile(r"/timekeeping/screen/([A-Za-z0-9:_-]{1,200})/state/")
#: What ``never_cache`` on the view sends.
NO_CACHE = (("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private"),)


class ScreenPollApp(AutosaveApp):
    """WSGI middleware in front of the autosave shortcut and Django (``profmaster.wsgi``)."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET":
            match = PATH.fullmatch(environ.get("PATH_INFO", ""))
            if match is not None:
                answer = self._unchanged(match.group(1), environ)
                if answer is not None:
                    start_response("200 OK", [*self._headers(environ, len(answer)), *NO_CACHE])
                    return [answer]
        return self.app(environ, start_response)

    def _unchanged(self, token: str, environ: dict[str, Any]) -> bytes | None:
        if not self._plain(environ):
            return None
        held = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("v")
        flow_id = flow_of_token(token)
        if not held or flow_id is None:
            return None
        try:
            version = _version(flow_id)
            now = int(time.time() * 1000)
            if held[0] == version:
                return json.dumps({"v": version, "t": now}).encode()
            state = caches[CACHE].get(state_key(flow_id, version))  # a change another screen already fetched
        except Exception:
            logger.exception("screen poll shortcut failed; Django answers the request")
            return None
        if not isinstance(state, dict) or state.get("v") != version:
            return None
        return json.dumps({**state, "t": now}, ensure_ascii=False).encode()


def _version(flow_id: int) -> str:
    moment = time.monotonic()
    memo = _memo.get(flow_id)
    if memo is not None and memo[0] > moment:
        return memo[1]
    version = flow_version(flow_id)
    if VERSION_MEMO_SECONDS > 0:
        if len(_memo) > 10_000:
            _memo.clear()
        _memo[flow_id] = (moment + VERSION_MEMO_SECONDS, version)
    return version
