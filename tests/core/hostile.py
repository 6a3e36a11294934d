"""Hostile xlsx files built in the tests (X-5, issue 13 §6): malformed XML inside, a zip bomb, a DTD."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def _workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_part(data: bytes, name: str, content: bytes | None = None, *, writer=None) -> bytes:
    """The same xlsx with one part replaced (by ``content`` or by what ``writer(handle)`` writes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        if writer is not None:
            with target.open(name, "w", force_zip64=True) as handle:
                writer(handle)
        else:
            target.writestr(name, content or b"")
    return buffer.getvalue()


def malformed(rows: list[list[object]]) -> bytes:
    """A real workbook whose sheet XML is cut off in the middle of a tag."""
    return replace_part(_workbook_bytes(rows), SHEET, b'<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r=')


def with_dtd(rows: list[list[object]]) -> bytes:
    """A workbook whose sheet declares an entity (a «billion laughs» seed)."""
    sheet = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    return replace_part(_workbook_bytes(rows), SHEET, sheet)


def bomb(rows: list[list[object]], *, megabytes: int = 120) -> bytes:
    """A workbook of a few hundred KB whose sheet inflates to ``megabytes`` MB of identical rows."""
    head = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData>')
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"

    def write(handle) -> None:
        handle.write(head)
        chunk = row * 1024  # ~1 MB
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write(b"</sheetData></worksheet>")

    return replace_part(_workbook_bytes(rows), SHEET, writer=write)
