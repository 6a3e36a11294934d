"""Which registration rules a championship's applications follow (REG-1, CH-1): its rules profile decides.

Without an entry here a championship follows 003's team rules (:mod:`.team_rules`) — «Мастерята», and any
custom profile. Another contest registers its own rules for its profile from its app's ``ready()`` (the
«Лучший по профессии» contest: :mod:`profmaster.best_in_profession.rules`), so the workflow of
:mod:`.domain` (draft → submitted → returned | approved | rejected, the audit, the e-mails) stays one and the
same, and registration never imports a contest's app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from . import team_rules


class ProfileRules(Protocol):
    """What a contest's rules decide instead of 003's team rules."""

    #: Participants are adults: they give their own consents (003's participants are minors).
    adult_participants: bool

    def check_member(self, member: Any) -> None:
        """Refuse (DomainError) a person's data that this contest does not accept."""

    def check_application(self, application: Any, members: list[Any]) -> list[team_rules.Violation]:
        """Every rule the application breaks now (an empty list: it may be submitted or approved)."""

    def approved(self, application: Any, *, by: Any) -> None:
        """After the approval, in its transaction (e.g. the contestant gets their role)."""

    def withdrawn(self, application: Any, *, by: Any, was_approved: bool) -> None:
        """After a withdrawal, in its transaction."""

    def record_access(self, user: Any, members: Iterable[Any], *, what: str) -> int:
        """Log an access to the people's personal data; returns how many records were logged."""


PROFILES: dict[str, ProfileRules] = {}


def register(profile: str, rules: ProfileRules) -> None:
    PROFILES[profile] = rules


def rules_of(championship: Any) -> ProfileRules | None:
    """The contest's own rules of the championship's profile, or None for 003's team rules."""
    return PROFILES.get(getattr(championship, "rules_profile", ""))
