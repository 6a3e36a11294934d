"""Pages of online exams (RM-1) and task hand-out (RM-2).

The panel keeps banks, sets exams up, proctors, grades and reads results; the examinee starts,
answers (autosaved through the API by ``static/exams/attempt.js``), finishes and reads the result.
Every page asks :mod:`profmaster.permissions`; every change goes through :mod:`.domain`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.championships import timezones
from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.core.views import form_page
from profmaster.jobs.domain import job_url
from profmaster.permissions import competency_filter, has_perm, require
from profmaster.support import domain as support

from . import domain, forms, images, importing, precreation, statistics, xlsx
from .models import Answer, Attempt, Exam, Question, QuestionBank, QuestionImage, TaskAccess, TaskHandout

SESSION_TOKENS = "exam_attempt_tokens"


def _crumbs(championship: Championship, *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Чемпионаты"), reverse("championships:list")),
            (championship.name, reverse("championships:detail", args=[championship.pk])),
            (_("Онлайн-экзамены"), reverse("exams:index", args=[championship.pk])), *more]


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _refuse(request: HttpRequest, exc: DomainError, back: str) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect(back)


# --- The championship's exams ------------------------------------------------------------------------


@login_required
def index(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "exams.view_exams", championship)
    scope = competency_filter(request.user, championship, Role.DIRECTORATE, Role.QUALITY_CONTROL, Role.CHIEF_EXPERT,
                              Role.EXPERT)
    wide = scope | Q(competency__isnull=True) if scope else scope
    return render(request, "exams/index.html", {
        "championship": championship,
        "banks": championship.question_banks.filter(wide).select_related("competency")
        .annotate(n=Count("questions")),
        "exams": championship.exams.filter(wide).select_related("competency", "stage")
        .annotate(n=Count("attempts")),
        "handouts": championship.task_handouts.filter(wide).select_related("competency"),
        "can_manage": has_perm(request.user, "exams.manage_exam", championship),
        "breadcrumbs": _crumbs(championship)[:-1] + [(_("Онлайн-экзамены"), None)],
    })


def _championship(request: HttpRequest, pk: int, perm: str | None = None) -> Championship:
    """The championship's exams area; with ``perm``, only for someone who holds it for the whole
    championship or for one of its competencies (the form then offers that competency)."""
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "exams.view_exams", championship)
    if perm and not has_perm(request.user, perm, championship) and not any(
            has_perm(request.user, perm, c) for c in championship.competencies.all()):
        raise PermissionDenied
    return championship


# --- Banks ---------------------------------------------------------------------------------------------


def _bank(request: HttpRequest, bank_pk: int) -> QuestionBank:
    bank = get_object_or_404(QuestionBank.objects.select_related("championship"), pk=bank_pk)
    require(request.user, "exams.manage_bank", bank)
    return bank


def _save_checked(request: HttpRequest, perm: str, instance: Any, save: Any) -> Any:
    """Check the permission on the object as filled in (its competency may have been chosen)."""
    if not has_perm(request.user, perm, instance):
        raise DomainError(_("У вас нет прав на объекты этой компетенции."), field="competency")
    return save()


@login_required
def bank_create(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship(request, pk, "exams.manage_bank")
    form = forms.BankForm(request.POST or None, championship=championship)
    from profmaster.audit.domain import save_audited

    return form_page(
        request, form=form, title=_("Новый банк вопросов"), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: _save_checked(request, "exams.manage_bank", f.instance,
                                         lambda: save_audited(f.instance, by=request.user)),
        success_url=lambda bank: reverse("exams:bank_detail", args=[bank.pk]),
        cancel_url=reverse("exams:index", args=[pk]))


@login_required
def bank_detail(request: HttpRequest, bank_pk: int) -> HttpResponse:
    bank = _bank(request, bank_pk)
    return render(request, "exams/bank.html", {
        "bank": bank, "championship": bank.championship,
        "categories": bank.categories.annotate(n=Count("questions")),
        "questions": bank.questions.select_related("category").prefetch_related("options"),
        "import_form": forms.ImportForm(), "import_jobs": _import_jobs(bank)[:3],
        "breadcrumbs": _crumbs(bank.championship, (bank.name, None)),
    })


@login_required
def category_create(request: HttpRequest, bank_pk: int) -> HttpResponse:
    bank = _bank(request, bank_pk)
    form = forms.CategoryForm(request.POST or None)
    form.instance.bank = bank
    from profmaster.audit.domain import save_audited

    return form_page(
        request, form=form, title=_("Новая категория"), breadcrumbs=_crumbs(bank.championship),
        on_valid=lambda f: save_audited(f.instance, by=request.user, championship=bank.championship),
        success_url=reverse("exams:bank_detail", args=[bank.pk]),
        cancel_url=reverse("exams:bank_detail", args=[bank.pk]))


def _question_form(request: HttpRequest, bank: QuestionBank, question: Question | None) -> HttpResponse:
    form = forms.QuestionForm(request.POST or None, request.FILES or None, instance=question, bank=bank)
    back = reverse("exams:bank_detail", args=[bank.pk])
    return form_page(
        request, form=form, title=_("Вопрос") if question else _("Новый вопрос"),
        breadcrumbs=_crumbs(bank.championship, (bank.name, back)),
        on_valid=lambda f: domain.save_question(f.instance, options=f.parsed_options, by=request.user),
        success_url=back, cancel_url=back)


@login_required
def question_create(request: HttpRequest, bank_pk: int) -> HttpResponse:
    return _question_form(request, _bank(request, bank_pk), None)


@login_required
def question_edit(request: HttpRequest, question_pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("bank__championship"), pk=question_pk)
    require(request.user, "exams.manage_bank", question.bank)
    return _question_form(request, question.bank, question)


@login_required
def question_image(request: HttpRequest, question_pk: int) -> FileResponse:
    question = get_object_or_404(Question.objects.select_related("bank__championship"), pk=question_pk)
    require(request.user, "exams.manage_bank", question.bank)
    return _image_response(question)


def _image_response(question: Question) -> FileResponse:
    if not question.image:
        raise Http404
    try:
        return FileResponse(question.image.open("rb"))
    except FileNotFoundError as exc:
        raise Http404 from exc


@login_required
def bank_import(request: HttpRequest, bank_pk: int) -> HttpResponse:
    """RM-1, X-5: the upload is checked and stored, the import runs as a background job; the page of the job
    shows its progress and the per-question report."""
    bank = _bank(request, bank_pk)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = importing.start_import(bank, upload.read(), file_format=form.cleaned_data["file_format"],
                                             file_name=upload.name or "", by=request.user)
            except DomainError as exc:
                form.add_error("file" if exc.field != "file_format" else "file_format", exc.message)
            else:
                return redirect(job_url(job))
    return render(request, "exams/import.html", {
        "bank": bank, "form": form, "jobs": _import_jobs(bank),
        "breadcrumbs": _crumbs(bank.championship, (bank.name, reverse("exams:bank_detail", args=[bank.pk])),
                               (_("Импорт"), None)),
    }, status=status)


def _import_jobs(bank: QuestionBank) -> list[Any]:
    from profmaster.jobs.models import Job

    return list(Job.objects.filter(kind=importing.KIND, payload__bank=bank.pk).select_related("created_by")[:10])


@login_required
def import_template(request: HttpRequest, bank_pk: int) -> HttpResponse:
    """The xlsx template for importing questions, with an example of every kind."""
    _bank(request, bank_pk)
    response = HttpResponse(xlsx.template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="questions-template.xlsx"'
    return response


@login_required
def bank_export(request: HttpRequest, bank_pk: int) -> HttpResponse:
    bank = _bank(request, bank_pk)
    data = domain.export_questions(bank.questions.select_related("category").prefetch_related("options", "images"))
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bank-{bank.pk}.xml"'
    return response


# --- Exams (panel) ------------------------------------------------------------------------------------


def _exam(request: HttpRequest, exam_pk: int, perm: str = "exams.view_results") -> Exam:
    exam = get_object_or_404(Exam.objects.select_related("championship", "competency", "stage", "bank"), pk=exam_pk)
    require(request.user, perm, exam)
    return exam


@login_required
def exam_create(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship(request, pk, "exams.manage_exam")
    form = forms.ExamForm(request.POST or None, championship=championship)
    return form_page(
        request, form=form, title=_("Новый экзамен"), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: _save_checked(request, "exams.manage_exam", f.instance,
                                         lambda: domain.save_exam(f.instance, by=request.user)),
        success_url=lambda exam: reverse("exams:exam_detail", args=[exam.pk]),
        cancel_url=reverse("exams:index", args=[pk]))


@login_required
def exam_edit(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.manage_exam")
    form = forms.ExamForm(request.POST or None, instance=exam, championship=exam.championship)
    back = reverse("exams:exam_detail", args=[exam.pk])
    return form_page(
        request, form=form, title=_("Изменить экзамен"), breadcrumbs=_crumbs(exam.championship, (exam.title, back)),
        on_valid=lambda f: _save_checked(request, "exams.manage_exam", f.instance,
                                         lambda: domain.save_exam(f.instance, by=request.user)),
        success_url=back, cancel_url=back)


@login_required
def exam_detail(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk)
    now = timezone.now()
    for attempt in exam.attempts.filter(status=Attempt.Status.IN_PROGRESS, accept_until__lte=now):
        domain.finish_if_overdue(attempt, now=now)
    attempts = exam.attempts.select_related("user").order_by("user__last_name", "number")
    admitted = set(exam.admissions.filter(used=False).values_list("user_id", flat=True))
    examinees = User.objects.filter(
        role_assignments__championship=exam.championship,
        role_assignments__role__in=[Role.PARTICIPANT, Role.PUPIL]).distinct().order_by("last_name", "first_name")
    can_manage = has_perm(request.user, "exams.manage_exam", exam)
    return render(request, "exams/exam.html", {
        "exam": exam, "championship": exam.championship, "attempts": attempts,
        "sections": exam.sections.select_related("category"),
        "overrides": exam.overrides.select_related("user"),
        "examinees": [(u, u.pk in admitted) for u in examinees] if exam.requires_admission else [],
        "can_manage": can_manage,
        "prepared": domain.prepared_count(exam) if can_manage else 0,
        "precreation_job": precreation.latest_job(exam) if can_manage else None,
        "can_proctor": has_perm(request.user, "exams.proctor", exam),
        "status_moves": {Exam.Status.DRAFT: [Exam.Status.PUBLISHED], Exam.Status.PUBLISHED: [
            Exam.Status.DRAFT, Exam.Status.ARCHIVED], Exam.Status.ARCHIVED: [Exam.Status.PUBLISHED]}[exam.status],
        "status_labels": dict(Exam.Status.choices),
        "breadcrumbs": _crumbs(exam.championship, (exam.title, None)),
    })


@login_required
@require_POST
def precreate(request: HttpRequest, exam_pk: int) -> HttpResponse:
    """RM-1 at scale: the organiser queues the drawing of every examinee's paper before the window opens."""
    exam = _exam(request, exam_pk, "exams.manage_exam")
    try:
        job = precreation.start_precreation(exam, by=request.user)
    except DomainError as exc:
        return _refuse(request, exc, reverse("exams:exam_detail", args=[exam.pk]))
    return redirect(job_url(job))


