"""MS-5: a marking scheme as an xlsx sheet in the WorldSkills CIS layout — one row per aspect.

Columns: criterion code and title, skill-specification sections, sub-criterion code and title,
aspect code, kind, description, maximum points, the meaning of judgement marks 0–3, discrete levels
("label=points; label=points"). Reading returns plain drafts plus a row-by-row error report.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from profmaster.core import numbers, uploads
from profmaster.core.spreadsheets import csv_bytes, safe_row, unescape_cell

from .scheme_rules import AspectDraft, CriterionDraft, SubCriterionDraft

HEADERS = ["Критерий", "Название критерия", "Разделы спецификации", "Субкритерий", "Название субкритерия",
           "Аспект", "Вид", "Описание аспекта", "Макс. балл", "Оценка 0", "Оценка 1", "Оценка 2", "Оценка 3",
           "Уровни (название=баллы; …)"]
KIND_LABELS = {"judgement": "С", "binary": "И-Б", "discrete": "И-Д"}  # CIS: судейская, измеримая
KIND_BY_LABEL = {**{v: k for k, v in KIND_LABELS.items()}, **{k: k for k in KIND_LABELS},
                 "J": "judgement", "M": "binary", "D": "discrete"}
MAX_ROWS = 2000


def scheme_rows(criteria: list[CriterionDraft]) -> list[list[Any]]:
    """The export's rows under :data:`HEADERS`, every cell through ``safe_cell`` (X-5: no formula runs)."""
    rows = []
    for c in criteria:
        for s in c.sub_criteria:
            for a in s.aspects:
                descriptors = list(a.descriptors) + [""] * (4 - len(a.descriptors))
                rows.append(safe_row([
                    c.code, c.title, ", ".join(map(str, c.skill_sections)), s.code, s.title, a.code,
                    KIND_LABELS[a.kind], a.description, a.max_points, *descriptors[:4],
                    "; ".join(f"{label}={numbers.format_number(points)}" for label, points in a.levels)]))
    return rows


def export_scheme(criteria: list[CriterionDraft]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Схема оценки"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in scheme_rows(criteria):
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJKLMN", (9, 30, 12, 11, 30, 9, 6, 50, 9, 20, 20, 20, 20, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_scheme_csv(criteria: list[CriterionDraft]) -> bytes:
    """The same rows as :func:`export_scheme`, as CSV for Russian Excel (X-5)."""
    return csv_bytes([HEADERS, *scheme_rows(criteria)])


@dataclass
class ImportResult:
    criteria: list[CriterionDraft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else unescape_cell(str(value).replace("\x00", "").strip())


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):  # openpyxl reads numeric cells as float: go through repr, not binary
        value = repr(value)
    return Decimal(str(value).replace(",", ".").strip())


def _where(sheet: str, row: int, column: int) -> str:
    return f"Лист «{sheet}», строка {row}, столбец {get_column_letter(column)} («{HEADERS[column - 1]}»)"


def _levels(value: Any) -> tuple[tuple[str, Decimal], ...]:
    levels = []
    for item in _text(value).split(";"):
        if not item.strip():
            continue
        label, eq, points = item.partition("=")
        if not eq or not label.strip():
            raise ValueError
        levels.append((label.strip(), _decimal(points)))
    return tuple(levels)


def read_scheme(data: bytes) -> ImportResult:
    """Parse an uploaded sheet. Every error is reported (sheet, row, column — MS-5, issue 13 §3); any
    error leaves ``criteria`` empty: nothing is half-imported."""
    result = ImportResult()
    try:
        workbook = uploads.open_xlsx(data)
    except uploads.UploadRejected as exc:
        result.errors.append(f"Файл не прочитан: {exc}.")
        return result
    try:
        _read_rows(workbook.worksheets[0], result)
    except uploads.UploadRejected as exc:
        result.errors = [f"Файл не прочитан: {exc}."]
    finally:
        workbook.close()
    if result.errors:
        result.criteria = []
    return result


def _read_rows(sheet: Any, result: ImportResult) -> None:
    title = sheet.title
    rows = uploads.xlsx_rows(sheet, columns=len(HEADERS))
    header = [_text(v) for v in next(rows, ())]
    wrong = [f"{get_column_letter(n)} («{h}»)" for n, h in enumerate(HEADERS, start=1)
             if (header[n - 1] if n <= len(header) else "") != h]
    if wrong:
        result.errors.append(f"Лист «{title}», строка 1: первая строка должна содержать заголовки "
                             + ", ".join(HEADERS) + ". Не совпадают столбцы: " + ", ".join(wrong) + ".")
        return
    criteria: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            result.errors.append(f"Лист «{title}»: больше {MAX_ROWS} строк — разделите схему.")
            break
        cells = [*row, *([None] * len(HEADERS))][:len(HEADERS)]
        if all(_text(v) == "" for v in cells):
            continue
        row_errors: list[tuple[int, str]] = []

        def error(column: int, message: str, row_errors: list[tuple[int, str]] = row_errors) -> None:
            row_errors.append((column, message))

        c_code, c_title, sections, s_code, s_title, a_code, kind, description, _points = (_text(v) for v in cells[:9])
        descriptors = tuple(_text(v) for v in cells[9:13])
        for column, value, what in ((1, c_code, "код критерия"), (4, s_code, "код субкритерия"), (6, a_code, "код аспекта")):
            if not value:
                error(column, f"заполните {what}.")
        kind_code = KIND_BY_LABEL.get(kind)
        if kind_code is None:
            error(7, f"вид аспекта «{kind}» — ожидается С, И-Б или И-Д.")
        max_points = Decimal(0)
        try:
            max_points = _decimal(cells[8])
            if not max_points.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            error(9, f"«{_text(cells[8])}» — не число.")
        section_numbers: tuple[int, ...] = ()
        try:
            section_numbers = tuple(int(part) for part in sections.replace(";", ",").split(",") if part.strip())
        except ValueError:
            error(3, f"«{sections}» — ожидаются номера разделов через запятую.")
        levels: tuple[tuple[str, Decimal], ...] = ()
        try:
            levels = _levels(cells[13])
        except (InvalidOperation, ValueError):
            error(14, f"«{_text(cells[13])}» — ожидается «название=баллы; …».")
        result.errors.extend(f"{_where(title, number, column)}: {message}" for column, message in sorted(row_errors))
        if row_errors or kind_code is None:
            continue
        criterion = criteria.setdefault(c_code, {"title": c_title, "sections": section_numbers, "subs": {}})
        sub = criterion["subs"].setdefault(s_code, {"title": s_title, "aspects": []})
        sub["aspects"].append(AspectDraft(a_code, kind_code, max_points, description,
                                          descriptors if kind_code == "judgement" else (), levels))
    if not result.errors:
        result.criteria = [
            CriterionDraft(code, c["title"], [SubCriterionDraft(s_code, s["title"], s["aspects"])
                                              for s_code, s in c["subs"].items()], c["sections"])
            for code, c in criteria.items()
        ]
        if not result.criteria:
            result.errors.append(f"Лист «{title}»: в файле нет ни одного аспекта.")
