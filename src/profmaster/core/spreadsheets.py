"""Cells written to every xlsx and CSV export (X-5): user text never runs as a spreadsheet formula.

Excel, LibreOffice and Google Sheets take a cell starting with ``=``, ``+``, ``-`` or ``@`` — and, once
trimmed, with a tab or a carriage return — for a formula (CSV/xlsx injection, OWASP "CSV Injection").
Such text is written with a leading apostrophe, which spreadsheets show as plain text. Real numbers
(``int``, ``Decimal``, ``float``; not ``bool``) stay numbers, so sums and sorting work.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

#: A text cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a cell: numbers and dates unchanged, None as empty, text escaped when it could be a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if hasattr(value, "isoformat"):  # dates and times are typed cells, not text
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
