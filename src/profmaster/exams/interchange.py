"""Question banks in the formats organisers already keep them in: Moodle XML and GIFT (import, with a
per-question error report) and Moodle XML (export). Django-free: the domain turns parsed questions
into stored ones.

Mapping to Moodle types: ``single``/``multiple`` ↔ multichoice (``single`` true/false; truefalse is
read as ``single``), ``short`` ↔ shortanswer, ``numeric`` ↔ numerical, ``matching`` ↔ matching,
``ordering`` ↔ ordering (the qtype_ordering plugin: answers in the right order), ``essay`` ↔ essay.
Moodle has no questionnaire type: it is exported as a multichoice with the tag
``profmaster-questionnaire`` and each option's scale values as JSON in the option's feedback, and read
back the same way. Question text is kept as plain text (HTML tags removed on import); one embedded
image per question is kept.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

QUESTIONNAIRE_TAG = "profmaster-questionnaire"
MAX_QUESTIONS = 5000
MAX_IMAGE_BYTES = 2 * 1024 * 1024
DEFAULT_CATEGORY = "По умолчанию"


@dataclass
class ParsedOption:
    text: str
    fraction: Decimal = Decimal(0)
    match: str = ""
    value: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    scales: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedQuestion:
    kind: str
    name: str
    text: str
    category: str = DEFAULT_CATEGORY
    points: Decimal = Decimal(1)
    options: list[ParsedOption] = field(default_factory=list)
    multiple_rule: str = "sum"
    ordering_rule: str = "positions"
    case_sensitive: bool = False
    distractors: list[str] = field(default_factory=list)
    general_feedback: str = ""
    tags: list[str] = field(default_factory=list)
    image: tuple[str, bytes] | None = None
    #: Position of the question in the imported file (for the error report).
    number: int = 0


@dataclass
class ImportReport:
    questions: list[ParsedQuestion] = field(default_factory=list)
    #: (number of the question in the file, its name, what is wrong)
    errors: list[tuple[int, str, str]] = field(default_factory=list)


class FormatError(ValueError):
    """The file as a whole cannot be read."""


_TAG = re.compile(r"<[^>]+>")


def plain(value: str | None) -> str:
    """HTML as plain text: tags removed, entities decoded, paragraphs as line breaks."""
    text = re.sub(r"(?i)<br\s*/?>|</p>", "\n", value or "")
    return html.unescape(_TAG.sub("", text)).strip()


def _decimal(value: str | None, default: Decimal = Decimal(0)) -> Decimal:
    if value is None or not value.strip():
        return default
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"«{value[:30]}» — не число") from None
    if not number.is_finite():
        raise ValueError(f"«{value[:30]}» — не число")
    return number


# --- Moodle XML: reading ------------------------------------------------------------------------------


def _text(element: ET.Element | None, path: str = "text") -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "") if found is not None else ""


def parse_moodle_xml(data: bytes) -> ImportReport:
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise FormatError("файл содержит DTD или сущности XML — такие файлы не принимаются")
    try:
        root = ET.fromstring(data)  # noqa: S314 - DOCTYPE/ENTITY refused above
    except ET.ParseError as exc:
        raise FormatError(f"это не XML: {exc}") from None
    if root.tag != "quiz":
        raise FormatError("это не файл вопросов Moodle (нет элемента <quiz>)")
    report = ImportReport()
    category = DEFAULT_CATEGORY
    number = 0
    for element in root.findall("question"):
        qtype = element.get("type", "")
        if qtype == "category":
            path = _text(element.find("category")).strip()
            category = path.rstrip("/").split("/")[-1].strip() or DEFAULT_CATEGORY
            continue
        number += 1
        name = plain(_text(element.find("name"))) or f"Вопрос {number}"
        if number > MAX_QUESTIONS:
            report.errors.append((number, name, f"в файле больше {MAX_QUESTIONS} вопросов"))
            break
        try:
            question = _moodle_question(element, qtype, name, category)
        except ValueError as exc:
            report.errors.append((number, name, str(exc)))
            continue
        question.number = number
        report.questions.append(question)
    return report


def _moodle_question(element: ET.Element, qtype: str, name: str, category: str) -> ParsedQuestion:
    text = plain(_text(element.find("questiontext")))
    if not text:
        raise ValueError("нет текста вопроса")
    points = _decimal(_text(element, "defaultgrade") if element.find("defaultgrade") is not None else None,
                      Decimal(1))
    tags = [plain(_text(t)) for t in element.findall("tags/tag")]
    q = ParsedQuestion(kind="", name=name[:255], text=text, category=category[:200], points=points,
                       general_feedback=plain(_text(element.find("generalfeedback"))), tags=tags)
    q.image = _image(element.find("questiontext"))
    answers = element.findall("answer")
    if qtype == "multichoice":
        single = (element.findtext("single") or "true").strip().lower() in {"true", "1"}
        questionnaire = QUESTIONNAIRE_TAG in tags
        q.kind = "questionnaire" if questionnaire else ("single" if single else "multiple")
        q.tags = [t for t in tags if t != QUESTIONNAIRE_TAG]
        for answer in answers:
            option = ParsedOption(plain(_text(answer)), _fraction(answer))
            if questionnaire:
                option.fraction = Decimal(0)
                option.scales = _scales(plain(_text(answer.find("feedback"))))
            q.options.append(option)
    elif qtype == "truefalse":
        q.kind = "single"
        for answer in answers:
            label = "Верно" if _text(answer).strip().lower() == "true" else "Неверно"
            q.options.append(ParsedOption(label, _fraction(answer)))
    elif qtype == "shortanswer":
        q.kind = "short"
        q.case_sensitive = (element.findtext("usecase") or "0").strip() == "1"
        q.options = [ParsedOption(plain(_text(a)), _fraction(a)) for a in answers]
    elif qtype == "numerical":
        q.kind = "numeric"
        for answer in answers:
            value = plain(_text(answer))
            q.options.append(ParsedOption(value, _fraction(answer), value=_decimal(value),
                                          tolerance=abs(_decimal(answer.findtext("tolerance")))))
    elif qtype == "matching":
        q.kind = "matching"
        for sub in element.findall("subquestion"):
            stem = plain(_text(sub))
            right = plain(_text(sub.find("answer")))
            if stem:
                q.options.append(ParsedOption(stem, match=right))
            elif right:
                q.distractors.append(right)
    elif qtype == "ordering":
        q.kind = "ordering"
        ranked = sorted(answers, key=lambda a: _decimal(a.get("fraction"), Decimal(0)))
        q.options = [ParsedOption(plain(_text(a))) for a in ranked]
    elif qtype == "essay":
        q.kind = "essay"
    else:
        raise ValueError(f"вид вопроса «{qtype}» не поддерживается")
    if q.kind in {"single", "multiple", "short", "numeric"} and any(abs(o.fraction) > 1 for o in q.options):
        raise ValueError("доля баллов варианта больше 100 %")
    return q


def _fraction(answer: ET.Element) -> Decimal:
    return _decimal(answer.get("fraction"), Decimal(0)) / 100


def _scales(feedback: str) -> dict[str, Any]:
    if not feedback:
        return {}
    try:
        value = json.loads(feedback)
    except json.JSONDecodeError:
        raise ValueError("шкалы анкеты записаны не в формате JSON") from None
    scales = value.get("scales", {}) if isinstance(value, dict) else {}
    if not isinstance(scales, dict) or not all(isinstance(v, int | float | str) for v in scales.values()):
        raise ValueError("шкалы анкеты записаны неверно")
    return {str(k): str(_decimal(str(v))) for k, v in scales.items()}


def _image(element: ET.Element | None) -> tuple[str, bytes] | None:
    if element is None:
        return None
    file = element.find("file")
    if file is None or not (file.text or "").strip():
        return None
    try:
        content = base64.b64decode(file.text or "", validate=False)
    except (binascii.Error, ValueError):
        raise ValueError("изображение повреждено") from None
    if len(content) > MAX_IMAGE_BYTES:
        raise ValueError("изображение больше 2 МБ")
    name = re.sub(r"[^\w.-]", "_", file.get("name", "image.png"))[:100] or "image.png"
    return name, content


# --- Moodle XML: writing ------------------------------------------------------------------------------


def _percent(fraction: Decimal) -> str:
    value = (fraction * 100).normalize()
    return format(value, "f")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        ET.SubElement(element, "text").text = text
    return element


def to_moodle_xml(questions: list[ParsedQuestion]) -> bytes:
    root = ET.Element("quiz")
    category = None
    for q in questions:
        if q.category != category:
            category = q.category
            cat = ET.SubElement(root, "question", {"type": "category"})
            _sub(cat, "category", f"$course$/top/{category}")
        qtype = {"single": "multichoice", "multiple": "multichoice", "questionnaire": "multichoice",
                 "short": "shortanswer", "numeric": "numerical", "matching": "matching", "ordering": "ordering",
                 "essay": "essay"}[q.kind]
        element = ET.SubElement(root, "question", {"type": qtype})
        _sub(element, "name", q.name)
        text = _sub(element, "questiontext", q.text, format="plain_text")
        if q.image:
            file = ET.SubElement(text, "file", {"name": q.image[0], "path": "/", "encoding": "base64"})
            file.text = base64.b64encode(q.image[1]).decode()
        _sub(element, "generalfeedback", q.general_feedback, format="plain_text")
        ET.SubElement(element, "defaultgrade").text = format(q.points.normalize(), "f")
        if q.kind in {"single", "multiple", "questionnaire"}:
            ET.SubElement(element, "single").text = "false" if q.kind == "multiple" else "true"
            ET.SubElement(element, "shuffleanswers").text = "true"
            for o in q.options:
                answer = _sub(element, "answer", o.text, fraction=_percent(o.fraction), format="plain_text")
                if q.kind == "questionnaire":
                    _sub(answer, "feedback", json.dumps({"scales": o.scales}, ensure_ascii=False))
        elif q.kind == "short":
            ET.SubElement(element, "usecase").text = "1" if q.case_sensitive else "0"
            for o in q.options:
                _sub(element, "answer", o.text, fraction=_percent(o.fraction), format="plain_text")
        elif q.kind == "numeric":
            for o in q.options:
                answer = _sub(element, "answer", format(o.value.normalize(), "f") if o.value is not None else o.text,
                              fraction=_percent(o.fraction), format="plain_text")
                ET.SubElement(answer, "tolerance").text = format(o.tolerance.normalize(), "f")
        elif q.kind == "matching":
            for o in q.options:
                sub = _sub(element, "subquestion", o.text, format="plain_text")
                _sub(sub, "answer", o.match)
            for d in q.distractors:
                sub = _sub(element, "subquestion", "", format="plain_text")
                _sub(sub, "answer", d)
        elif q.kind == "ordering":
            for index, o in enumerate(q.options, start=1):
                _sub(element, "answer", o.text, fraction=str(index), format="plain_text")
        tags = list(q.tags) + ([QUESTIONNAIRE_TAG] if q.kind == "questionnaire" else [])
        if tags:
            tags_element = ET.SubElement(element, "tags")
            for tag in tags:
                _sub(tags_element, "tag", tag)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


# --- GIFT: reading --------------------------------------------------------------------------------------

_GIFT_ESCAPE = re.compile(r"\\([~=#{}:\\])")


def _unescape(text: str) -> str:
    return _GIFT_ESCAPE.sub(r"\1", text).strip()


def _split_unescaped(text: str, marks: str) -> list[tuple[str, str]]:
    """Split «=a ~b ~%50%c» into [(mark, body)] at unescaped marks."""
    parts: list[tuple[str, str]] = []
    mark, body, i = "", [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            body.append(text[i:i + 2])
            i += 2
            continue
        if ch in marks:
            if mark or "".join(body).strip():
                parts.append((mark, "".join(body)))
            mark, body = ch, []
        else:
            body.append(ch)
        i += 1
    if mark or "".join(body).strip():
        parts.append((mark, "".join(body)))
    return parts


def parse_gift(data: bytes) -> ImportReport:
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("файл GIFT должен быть в кодировке UTF-8") from None
    lines = [line for line in source.replace("\r\n", "\n").split("\n") if not line.lstrip().startswith("//")]
    report = ImportReport()
    category = DEFAULT_CATEGORY
    number = 0
    for block in re.split(r"\n\s*\n", "\n".join(lines)):
        block = block.strip()
        if not block:
            continue
        if block.startswith("$CATEGORY:"):
            category = block.split(":", 1)[1].strip().rstrip("/").split("/")[-1] or DEFAULT_CATEGORY
            continue
        number += 1
        name = f"Вопрос {number}"
        try:
            question = _gift_question(block, category, number)
        except ValueError as exc:
            report.errors.append((number, name, str(exc)))
            continue
        question.number = number
        report.questions.append(question)
    return report


def _gift_question(block: str, category: str, number: int) -> ParsedQuestion:
    name = f"Вопрос {number}"
    match = re.match(r"^::(.*?)::", block, re.S)
    if match:
        name = _unescape(match.group(1)) or name
        block = block[match.end():]
    open_at = block.find("{")
    close_at = block.rfind("}")
    if open_at < 0 or close_at < open_at:
        raise ValueError("нет блока ответов {…}")
    text = plain(_unescape((block[:open_at] + " " + block[close_at + 1:]).strip()))
    if text.startswith("[") and "]" in text:  # [html], [plain], [markdown]
        text = text.split("]", 1)[1].strip()
    body = block[open_at + 1:close_at].strip()
    q = ParsedQuestion(kind="", name=name[:255], text=text, category=category[:200])
    if not text:
        raise ValueError("нет текста вопроса")
    if body == "":
        q.kind = "essay"
        return q
    if body.upper() in {"T", "TRUE", "F", "FALSE"}:
        right = body.upper().startswith("T")
        q.kind = "single"
        q.options = [ParsedOption("Верно", Decimal(1) if right else Decimal(0)),
                     ParsedOption("Неверно", Decimal(0) if right else Decimal(1))]
        return q
    if body.startswith("#"):
        q.kind = "numeric"
        for mark, item in _split_unescaped(body[1:], "=~") or [("=", body[1:])]:
            item, fraction = _gift_weight(_strip_feedback(item), Decimal(1) if mark in {"=", ""} else Decimal(0))
            value, _, tolerance = item.partition(":")
            if ".." in value:
                low, high = (_decimal(v) for v in value.split("..", 1))
                q.options.append(ParsedOption(item, fraction, value=(low + high) / 2, tolerance=(high - low) / 2))
            else:
                q.options.append(ParsedOption(item, fraction, value=_decimal(value), tolerance=abs(_decimal(tolerance))))
        return q
    parts = _split_unescaped(body, "=~")
    if not parts or any(mark == "" for mark, _ in parts):
        raise ValueError("варианты ответа должны начинаться с = или ~")
    if all(mark == "=" for mark, _ in parts) and all("->" in item for _, item in parts):
        q.kind = "matching"
        for _mark, item in parts:
            stem, _arrow, answer = item.partition("->")
            if _unescape(stem):
                q.options.append(ParsedOption(_unescape(stem), match=_unescape(answer)))
            else:
                q.distractors.append(_unescape(answer))
        return q
    if all(mark == "=" for mark, _ in parts):
        q.kind = "short"
        for _, item in parts:
            item, fraction = _gift_weight(_strip_feedback(item), Decimal(1))
            q.options.append(ParsedOption(item, fraction))
        return q
    weighted = [_gift_weight(_strip_feedback(item), Decimal(1) if mark == "=" else Decimal(0)) for mark, item in parts]
    q.kind = "multiple" if sum(1 for mark, _ in parts if mark == "=") == 0 else "single"
    q.options = [ParsedOption(text, fraction) for text, fraction in weighted]
    return q


def _strip_feedback(item: str) -> str:
    return re.split(r"(?<!\\)#", item, maxsplit=1)[0]


def _gift_weight(item: str, default: Decimal) -> tuple[str, Decimal]:
    item = item.strip()
    match = re.match(r"^%(-?\d+(?:[.,]\d+)?)%", item)
    if match:
        return _unescape(item[match.end():]), _decimal(match.group(1)) / 100
    return _unescape(item), default
