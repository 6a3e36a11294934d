"""Who sees which results (AW-1, SC-9): THE rule every channel asks — pages, API, exports, PDFs, diplomas.

Permissions decide *whether* a person may see the working state (``results.view_working`` in
:mod:`profmaster.permissions`); this module decides *what* they see: the working results computed now, the
latest published version that contains the competency, or nothing before publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from profmaster.permissions import has_perm

from . import computation
from .domain import latest_version, version_competency


@dataclass(frozen=True)
class ResultsView:
    """What a person may see of one competency's results: the working state or a published version."""

    live: bool
    data: dict[str, Any] | None
    version: Any = None

    @property
    def visible(self) -> bool:
        return self.data is not None


def published_results(competency: Any) -> ResultsView:
    """What everyone may see: the latest published version containing ``competency``, or nothing."""
    version = latest_version(competency)
    if version is None:
        return ResultsView(live=False, data=None)
    return ResultsView(live=False, data=version_competency(version, competency.pk), version=version)


def visible_results(user: Any, competency: Any) -> ResultsView:
    """The results of ``competency`` that ``user`` may see.

    The Directorate, quality control and the competency's panel see the working results; everyone
    else (signed in or not) sees the latest published version that contains the competency, or
    nothing before publication (003 §25.1: no disclosure before the closing ceremony).
    """
    if has_perm(user, "results.view_working", competency):
        return ResultsView(live=True, data=computation.competency_results(competency), version=latest_version(competency))
    return published_results(competency)
