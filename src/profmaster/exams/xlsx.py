"""Question banks as an xlsx sheet — one row per question (RM-1, item 1), for organisers whose banks
live in spreadsheets. Reading returns the same :class:`~profmaster.exams.interchange.ImportReport` as
Moodle XML and GIFT: good rows become questions, bad rows are listed with their row number and the
reason. Django-free.

Columns (the template from :func:`template` has them, with one example row per kind and a help sheet):

* **Категория**, **Вид** (``один``, ``несколько``, ``короткий``, ``число``, ``соответствие``,
  ``порядок``, ``анкета``, ``развёрнутый`` — or the code: ``single``, ``multiple``…), **Название**,
  **Текст вопроса**, **Баллы** (default 1), **Верные** (numbers of the right options: ``2`` or
  ``1; 3``; a weight in percent as ``1=50; 3=50``), **Допуск** (numeric), **Метки** (``a; b``),
  **Пояснение**, then **Вариант 1** … **Вариант 10**.
* What a *Вариант* cell holds depends on the kind: an option text (single, multiple); an accepted
  answer (short, all right unless *Верные* says otherwise); the value (numeric, with *Допуск*);
  ``основа -> ответ`` (matching; ``-> ответ`` alone is an extra answer); the items in the right order
  (ordering); ``текст || шкала=2; шкала2=1`` (questionnaire).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from profmaster.core import uploads

from .interchange import DEFAULT_CATEGORY, MAX_QUESTIONS, FormatError, ImportReport, ParsedOption, ParsedQuestion

OPTION_COLUMNS = 10
HEADERS = ["Категория", "Вид", "Название", "Текст вопроса", "Баллы", "Верные", "Допуск", "Метки", "Пояснение",
           *[f"Вариант {n}" for n in range(1, OPTION_COLUMNS + 1)]]
KIND_LABELS = {"single": "один", "multiple": "несколько", "short": "короткий", "numeric": "число",
               "matching": "соответствие", "ordering": "порядок", "questionnaire": "анкета",
               "essay": "развёрнутый"}
KINDS = {**{label: kind for kind, label in KIND_LABELS.items()}, **{kind: kind for kind in KIND_LABELS},
         "эссе": "essay", "один вариант": "single", "несколько вариантов": "multiple", "короткий ответ": "short",
         "числовой": "numeric", "анкетный": "questionnaire", "развёрнутый ответ": "essay"}
MAX_CELL = 20_000

EXAMPLES = [
    ["Основы", "один", "Темперирование", "При какой температуре темперируют тёмный шоколад?", 1, "2", "", "",
     "", "27 °C", "31 °C", "45 °C"],
    ["Основы", "несколько", "Разрыхлители", "Что из перечисленного — разрыхлители?", 2, "1; 3", "", "химия", "",
     "Сода", "Сахар", "Пекарский порошок"],
    ["Основы", "короткий", "Пирог", "Как называется пирог с яблоками из бисквитного теста?", 1, "", "", "", "",
     "Шарлотка", "Шарлотт"],
    ["Основы", "число", "Масса", "Сколько граммов в одном килограмме?", 1, "", 0, "", "", 1000],
    ["Технология", "соответствие", "Продукты", "Сопоставьте продукт и его основу.", 2, "", "", "", "",
     "Безе -> белок", "Ганаш -> шоколад", "-> дрожжи"],
    ["Технология", "порядок", "Бисквит", "Расположите шаги в правильном порядке.", 1, "", "", "", "",
     "Взбить яйца", "Добавить муку", "Выпекать"],
    ["Анкета", "анкета", "Интерес", "Нравится ли вам работать руками?", 0, "", "", "", "",
     "Да || интерес=2", "Нет || интерес=0"],
    ["Технология", "развёрнутый", "Опишите", "Опишите технологию приготовления заварного крема.", 5, "", "", "",
     "Проверяется экспертом"],
]

HELP = [
    ("Вид", "один, несколько, короткий, число, соответствие, порядок, анкета, развёрнутый"),
    ("Верные", "Номера верных вариантов: «2» или «1; 3». С долей в процентах: «1=50; 3=50». "
               "Для короткого ответа пусто — все варианты верные."),
    ("Вариант N", "Один вариант: текст варианта. Короткий ответ: допустимый ответ. Число: значение (с допуском "
                  "в колонке «Допуск»). Соответствие: «основа -> ответ», «-> ответ» — лишний ответ. "
                  "Порядок: элементы в верном порядке. Анкета: «текст || шкала=2; шкала2=1»."),
    ("Баллы", "Сколько баллов за вопрос; пусто — 1."),
    ("Метки", "Через точку с запятой."),
]


def template() -> bytes:
    """An xlsx with the headers, one example per kind and a help sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Вопросы"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in EXAMPLES:
        sheet.append(row)
    for index, width in enumerate((14, 13, 18, 50, 7, 10, 8, 12, 20, *([22] * OPTION_COLUMNS))):
        sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].width = width
    notes = workbook.create_sheet("Справка")
    notes.append(["Колонка", "Что писать"])
    for column, meaning in HELP:
        notes.append([column, meaning])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()[:MAX_CELL]


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", "").strip())
    except InvalidOperation:
        raise ValueError(f"{what}: «{_text(value)[:30]}» — не число") from None
    if not number.is_finite():
        raise ValueError(f"{what}: «{_text(value)[:30]}» — не число")
    return number


