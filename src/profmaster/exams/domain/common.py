"""What every part of the exam domain shares: the attempt's refusals, the size limits of a response,
the token comparison and the attempt's event log (RM-1)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils.translation import gettext as _

from profmaster.core.errors import AccessDenied, TransitionError

from .. import scoring
from ..models import Attempt, AttemptEvent

#: Largest JSON response accepted per save, in characters of its text form (a 5 MB answer is refused).
MAX_RESPONSE_CHARS = scoring.MAX_TEXT + 2_000
EVENT_RESPONSE_CHARS = 500


def _same(secret: str, given: str | None) -> bool:
    return bool(secret) and secrets.compare_digest(secret.encode(), (given or "").encode())


class AttemptLocked(AccessDenied):
    """The attempt is held by another browser; a proctor must unlock it."""

    def __init__(self) -> None:
        super().__init__(_("Попытка открыта в другом браузере. Обратитесь к проктору, чтобы он её разблокировал."))
        self.code = "locked"


class AttemptClosed(TransitionError):
    """The time is up (or the attempt was finished): answers are no longer accepted."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Время экзамена истекло: ответы больше не принимаются. "
                                      "Сохранённые ответы учтены."))
        self.code = "closed"


def _event(attempt: Attempt, kind: str, now: dt.datetime, **data: Any) -> AttemptEvent:
    return AttemptEvent.objects.create(attempt=attempt, kind=kind, at=now, data=data)
