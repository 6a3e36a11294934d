"""RM-7, X-1: one call that erases every scan whose retention date passed — the contest's contestant scans
(:func:`.domain.erase_expired_documents`) and registration's document-check scans of ended championships — for
the daily Celery beat task and the ``erase_expired_personal_data`` command alike."""

from __future__ import annotations

import datetime as dt

from profmaster.registration import domain as registration

from . import domain


def erase_expired(*, today: dt.date | None = None) -> dict[str, int]:
    contestants = domain.erase_expired_documents(today=today)
    registration_scans = registration.delete_expired_scans(today=today)
    return {"contestant_scans": len(contestants), "registration_scans": sum(registration_scans.values())}
