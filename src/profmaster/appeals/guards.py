"""What a pending appeal holds back (003 §8.6, §7.4): the competency's results publication and its marks lock.

Small and import-light on purpose: ``results.domain`` and ``marking.marks`` ask it inside their functions, so
no module of theirs imports the appeals domain (imports flow one way, STYLE §1).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def pending_appeal_numbers(competency: Any) -> list[int]:
    """Numbers of the competency's appeals still waiting for the commission's final decision."""
    from .models import Appeal

    return list(Appeal.objects.filter(competency_id=competency.pk, state__in=Appeal.PENDING_STATES)
                .order_by("number").values_list("number", flat=True))


def pending_appeal_problem(competency: Any, *, action: str) -> str | None:
    """A sentence saying why ``action`` waits, or None. ``action`` is «опубликовать итоги» and the like."""
    numbers = pending_appeal_numbers(competency)
    if not numbers:
        return None
    return (_("«%(competency)s»: нельзя %(action)s, пока апелляционная комиссия не приняла решение по "
              "апелляции № %(numbers)s (п. 8.6 методики: решение принимается до блокировки результатов).")
            % {"competency": competency.name, "action": action, "numbers": ", № ".join(map(str, numbers))})
