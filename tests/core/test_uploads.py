"""X-5 (issue 13 §6, first bullet): every uploaded XML and xlsx is read through profmaster.core.uploads —
defusedxml, zip-bomb guards before openpyxl opens the file, bounded rows/columns/cells/shared strings,
formulas never evaluated; each refusal says which limit was hit."""

from __future__ import annotations

import io
import time
import tracemalloc

import openpyxl.xml
import pytest
from openpyxl import Workbook

from profmaster.core import uploads

from . import hostile


@pytest.fixture(scope="module")
def bomb():
    return hostile.bomb([["a"]], megabytes=120)


def test_x5_openpyxl_parses_through_defusedxml():
    """openpyxl switches to defusedxml when it is installed: the guarantee :func:`open_xlsx` relies on."""
    from openpyxl.xml import functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert functions.iterparse.__module__ == "defusedxml.common" or "defused" in functions.iterparse.__module__


def test_x5_zip_bomb_refused_before_inflating(bomb):
    """A ~300 KB xlsx inflating to 120 MB is refused from the zip directory: fast, little memory."""
    assert len(bomb) < 400_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.open_xlsx(bomb)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert str(caught.value) == "часть «xl/worksheets/sheet1.xml» после распаковки больше 50.0 МБ"
    assert elapsed < 1.0
    assert peak < 5 * uploads.MB


def test_x5_compression_ratio_limit_named(bomb):
    limits = uploads.Limits(max_member_bytes=500 * uploads.MB, max_expanded_bytes=500 * uploads.MB)
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.check_xlsx(bomb, limits=limits)
    assert str(caught.value) == "часть «xl/worksheets/sheet1.xml» сжата более чем в 100 раз (похоже на zip-бомбу)"


def test_x5_total_expanded_size_limit_named(bomb):
    limits = uploads.Limits(max_member_bytes=500 * uploads.MB, max_ratio=10_000)
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.check_xlsx(bomb, limits=limits)
    assert str(caught.value) == "таблица после распаковки больше 100.0 МБ"


def test_x5_malformed_xml_inside_xlsx_is_a_message():
    with pytest.raises(uploads.UploadRejected) as caught:
        workbook = uploads.open_xlsx(hostile.malformed([["a", "b"]]))
        list(uploads.xlsx_rows(workbook.worksheets[0], columns=5))
    assert str(caught.value).startswith("XML внутри таблицы xlsx повреждён (")


def test_x5_entities_inside_xlsx_refused():
    with pytest.raises(uploads.UploadRejected) as caught:
        workbook = uploads.open_xlsx(hostile.with_dtd([["a"]]))
        list(uploads.xlsx_rows(workbook.worksheets[0], columns=5))
    assert str(caught.value) == "таблица содержит DTD или сущности XML — такие файлы не принимаются"


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_x5_row_and_cell_limits_named():
    data = _xlsx([[n, n] for n in range(30)])
    workbook = uploads.open_xlsx(data)
    with pytest.raises(uploads.UploadRejected) as caught:
        list(uploads.xlsx_rows(workbook.worksheets[0], columns=2, limits=uploads.Limits(max_rows=20)))
    assert str(caught.value) == "в листе «Sheet» больше 20 строк"
    with pytest.raises(uploads.UploadRejected) as caught:
        list(uploads.xlsx_rows(workbook.worksheets[0], columns=2, limits=uploads.Limits(max_cells=41)))
    assert str(caught.value) == "в листе «Sheet» больше 41 ячеек"


def test_x5_a_far_away_cell_does_not_make_a_million_rows():
    """One cell in row 1 048 576: openpyxl would yield a million empty rows; the row limit stops it."""
    workbook = Workbook()
    workbook.active["A1"] = "a"
    workbook.active["XFD1048576"] = "z"
    buffer = io.BytesIO()
    workbook.save(buffer)
    opened = uploads.open_xlsx(buffer.getvalue())
    started = time.perf_counter()
    with pytest.raises(uploads.UploadRejected) as caught:
        list(uploads.xlsx_rows(opened.worksheets[0], columns=14))
    assert str(caught.value) == "в листе «Sheet» больше 20000 строк"
    assert time.perf_counter() - started < 2


def test_x5_shared_strings_limit_named():
    strings = b"".join(b"<si><t>%d</t></si>" % n for n in range(50))
    data = hostile.replace_part(_xlsx([["a"]]), "xl/sharedStrings.xml", b'<sst count="50">' + strings + b"</sst>")
    assert uploads.check_xlsx(data) is None
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.check_xlsx(data, limits=uploads.Limits(max_shared_strings=49))
    assert str(caught.value) == "в таблице больше 49 разных строк"


def test_x5_formulas_are_not_evaluated():
    """A formula cell gives the value Excel cached (none, for a file written by openpyxl), never the
    formula's text and never a computed result."""
    workbook = uploads.open_xlsx(_xlsx([["=1+1", "=HYPERLINK(\"http://evil\",\"x\")", "текст"]]))
    assert list(uploads.xlsx_rows(workbook.worksheets[0], columns=3)) == [(None, None, "текст")]


@pytest.mark.parametrize(("data", "message"), [
    (b"not a zip", "это не таблица xlsx (файл не является zip-архивом)"),
    (b"PK\x03\x04broken", "это не таблица xlsx (файл не является zip-архивом)"),
])
def test_x5_not_a_zip(data, message):
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.open_xlsx(data)
    assert str(caught.value) == message


@pytest.mark.parametrize(("data", "message"), [
    (b"<quiz><question>", "это не XML или XML повреждён (no element found: line 1, column 16)"),
    (b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "b">]><quiz>&a;</quiz>',
     "файл содержит DTD, сущности или внешние ссылки XML — такие файлы не принимаются"),
    (b'<?xml version="1.0"?><!DOCTYPE q SYSTEM "http://evil/x.dtd"><quiz/>',
     "файл содержит DTD, сущности или внешние ссылки XML — такие файлы не принимаются"),
])
def test_x5_xml_through_defusedxml(data, message):
    with pytest.raises(uploads.UploadRejected) as caught:
        uploads.parse_xml(data)
    assert str(caught.value) == message
