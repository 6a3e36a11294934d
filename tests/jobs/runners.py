"""Runners the job tests start (module-level functions, as :func:`profmaster.jobs.domain.start_job` requires)."""

from __future__ import annotations

from typing import Any

from profmaster.jobs.domain import JobFailed, read_upload


def count_lines(job: Any, progress: Any) -> dict[str, Any]:
    lines = read_upload(job).decode().splitlines()
    for done, _line in enumerate(lines, start=1):
        progress(done, len(lines), f"строка {done}")
    return {"summary": f"Строк: {len(lines)}", "lines": lines[:3], "message": "Посчитано"}


def crash(job: Any, progress: Any) -> dict[str, Any]:
    progress(1, 4, "первая")
    raise RuntimeError("boom")


def refuse(job: Any, progress: Any) -> dict[str, Any]:
    raise JobFailed("В файле нет ни одной строки.")
