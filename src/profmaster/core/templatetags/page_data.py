"""Data and translated strings for a page's script, as a JSON ``<script type="application/json">`` block.

The Content-Security-Policy (X-5) allows no inline script: scripts are static files, and what they need
from the server — data, translated labels — comes through ``json_script``, escaped. Translations pasted
into a JS literal broke on a quote and were an injection point.

    {% json_data "exam-messages" saved=_("Сохранено") confirm=_("Завершить экзамен?") %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def json_data(element_id: str, **values: Any) -> SafeString:
    return json_script({key: str(value) for key, value in values.items()}, element_id)
