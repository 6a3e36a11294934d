"""Question banks in the formats organisers already keep them in: Moodle XML and GIFT (import, with a
per-question error report) and Moodle XML (export). Django-free: the domain turns parsed questions
into stored ones.

Mapping to Moodle types: ``single``/``multiple`` ↔ multichoice (``single`` true/false; truefalse is
read as ``single``), ``short`` ↔ shortanswer, ``numeric`` ↔ numerical, ``matching`` ↔ matching,
``ordering`` ↔ ordering (the qtype_ordering plugin: answers in the right order), ``essay`` ↔ essay.
Moodle has no questionnaire type: it is exported as a multichoice with the tag
``profmaster-questionnaire`` and each option's scale values as JSON in the option's feedback, and read
back the same way. Question text is kept as plain text (HTML tags removed on import); embedded images
(``<file>`` referenced as ``@@PLUGINFILE@@/name``) are kept in the question text, the options and the
general feedback, and written back the same way on export.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import json
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from profmaster.core import uploads

QUESTIONNAIRE_TAG = "profmaster-questionnaire"
MAX_QUESTIONS = 20000
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
    #: Every embedded image: (place «text»/«option»/«feedback», option index, file name, bytes).
    images: list[tuple[str, int | None, str, bytes]] = field(default_factory=list)
    #: short: ``moodle`` for Moodle's wildcard comparison (scoring.ShortRule).
    short_rule: str = "normalised"
    hidden: bool = False
    #: What the import changed or left out of this question (rounding, files not kept…).
    notes: list[str] = field(default_factory=list)
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


#: Moodle's allowed answer grades (``question_bank::fraction_options_full``: 0, ±100 %, and ± these),
#: matched as Moodle's import does (``match_grade_options``, within 0.00001 of a fraction).
MOODLE_FRACTIONS = tuple(Decimal(v) for v in (
    "0.9", "0.8333333", "0.8", "0.75", "0.7", "0.6666667", "0.6", "0.5", "0.4", "0.3333333", "0.3", "0.25",
    "0.2", "0.1666667", "0.1428571", "0.125", "0.1111111", "0.1", "0.05"))
_ALLOWED = (Decimal(0), Decimal(1), Decimal(-1), *MOODLE_FRACTIONS, *(-f for f in MOODLE_FRACTIONS))
ALLOWED_PERCENTS = ", ".join(format((f * 100).quantize(Decimal("0.00001")).normalize(), "f")
                             for f in (Decimal(1), *MOODLE_FRACTIONS, Decimal(0)))
#: Kinds whose answers carry Moodle grades (ordering's «fraction» is a position).
_GRADED = {"single", "multiple", "short", "numeric"}
FRACTION_PLACES = Decimal("0.00001")
POINTS_PLACES = Decimal("0.01")
VALUE_PLACES = Decimal("0.000001")

#: Moodle question types the importer does not take, with the name Moodle shows for them.
UNSUPPORTED_TYPES = {
    "multianswer": "Вложенные ответы (Cloze)",
    "calculated": "Вычисляемый",
    "calculatedsimple": "Простой вычисляемый",
    "calculatedmulti": "Множественный вычисляемый",
    "ddimageortext": "Перетаскивание на изображение",
    "ddmarker": "Перетаскивание маркеров",
    "ddwtos": "Перетаскивание в текст",
    "gapselect": "Выбор пропущенных слов",
    "randomsamatch": "Случайный вопрос на соответствие",
    "random": "Случайный вопрос",
    "description": "Описание (не вопрос)",
}
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
MAX_IMAGE_PIXELS = 25_000_000


def category_path(text: str) -> str:
    """Moodle's ``$course$/top/Раздел/Подраздел`` as «Раздел / Подраздел» (``//`` is a slash inside a name;
    the context and Moodle 3.5+'s «top» are dropped)."""
    parts = [part.replace("\x00", "/").strip()
             for part in re.split(r"/", text.strip().replace("//", "\x00"))]
    parts = [p for p in parts if p]
    if parts and parts[0].startswith("$") and parts[0].endswith("$"):
        parts = parts[1:]
    if parts and parts[0] == "top":
        parts = parts[1:]
    return " / ".join(p[:80] for p in parts)[:200] or DEFAULT_CATEGORY


