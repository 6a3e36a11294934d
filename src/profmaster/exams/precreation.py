"""Precreation of attempts as a background job (RM-1 at scale): before the window opens the organiser — whoever
may manage the exam — queues a job that draws every examinee's paper in advance, with a progress bar; the exam
page and ``GET /api/v1/jobs/{id}`` follow it. The work is :func:`profmaster.exams.domain.precreate_attempts`;
this module is its job around it (as :mod:`profmaster.exams.importing` is for the bank import).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.jobs.domain import JobFailed, Progress, start_job
from profmaster.jobs.models import Job

from . import domain
from .models import Exam

KIND = "exams.precreate_attempts"


def start_precreation(exam: Exam, *, by: Any) -> Job:
    """Check that the exam can be drawn from and queue the precreation (audited as the job's start)."""
    domain.check_precreation(exam)
    return start_job(
        run_precreation, kind=KIND, by=by, championship=exam.championship, competency=exam.competency,
        title=_("Подготовка билетов экзамена «%(exam)s»") % {"exam": exam.title}, view_permission="exams.manage_exam",
        payload={"exam": exam.pk}, result_url=reverse("exams:exam_detail", args=[exam.pk]),
        result_label=_("К экзамену"))


def run_precreation(job: Job, progress: Progress) -> dict[str, Any]:
    """The job: draw the missing papers, report how many."""
    exam = Exam.objects.filter(pk=job.payload.get("exam")).select_related("championship").first()
    if exam is None:
        raise JobFailed(_("Экзамен удалён — билеты не подготовлены."))
    result = domain.precreate_attempts(exam, by=job.created_by, progress=progress)
    return precreation_report(result)


def precreation_report(result: domain.Precreated) -> dict[str, Any]:
    """The job's report: the counts, and a sentence for its page."""
    summary = ngettext("Подготовлен %(n)d билет", "Подготовлено %(n)d билетов", result.created) % {"n": result.created}
    summary += "; " + ngettext("уже был у %(n)d экзаменуемого", "уже был у %(n)d экзаменуемых",
                                result.existing) % {"n": result.existing}
    if result.exhausted:
        summary += "; " + ngettext("у %(n)d экзаменуемого попытки закончились",
                                    "у %(n)d экзаменуемых попытки закончились", result.exhausted) % {"n": result.exhausted}
    summary += "."
    return {"message": summary, "summary": summary, **result.as_dict()}


def latest_job(exam: Exam) -> Job | None:
    """The exam's last precreation job (the exam page shows its state)."""
    return Job.objects.filter(kind=KIND, payload__exam=exam.pk).order_by("-pk").first()
