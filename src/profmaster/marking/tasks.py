"""Background jobs of marking: the PDF with every team's score sheets after the marks lock (SC-5)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="marking.render_scheme_sheets", ignore_result=True)
def render_scheme_sheets_task(scheme_id: int) -> None:
    from .marks import render_locked_sheets

    render_locked_sheets(scheme_id)
