"""xlsx export of results (X-5): exactly what the person may see (the visibility rule decides upstream)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from profmaster.core.spreadsheets import csv_bytes, safe_row

MEDALS_RU = {"gold": "золото", "silver": "серебро", "bronze": "бронза"}


def _number(total: Any) -> Any:
    """A total as a number cell (the results data carry it as text, "87.17")."""
    try:
        return Decimal(total)
    except (InvalidOperation, TypeError, ValueError):
        return total


def place_label(row: dict[str, Any]) -> int | str:
    """The place as printed (AW-3): the number from the results row, else why there is none."""
    if row.get("rank") is not None:
        return int(row["rank"])
    return "вне зачёта" if row.get("out_of_competition") else "не определено"


def results_csv(data: dict[str, Any] | None, *, title: str) -> bytes:
    """The same rows as :func:`results_xlsx`, as CSV for Excel (X-5)."""
    return csv_bytes(_Rows(data, title=title).rows)


def standings_csv(standings: list[dict[str, Any]], *, title: str) -> bytes:
    return csv_bytes(_Rows(None, title=title, standings=standings).rows)


class _Rows:
    """Collects the rows a sheet gets (``append``), so xlsx and CSV share one layout."""

    def __init__(self, data: dict[str, Any] | None, *, title: str,
                 standings: list[dict[str, Any]] | None = None) -> None:
        self.rows: list[list[Any]] = []
        if standings is not None:
            _standings_rows(self, standings, title=title)
        else:
            _results_rows(self, data, title=title)

    def append(self, row: list[Any]) -> None:
        self.rows.append(row)


def results_xlsx(data: dict[str, Any] | None, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Итоги"
    _results_rows(sheet, data, title=title)
    sheet.column_dimensions["B"].width = 50
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _results_rows(sheet: Any, data: dict[str, Any] | None, *, title: str) -> None:
    sheet.append(safe_row([title]))
    if data is None:
        sheet.append(["Итоги ещё не опубликованы."])
    elif data.get("invalid"):
        sheet.append(safe_row(["Итоги признаны недействительными.", data.get("invalid_reason", "")]))
    else:
        for group in data["groups"]:
            sheet.append([])
            sheet.append(safe_row([f"{group['stage']} — {group['age_category']}"]))
            sheet.append(["Место", "Команда", "Балл", "Медаль", "Номинация", "Выход в финал"])
            for row in group["rows"]:
                qualified = "" if row.get("qualified") is None else ("да" if row["qualified"] else "нет")
                sheet.append(safe_row([place_label(row), row["team"], _number(row["total"]),
                                       MEDALS_RU.get(row["medal"], ""), row.get("nomination", ""), qualified]))


def standings_xlsx(standings: list[dict[str, Any]], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Медальный зачёт"
    _standings_rows(sheet, standings, title=title)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _standings_rows(sheet: Any, standings: list[dict[str, Any]], *, title: str) -> None:
    sheet.append(safe_row([title]))
    sheet.append(["Кубок", "Организация", "Золото", "Серебро", "Бронза", "Всего"])
    for row in standings:
        sheet.append(safe_row([row["cup"] or "", row["organisation"], row["gold"], row["silver"], row["bronze"],
                               row["total"]]))
