"""Uploaded XML and xlsx files, read safely (X-5): every upload of either kind goes through here.

* XML is parsed only by defusedxml (no DTDs, entities or external references; a malformed file is a
  clear message, never a 500).
* An xlsx is a zip of XML parts. Before openpyxl sees it, the zip's directory is checked: the number
  of members, each member's and all members' declared uncompressed size and their compression ratio
  (zipfile enforces the declared sizes while inflating, so a member cannot grow past what it
  declares). openpyxl itself parses through defusedxml whenever defusedxml is installed (its
  ``openpyxl.xml.DEFUSEDXML``; :func:`open_xlsx` refuses to run without it). The shared strings are
  counted before they are loaded, and :func:`xlsx_rows` bounds the rows, columns and cells read.
* Formulas are never evaluated: a workbook is read with ``data_only`` (the value Excel cached, or
  nothing).

Each refusal is an :class:`UploadRejected` whose message (Russian, for the person who uploaded the
file) names the limit that was hit. Django-free.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml import ElementTree as SafeET

MB = 1024 * 1024


class UploadRejected(ValueError):
    """The uploaded file cannot be read safely; the message says why, in Russian."""


@dataclass(frozen=True)
class Limits:
    #: XML files (Moodle XML banks).
    max_xml_bytes: int = 200 * MB
    #: xlsx: the zip's members.
    max_members: int = 200
    max_member_bytes: int = 50 * MB
    max_expanded_bytes: int = 100 * MB
    #: Inflated ÷ compressed size above which a member (bigger than ``ratio_floor_bytes``) is a bomb.
    max_ratio: int = 100
    ratio_floor_bytes: int = 1 * MB
    #: xlsx: what is read from a sheet.
    max_rows: int = 20_000
    max_columns: int = 100
    max_cells: int = 500_000
    max_shared_strings: int = 200_000


LIMITS = Limits()


def _size(value: int) -> str:
    return f"{value / MB:.1f} МБ" if value >= MB else f"{value} байт"


def parse_xml(data: bytes, *, limits: Limits = LIMITS) -> Element:
    """The root of an uploaded XML document, parsed by defusedxml."""
    if len(data) > limits.max_xml_bytes:
        raise UploadRejected(f"файл больше {_size(limits.max_xml_bytes)}")
    try:
        return SafeET.fromstring(data, forbid_dtd=True)  # type: ignore[no-any-return]
    except defusedxml.DefusedXmlException:
        raise UploadRejected("файл содержит DTD, сущности или внешние ссылки XML — такие файлы не принимаются") from None
    except ParseError as exc:
        raise UploadRejected(f"это не XML или XML повреждён ({exc})") from None


def check_xlsx(data: bytes, *, limits: Limits = LIMITS) -> None:
    """Refuse a zip bomb or a broken zip before anything is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRejected("это не таблица xlsx (файл не является zip-архивом)") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise UploadRejected(f"в архиве xlsx больше {limits.max_members} частей")
        total = 0
        for member in members:
            if member.file_size > limits.max_member_bytes:
                raise UploadRejected(f"часть «{member.filename[:60]}» после распаковки больше "
                                     f"{_size(limits.max_member_bytes)}")
            if (member.file_size > limits.ratio_floor_bytes
                    and member.file_size > limits.max_ratio * max(member.compress_size, 1)):
                raise UploadRejected(f"часть «{member.filename[:60]}» сжата более чем в {limits.max_ratio} раз "
                                     "(похоже на zip-бомбу)")
            total += member.file_size
        if total > limits.max_expanded_bytes:
            raise UploadRejected(f"таблица после распаковки больше {_size(limits.max_expanded_bytes)}")
        for member in members:
            if member.filename.lower().endswith("sharedstrings.xml"):
                count = _count_shared_strings(archive, member)
                if count > limits.max_shared_strings:
                    raise UploadRejected(f"в таблице больше {limits.max_shared_strings} разных строк")


def _count_shared_strings(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Occurrences of ``<si>``, counted while streaming the inflated part in chunks."""
    count = 0
    tail = b""
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(1 * MB):
                # the 3 bytes kept from the last chunk cannot hold a whole 4-byte tag: nothing is counted twice
                window = tail + chunk
                count += window.count(b"<si>") + window.count(b"<si ")
                tail = window[-3:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise UploadRejected(f"архив xlsx повреждён ({exc.__class__.__name__})") from None
    return count


def open_xlsx(data: bytes, *, limits: Limits = LIMITS) -> Any:
    """A read-only openpyxl workbook (cached formula values only), after :func:`check_xlsx`."""
    import openpyxl.xml
    from openpyxl import load_workbook

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise RuntimeError("openpyxl must parse through defusedxml")
    check_xlsx(data, limits=limits)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UploadRejected(_broken(exc)) from None


def _broken(exc: BaseException) -> str:
    # openpyxl wraps what broke into its own ValueError: look at the whole chain
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, defusedxml.DefusedXmlException):
            return "таблица содержит DTD или сущности XML — такие файлы не принимаются"
        if isinstance(seen, ParseError):
            return f"XML внутри таблицы xlsx повреждён ({seen})"
        seen = seen.__cause__ or seen.__context__
    return f"это не таблица xlsx или она повреждена ({exc.__class__.__name__})"


def xlsx_rows(sheet: Any, *, columns: int, limits: Limits = LIMITS) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows (values), at most ``columns`` wide, within the row and cell limits.

    openpyxl pads each row to the width the sheet declares and yields missing rows as empty ones;
    asking for ``columns`` and counting every row yielded keeps both bounded."""
    width = min(columns, limits.max_columns)
    cells = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=width), start=1):
            if number > limits.max_rows:
                raise UploadRejected(f"в листе «{sheet.title}» больше {limits.max_rows} строк")
            cells += len(row)
            if cells > limits.max_cells:
                raise UploadRejected(f"в листе «{sheet.title}» больше {limits.max_cells} ячеек")
            yield row
    except UploadRejected:
        raise
    except Exception as exc:
        raise UploadRejected(_broken(exc)) from None
