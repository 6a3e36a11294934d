"""Template context for the navigation bar (what links this person may follow)."""

from typing import Any

from django.http import HttpRequest

from profmaster.permissions import has_perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"perms_nav": {"organisations": has_perm(user, "organisations.view_organisation")}}
