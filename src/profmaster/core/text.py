"""One free-text field as a person typed it, made ready to store (X-5: bad input never gives a 500 and never
loses data).

Every domain function that takes a reason, a note, a name or a description cleans it here, so the same text is
treated the same way in every app:

- NUL characters are removed: PostgreSQL cannot store them in text, and nobody means one — they arrive from
  pasted binary or a hostile client, so dropping them keeps everything the person wrote;
- surrounding whitespace is stripped (a reason of only spaces is no reason);
- a required field left empty is refused with «Заполните поле «…».» (or the caller's own sentence);
- text longer than the field allows is refused naming the limit — never cut silently, which would lose the end
  of what was written.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import DomainError


def clean_text(value: Any, *, field: str, what: str, required: bool = True, max_length: int,
               missing: str | None = None) -> str:
    """``value`` without NUL characters and surrounding whitespace; ``None`` is empty.

    ``field`` is the input the refusal is attached to, ``what`` the field's label as people see it
    («Основание»), ``missing`` a full sentence to show instead of «Заполните поле «…».» when a required
    field is empty («Укажите причину отмены: её получат родители и координаторы.»). Raises
    :class:`~profmaster.core.errors.DomainError` (with ``field``) for an empty required field and for text
    longer than ``max_length`` characters.
    """
    text = ("" if value is None else str(value)).replace("\x00", "").strip()
    if required and not text:
        raise DomainError(missing if missing else _("Заполните поле «%(what)s».") % {"what": what}, field=field)
    if len(text) > max_length:
        raise DomainError(ngettext("Поле «%(what)s» длиннее %(n)s символа.", "Поле «%(what)s» длиннее %(n)s символов.",
                                   max_length) % {"what": what, "n": max_length}, field=field)
    return text
