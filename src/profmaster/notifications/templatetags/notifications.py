"""``{{ path|absolute }}`` in e-mail templates: the one way to put a link to the site in an e-mail (SITE_URL)."""

from __future__ import annotations

from django import template

from profmaster.core.links import absolute_url

register = template.Library()


@register.filter
def absolute(path: str) -> str:
    """``/results/verify/AB12/`` → ``https://profmaster.mos.ru/results/verify/AB12/`` (profmaster.core.links)."""
    return absolute_url(str(path or "/"))
