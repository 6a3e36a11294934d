"""HTTP API of online exams (RM-1), mounted under /api/v1/: banks, exams, attempts (start, save answer,
finish), results — through the same permissions and domain functions as the pages.

An attempt is private to its examinee and the panel: anyone else gets 404. Saving needs the attempt's
token (from the start), so a second client cannot write into an attempt held by another.
"""

# No `from __future__ import annotations`: ninja builds query models from these annotations at runtime.
# mypy: disable-error-code="valid-type"

import base64
import binascii
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from profmaster.accounts.models import User
from profmaster.api.pagination import LimitOffset
from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, asking_user, current_user, get_or_404, reference, references
from profmaster.api.types import Id
from profmaster.audit.domain import save_audited
from profmaster.championships.models import Championship, Competency, Stage
from profmaster.core.errors import AccessDenied, DomainError
from profmaster.jobs.api import JobOut, job_out
from profmaster.permissions import has_perm

from . import domain, importing, precreation
from .models import Answer, Attempt, Exam, ExamSection, Question, QuestionBank, QuestionCategory, QuestionOption
from .schemas import (
    AdmissionOut,
    AdmitIn,
    AttemptOut,
    BankIn,
    BankOut,
    EventIn,
    ExamIn,
    ExamOut,
    ExamResultRowOut,
    ExamStatusIn,
    FinishIn,
    GradeIn,
    GradingItemOut,
    ImportIn,
    ProtocolIn,
    ProtocolOut,
    QuestionOut,
    RegradeChangeOut,
    RegradeIn,
    SaveIn,
    SaveOut,
    SectionIn,
    SectionOut,
    StartIn,
    UnlockIn,
)

router = Router(tags=["Онлайн-экзамены"])

NO_CHAMPIONSHIP = "Чемпионат не найден."
NO_BANK = "Банк вопросов не найден."
NO_EXAM = "Экзамен не найден."
NO_ATTEMPT = "Попытка не найдена."


def _bank(request: HttpRequest, bank_id: int) -> QuestionBank:
    bank = get_or_404(QuestionBank.objects.select_related("championship"), bank_id, _(NO_BANK))
    if not has_perm(current_user(request), "exams.manage_bank", bank):
        raise NotFound(_(NO_BANK))
    return bank


def _exam(request: HttpRequest, exam_id: int) -> Exam:
    exam = get_or_404(Exam.objects.select_related("championship"), exam_id, _(NO_EXAM))
    user = current_user(request)
    if has_perm(user, "exams.view_results", exam):
        return exam
    if exam.status == Exam.Status.PUBLISHED and has_perm(user, "exams.take_exam", exam):
        return exam
    raise NotFound(_(NO_EXAM))


def _attempt(request: HttpRequest, attempt_id: int, user: Any = None) -> Attempt:
    attempt = get_or_404(Attempt.objects.select_related("exam__championship"), attempt_id, _(NO_ATTEMPT))
    if not has_perm(user or current_user(request), "exams.view_attempt", attempt):
        raise NotFound(_(NO_ATTEMPT))
    return attempt


def _bank_out(bank: QuestionBank, count: int) -> dict[str, Any]:
    return {"id": bank.pk, "championship_id": bank.championship_id, "competency_id": bank.competency_id,
            "name": bank.name, "description": bank.description, "questions": count}


def _exam_out(exam: Exam) -> dict[str, Any]:
    return {"id": exam.pk, "championship_id": exam.championship_id, "competency_id": exam.competency_id,
            "stage_id": exam.stage_id, "bank_id": exam.bank_id, "title": exam.title, "status": exam.status,
            "time_limit_minutes": exam.time_limit_minutes, "opens_at": exam.opens_at, "closes_at": exam.closes_at,
            "grace_seconds": exam.grace_seconds, "pass_mark": exam.pass_mark, "max_attempts": exam.max_attempts,
            "requires_admission": exam.requires_admission, "has_access_code": bool(exam.access_code)}


