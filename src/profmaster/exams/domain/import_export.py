"""Import and export of question banks (RM-1): a Moodle XML, GIFT or xlsx file read and stored question by
question with a report, and Moodle XML written back. The background job around the import is
:mod:`profmaster.exams.importing`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from profmaster.core.errors import DomainError

from ..models import Question, QuestionCategory
from .banks import OptionData, save_question


@dataclass
class ImportRow:
    """One question of the file in the import report."""

    number: int
    name: str
    imported: bool
    #: Why it was skipped, or what was changed or left out of it (rounding, files not kept).
    message: str = ""
    kind: str = ""
    category: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "imported": self.imported, "message": self.message,
                "kind": self.kind, "category": self.category}


@dataclass
class ImportResult:
    created: int
    #: (number in the file, question name, what is wrong) — the questions skipped
    errors: list[tuple[int, str, str]]
    #: Every question of the file, imported or skipped, in file order.
    rows: list[ImportRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "skipped": len(self.errors), "rows": [r.as_dict() for r in self.rows]}


def parse_questions(data: bytes, *, file_format: str) -> Any:
    """The file read into :class:`~profmaster.exams.interchange.ImportReport` (nothing stored yet)."""
    from .. import interchange, xlsx

    parse = {"moodle_xml": interchange.parse_moodle_xml, "gift": interchange.parse_gift,
             "xlsx": xlsx.parse_xlsx}.get(file_format)
    if parse is None:
        raise DomainError(_("Неизвестный формат файла."), field="file_format")
    try:
        return parse(data)
    except interchange.FormatError as exc:
        raise DomainError(_("Файл не прочитан: %(why)s.") % {"why": exc}, field="file") from exc


def _category(bank: Any, path: str, cache: dict[str, QuestionCategory]) -> QuestionCategory:
    """The category of that path («Раздел / Подраздел»), creating it and every category above it."""
    if path in cache:
        return cache[path]
    parent = None
    parts = path.split(QuestionCategory.PATH_SEPARATOR)
    for depth in range(1, len(parts) + 1):
        name = QuestionCategory.PATH_SEPARATOR.join(parts[:depth])
        category = cache.get(name)
        if category is None:
            category, created = QuestionCategory.objects.get_or_create(bank=bank, name=name,
                                                                       defaults={"parent": parent})
            if not created and category.parent_id is None and parent is not None:
                category.parent = parent
                category.save(update_fields=["parent"])
            cache[name] = category
        parent = category
    assert parent is not None
    return parent


def _messages(exc: DomainError | ValidationError) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if hasattr(exc, "error_dict"):
        labels = {f.name: str(f.verbose_name) for f in Question._meta.fields}
        return "; ".join(f"поле «{labels.get(name, name)}»: {' '.join(m.message % (m.params or {}) for m in errors)}"
                         for name, errors in exc.error_dict.items())
    return "; ".join(exc.messages)


def import_questions(bank: Any, data: bytes, *, file_format: str, by: Any,
                     progress: Callable[[int, int, str], None] | None = None) -> ImportResult:
    """Load questions from Moodle XML, GIFT or xlsx into a bank. Good questions are saved, bad ones are
    listed with the reason; the file as a whole is refused only when it cannot be read at all.
    ``progress(done, total, message)`` is called as questions are stored (the background job's bar)."""
    report = parse_questions(data, file_format=file_format)
    return store_questions(bank, report, by=by, progress=progress)


#: Questions stored per transaction by :func:`store_questions`.
STORE_CHUNK = 100


def store_questions(bank: Any, report: Any, *, by: Any,
                    progress: Callable[[int, int, str], None] | None = None) -> ImportResult:
    from django.core.files.base import ContentFile

    from ..models import QuestionImage

    rows = [ImportRow(number, name, False, message) for number, name, message in report.errors]
    errors = list(report.errors)
    created = 0
    total = len(report.questions)
    categories: dict[str, QuestionCategory] = {}
    # One transaction per STORE_CHUNK questions, a savepoint per question: a bad question is skipped alone,
    # and 6,000 questions cost 60 commits rather than 6,000 (on SQLite each commit is an fsync).
    for first in range(0, total, STORE_CHUNK):
        with transaction.atomic():
            for parsed in report.questions[first:first + STORE_CHUNK]:
                try:
                    with transaction.atomic():
                        category = _category(bank, parsed.category, categories)
                        question = Question(bank=bank, category=category, kind=parsed.kind, name=parsed.name,
                                            text=parsed.text, points=parsed.points, tags=parsed.tags,
                                            multiple_rule=parsed.multiple_rule, ordering_rule=parsed.ordering_rule,
                                            case_sensitive=parsed.case_sensitive, short_rule=parsed.short_rule,
                                            distractors=parsed.distractors, general_feedback=parsed.general_feedback,
                                            is_archived=parsed.hidden)
                        if parsed.image:
                            question.image.save(parsed.image[0], ContentFile(parsed.image[1]), save=False)
                        save_question(question, by=by, options=[
                            OptionData(o.text, o.fraction, o.match, o.value, o.tolerance, o.scales)
                            for o in parsed.options])
                        options = list(question.options.order_by("order", "pk"))
                        for order, (place, index, name, content) in enumerate(parsed.images):
                            if place == "text" and parsed.image and (name, content) == parsed.image:
                                continue  # the first image of the text is the question's own
                            option = options[index] if index is not None and index < len(options) else None
                            image = QuestionImage(question=question, place=place, name=name, order=order,
                                                  option=option)
                            if image.place == QuestionImage.Place.OPTION and image.option is None:
                                continue
                            image.file.save(name, ContentFile(content), save=False)
                            image.save()
                except (DomainError, ValidationError) as exc:
                    categories.clear()  # a category made in the rolled-back savepoint is gone
                    errors.append((parsed.number, parsed.name, _messages(exc)))
                    rows.append(ImportRow(parsed.number, parsed.name, False, _messages(exc), parsed.kind,
                                          parsed.category))
                else:
                    created += 1
                    rows.append(ImportRow(parsed.number, parsed.name, True, "; ".join(parsed.notes), parsed.kind,
                                          parsed.category))
        if progress is not None:  # after the commit: the job's page sees what is stored
            stored = min(first + STORE_CHUNK, total)
            progress(stored, total, report.questions[stored - 1].name)
    errors.sort(key=lambda e: e[0])
    rows.sort(key=lambda r: r.number)
    return ImportResult(created, errors, rows)


def export_questions(questions: Iterable[Question]) -> bytes:
    """Moodle XML of the questions, with their categories and images (the question's picture and every image
    embedded in its text, options and explanation, written back as ``@@PLUGINFILE@@`` files)."""
    from .. import interchange
    from ..models import QuestionImage

    parsed = []
    for q in questions:
        image = None
        if q.image:
            try:
                with q.image.open("rb") as handle:
                    image = (q.image.name.rsplit("/", 1)[-1], handle.read())
            except FileNotFoundError:
                image = None
        options = list(q.options.all())
        position = {o.pk: index for index, o in enumerate(options)}
        embedded: list[tuple[str, int | None, str, bytes]] = []
        for stored in q.images.all():
            try:
                with stored.file.open("rb") as handle:
                    content = handle.read()
            except FileNotFoundError:
                continue
            index = position.get(stored.option_id) if stored.option_id is not None else None
            if stored.place == QuestionImage.Place.OPTION and index is None:
                continue
            embedded.append((stored.place, index, stored.name, content))
        parsed.append(interchange.ParsedQuestion(
            kind=q.kind, name=q.name, text=q.text, category=q.category.name, points=q.points,
            options=[interchange.ParsedOption(o.text, o.fraction, o.match, o.value, o.tolerance, dict(o.scales or {}))
                     for o in options], images=embedded,
            multiple_rule=q.multiple_rule, ordering_rule=q.ordering_rule, case_sensitive=q.case_sensitive,
            distractors=list(q.distractors or []), general_feedback=q.general_feedback, tags=list(q.tags or []),
            image=image))
    return interchange.to_moodle_xml(parsed)
