"""xlsx export of results (X-5): exactly what the person may see (the visibility rule decides upstream)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from profmaster.core.spreadsheets import safe_row

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


def results_xlsx(data: dict[str, Any] | None, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Итоги"
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
    sheet.column_dimensions["B"].width = 50
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def standings_xlsx(standings: list[dict[str, Any]], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Медальный зачёт"
    sheet.append(safe_row([title]))
    sheet.append(["Кубок", "Организация", "Золото", "Серебро", "Бронза", "Всего"])
    for row in standings:
        sheet.append(safe_row([row["cup"] or "", row["organisation"], row["gold"], row["silver"], row["bronze"],
                               row["total"]]))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
