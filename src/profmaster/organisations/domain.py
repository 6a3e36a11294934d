"""State changes of organisations, venues and contact people."""

from __future__ import annotations

from typing import Any

from django.db import models

from profmaster.audit.domain import delete_audited, save_audited


def save_organisation_object(instance: models.Model, *, by: Any, reason: str = "") -> models.Model:
    """Create or change an organisation, a venue or a contact person (audited, platform-wide)."""
    return save_audited(instance, by=by, reason=reason)


def delete_organisation_object(instance: models.Model, *, by: Any, reason: str = "") -> None:
    """Delete an organisation, venue or contact; refused while championships or people refer to it."""
    delete_audited(instance, by=by, reason=reason)
