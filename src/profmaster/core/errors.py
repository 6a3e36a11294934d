"""Errors raised by domain functions and shown to people as they are."""

from __future__ import annotations


class DomainError(Exception):
    """A state change that the rules refuse. The message is meant for the person who tried it.

    ``field`` names the input at fault when there is one, so forms can attach the message to it.
    """

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.code = code


class TransitionError(DomainError):
    """A forbidden state transition (e.g. signing a voided document)."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field, code="transition")


class AccessDenied(DomainError):
    """The person may not do this; raised by domain functions that check permissions themselves."""

    status_code = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, code="forbidden")
