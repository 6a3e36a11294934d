"""Question-bank import as a background job (RM-1, X-5): the upload is checked and stored, the request
returns at once with the job's page, and the job reads the file and stores its questions with a progress
bar and a per-question report (imported / skipped and why, what was rounded, which types are unsupported).

The parsing and storing are :func:`profmaster.exams.domain.parse_questions` and
:func:`~profmaster.exams.domain.store_questions`; this module is their job around them.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.core import uploads
from profmaster.core.errors import DomainError
from profmaster.jobs.domain import JobFailed, Progress, read_upload, start_job
from profmaster.jobs.models import Job

from . import domain
from .models import QuestionBank

KIND = "exams.import_questions"
FORMATS = {"moodle_xml": "Moodle XML", "gift": "GIFT", "xlsx": "xlsx"}
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def check_upload(data: bytes, *, file_format: str) -> None:
    """What can be refused at once, before anything is queued: the format, the size, an empty file and an
    xlsx whose zip is broken or a bomb (its directory is read, nothing inflated)."""
    if file_format not in FORMATS:
        raise DomainError(_("Неизвестный формат файла."), field="file_format")
    if not data:
        raise DomainError(_("Файл пуст."), field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(_("Файл больше 10 МБ."), field="file")
    if file_format == "xlsx":
        try:
            uploads.check_xlsx(data)
        except uploads.UploadRejected as exc:
            raise DomainError(_("Файл не прочитан: %(why)s.") % {"why": exc}, field="file") from None


def start_import(bank: QuestionBank, data: bytes, *, file_format: str, file_name: str, by: Any) -> Job:
    """Check the upload and queue its import into the bank; the job's page follows it."""
    check_upload(data, file_format=file_format)
    return start_job(
        run_import, kind=KIND, by=by, championship=bank.championship, competency=bank.competency,
        title=_("Импорт вопросов в банк «%(bank)s»") % {"bank": bank.name}, view_permission="exams.manage_bank",
        payload={"bank": bank.pk, "file_format": file_format}, upload=(file_name or f"import.{file_format}", data),
        result_url=reverse("exams:bank_detail", args=[bank.pk]), result_label=_("К банку"))


def run_import(job: Job, progress: Progress) -> dict[str, Any]:
    """The job: read the file, store its questions, report on every one."""
    bank = QuestionBank.objects.filter(pk=job.payload.get("bank")).select_related("championship").first()
    if bank is None:
        raise JobFailed(_("Банк вопросов удалён — импорт не выполнен."))
    data = read_upload(job)
    progress(0, 1, _("Чтение файла…"))
    report = domain.parse_questions(data, file_format=job.payload.get("file_format", ""))
    result = domain.store_questions(bank, report, by=job.created_by, progress=progress)
    return import_report(result)


def import_report(result: domain.ImportResult) -> dict[str, Any]:
    """The job's report: counts, and a row per question of the file in file order."""
    rows = [row.as_dict() for row in result.rows]
    unsupported = [r["name"] for r in rows if not r["imported"] and "не поддерживается" in r["message"]]
    rounded = [r["name"] for r in rows if r["imported"] and "округлен" in r["message"]]
    skipped = len(result.errors)
    summary = ngettext("Загружен %(n)d вопрос", "Загружено %(n)d вопросов", result.created) % {"n": result.created}
    summary += ", " + ngettext("пропущен %(n)d", "пропущено %(n)d", skipped) % {"n": skipped} + "."
    return {"message": summary, "created": result.created, "skipped": skipped, "rows": rows,
            "unsupported": unsupported, "rounded": rounded,
            "errors": [{"number": n, "name": name, "message": message} for n, name, message in result.errors]}