def parse_moodle_xml(data: bytes) -> ImportReport:
    try:
        root = uploads.parse_xml(data)
    except uploads.UploadRejected as exc:
        raise FormatError(str(exc)) from None
    if root.tag != "quiz":
        raise FormatError("это не файл вопросов Moodle (нет элемента <quiz>)")
    report = ImportReport()
    category = DEFAULT_CATEGORY
    number = 0
    for element in root.findall("question"):
        qtype = element.get("type", "")
        if qtype == "category":
            category = category_path(_text(element.find("category")))
            continue
        number += 1
        name = plain(_text(element.find("name"))) or f"Вопрос {number}"
        if number > MAX_QUESTIONS:
            report.errors.append((number, name, f"в файле больше {MAX_QUESTIONS} вопросов — разделите файл"))
            break
        try:
            question = _moodle_question(element, qtype, name, category)
        except ValueError as exc:
            report.errors.append((number, name, str(exc)))
            continue
        question.number = number
        report.questions.append(question)
    return report


def _number(element: ET.Element, tag: str, places: Decimal, notes: list[str], default: Decimal) -> Decimal:
    """A number Moodle wrote (``1.0000000``), rounded to what we store; a note when rounding changed it."""
    raw = element.findtext(tag)
    if raw is None or not raw.strip():
        return default
    try:
        value = _decimal(raw)
    except ValueError as exc:
        raise ValueError(f"поле «{tag}»: {exc}") from None
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    if rounded != value:
        notes.append(f"«{tag}» {raw.strip()} округлено до {format(rounded.normalize(), 'f')}")
    return rounded


def _moodle_question(element: ET.Element, qtype: str, name: str, category: str) -> ParsedQuestion:
    if qtype in UNSUPPORTED_TYPES:
        raise ValueError(f"вид вопроса «{qtype}» ({UNSUPPORTED_TYPES[qtype]}) не поддерживается — вопрос пропущен")
    notes: list[str] = []
    text_images = _images(element.find("questiontext"), "text", None, notes)
    text = plain(_with_tokens(_text(element.find("questiontext")), text_images, notes))
    if not text:
        raise ValueError("нет текста вопроса (поле «questiontext»)")
    points = _number(element, "defaultgrade", POINTS_PLACES, notes, Decimal(1))
    if points < 0:
        raise ValueError("поле «defaultgrade»: баллы не могут быть отрицательными")
    if points >= Decimal("100000"):
        raise ValueError("поле «defaultgrade»: больше 99999,99 баллов")
    _number(element, "penalty", FRACTION_PLACES, [], Decimal(0))  # accepted; a paper has one attempt per question
    tags = [plain(_text(t)) for t in element.findall("tags/tag")]
    feedback_images = _images(element.find("generalfeedback"), "feedback", None, notes)
    feedback = plain(_with_tokens(_text(element.find("generalfeedback")), feedback_images, notes))
    q = ParsedQuestion(kind="", name=name[:255], text=text, category=category, points=points,
                       general_feedback=feedback, tags=tags, notes=notes)
    q.hidden = (element.findtext("hidden") or "0").strip() == "1"
    if q.hidden:
        notes.append("вопрос скрыт в Moodle — загружен в архив")
    q.images.extend(image[:4] for image in text_images)
    q.images.extend(image[:4] for image in feedback_images)
    # the first image the text does not show inline is the question's own picture (shown under the text)
    loose = [image for image in text_images if f"{TOKEN_PREFIX}{image[2]}" not in text]
    q.image = (loose[0][2], loose[0][3]) if loose else None
    answers = element.findall("answer")
    if qtype == "multichoice":
        single = (element.findtext("single") or "true").strip().lower() in {"true", "1"}
        questionnaire = QUESTIONNAIRE_TAG in tags
        q.kind = "questionnaire" if questionnaire else ("single" if single else "multiple")
        q.tags = [t for t in tags if t != QUESTIONNAIRE_TAG]
        for index, answer in enumerate(answers):
            answer_images = _images(answer, "option", index, notes)
            option = ParsedOption(plain(_with_tokens(_text(answer), answer_images + text_images, notes)),
                                  _fraction(answer, index, q.kind, notes))
            if questionnaire:
                option.fraction = Decimal(0)
                option.scales = _scales(plain(_text(answer.find("feedback"))))
            q.options.append(option)
            q.images.extend(image[:4] for image in answer_images)
    elif qtype == "truefalse":
        q.kind = "single"
        for index, answer in enumerate(answers):
            label = "Верно" if _text(answer).strip().lower() == "true" else "Неверно"
            q.options.append(ParsedOption(label, _fraction(answer, index, q.kind, notes)))
    elif qtype == "shortanswer":
        q.kind = "short"
        q.short_rule = "moodle"
        q.case_sensitive = (element.findtext("usecase") or "0").strip() == "1"
        # Moodle compares with the answer as stored (its HTML is not rendered): keep the text itself
        q.options = [ParsedOption(html.unescape(_text(a)).strip(), _fraction(a, i, q.kind, notes))
                     for i, a in enumerate(answers)]
    elif qtype == "numerical":
        q.kind = "numeric"
        for index, answer in enumerate(answers):
            value = plain(_text(answer))
            if value == "*":
                raise ValueError(f"ответ {index + 1}: «*» (любое число) не поддерживается")
            try:
                number = _decimal(value).quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)
            except (ValueError, InvalidOperation):
                raise ValueError(f"ответ {index + 1}: «{value[:30]}» — не число") from None
            q.options.append(ParsedOption(value, _fraction(answer, index, q.kind, notes), value=number,
                                          tolerance=abs(_number(answer, "tolerance", VALUE_PLACES, notes, Decimal(0)))))
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
        raise ValueError(f"вид вопроса «{qtype}» не поддерживается — вопрос пропущен")
    return q


