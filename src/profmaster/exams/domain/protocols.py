"""The theory stage's documents (RM-1: lists of participants; protocols): the results and the participant
list as plain data, and as signed generated documents (DOC-2)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.championships import timezones
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.numbers import format_number

from ..models import Admission, Attempt, Exam
from .exams import examinee_ids


def results_rows(exam: Exam) -> list[dict[str, Any]]:
    """The results of the theory stage as plain data (for the page, the protocol and the API)."""
    rows = []
    tz = timezones.zone_of(exam)  # the championship's wall clock, named in the protocol's header
    attempts = (Attempt.objects.filter(exam=exam).select_related("user")
                .order_by("user__last_name", "user__first_name", "number"))
    for attempt in attempts:
        rows.append({
            "ФИО": attempt.user.full_name,
            "Попытка": attempt.number,
            "Начата": timezone.localtime(attempt.started_at, tz).strftime("%d.%m.%Y %H:%M:%S"),
            "Завершена": (timezone.localtime(attempt.finished_at, tz).strftime("%d.%m.%Y %H:%M:%S")
                          if attempt.finished_at else "—"),
            "Баллы": format_number(attempt.score, 2, language="ru") if attempt.score is not None else "—",
            "Максимум": format_number(attempt.max_score, 2, language="ru"),
            "Итог": ("ждёт проверки" if attempt.needs_grading else
                     "сдал" if attempt.passed else "не сдал" if attempt.passed is False else "—"),
        })
    return rows


def _results_protocol_content(exam: Exam) -> tuple[str, dict[str, Any]]:
    if Attempt.objects.filter(exam=exam, status=Attempt.Status.IN_PROGRESS).exists():
        raise TransitionError(_("Протокол формируется, когда все попытки завершены."))
    data = {
        "text": _("Результаты теоретического этапа (онлайн-экзамен) «%(exam)s».") % {"exam": exam.title},
        "Экзамен": {"Название": exam.title, "Компетенция": str(exam.competency or "—"),
                    "Проходной балл": str(exam.pass_mark or "—"),
                    "Время указано по поясу": timezones.zone_label(timezones.zone_of(exam))},
        "Результаты": results_rows(exam),
    }
    return _("Протокол результатов теоретического этапа: %(exam)s") % {"exam": exam.title}, data


def _exam_of(document: Any) -> Exam:
    exam = Exam.objects.filter(pk=int((document.source or {}).get("exam") or 0),
                               championship_id=document.championship_id).first()
    if exam is None:
        raise DomainError(_("Экзамен этого документа не найден."))
    return exam


def results_protocol_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the theory stage's results protocol formed again from the attempts."""
    return _results_protocol_content(_exam_of(document))


def create_results_protocol(exam: Exam, *, by: Any, signers: Sequence[tuple[Any, str]]) -> Any:
    """The results protocol of the theory stage as a signed document (DOC-2)."""
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    title, data = _results_protocol_content(exam)
    kind = getattr(exam.stage, "kind", "remote")
    doc_type = DocumentType.FINAL_RESULTS if kind == "final" else DocumentType.REMOTE_RESULTS
    return create_generated_document(championship=exam.championship, competency=exam.competency, doc_type=doc_type,
                                     title=title, data=data, signers=signers, by=by,
                                     generator="exams.results_protocol", source={"exam": exam.pk})


def participant_rows(exam: Exam) -> list[dict[str, Any]]:
    """The participant list of the theory stage: everyone who may take the exam (participants and
    pupils of its championship, of its competency or of none) and everyone who has an attempt, with
    their admission and their attempt's state."""
    from profmaster.accounts.models import User

    ids = examinee_ids(exam)
    attempts: dict[int, Attempt] = {}
    for attempt in Attempt.objects.filter(exam=exam).order_by("number"):
        attempts[attempt.user_id] = attempt  # the last attempt
    ids |= set(attempts)
    admissions = {a.user_id: a for a in Admission.objects.filter(exam=exam).select_related("admitted_by")
                  .order_by("admitted_at")}
    rows = []
    tz = timezones.zone_of(exam)
    for number, user in enumerate(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"), 1):
        last: Attempt | None = attempts.get(user.pk)
        admission = admissions.get(user.pk)
        rows.append({
            "№": number,
            "ФИО": user.full_name,
            "Допуск": (f"{timezone.localtime(admission.admitted_at, tz):%d.%m.%Y %H:%M} "
                       f"({admission.admitted_by.full_name})"
                       if admission else ("не требуется" if not exam.requires_admission else "—")),
            "Начало": timezone.localtime(last.started_at, tz).strftime("%d.%m.%Y %H:%M:%S") if last else "—",
            "Статус": str(last.get_status_display()) if last else "не начинал(а)",
        })
    return rows


def _participant_list_content(exam: Exam) -> tuple[str, dict[str, Any]]:
    rows = participant_rows(exam)
    if not rows:
        raise DomainError(_("В списке нет ни одного участника."))
    data = {
        "text": _("Список участников теоретического этапа (онлайн-экзамен) «%(exam)s».") % {"exam": exam.title},
        "Экзамен": {"Название": exam.title, "Компетенция": str(exam.competency or "—")},
        "Участники": rows,
    }
    return _("Список участников теоретического этапа: %(exam)s") % {"exam": exam.title}, data


def participant_list_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the theory stage's participant list formed again from the admissions and attempts."""
    return _participant_list_content(_exam_of(document))


def create_participant_list(exam: Exam, *, by: Any, signers: Sequence[tuple[Any, str]]) -> Any:
    """The participant list of the theory stage as a signed document."""
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    title, data = _participant_list_content(exam)
    return create_generated_document(championship=exam.championship, competency=exam.competency,
                                     doc_type=DocumentType.OTHER, title=title, data=data, signers=signers, by=by,
                                     generator="exams.participant_list", source={"exam": exam.pk})
