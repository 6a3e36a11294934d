"""Score sheets (SC-1): one per sub-criterion and team, as plain data rendered to PDF by WeasyPrint.

Blank sheets are printed for handwritten marking; after the lock the same layout carries the marks
(SC-5). The templates get dicts and strings only, never ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from profmaster.core.numbers import format_number
from profmaster.documents.rendering import font_dir, html_to_pdf

from . import calculation
from .models import Aspect, Mark, MarkingScheme
from .panel import panel_signers


def _fonts() -> dict[str, str]:
    fonts = font_dir()
    return {"regular": (fonts / "DejaVuSans.ttf").as_uri(), "bold": (fonts / "DejaVuSans-Bold.ttf").as_uri()}


def sheets_data(scheme: MarkingScheme, teams: list[Any], *, with_marks: bool, label: Callable[[Any], str],
                progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    aspects = list(Aspect.objects.filter(sub_criterion__criterion__scheme=scheme)
                   .select_related("sub_criterion__criterion")
                   .order_by("sub_criterion__criterion__order", "sub_criterion__order", "order", "code"))
    by_sub: dict[int, list[Aspect]] = defaultdict(list)
    subs: dict[int, Any] = {}
    for aspect in aspects:
        by_sub[aspect.sub_criterion_id].append(aspect)
        subs[aspect.sub_criterion_id] = aspect.sub_criterion
    marks: dict[tuple[int, int], list[str]] = defaultdict(list)
    if with_marks:
        for team_id, aspect_id, value, expert in (Mark.objects.filter(scheme=scheme, team__in=teams)
                                                  .order_by("expert__last_name")
                                                  .values_list("team_id", "aspect_id", "value", "expert__last_name")):
            marks[(team_id, aspect_id)].append(f"{expert}: {value}" if expert else str(value))
    signers = [{"name": user.full_name, "role": role} for user, role in panel_signers(scheme.competency)]
    sheets = []
    for index, team in enumerate(teams, start=1):
        for sub_id, sub_aspects in by_sub.items():
            sub = subs[sub_id]
            sheets.append({
                "team": label(team), "criterion": f"{sub.criterion.code}. {sub.criterion.title}",
                "sub_criterion": f"{sub.code}. {sub.title}",
                "aspects": [{
                    "code": a.code, "description": a.description, "kind": str(Aspect.Kind(a.kind).label),
                    "max_points": format_number(a.max_points, 2),
                    "descriptors": [f"{n}: {d}" for n, d in enumerate(a.descriptors or [])]
                    if a.kind == calculation.JUDGEMENT else
                    [f"{n}: {level[0]} — {level[1]}" for n, level in enumerate(a.levels or [])]
                    if a.kind == calculation.DISCRETE else ["0: нет", "1: да"],
                    "marks": ", ".join(marks.get((team.pk, a.pk), [])),
                } for a in sub_aspects],
            })
        if progress:
            progress(index * 100 // max(len(teams), 1))
    return {"scheme": scheme.title, "competency": str(scheme.competency), "version": scheme.version,
            "sheets": sheets, "signers": signers, "with_marks": with_marks, "fonts": _fonts()}


def render_pdf(data: dict[str, Any]) -> bytes:
    with translation.override("ru"):
        html = render_to_string("marking/pdf/sheets.html", data)
    return html_to_pdf(html)
