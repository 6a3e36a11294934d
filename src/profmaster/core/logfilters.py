"""Logging filters (X-5): a refused request is one line in the log, a server error keeps its traceback.

Django logs a 403 raised as ``PermissionDenied`` (and a 400 from a bad request) with the exception's full
traceback; every refusal of a page then filled the log with a stack that says nothing about a bug.
"""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    """Drop the traceback of a 4xx record of ``django.request`` / ``django.security``; keep 5xx as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and record.exc_info:
            exc = record.exc_info[1]
            if exc is not None:
                record.msg = f"{record.msg} ({type(exc).__name__}: {exc})" if str(exc) else \
                    f"{record.msg} ({type(exc).__name__})"
            record.exc_info = None
            record.exc_text = None
        return True
