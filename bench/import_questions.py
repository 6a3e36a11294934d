"""RM-1 (issue 13 §1): a 6,000-question Moodle 4.x bank imported as a background job.

Usage: `make bench-import` (SQLite in a throwaway file) or `DATABASE_URL=postgres://… make bench-import`;
BENCH_QUESTIONS (default 6000) questions. The bank is made from the real Moodle 4.x export of the tests
(tests/fixtures/moodle4_export.xml): its importable questions (multichoice with images in the text and in
an option, truefalse, short answers with wildcards, numerical, essay) repeated under new names in 60 nested
categories, with Moodle's verbose markup (seven-decimal grades, feedback blocks, CDATA HTML, base64 PNGs),
and after every 25th one of the types it cannot import (cloze, calculated, drag-and-drop) as Moodle writes
them, so the per-question report has skipped rows too.

Measured: the request part (``importing.start_import``: check and store the upload, queue the job) and the
job part (``jobs.domain.run_job``: parse, store with progress, write the report) separately, as a Celery
worker runs it; and the peak RSS of the process (the
worker's memory for this job) — measured as the high-water mark before and after the job.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
_tmp = tempfile.mkdtemp(prefix="profmaster-bench-import-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "profmaster.settings")
os.environ.setdefault("MEDIA_ROOT", f"{_tmp}/media")
os.environ.setdefault("STATIC_ROOT", f"{_tmp}/static")
Path(os.environ["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

QUESTIONS = int(os.environ.get("BENCH_QUESTIONS", "6000"))
FIXTURE = ROOT / "tests" / "fixtures" / "moodle4_export.xml"
SUPPORTED = {"multichoice", "truefalse", "shortanswer", "numerical", "essay", "matching", "ordering"}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def make_bank_xml(n: int) -> tuple[bytes, int]:
    """Moodle XML with ``n`` importable questions (and after every 25th an unsupported one); (bytes, unsupported)."""
    from profmaster.exams.interchange import parse_moodle_xml

    source = ET.fromstring(FIXTURE.read_bytes())  # noqa: S314  # our own fixture

    def imports(question: ET.Element) -> bool:  # the fixture also holds a question Moodle's grades refuse
        report = parse_moodle_xml(b"<quiz>" + ET.tostring(question, encoding="utf-8") + b"</quiz>")
        return len(report.questions) == 1 and not report.errors

    importable = [q for q in source.findall("question") if q.get("type") in SUPPORTED and imports(q)]
    unsupported = [q for q in source.findall("question") if q.get("type") not in SUPPORTED | {"category"}]
    root = ET.Element("quiz")
    skipped = 0
    per_category = max(n // 60, 1)
    for number in range(n):
        if number % per_category == 0:
            category = ET.SubElement(root, "question", {"type": "category"})
            section = number // per_category
            ET.SubElement(ET.SubElement(category, "category"), "text").text = (
                f"$course$/top/Кондитерское дело/Раздел {section // 10 + 1}/Тема {section + 1}")
        template = importable[number % len(importable)]
        question = ET.fromstring(ET.tostring(template))  # noqa: S314
        name = question.find("name/text")
        assert name is not None
        name.text = f"{name.text} №{number + 1}"
        root.append(question)
        if number % 25 == 24:
            root.append(ET.fromstring(ET.tostring(unsupported[skipped % len(unsupported)])))  # noqa: S314
            skipped += 1
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8"), skipped


def setup() -> tuple[object, object]:
    from profmaster.accounts.models import Role, RoleAssignment, User
    from profmaster.championships.models import Championship, Competency
    from profmaster.exams.models import QuestionBank

    chief = User.objects.create_user("bench-chief@profmaster.local", "bench", last_name="Главная", first_name="Бенч")
    championship = Championship.objects.create(name="Бенчмарк импорта", slug="bench-import", season="2023",
                                               starts_on=dt.date(2023, 2, 1), ends_on=dt.date(2023, 4, 30))
    competency = Competency.objects.create(championship=championship, name="Кондитерское дело", expert_count=4)
    RoleAssignment.objects.create(user=chief, role=Role.CHIEF_EXPERT, championship=championship,
                                  competency=competency)
    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Большой банк")
    return bank, chief


def main() -> None:
    # The file is made in a child process, so that this process's memory high-water mark is the import's.
    path = Path(_tmp) / "bank.xml"
    made = subprocess.run([sys.executable, __file__, "--generate", str(path)], check=True, capture_output=True,  # noqa: S603
                          text=True)
    unsupported = int(made.stdout.strip())
    data = path.read_bytes()
    call_command("migrate", verbosity=0, interactive=False)
    bank, chief = setup()
    from django.urls import reverse

    from profmaster.core import queue
    from profmaster.exams import importing
    from profmaster.exams.models import Question, QuestionImage
    from profmaster.jobs import domain as jobs

    reverse("exams:bank_detail", args=[bank.pk])  # a running server has its URLconf loaded already
    print(f"database: {connection.vendor}; file: {len(data) / 1024 / 1024:.1f} MB Moodle XML, {QUESTIONS} "
          f"importable questions + {unsupported} unsupported; RSS before: {current_rss_mb():.0f} MB "
          f"(high-water {peak_rss_mb():.0f} MB)")

    # The request: what the upload view does. The job is sent to the worker (here: recorded, run below).
    queued: list[int] = []
    real_send = queue.send
    queue.send = lambda task, *args: queued.append(args[0])  # type: ignore[assignment]
    started = time.perf_counter()
    job = importing.start_import(bank, data, file_format="moodle_xml", file_name="bank.xml", by=chief)
    request_s = time.perf_counter() - started
    queue.send = real_send  # type: ignore[assignment]
    assert queued == [job.pk], queued

    # The worker, as a Celery worker runs the job.
    rss_before_job = current_rss_mb()
    peak_before_job = peak_rss_mb()
    started = time.perf_counter()
    job = jobs.run_job(job.pk)
    job_s = time.perf_counter() - started
    assert job is not None
    job.refresh_from_db()
    peak = peak_rss_mb()
    created = Question.objects.filter(bank=bank).count()
    images = QuestionImage.objects.filter(question__bank=bank).count()
    print(f"request (check + store upload + queue): {request_s * 1000:.0f} ms")
    print(f"job: {job.status} «{job.message}» in {job_s:.1f} s → {created / job_s:.0f} questions/s; "
          f"{created} questions, {images} embedded images, report rows: {len(job.report.get('rows', []))}")
    print(f"peak RSS {peak:.0f} MB (before the job: RSS {rss_before_job:.0f} MB, high-water {peak_before_job:.0f} MB;"
          f" the job added ≤ {max(peak - peak_before_job, 0):.0f} MB to the high-water mark)")
    assert job.status == "done" and created == QUESTIONS, job.message


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        xml, skipped = make_bank_xml(QUESTIONS)
        Path(sys.argv[2]).write_bytes(xml)
        print(skipped)
    else:
        main()