def _right(spec: str, count: int) -> dict[int, Decimal | None]:
    """«1; 3» → {1: None, 3: None} (equal shares); «1=50; 3=50» → {1: 0.5, 3: 0.5}."""
    result: dict[int, Decimal | None] = {}
    for part in re.split(r"[;,]", spec):
        part = part.strip()
        if not part:
            continue
        number, _eq, weight = part.partition("=")
        if not number.strip().isdigit():
            raise ValueError(f"«Верные»: «{part[:20]}» — ожидается номер варианта")
        n = int(number)
        if not 1 <= n <= count:
            raise ValueError(f"«Верные»: варианта {n} нет")
        result[n] = _decimal(weight, "«Верные»") / 100 if weight.strip() else None
    return result


def _share(rights: dict[int, Decimal | None], n: int, share: Decimal) -> Decimal:
    if n not in rights:
        return Decimal(0)
    weight = rights[n]
    return share if weight is None else weight


def _scales(spec: str) -> dict[str, Any]:
    scales: dict[str, Any] = {}
    for part in spec.split(";"):
        if not part.strip():
            continue
        name, eq, value = part.partition("=")
        if not eq or not name.strip():
            raise ValueError(f"шкала «{part.strip()[:30]}» — ожидается «шкала=число»")
        scales[name.strip()[:100]] = str(_decimal(value, "шкала"))
    return scales