def _fraction(answer: ET.Element, index: int, kind: str, notes: list[str]) -> Decimal:
    """The answer's grade as a fraction, refused unless Moodle itself allows it."""
    raw = answer.get("fraction")
    try:
        percent = _decimal(raw, Decimal(0))
    except ValueError as exc:
        raise ValueError(f"ответ {index + 1}, поле «fraction»: {exc}") from None
    fraction = percent / 100
    if kind not in _GRADED:
        return fraction
    allowed = next((f for f in _ALLOWED if abs(fraction - f) < Decimal("0.00001")), None)
    if allowed is None:
        raise ValueError(f"ответ {index + 1}, поле «fraction»: оценка {raw} % не допускается Moodle; "
                         f"допустимы {ALLOWED_PERCENTS} и те же со знаком минус")
    stored = allowed.quantize(FRACTION_PLACES, rounding=ROUND_HALF_UP)
    if stored != allowed:
        notes.append(f"ответ {index + 1}: оценка {raw} % сохранена как "
                     f"{format((stored * 100).normalize(), 'f')} %")
    return stored


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


def check_image(name: str, content: bytes) -> str:
    """The file's real image type (``png``, ``jpg``…), or ValueError saying why it is not kept.
    Pillow reads the header and verifies the data; the name's extension is not trusted."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_IMAGE_BYTES:
        raise ValueError(f"изображение «{name}» больше 2 МБ")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = IMAGE_FORMATS.get(image.format or "")
            if kind is None:
                raise ValueError(f"файл «{name}» — не изображение PNG, JPEG, GIF или WebP")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValueError(f"изображение «{name}» больше {MAX_IMAGE_PIXELS // 1_000_000} мегапикселей")
            image.verify()
    except ValueError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, EOFError):
        raise ValueError(f"файл «{name}» — не изображение PNG, JPEG, GIF или WebP") from None
    return kind


#: How an embedded image is referenced in a stored text (see :mod:`profmaster.exams.images`).
TOKEN_PREFIX = "@@PLUGINFILE@@/"
_IMG = re.compile(r"""(?is)<img\b[^>]*?\bsrc\s*=\s*(["'])@@PLUGINFILE@@/([^"']+)\1[^>]*>""")


def _with_tokens(value: str, images: list[Any], notes: list[str]) -> str:
    """The HTML with each ``<img src="@@PLUGINFILE@@/…">`` replaced by the token of the image as stored
    (``@@PLUGINFILE@@/name``), so that the plain text keeps where the image stands."""
    stored = {image[4]: image[2] for image in images if len(image) > 4}

    def swap(match: re.Match[str]) -> str:
        original = urllib.parse.unquote(html.unescape(match.group(2))).split("?", 1)[0]
        name = stored.get(original)
        if name is None:
            notes.append(f"изображение «{original[:60]}» упомянуто в тексте, но не приложено к вопросу")
            return " "
        return f" {TOKEN_PREFIX}{name} "

    return _IMG.sub(swap, value or "")


def _images(element: ET.Element | None, place: str, option: int | None, notes: list[str]
            ) -> list[Any]:
    """The element's embedded files that are real images, as (place, option index, name, bytes, name in the
    file); anything else is left out with a note saying why."""
    if element is None:
        return []
    found = []
    for file in element.findall("file"):
        original = file.get("name", "image")
        name = re.sub(r"[^\w.-]", "_", original)[:100] or "image"
        try:
            content = base64.b64decode(re.sub(rb"\s+", b"", (file.text or "").encode()), validate=True)
        except (binascii.Error, ValueError):
            notes.append(f"файл «{name}» повреждён (не base64) — не сохранён")
            continue
        try:
            kind = check_image(name, content)
        except ValueError as exc:
            notes.append(f"{exc} — не сохранён")
            continue
        stem = name.rsplit(".", 1)[0] if "." in name else name
        found.append((place, option, f"{stem}.{kind}", content, original))
    return found


# --- Moodle XML: writing ------------------------------------------------------------------------------


def _percent(fraction: Decimal) -> str:
    value = (fraction * 100).normalize()
    return format(value, "f")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        ET.SubElement(element, "text").text = text
    return element


_TOKEN = re.compile(r" ?@@PLUGINFILE@@/([\w.-]+) ?")


def _html_with_images(text: str, names: set[str]) -> str:
    """A stored plain text as Moodle HTML: escaped, line breaks as ``<br>``, each token of an image written
    with the element as ``<img src="@@PLUGINFILE@@/name">`` (the name URL-encoded, as Moodle writes it).
    The space the importer puts on each side of a token is taken back, so a round trip keeps the text."""
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(html.escape(text[position:match.start()], quote=False))
        name = match.group(1)
        if name in names:
            parts.append(f'<img src="{TOKEN_PREFIX}{urllib.parse.quote(name)}" alt="{html.escape(name)}">')
        else:
            parts.append(html.escape(match.group(0), quote=False))
        position = match.end()
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts).replace("\r\n", "\n").replace("\n", "<br>")


def _text_with_files(parent: ET.Element, tag: str, text: str, files: list[tuple[str, bytes]],
                     loose: tuple[str, bytes] | None = None, **attrs: str) -> ET.Element:
    """``<tag format="html"><text>…<img src="@@PLUGINFILE@@/…">…</text><file …>base64</file></tag>`` when the
    element has images (``loose``: a picture no token places, written as a file only); plain text otherwise."""
    everything = [*files, *([loose] if loose else [])]
    if not files:
        element = _sub(parent, tag, text, format="plain_text", **attrs)
    else:
        element = _sub(parent, tag, _html_with_images(text, {name for name, _content in files}), format="html",
                       **attrs)
    for name, content in everything:
        file = ET.SubElement(element, "file", {"name": name, "path": "/", "encoding": "base64"})
        file.text = base64.b64encode(content).decode()
    return element


def to_moodle_xml(questions: list[ParsedQuestion]) -> bytes:
    """Moodle XML of the questions, with their embedded images written back as Moodle keeps them: each
    ``@@PLUGINFILE@@/name`` of a text as an ``<img>`` and the image itself as ``<file encoding="base64">`` in
    the same element (question text, answer or general feedback)."""
    root = ET.Element("quiz")
    category = None
    for q in questions:
        if q.category != category:
            category = q.category
            cat = ET.SubElement(root, "question", {"type": "category"})
            path = "/".join(part.replace("/", "//") for part in category.split(" / "))
            _sub(cat, "category", f"$course$/top/{path}")
        qtype = {"single": "multichoice", "multiple": "multichoice", "questionnaire": "multichoice",
                 "short": "shortanswer", "numeric": "numerical", "matching": "matching", "ordering": "ordering",
                 "essay": "essay"}[q.kind]
        element = ET.SubElement(root, "question", {"type": qtype})
        _sub(element, "name", q.name)
        images: dict[tuple[str, int | None], list[tuple[str, bytes]]] = {}
        for place, index, image_name, content in q.images:
            images.setdefault((place, index if place == "option" else None), []).append((image_name, content))
        _text_with_files(element, "questiontext", q.text, images.get(("text", None), []), loose=q.image)
        _text_with_files(element, "generalfeedback", q.general_feedback, images.get(("feedback", None), []))
        ET.SubElement(element, "defaultgrade").text = format(q.points.normalize(), "f")
        if q.kind in {"single", "multiple", "questionnaire"}:
            ET.SubElement(element, "single").text = "false" if q.kind == "multiple" else "true"
            ET.SubElement(element, "shuffleanswers").text = "true"
            for index, o in enumerate(q.options):
                answer = _text_with_files(element, "answer", o.text, images.get(("option", index), []),
                                          fraction=_percent(o.fraction))
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
            category = category_path(block.split(":", 1)[1])
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