def _attempt_out(attempt: Attempt, *, token: str | None = None, with_paper: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": attempt.pk, "exam_id": attempt.exam_id, "user_id": attempt.user_id, "number": attempt.number,
        "status": attempt.status, "started_at": attempt.started_at, "deadline": attempt.deadline,
        "accept_until": attempt.accept_until, "finished_at": attempt.finished_at,
        "finished_by": attempt.finished_by, "server_time": timezone.now(),
        "score": attempt.score if attempt.status == Attempt.Status.FINISHED else None,
        "max_score": attempt.max_score, "needs_grading": attempt.needs_grading, "passed": attempt.passed,
        "token": token,
        "answers": [] if getattr(attempt, "_created_now", False) else [
            {"question_id": a.question_id, "response": a.response, "seq": a.seq, "saved_at": a.saved_at}
            for a in attempt.answers.order_by("question_id")],
    }
    if with_paper and attempt.status == Attempt.Status.IN_PROGRESS:
        ids = [item["question"] for item in attempt.paper]
        pool = domain.exam_pool(attempt.exam)  # cached: the same texts for every examinee
        if all(pk in pool["texts"] for pk in ids):
            question_texts, points, texts = pool["texts"], pool["points"], pool["option_texts"]
        else:  # a question archived since this paper was drawn
            questions = Question.objects.in_bulk(ids)
            question_texts = {pk: q.text for pk, q in questions.items()}
            points = {pk: q.points for pk, q in questions.items()}
            texts = {str(pk): text for pk, text in QuestionOption.objects.filter(question_id__in=ids)
                     .values_list("pk", "text")}
        data["paper"] = [{
            "question_id": item["question"], "kind": item["kind"], "text": question_texts[item["question"]],
            "points": points[item["question"]],
            "options": [{"id": o, "text": texts.get(o, "")} for o in item["options"]],
            "choices": item.get("choices", []),
        } for item in attempt.paper if item["question"] in question_texts]
    return data


# --- Banks ---------------------------------------------------------------------------------------------


@router.get("/championships/{championship_id}/question-banks", response={200: list[BankOut], **READ_ERRORS},
            url_name="exam_bank_list", summary="Банки вопросов чемпионата")
def bank_list(request: HttpRequest, championship_id: Id) -> Any:
    championship = get_or_404(Championship, championship_id, _(NO_CHAMPIONSHIP))
    user = current_user(request)
    if not has_perm(user, "exams.view_exams", championship):
        raise NotFound(_(NO_CHAMPIONSHIP))
    banks = championship.question_banks.annotate(n=Count("questions")).order_by("name", "pk")
    return [_bank_out(b, b.n) for b in banks if has_perm(user, "exams.manage_bank", b)]


@router.get("/question-banks/{bank_id}/questions", response={200: list[QuestionOut], **READ_ERRORS},
            url_name="exam_bank_questions", summary="Вопросы банка (с ключами)")
@paginate(LimitOffset)
def bank_questions(request: HttpRequest, bank_id: Id) -> Any:
    bank = _bank(request, bank_id)
    questions = bank.questions.select_related("category").prefetch_related("options").order_by("pk")
    return [{"id": q.pk, "category": q.category.name, "kind": q.kind, "name": q.name, "text": q.text,
             "points": q.points,
             "options": [{"id": o.pk, "text": o.text, "fraction": o.fraction, "match": o.match, "value": o.value,
                          "tolerance": o.tolerance, "scales": o.scales or {}} for o in q.options.all()]}
            for q in questions]


@router.post("/question-banks/{bank_id}/import", response={202: JobOut, **WRITE_ERRORS},
             url_name="exam_bank_import", summary="Импорт вопросов (Moodle XML, GIFT, xlsx) — фоновое задание")
