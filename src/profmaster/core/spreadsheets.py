"""Cells written to every xlsx and CSV export (X-5): user text never runs as a spreadsheet formula.

Excel, LibreOffice and Google Sheets take a cell starting with ``=``, ``+``, ``-`` or ``@`` — and, once
trimmed, with a tab or a carriage return — for a formula (CSV/xlsx injection, OWASP "CSV Injection").
Such text is written with a leading apostrophe, which spreadsheets show as plain text. Real numbers
(``int``, ``Decimal``, ``float``; not ``bool``) stay numbers, so sums and sorting work.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
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


def unescape_cell(text: str) -> str:
    """The text :func:`safe_cell` escaped, as it was: an export read back by an import keeps its text."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


#: Russian Excel reads CSV with the list separator of the Russian locale, «;» (the comma is the decimal
#: separator there); the byte-order mark makes it read UTF-8, so Cyrillic opens correctly on a double click.
CSV_DELIMITER = ";"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """The one CSV writer of the exports (X-5): UTF-8 with BOM, «;», CRLF, every cell through :func:`safe_cell`.

    Decimal numbers are written with a comma, as Russian Excel expects them.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_text(safe_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> str:
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return str(value.strftime("%d.%m.%Y %H:%M"))
    if hasattr(value, "strftime"):
        return str(value.strftime("%d.%m.%Y"))
    return str(value)