def _question(cells: list[Any], number: int) -> ParsedQuestion:
    category, kind_label, name, text, points, right, tolerance, tags, feedback = (_text(v) for v in cells[:9])
    raw_options = cells[9:9 + OPTION_COLUMNS]
    options = [_text(v) for v in raw_options]
    while options and not options[-1]:
        options.pop()
    if "" in options:
        raise ValueError(f"пустой «Вариант {options.index('') + 1}» между заполненными")
    kind = KINDS.get(kind_label.lower())
    if kind is None:
        raise ValueError(f"вид «{kind_label[:30]}» — ожидается: {', '.join(KIND_LABELS.values())}")
    if not text:
        raise ValueError("нет текста вопроса")
    q = ParsedQuestion(kind=kind, name=(name or text)[:255], text=text, category=(category or DEFAULT_CATEGORY)[:200],
                       points=_decimal(points, "«Баллы»") if points else Decimal(1),
                       tags=[t.strip()[:100] for t in tags.split(";") if t.strip()][:20],
                       general_feedback=feedback, number=number)
    if q.points < 0:
        raise ValueError("«Баллы» не могут быть отрицательными")
    rights = _right(right, len(options))
    if kind in ("single", "multiple"):
        if not rights:
            raise ValueError("заполните «Верные» — номера верных вариантов")
        if kind == "single" and len(rights) > 1 and all(w is None for w in rights.values()):
            raise ValueError("у вопроса с одним вариантом — один номер в «Верные»")
        share = Decimal(1) / len(rights) if kind == "multiple" else Decimal(1)
        q.options = [ParsedOption(text, _share(rights, n, share)) for n, text in enumerate(options, start=1)]
        for option in q.options:
            option.fraction = option.fraction.quantize(Decimal("0.00001"))
    elif kind == "short":
        q.options = [ParsedOption(text, (rights.get(n) or Decimal(1)) if not rights or n in rights else Decimal(0))
                     for n, text in enumerate(options, start=1)]
    elif kind == "numeric":
        tol = abs(_decimal(tolerance, "«Допуск»")) if tolerance else Decimal(0)
        q.options = [ParsedOption(text, (rights.get(n) or Decimal(1)) if not rights or n in rights else Decimal(0),
                                  value=_decimal(raw, f"«Вариант {n}»"), tolerance=tol)
                     for n, (text, raw) in enumerate(zip(options, raw_options, strict=False), start=1)]
    elif kind == "matching":
        for n, text in enumerate(options, start=1):
            stem, arrow, answer = text.partition("->")
            if not arrow or not answer.strip():
                raise ValueError(f"«Вариант {n}»: для соответствия пишите «основа -> ответ»")
            if stem.strip():
                q.options.append(ParsedOption(stem.strip(), match=answer.strip()[:500]))
            else:
                q.distractors.append(answer.strip()[:500])
    elif kind == "ordering":
        q.options = [ParsedOption(text) for text in options]
    elif kind == "questionnaire":
        for n, text in enumerate(options, start=1):
            label, _bars, scales = text.partition("||")
            try:
                q.options.append(ParsedOption(label.strip(), scales=_scales(scales)))
            except ValueError as exc:
                raise ValueError(f"«Вариант {n}»: {exc}") from None
    return q


def parse_xlsx(data: bytes) -> ImportReport:
    """Read the first sheet; row numbers in the report are the sheet's own (the header is row 1)."""
    try:
        workbook = uploads.open_xlsx(data)
    except uploads.UploadRejected as exc:
        raise FormatError(str(exc)) from None
    try:
        rows = uploads.xlsx_rows(workbook.worksheets[0], columns=len(HEADERS))
        report = ImportReport()
        try:
            header = [_text(v) for v in next(rows, ())]
            if [h.lower() for h in header[:9]] != [h.lower() for h in HEADERS[:9]]:
                raise FormatError("первая строка должна содержать заголовки: " + ", ".join(HEADERS[:10]) + "…")
            for number, row in enumerate(rows, start=2):
                cells = [*row, *([None] * len(HEADERS))][:len(HEADERS)]
                if all(_text(v) == "" for v in cells):
                    continue
                if len(report.questions) + len(report.errors) >= MAX_QUESTIONS:
                    raise FormatError(f"больше {MAX_QUESTIONS} вопросов: разделите файл")
                try:
                    report.questions.append(_question(cells, number))
                except ValueError as exc:
                    report.errors.append((number, (_text(cells[2]) or _text(cells[3]))[:80] or f"Строка {number}",
                                          str(exc)))
        except uploads.UploadRejected as exc:
            raise FormatError(str(exc)) from None
    finally:
        workbook.close()
    return report


def sheet(rows: list[list[Any]], *, headers: list[str] | None = None) -> bytes:
    """An xlsx of the given rows under the headers (tests and the template use it)."""
    workbook = Workbook()
    ws = workbook.active
    ws.append(headers if headers is not None else HEADERS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