def bank_import(request: HttpRequest, bank_id: Id, payload: ImportIn) -> Any:
    """Проверяет и сохраняет файл и ставит импорт в очередь; ответ — фоновое задание. Опрашивайте
    `GET /jobs/{id}`: когда `status` — `done`, в `report` по каждому вопросу сказано, загружен он или пропущен
    и почему (`rows`), и перечислены пропущенные (`errors`)."""
    bank = _bank(request, bank_id)
    if payload.file_format == "xlsx":
        try:
            data = base64.b64decode(payload.content, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(_("Файл xlsx передайте в base64."), field="content") from None
    else:
        data = payload.content.encode("utf-8", "surrogatepass")
    job = importing.start_import(bank, data, file_format=payload.file_format,
                                 file_name=f"import.{ {'moodle_xml': 'xml'}.get(payload.file_format, payload.file_format)}",
                                 by=current_user(request))
    job.refresh_from_db()  # eager Celery (embedded default) has already run it
    return Status(202, job_out(job))


# --- Exams ---------------------------------------------------------------------------------------------


@router.get("/championships/{championship_id}/exams", response={200: list[ExamOut], **READ_ERRORS},
            url_name="exam_list", summary="Экзамены чемпионата")
def exam_list(request: HttpRequest, championship_id: Id) -> Any:
    """Панели и дирекции — все экзамены своих компетенций; экзаменуемому — опубликованные экзамены, которые он может сдавать."""
    championship = get_or_404(Championship, championship_id, _(NO_CHAMPIONSHIP))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", championship):
        raise NotFound(_(NO_CHAMPIONSHIP))
    exams = championship.exams.order_by("opens_at", "pk")
    return [_exam_out(e) for e in exams if has_perm(user, "exams.view_results", e)
            or (e.status == Exam.Status.PUBLISHED and has_perm(user, "exams.take_exam", e))]


@router.get("/exams/{exam_id}", response={200: ExamOut, **READ_ERRORS}, url_name="exam_detail",
            summary="Экзамен")
def exam_detail(request: HttpRequest, exam_id: Id) -> Any:
    return _exam_out(_exam(request, exam_id))


@router.get("/exams/{exam_id}/results", response={200: list[ExamResultRowOut], **READ_ERRORS},
            url_name="exam_results", summary="Результаты экзамена")
def exam_results(request: HttpRequest, exam_id: Id) -> Any:
    exam = _exam(request, exam_id)
    if not has_perm(current_user(request), "exams.view_results", exam):
        raise AccessDenied(_("Результаты видят эксперты компетенции и дирекция."))
    now = timezone.now()
    for attempt in exam.attempts.filter(status=Attempt.Status.IN_PROGRESS, accept_until__lte=now):
        domain.finish_if_overdue(attempt, now=now)
    return [{"attempt_id": a.pk, "user_id": a.user_id, "name": a.user.full_name, "number": a.number,
             "status": a.status, "started_at": a.started_at, "finished_at": a.finished_at, "score": a.score,
             "max_score": a.max_score, "needs_grading": a.needs_grading, "passed": a.passed}
            for a in exam.attempts.select_related("user").order_by("user__last_name", "user__first_name", "number")]


# --- Attempts ------------------------------------------------------------------------------------------


@router.post("/exams/{exam_id}/attempts", response={201: AttemptOut, **WRITE_ERRORS}, url_name="attempt_start",
             summary="Начать (или продолжить) попытку")
def attempt_start(request: HttpRequest, exam_id: Id, payload: StartIn) -> Any:
    """Начинает попытку и выдаёт её билет и ключ (`token`). Если попытка уже идёт и не занята другим
    клиентом, она продолжается; занятая другим клиентом — отказ 403, пока проктор не разблокирует."""
    exam = _exam(request, exam_id)
    user = current_user(request)
    if not has_perm(user, "exams.take_exam", exam):
        raise AccessDenied(_("Этот экзамен сдают участники чемпионата."))
    attempt, token = domain.start_attempt(exam, user, access_code=payload.access_code,
                                          ip=request.META.get("REMOTE_ADDR"))
    return Status(201, _attempt_out(attempt, token=token, with_paper=True))


@router.get("/attempts/{attempt_id}", response={200: AttemptOut, **READ_ERRORS}, url_name="attempt_detail",
            summary="Попытка: состояние, время сервера, сохранённые ответы")
def attempt_detail(request: HttpRequest, attempt_id: Id) -> Any:
    attempt = domain.finish_if_overdue(_attempt(request, attempt_id))
    return _attempt_out(attempt)


@router.post("/attempts/{attempt_id}/answers", response={200: SaveOut, **WRITE_ERRORS}, url_name="attempt_save",
             summary="Сохранить ответ (идемпотентно)", auth=None)
def attempt_save(request: HttpRequest, attempt_id: Id, payload: SaveIn) -> Any:
    """Сохраняет ответ на вопрос. Право на сохранение даёт `token` попытки — его получает только браузер,
    открывший попытку от имени её участника, поэтому сессия и CSRF здесь не нужны. Повтор с тем же `seq`
    возвращает то же подтверждение (`replay: true`). После окончания времени (и короткого допуска для
    запросов в пути) — отказ 409 с кодом `closed`."""
    # The busiest route: the token is the authority, so no session or user is read on the way; only a refusal
    # looks at who is asking, to answer 404 to someone who may not see the attempt and 403 to its owner's
    # second browser.
    try:
        ack = domain.save_answer(attempt_id, None, question_id=payload.question_id, response=payload.response,
                                 seq=payload.seq, token=payload.token)
    except AccessDenied:
        _attempt(request, attempt_id, asking_user(request))
        raise
    return {"question_id": ack.question, "seq": ack.seq, "saved_at": ack.saved_at, "replay": ack.replay}


@router.post("/attempts/{attempt_id}/events", response={204: None, **WRITE_ERRORS}, url_name="attempt_event",
             summary="Сообщить о потере или возврате фокуса окна (support — ушёл в поддержку)")
def attempt_event(request: HttpRequest, attempt_id: Id, payload: EventIn) -> Any:
    attempt = _attempt(request, attempt_id)
    domain.log_focus(attempt, current_user(request), lost=payload.kind != "focus_back",
                     support=payload.kind == "support", token=payload.token)
    return Status(204, None)


@router.post("/attempts/{attempt_id}/finish", response={200: AttemptOut, **WRITE_ERRORS},
             url_name="attempt_finish", summary="Завершить попытку")
def attempt_finish(request: HttpRequest, attempt_id: Id, payload: FinishIn) -> Any:
    attempt = domain.finish_if_overdue(_attempt(request, attempt_id))
    user = current_user(request)
    if attempt.user_id != user.pk:
        raise AccessDenied(_("Это не ваша попытка."))
    if attempt.status == Attempt.Status.IN_PROGRESS:
        if not domain._same(attempt.lock_token, payload.token):
            raise domain.AttemptLocked
        attempt = domain.finish_attempt(attempt, by=user)
    return _attempt_out(attempt)


# --- Panel: banks, exam editing, proctoring, grading, protocols -------------------------------------------
# The same domain functions as the pages; permissions as on the pages: banks — the competency's panel and
# the Directorate; exams — the chief expert of the competency and the Directorate; proctoring and grading —
# the panel. Someone without a role in the championship gets 404, a role without the right 403.


def _need(request: HttpRequest, perm: str, obj: Any, message: str) -> Any:
    user = current_user(request)
    if not has_perm(user, perm, obj):
        raise AccessDenied(message)
    return user


def _exam_for(request: HttpRequest, exam_id: int, perm: str) -> Exam:
    exam = get_or_404(Exam.objects.select_related("championship", "competency"), exam_id, _(NO_EXAM))
    if not has_perm(current_user(request), "exams.view_exams", exam.championship):
        raise NotFound(_(NO_EXAM))
    _need(request, perm, exam, _("Недостаточно прав для этого действия с экзаменом."))
    return exam


@router.post("/championships/{championship_id}/question-banks", response={201: BankOut, **WRITE_ERRORS},
             url_name="exam_bank_create", summary="Создать банк вопросов")
def bank_create(request: HttpRequest, championship_id: Id, payload: BankIn) -> Any:
    """Банк чемпионата или одной компетенции. Эксперт компетенции создаёт банк своей компетенции."""
    championship = get_or_404(Championship, championship_id, _(NO_CHAMPIONSHIP))
    if not has_perm(current_user(request), "exams.view_exams", championship):
        raise NotFound(_(NO_CHAMPIONSHIP))
    competency = reference(Competency.objects.filter(championship=championship), payload.competency_id,
                           field="competency_id", message=_("Компетенция этого чемпионата не найдена."))
    bank = QuestionBank(championship=championship, competency=competency, name=payload.name,
                        description=payload.description)
    user = _need(request, "exams.manage_bank", bank, _("Банки вопросов ведут эксперты компетенции и дирекция."))
    if QuestionBank.objects.filter(championship=championship, name=payload.name).exists():
        raise DomainError(_("Банк с таким названием уже есть."), field="name")
    save_audited(bank, by=user)
    return Status(201, _bank_out(bank, 0))


def _fill_exam(exam: Exam, championship: Championship, payload: ExamIn) -> Exam:
    data = payload.dict()
    exam.bank = reference(QuestionBank.objects.filter(championship=championship), data.pop("bank_id"),
                          field="bank_id", message=_("Банк вопросов этого чемпионата не найден."))
    exam.competency = reference(Competency.objects.filter(championship=championship), data.pop("competency_id"),
                                field="competency_id", message=_("Компетенция этого чемпионата не найдена."))
    exam.stage = reference(Stage.objects.filter(championship=championship), data.pop("stage_id"),
                           field="stage_id", message=_("Этап этого чемпионата не найден."))
    if data["opens_at"] and data["closes_at"] and data["closes_at"] <= data["opens_at"]:
        raise DomainError(_("Экзамен должен закрываться позже открытия."), field="closes_at")
    for name, value in data.items():
        setattr(exam, name, value)
    return exam


@router.post("/championships/{championship_id}/exams", response={201: ExamOut, **WRITE_ERRORS},
             url_name="exam_create", summary="Создать экзамен")
def exam_create(request: HttpRequest, championship_id: Id, payload: ExamIn) -> Any:
    """Новый экзамен (черновик). Главный эксперт — экзамен своей компетенции, дирекция — любой."""
    championship = get_or_404(Championship, championship_id, _(NO_CHAMPIONSHIP))
    if not has_perm(current_user(request), "exams.view_exams", championship):
        raise NotFound(_(NO_CHAMPIONSHIP))
    exam = _fill_exam(Exam(championship=championship), championship, payload)
    user = _need(request, "exams.manage_exam", exam,
                 _("Экзамены ведут главный эксперт компетенции и дирекция."))
    domain.save_exam(exam, by=user)
    return Status(201, _exam_out(Exam.objects.get(pk=exam.pk)))


@router.put("/exams/{exam_id}", response={200: ExamOut, **WRITE_ERRORS}, url_name="exam_update",
            summary="Изменить экзамен")
def exam_update(request: HttpRequest, exam_id: Id, payload: ExamIn) -> Any:
    """Заменяет настройки экзамена. Пока идёт хотя бы одна попытка — отказ 409."""
    exam = _exam_for(request, exam_id, "exams.manage_exam")
    exam = _fill_exam(exam, exam.championship, payload)
    user = _need(request, "exams.manage_exam", exam,
                 _("Экзамены ведут главный эксперт компетенции и дирекция."))
    domain.save_exam(exam, by=user)
    return _exam_out(Exam.objects.get(pk=exam.pk))


@router.post("/exams/{exam_id}/status", response={200: ExamOut, **WRITE_ERRORS}, url_name="exam_status",
             summary="Опубликовать, вернуть в черновик или в архив")
def exam_status(request: HttpRequest, exam_id: Id, payload: ExamStatusIn) -> Any:
    exam = _exam_for(request, exam_id, "exams.manage_exam")
    return _exam_out(domain.change_exam_status(exam, to=payload.to, by=current_user(request), reason=payload.reason))


@router.post("/exams/{exam_id}/precreate", response={202: JobOut, **WRITE_ERRORS}, url_name="exam_precreate",
             summary="Подготовить билеты заранее — фоновое задание")
def exam_precreate(request: HttpRequest, exam_id: Id) -> Any:
    """До начала окна составляет билеты всех экзаменуемых (не начатые, никому не видны до старта), чтобы
    одновременный старт был одной быстрой записью. Повторный вызов подготовит только недостающие. Ответ —
    фоновое задание: опрашивайте `GET /jobs/{id}`; в `report` — `created`, `existing`, `exhausted`, `total`."""
    exam = _exam_for(request, exam_id, "exams.manage_exam")
    job = precreation.start_precreation(exam, by=current_user(request))
    job.refresh_from_db()  # eager Celery (embedded default) has already run it
    return Status(202, job_out(job))


@router.post("/exams/{exam_id}/sections", response={201: SectionOut, **WRITE_ERRORS}, url_name="exam_section_add",
             summary="Добавить категорию вопросов в экзамен")
def exam_section_add(request: HttpRequest, exam_id: Id, payload: SectionIn) -> Any:
    exam = _exam_for(request, exam_id, "exams.manage_exam")
    category = reference(QuestionCategory.objects.filter(bank=exam.bank_id), payload.category_id,
                         field="category_id", message=_("Категория банка этого экзамена не найдена."))
    if ExamSection.objects.filter(exam=exam, category=category).exists():
        raise DomainError(_("Эта категория уже есть в экзамене."), field="category_id")
    section = domain.save_section(ExamSection(exam=exam, category=category, count=payload.count,
                                              order=payload.order), by=current_user(request))
    return Status(201, {"id": section.pk, "category_id": section.category_id, "category": section.category.name,
                        "count": section.count, "order": section.order})


@router.post("/exams/{exam_id}/admissions", response={200: AdmissionOut, **WRITE_ERRORS}, url_name="exam_admit",
             summary="Допустить экзаменуемого (проктор проверил личность)")
def exam_admit(request: HttpRequest, exam_id: Id, payload: AdmitIn) -> Any:
    """Повторный допуск до начала попытки возвращает тот же допуск."""
    exam = _exam_for(request, exam_id, "exams.proctor")
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None or not has_perm(user, "exams.take_exam", exam):
        raise DomainError(_("Экзаменуемый не найден."), field="user_id")
    admission = domain.admit(exam, user, by=current_user(request), document_note=payload.document_note)
    return {"id": admission.pk, "exam_id": exam.pk, "user_id": user.pk, "admitted_by_id": admission.admitted_by_id,
            "admitted_at": admission.admitted_at, "document_note": admission.document_note, "used": admission.used}


@router.post("/attempts/{attempt_id}/unlock", response={200: AttemptOut, **WRITE_ERRORS}, url_name="attempt_unlock",
             summary="Разблокировать попытку для другого браузера (проктор)")
def attempt_unlock(request: HttpRequest, attempt_id: Id, payload: UnlockIn) -> Any:
    attempt = _attempt(request, attempt_id)
    user = _need(request, "exams.proctor", attempt.exam, _("Разблокирует попытку проктор (эксперт компетенции)."))
    return _attempt_out(domain.unlock_attempt(attempt, by=user, reason=payload.reason))


def _grading_out(answer: Answer) -> dict[str, Any]:
    return {"answer_id": answer.pk, "attempt_id": answer.attempt_id, "user_id": answer.attempt.user_id,
            "name": answer.attempt.user.full_name, "question_id": answer.question_id, "question": answer.question.name,
            "response": answer.response, "max_points": answer.question.points, "points": answer.points,
            "graded": answer.graded_by_id is not None, "comment": answer.comment}


@router.get("/exams/{exam_id}/grading", response={200: list[GradingItemOut], **READ_ERRORS},
            url_name="exam_grading_queue", summary="Очередь ручной проверки")
@paginate(LimitOffset)
def exam_grading_queue(request: HttpRequest, exam_id: Id, pending: bool = False) -> Any:
    """Ответы завершённых попыток на вопросы, которые проверяются вручную; `pending=true` — только непроверенные."""
    exam = _exam_for(request, exam_id, "exams.grade")
    answers = (Answer.objects.filter(attempt__exam=exam, attempt__status=Attempt.Status.FINISHED,
                                     question__kind="essay")
               .select_related("question", "attempt__user").order_by("graded_at", "attempt_id", "pk"))
    if pending:
        answers = answers.filter(graded_by__isnull=True)
    return [_grading_out(a) for a in answers]


@router.post("/exam-answers/{answer_id}/grade", response={200: GradingItemOut, **WRITE_ERRORS},
             url_name="exam_answer_grade", summary="Оценить ответ вручную")
def exam_answer_grade(request: HttpRequest, answer_id: Id, payload: GradeIn) -> Any:
    answer = get_or_404(Answer.objects.select_related("attempt__exam__championship"), answer_id,
                        _("Ответ не найден."))
    exam = answer.attempt.exam
    if not has_perm(current_user(request), "exams.view_exams", exam.championship):
        raise NotFound(_("Ответ не найден."))
    user = _need(request, "exams.grade", exam, _("Оценивают эксперты компетенции и дирекция."))
    domain.grade_answer(answer, points=payload.points, by=user, comment=payload.comment)
    return _grading_out(Answer.objects.select_related("question", "attempt__user").get(pk=answer.pk))


@router.post("/exams/{exam_id}/regrade", response={200: list[RegradeChangeOut], **WRITE_ERRORS},
             url_name="exam_regrade", summary="Пересчёт после исправления ключа (сначала пробный)")
def exam_regrade(request: HttpRequest, exam_id: Id, payload: RegradeIn) -> Any:
    """С `dry_run: true` ничего не меняет и показывает, чьи баллы изменятся; иначе пересчитывает (нужна причина)."""
    exam = _exam_for(request, exam_id, "exams.manage_exam")
    changes = domain.regrade_exam(exam, by=current_user(request), dry_run=payload.dry_run, reason=payload.reason)
    return [{"attempt_id": c.attempt.pk, "user_id": c.attempt.user_id, "name": c.attempt.user.full_name,
             "old": c.old, "new": c.new} for c in changes]


def _signers(payload: ProtocolIn) -> list[tuple[Any, str]]:
    users = references(User.objects.all(), [s.user_id for s in payload.signers], field="signers",
                       message=_("Подписанты не найдены"))
    by_id = {u.pk: u for u in users}
    return [(by_id[s.user_id], s.role_label) for s in payload.signers]


@router.post("/exams/{exam_id}/results-protocol", response={201: ProtocolOut, **WRITE_ERRORS},
             url_name="exam_results_protocol", summary="Протокол результатов теоретического этапа (на подпись)")
def exam_results_protocol(request: HttpRequest, exam_id: Id, payload: ProtocolIn) -> Any:
    """Документ на электронную подпись; пока идёт хотя бы одна попытка — отказ 409."""
    exam = _exam_for(request, exam_id, "exams.manage_exam")
    document = domain.create_results_protocol(exam, by=current_user(request), signers=_signers(payload))
    return Status(201, {"document_id": document.pk, "title": document.title})


@router.post("/exams/{exam_id}/participant-list", response={201: ProtocolOut, **WRITE_ERRORS},
             url_name="exam_participant_list", summary="Список участников теоретического этапа (на подпись)")
def exam_participant_list(request: HttpRequest, exam_id: Id, payload: ProtocolIn) -> Any:
    exam = _exam_for(request, exam_id, "exams.manage_exam")
    document = domain.create_participant_list(exam, by=current_user(request), signers=_signers(payload))
    return Status(201, {"document_id": document.pk, "title": document.title})
