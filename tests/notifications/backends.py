"""A fake SMTP backend for X-6 tests: counts connections and can refuse a recipient or drop the connection."""

from __future__ import annotations

import smtplib
from typing import Any, ClassVar

from django.core.mail.backends.base import BaseEmailBackend


class CountingBackend(BaseEmailBackend):
    connections: ClassVar[int] = 0
    sent: ClassVar[list[Any]] = []
    refuse: ClassVar[set[str]] = set()
    #: drop the connection when this many messages have been sent in all (None: never)
    break_after: ClassVar[int | None] = None
    unreachable: ClassVar[bool] = False

    @classmethod
    def reset(cls) -> None:
        cls.connections, cls.sent, cls.refuse, cls.break_after, cls.unreachable = 0, [], set(), None, False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_open = False

    def open(self) -> bool:
        if self.is_open:
            return False
        if CountingBackend.unreachable:
            raise ConnectionRefusedError(111, "Connection refused")
        CountingBackend.connections += 1
        self.is_open = True
        return True

    def close(self) -> None:
        self.is_open = False

    def send_messages(self, email_messages: Any) -> int:
        created = self.open()
        try:
            for message in email_messages:
                if CountingBackend.break_after is not None and len(CountingBackend.sent) >= CountingBackend.break_after:
                    self.is_open = False
                    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
                if message.to[0] in CountingBackend.refuse:
                    raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 No such user")})
                CountingBackend.sent.append(message)
        finally:
            if created:
                self.close()
        return len(email_messages)
