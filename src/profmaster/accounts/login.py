"""The login name as django-axes counts it (X-5): one person, one counter.

E-mail addresses log in case-insensitively (``UserManager.get_by_natural_key``), so the lockout must count
``Mentor@School.ru``, `` mentor@school.ru `` and ``mentor@school.ru`` as the same name, or changing the case
(or adding spaces) buys another five guesses.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings


def normalise_username(value: Any) -> str:
    """The canonical form of a typed login: NFKC, surrounding whitespace removed, lower case."""
    if not isinstance(value, str):
        return ""
    return unicodedata.normalize("NFKC", value).strip().lower()


def axes_username(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the name from the credentials (or the posted form), normalised."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_username(credentials.get(field))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_username(data.get(field))
