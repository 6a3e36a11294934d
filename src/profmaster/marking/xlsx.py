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
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils.exceptions import InvalidFileException

from .scheme_rules import AspectDraft, CriterionDraft, SubCriterionDraft

HEADERS = ["Критерий", "Название критерия", "Разделы спецификации", "Субкритерий", "Название субкритерия",
           "Аспект", "Вид", "Описание аспекта", "Макс. балл", "Оценка 0", "Оценка 1", "Оценка 2", "Оценка 3",
           "Уровни (название=баллы; …)"]
KIND_LABELS = {"judgement": "С", "binary": "И-Б", "discrete": "И-Д"}  # CIS: судейская, измеримая
KIND_BY_LABEL = {**{v: k for k, v in KIND_LABELS.items()}, **{k: k for k in KIND_LABELS},
                 "J": "judgement", "M": "binary", "D": "discrete"}
MAX_ROWS = 2000


def export_scheme(criteria: list[CriterionDraft]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Схема оценки"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c in criteria:
        for s in c.sub_criteria:
            for a in s.aspects:
                descriptors = list(a.descriptors) + [""] * (4 - len(a.descriptors))
                sheet.append([c.code, c.title, ", ".join(map(str, c.skill_sections)), s.code, s.title, a.code,
                              KIND_LABELS[a.kind], a.description, a.max_points, *descriptors[:4],
                              "; ".join(f"{label}={points}" for label, points in a.levels)])
    for column, width in zip("ABCDEFGHIJKLMN", (9, 30, 12, 11, 30, 9, 6, 50, 9, 20, 20, 20, 20, 30), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportResult:
    criteria: list[CriterionDraft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).replace("\x00", "").strip()


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):  # openpyxl reads numeric cells as float: go through repr, not binary
        value = repr(value)
    return Decimal(str(value).replace(",", ".").strip())


def read_scheme(data: bytes) -> ImportResult:
    """Parse an uploaded sheet. Any error leaves ``criteria`` empty: nothing is half-imported."""
    result = ImportResult()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        result.errors.append(f"Файл не похож на таблицу xlsx ({exc.__class__.__name__}).")
        return result
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    if header[:len(HEADERS)] != HEADERS:
        result.errors.append("Первая строка должна содержать заголовки: " + ", ".join(HEADERS) + ".")
        return result
    criteria: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            result.errors.append(f"Больше {MAX_ROWS} строк: разделите схему.")
            break
        cells = [*row, *([None] * len(HEADERS))][:len(HEADERS)]
        if all(_text(v) == "" for v in cells):
            continue
        c_code, c_title, sections, s_code, s_title, a_code, kind, description, points = (_text(v) for v in cells[:9])
        descriptors = tuple(_text(v) for v in cells[9:13])
        where = f"Строка {number}"
        kind_code = KIND_BY_LABEL.get(kind)
        if not (c_code and s_code and a_code):
            result.errors.append(f"{where}: заполните коды критерия, субкритерия и аспекта.")
            continue
        if kind_code is None:
            result.errors.append(f"{where}: вид аспекта «{kind}» — ожидается С, И-Б или И-Д.")
            continue
        try:
            max_points = _decimal(cells[8])
            section_numbers = tuple(int(part) for part in sections.replace(";", ",").split(",") if part.strip())
            levels = tuple((label.strip(), _decimal(value)) for label, value in
                           (item.split("=", 1) for item in _text(cells[13]).split(";") if item.strip()))
        except (InvalidOperation, ValueError):
            result.errors.append(f"{where}: баллы, номера разделов или уровни записаны неверно ({points}).")
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
            result.errors.append("В файле нет ни одного аспекта.")
    return result