@login_required
@require_POST
def exam_status(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.manage_exam")
    back = reverse("exams:exam_detail", args=[exam.pk])
    try:
        domain.change_exam_status(exam, to=request.POST.get("to", "")[:20], by=request.user)
    except DomainError as exc:
        return _refuse(request, exc, back)
    messages.success(request, _("Статус экзамена изменён."))
    return redirect(back)


@login_required
def section_create(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.manage_exam")
    form = forms.SectionForm(request.POST or None, exam=exam)
    back = reverse("exams:exam_detail", args=[exam.pk])
    return form_page(request, form=form, title=_("Категория вопросов в экзамене"),
                     breadcrumbs=_crumbs(exam.championship, (exam.title, back)),
                     on_valid=lambda f: domain.save_section(f.instance, by=request.user),
                     success_url=back, cancel_url=back)


@login_required
def override_create(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.manage_exam")
    form = forms.OverrideForm(request.POST or None, exam=exam)
    back = reverse("exams:exam_detail", args=[exam.pk])
    return form_page(request, form=form, title=_("Индивидуальные условия"),
                     breadcrumbs=_crumbs(exam.championship, (exam.title, back)),
                     on_valid=lambda f: domain.save_override(f.instance, by=request.user,
                                                             reason=f.cleaned_data.get("reason", "")),
                     success_url=back, cancel_url=back)


@login_required
@require_POST
def admit(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.proctor")
    back = reverse("exams:exam_detail", args=[exam.pk]) + "#admission"
    user_id = request.POST.get("user", "")
    user = User.objects.filter(pk=int(user_id)).first() if user_id.isdigit() and len(user_id) < 18 else None
    if user is None or not has_perm(user, "exams.take_exam", exam):
        messages.error(request, _("Экзаменуемый не найден."))
        return redirect(back)
    domain.admit(exam, user, by=request.user, document_note=request.POST.get("document_note", "").replace("\x00", ""))
    messages.success(request, _("%(name)s допущен(а) к экзамену.") % {"name": user.full_name})
    return redirect(back)


@login_required
@require_POST
def unlock(request: HttpRequest, attempt_pk: int) -> HttpResponse:
    attempt = get_object_or_404(Attempt.objects.select_related("exam__championship"), pk=attempt_pk)
    require(request.user, "exams.proctor", attempt.exam)
    back = reverse("exams:exam_detail", args=[attempt.exam_id]) + "#attempts"
    try:
        domain.unlock_attempt(attempt, by=request.user, reason=request.POST.get("reason", "")[:500].replace("\x00", ""))
    except DomainError as exc:
        return _refuse(request, exc, back)
    messages.success(request, _("Попытка разблокирована: экзаменуемый может продолжить в другом браузере."))
    return redirect(back)


@login_required
def attempt_log(request: HttpRequest, attempt_pk: int) -> HttpResponse:
    attempt = get_object_or_404(Attempt.objects.select_related("exam__championship", "user"), pk=attempt_pk)
    require(request.user, "exams.view_results", attempt.exam)
    return render(request, "exams/attempt_log.html", {
        "attempt": attempt, "events": attempt.events.all(),
        "support_requests": support.requests_during(attempt.user, attempt.exam.championship, attempt.started_at,
                                                    attempt.finished_at),
        "breadcrumbs": _crumbs(attempt.exam.championship,
                               (attempt.exam.title, reverse("exams:exam_detail", args=[attempt.exam_id])),
                               (attempt.user.full_name, None)),
    })


@login_required
def results(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk)
    now = timezone.now()
    for attempt in exam.attempts.filter(status=Attempt.Status.IN_PROGRESS, accept_until__lte=now):
        domain.finish_if_overdue(attempt, now=now)
    preview = None
    if request.GET.get("regrade") == "preview" and has_perm(request.user, "exams.manage_exam", exam):
        preview = domain.regrade_exam(exam, by=request.user, dry_run=True)
    panel = (RoleAssignment.objects.filter(championship=exam.championship, competency=exam.competency,
                                           role__in=[Role.CHIEF_EXPERT, Role.EXPERT]).select_related("user")
             if exam.competency_id else RoleAssignment.objects.none())
    return render(request, "exams/results.html", {
        "exam": exam, "rows": domain.results_rows(exam), "preview": preview,
        "regrade_form": forms.RegradeForm(), "panel": panel,
        "can_manage": has_perm(request.user, "exams.manage_exam", exam),
        "breadcrumbs": _crumbs(exam.championship, (exam.title, reverse("exams:exam_detail", args=[exam.pk])),
                               (_("Результаты"), None)),
    })


@login_required
@require_POST
def regrade(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.manage_exam")
    back = reverse("exams:results", args=[exam.pk])
    form = forms.RegradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Укажите причину пересчёта."))
        return redirect(back + "?regrade=preview")
    try:
        changes = domain.regrade_exam(exam, by=request.user, dry_run=False, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _refuse(request, exc, back)
    messages.success(request, _("Пересчитано попыток: %(n)s.") % {"n": len(changes)})
    return redirect(back)


def _signers(request: HttpRequest, exam: Exam) -> list[tuple[Any, str]]:
    ids = [int(v) for v in request.POST.getlist("signers") if v.isdigit() and len(v) < 18]
    signers = [(a.user, a.get_role_display()) for a in RoleAssignment.objects.filter(
        championship=exam.championship, user_id__in=ids).select_related("user").order_by("role", "user__last_name")]
    unique: dict[int, tuple[Any, str]] = {}
    for user, label in signers:
        unique.setdefault(user.pk, (user, str(label)))
    return list(unique.values())


@login_required
@require_POST
def protocol(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.manage_exam")
    back = reverse("exams:results", args=[exam.pk])
    try:
        document = domain.create_results_protocol(exam, by=request.user, signers=_signers(request, exam))
    except DomainError as exc:
        return _refuse(request, exc, back)
    messages.success(request, _("Протокол сформирован и ждёт подписей."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_POST
def participant_list(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.manage_exam")
    back = reverse("exams:results", args=[exam.pk])
    try:
        document = domain.create_participant_list(exam, by=request.user, signers=_signers(request, exam))
    except DomainError as exc:
        return _refuse(request, exc, back)
    messages.success(request, _("Список участников сформирован и ждёт подписей."))
    return redirect("documents:detail", pk=document.pk)


@login_required
def grading(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk, "exams.grade")
    answers = (Answer.objects.filter(attempt__exam=exam, attempt__status=Attempt.Status.FINISHED,
                                     question__kind="essay")
               .select_related("question", "attempt__user", "graded_by").order_by("graded_at", "attempt_id"))
    return render(request, "exams/grading.html", {
        "exam": exam, "answers": answers,
        "breadcrumbs": _crumbs(exam.championship, (exam.title, reverse("exams:exam_detail", args=[exam.pk])),
                               (_("Ручная проверка"), None)),
    })


@login_required
@require_POST
def grade(request: HttpRequest, answer_pk: int) -> HttpResponse:
    answer = get_object_or_404(Answer.objects.select_related("attempt__exam__championship"), pk=answer_pk)
    exam = answer.attempt.exam
    require(request.user, "exams.grade", exam)
    back = reverse("exams:grading", args=[exam.pk])
    form = forms.GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Баллы — неотрицательное число с двумя знаками после запятой."))
        return redirect(back)
    try:
        domain.grade_answer(answer, points=form.cleaned_data["points"], by=request.user,
                            comment=form.cleaned_data["comment"].replace("\x00", ""))
    except DomainError as exc:
        return _refuse(request, exc, back)
    messages.success(request, _("Оценка сохранена."))
    return redirect(back)


@login_required
def exam_statistics(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = _exam(request, exam_pk)
    attempts = Attempt.objects.filter(exam=exam, status=Attempt.Status.FINISHED).prefetch_related("answers")
    questions = {q.pk: q for q in Question.objects.filter(bank=exam.bank)}
    data = []
    for attempt in attempts:
        earned = {a.question_id: a.points or Decimal(0) for a in attempt.answers.all()}
        data.append({item["question"]: (earned.get(item["question"], Decimal(0)), questions[item["question"]].points)
                     for item in attempt.paper if item["question"] in questions
                     and item["kind"] != "questionnaire"})
    stats = [(questions[s.question], s) for s in statistics.item_statistics(data)]
    chart = {"labels": [q.name[:40] for q, _ in stats],
             "facility": [float(s.facility) if s.facility is not None else None for _, s in stats],
             "discrimination": [float(s.discrimination) if s.discrimination is not None else None for _, s in stats],
             "distribution": {str(s.question): list(s.distribution) for _, s in stats},
             "buckets": [str(_("0 баллов")), str(_("меньше половины")), str(_("половина и больше")),
                         str(_("полный балл"))]}
    return render(request, "exams/statistics.html", {
        "exam": exam, "stats": stats, "chart": chart,
        "breadcrumbs": _crumbs(exam.championship, (exam.title, reverse("exams:exam_detail", args=[exam.pk])),
                               (_("Статистика вопросов"), None)),
    })


# --- The examinee -------------------------------------------------------------------------------------


def _tokens(request: HttpRequest) -> dict[str, str]:
    tokens = request.session.get(SESSION_TOKENS)
    return tokens if isinstance(tokens, dict) else {}


def _remember(request: HttpRequest, attempt: Attempt, token: str) -> None:
    tokens = _tokens(request)
    tokens[str(attempt.pk)] = token
    request.session[SESSION_TOKENS] = tokens


def my_exams(user: Any) -> list[tuple[Exam, Attempt | None]]:
    """Published exams the person may take, with their last attempt (for the cabinet)."""
    from profmaster.permissions import assignments

    championship_ids = {ch for role, ch, _ in assignments(user) if role in (Role.PARTICIPANT, Role.PUPIL) and ch}
    if not championship_ids:
        return []
    exams = [e for e in Exam.objects.filter(championship_id__in=championship_ids, status=Exam.Status.PUBLISHED)
             .select_related("championship", "competency") if has_perm(user, "exams.take_exam", e)]
    last = {a.exam_id: a for a in Attempt.objects.filter(user=user, exam__in=exams).order_by("number")}
    return [(e, last.get(e.pk)) for e in exams]


@login_required
def take(request: HttpRequest, exam_pk: int) -> HttpResponse:
    exam = get_object_or_404(Exam.objects.select_related("championship", "competency"), pk=exam_pk)
    require(request.user, "exams.take_exam", exam)
    if exam.status != Exam.Status.PUBLISHED:
        raise Http404
    form = forms.StartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        open_pk = (exam.attempts.filter(user=request.user, status=Attempt.Status.IN_PROGRESS)
                   .values_list("pk", flat=True).first())
        try:
            attempt, token = domain.start_attempt(
                exam, request.user, access_code=form.cleaned_data["access_code"], ip=_ip(request),
                token=_tokens(request).get(str(open_pk)) if open_pk else None)
        except DomainError as exc:
            form.add_error("access_code" if exc.field == "access_code" else None, exc.message)
        else:
            _remember(request, attempt, token)
            return redirect("exams:attempt", attempt_pk=attempt.pk)
    override = domain.override_for(exam, request.user)
    timing = domain.timing_of(exam, override, None, timezone.now())
    attempts = list(exam.attempts.filter(user=request.user).order_by("number"))
    return render(request, "exams/take.html", {
        "exam": exam, "form": form, "timing": timing, "attempts": attempts, "override": override,
        "attempts_left": domain.attempts_left(exam, request.user, override),
        "open_attempt": next((a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None),
        "admitted": exam.admissions.filter(user=request.user, used=False).exists(),
        "phase": timing.phase.value,
    }, status=400 if request.method == "POST" else 200)


def _attempt_of(request: HttpRequest, attempt_pk: int) -> Attempt:
    attempt = get_object_or_404(Attempt.objects.select_related("exam__championship", "exam__competency", "user"),
                                pk=attempt_pk)
    if attempt.user_id != request.user.pk:
        raise PermissionDenied
    return attempt


def _paper_view(attempt: Attempt) -> list[dict[str, Any]]:
    ids = [item["question"] for item in attempt.paper]
    questions = Question.objects.in_bulk(ids)
    options: dict[str, Any] = {}
    from .models import QuestionOption

    for option in QuestionOption.objects.filter(question_id__in=ids):
        options[str(option.pk)] = option
    answers = {a.question_id: a for a in attempt.answers.all()}
    rendered = images.render_questions(questions.values(), options.values())
    for option in options.values():
        option.html = rendered[option.question_id].options.get(option.pk, option.text)
    result = []
    for number, item in enumerate(attempt.paper, start=1):
        question = questions.get(item["question"])
        if question is None:
            continue
        answer = answers.get(question.pk)
        result.append({"number": number, "question": question, "kind": item["kind"], "text": rendered[question.pk].text,
                       "options": [options[o] for o in item["options"] if o in options],
                       "choices": item.get("choices", []), "answer": answer})
    return result


@login_required
def attempt_page(request: HttpRequest, attempt_pk: int) -> HttpResponse:
    attempt = _attempt_of(request, attempt_pk)
    attempt = domain.finish_if_overdue(attempt)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("exams:result", attempt_pk=attempt.pk)
    try:
        token = domain.claim_attempt(attempt, request.user, token=_tokens(request).get(str(attempt.pk)))
    except DomainError as exc:
        return render(request, "exams/locked.html", {"attempt": attempt, "message": exc.message}, status=409)
    _remember(request, attempt, token)
    paper = _paper_view(attempt)
    return render(request, "exams/attempt.html", {
        "attempt": attempt, "exam": attempt.exam, "paper": paper,
        "state": {
            "attempt": attempt.pk, "token": token, "server_now": timezone.now().isoformat(),
            "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
            "grace_seconds": attempt.exam.grace_seconds,
            "save_url": f"/api/v1/attempts/{attempt.pk}/answers",
            "event_url": f"/api/v1/attempts/{attempt.pk}/events",
            "reload_url": reverse("exams:attempt", args=[attempt.pk]),
            "answers": {str(i["question"].pk): {"response": i["answer"].response, "seq": i["answer"].seq}
                        for i in paper if i["answer"] is not None},
        },
    })


@login_required
def attempt_image(request: HttpRequest, attempt_pk: int, question_pk: int) -> FileResponse:
    attempt = get_object_or_404(Attempt.objects.select_related("exam__championship"), pk=attempt_pk)
    require(request.user, "exams.view_attempt", attempt)
    if question_pk not in {item["question"] for item in attempt.paper}:
        raise Http404
    return _image_response(get_object_or_404(Question, pk=question_pk))


@login_required
def embedded_image(request: HttpRequest, image_pk: int) -> FileResponse:
    """RM-1: an image embedded in a question (``@@PLUGINFILE@@``), to the bank's keepers and to the examinee of
    an attempt whose paper holds the question; to anyone else it does not exist."""
    image = get_object_or_404(QuestionImage.objects.select_related("question__bank__championship"), pk=image_pk)
    if not images.may_see_image(request.user, image):
        raise Http404
    try:
        response = FileResponse(image.file.open("rb"))
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def question_preview(request: HttpRequest, question_pk: int) -> HttpResponse:
    """The question as the examinee sees it (text, images, options), with the key, for the bank's keepers."""
    question = get_object_or_404(Question.objects.select_related("bank__championship", "category"), pk=question_pk)
    require(request.user, "exams.manage_bank", question.bank)
    options = list(question.options.all())
    rendered = images.render_questions([question], options)[question.pk]
    for option in options:
        option.html = rendered.options.get(option.pk, option.text)
    bank = question.bank
    return render(request, "exams/question_preview.html", {
        "question": question, "text": rendered.text, "options": options, "bank": bank,
        "breadcrumbs": _crumbs(bank.championship, (bank.name, reverse("exams:bank_detail", args=[bank.pk])),
                               (question.name, None)),
    })


@login_required
@require_POST
def finish(request: HttpRequest, attempt_pk: int) -> HttpResponse:
    attempt = _attempt_of(request, attempt_pk)
    attempt = domain.finish_if_overdue(attempt)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        try:
            if not domain._same(attempt.lock_token, _tokens(request).get(str(attempt.pk))):
                raise domain.AttemptLocked
            domain.finish_attempt(attempt, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("exams:attempt", attempt_pk=attempt.pk)
    return redirect("exams:result", attempt_pk=attempt.pk)


@login_required
def result(request: HttpRequest, attempt_pk: int) -> HttpResponse:
    attempt = get_object_or_404(Attempt.objects.select_related("exam__championship", "user"), pk=attempt_pk)
    require(request.user, "exams.view_attempt", attempt)
    attempt = domain.finish_if_overdue(attempt)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("exams:attempt", attempt_pk=attempt.pk)
    own = attempt.user_id == request.user.pk
    return render(request, "exams/result.html", {
        "attempt": attempt, "exam": attempt.exam,
        "show_score": attempt.exam.show_score or not own,
        "answered": attempt.answers.exclude(response=None).count(),
    })


# --- Task hand-out (RM-2) -----------------------------------------------------------------------------


@login_required
def handout_create(request: HttpRequest, pk: int) -> HttpResponse:
    championship = _championship(request, pk, "exams.manage_handout")
    form = forms.HandoutForm(request.POST or None, request.FILES or None, championship=championship)
    return form_page(
        request, form=form, title=_("Выдать задание"), breadcrumbs=_crumbs(championship),
        on_valid=lambda f: _save_checked(request, "exams.manage_handout", f.instance, lambda: domain.save_handout(
            f.instance, recipients=list(f.cleaned_data["recipients"]), by=request.user)),
        success_url=lambda h: reverse("exams:handout_detail", args=[h.pk]),
        cancel_url=reverse("exams:index", args=[pk]))


def _handout(request: HttpRequest, handout_pk: int) -> TaskHandout:
    return get_object_or_404(TaskHandout.objects.select_related("championship", "competency"), pk=handout_pk)


@login_required
def handout_detail(request: HttpRequest, handout_pk: int) -> HttpResponse:
    handout = _handout(request, handout_pk)
    require(request.user, "exams.manage_handout", handout)
    accesses = {a.user_id: a for a in TaskAccess.objects.filter(handout=handout)}
    rows = [(u, accesses.get(u.pk)) for u in handout.recipients.order_by("last_name", "first_name")]
    return render(request, "exams/handout.html", {
        "handout": handout, "rows": rows,
        "breadcrumbs": _crumbs(handout.championship, (handout.title, None)),
    })


@login_required
@require_POST
def handout_protocol(request: HttpRequest, handout_pk: int) -> HttpResponse:
    handout = _handout(request, handout_pk)
    require(request.user, "exams.manage_handout", handout)
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    accesses = {a.user_id: a for a in TaskAccess.objects.filter(handout=handout)}
    tz = timezones.zone_of(handout)  # publication and first access on the championship's clock
    rows = [{"ФИО": u.full_name, "Первый доступ": timezone.localtime(accesses[u.pk].first_opened_at, tz).strftime(
        "%d.%m.%Y %H:%M:%S") if u.pk in accesses else "не открывал(а)"}
            for u in handout.recipients.order_by("last_name", "first_name")]
    try:
        document = create_generated_document(
            generator="exams.handout_protocol", source={"handout": handout.pk},
            championship=handout.championship, competency=handout.competency, doc_type=DocumentType.OTHER,
            title=_("Протокол выдачи задания «%(title)s»") % {"title": handout.title}, by=request.user,
            data={"text": _("Задание опубликовано %(at)s; время первого доступа каждого участника — по серверу, "
                            "в том же поясе.")
                  % {"at": timezones.format_local(handout.publish_at, tz)}, "Участники": rows},
            signers=[(request.user, _("Составил(а)"))])
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("exams:handout_detail", handout_pk=handout.pk)
    return redirect("documents:detail", pk=document.pk)


@login_required
def handout_open(request: HttpRequest, handout_pk: int) -> HttpResponse:
    handout = _handout(request, handout_pk)
    require(request.user, "exams.view_handout", handout)
    try:
        access = domain.open_handout(handout, request.user, ip=_ip(request))
    except DomainError as exc:
        return render(request, "exams/handout_wait.html", {"handout": handout, "message": exc.message}, status=403)
    return render(request, "exams/handout_open.html", {"handout": handout, "access": access})


@login_required
def handout_file(request: HttpRequest, handout_pk: int) -> FileResponse:
    handout = _handout(request, handout_pk)
    if has_perm(request.user, "exams.manage_handout", handout):
        pass
    elif has_perm(request.user, "exams.view_handout", handout):
        try:
            domain.open_handout(handout, request.user, ip=_ip(request))
        except DomainError as exc:
            raise PermissionDenied from exc
    else:
        raise PermissionDenied
    if not handout.file:
        raise Http404
    try:
        return FileResponse(handout.file.open("rb"), as_attachment=True,
                            filename=handout.file.name.rsplit("/", 1)[-1])
    except FileNotFoundError as exc:
        raise Http404 from exc


def my_handouts(user: Any) -> list[TaskHandout]:
    return list(TaskHandout.objects.filter(recipients=user).select_related("championship")
                .order_by("-publish_at")[:20])

