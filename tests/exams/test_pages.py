"""RM-1 / RM-2 pages: the examinee's path, the panel's screens, and refusals shown as messages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profmaster.documents.models import Document
from profmaster.exams import domain
from profmaster.exams.models import Attempt, AttemptEvent, Exam, Question, QuestionBank, TaskAccess, TaskHandout

from .factories import right_answers
from .test_interchange import BANK_XML

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_rm1_examinee_starts_from_the_cabinet_answers_and_finishes(exam, examinee):
    client = client_for(examinee)
    cabinet = client.get("/cabinet/").content.decode()
    assert reverse("exams:take", args=[exam.pk]) in cabinet
    assert client.get(reverse("exams:take", args=[exam.pk])).status_code == 200
    response = client.post(reverse("exams:take", args=[exam.pk]), {})
    attempt = Attempt.objects.get()
    assert response["Location"] == reverse("exams:attempt", args=[attempt.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    state = page.context["state"]
    assert (state["attempt"], state["deadline"]) == (attempt.pk, attempt.deadline.isoformat())
    for question_id, answer in right_answers(exam).items():
        saved = client.post(state["save_url"], json.dumps({"question_id": question_id, "response": answer, "seq": 1,
                                                           "token": state["token"]}),
                            content_type="application/json", headers={"X-CSRFToken": "x"})
        assert saved.status_code == 200, saved.content
    # Reload resumes with the saved answers.
    reloaded = client.get(reverse("exams:attempt", args=[attempt.pk])).context["state"]
    assert len(reloaded["answers"]) == 8 and reloaded["token"] == state["token"]
    finished = client.post(reverse("exams:finish", args=[attempt.pk]))
    assert finished["Location"] == reverse("exams:result", args=[attempt.pk])
    result = client.get(finished["Location"]).content.decode()
    assert "10,00 из 15,00" in result
    assert client.get(reverse("exams:attempt", args=[attempt.pk]))["Location"] == reverse("exams:result",
                                                                                           args=[attempt.pk])


def test_rm1_second_browser_sees_a_clear_refusal(exam, examinee):
    first = client_for(examinee)
    first.post(reverse("exams:take", args=[exam.pk]), {})
    attempt = Attempt.objects.get()
    second = client_for(examinee)
    response = second.get(reverse("exams:attempt", args=[attempt.pk]))
    assert response.status_code == 409
    assert "Обратитесь к проктору" in response.content.decode()
    assert first.get(reverse("exams:attempt", args=[attempt.pk])).status_code == 200
    assert list(AttemptEvent.objects.values_list("kind", flat=True)) == ["start", "second_browser"]


def test_rm1_wrong_access_code_shown_on_the_form(championship, competency, chief_expert, examinee):
    from .factories import make_exam

    exam = make_exam(championship, competency, chief_expert, kinds=["single"], access_code="1234")
    response = client_for(examinee).post(reverse("exams:take", args=[exam.pk]), {"access_code": "0000"})
    assert response.status_code == 400
    assert "Неверный код доступа." in response.content.decode()
    assert Attempt.objects.count() == 0


def test_rm1_overdue_attempt_finishes_on_next_access(exam, examinee):
    client = client_for(examinee)
    client.post(reverse("exams:take", args=[exam.pk]), {})
    attempt = Attempt.objects.get()
    Attempt.objects.filter(pk=attempt.pk).update(accept_until=timezone.now() - dt.timedelta(seconds=1),
                                                 deadline=timezone.now() - dt.timedelta(seconds=31))
    response = client.get(reverse("exams:attempt", args=[attempt.pk]))
    assert response["Location"] == reverse("exams:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.status, attempt.finished_by) == ("finished", "deadline")


def test_rm1_panel_pages(exam, examinee, chief_expert, expert):
    attempt, token = domain.start_attempt(exam, examinee)
    essay = Question.objects.get(bank=exam.bank, kind="essay")
    domain.save_answer(attempt.pk, examinee, question_id=essay.pk, response="Моё эссе", seq=1, token=token)
    domain.finish_attempt(attempt, by=examinee)
    client = client_for(chief_expert)
    championship_page = client.get(reverse("championships:detail", args=[exam.championship_id])).content.decode()
    assert reverse("exams:index", args=[exam.championship_id]) in championship_page
    index = client.get(reverse("exams:index", args=[exam.championship_id])).content.decode()
    assert "Теоретический этап" in index and "Теория кондитера" in index
    detail = client.get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert examinee.full_name in detail
    log = client.get(reverse("exams:attempt_log", args=[attempt.pk])).content.decode()
    assert "Сохранение ответа" in log and "Завершение" in log
    grading = client.get(reverse("exams:grading", args=[exam.pk])).content.decode()
    assert "Моё эссе" in grading
    answer = attempt.answers.get(question=essay)
    bad = client.post(reverse("exams:grade", args=[answer.pk]), {"points": "99"}, follow=True)
    assert "Баллы — от 0 до 5.00." in bad.content.decode()
    client.post(reverse("exams:grade", args=[answer.pk]), {"points": "4"})
    attempt.refresh_from_db()
    assert attempt.score == D("4.00")
    stats = client.get(reverse("exams:statistics", args=[exam.pk]))
    assert stats.status_code == 200 and stats.context["chart"]["labels"]
    essay_counts = stats.context["chart"]["distribution"][str(essay.pk)]
    assert essay_counts == [0, 0, 1, 0]  # 4 of 5 points: more than half, not all
    assert stats.content.decode().count('class="item-distribution"') == len(stats.context["chart"]["labels"])
    results = client.get(reverse("exams:results", args=[exam.pk]) + "?regrade=preview").content.decode()
    assert "Пересчёт ничего не изменит." in results
    response = client.post(reverse("exams:protocol", args=[exam.pk]), {"signers": [str(chief_expert.pk),
                                                                                  str(expert.pk)]})
    document = Document.objects.get()
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    assert document.data["Результаты"][0]["Баллы"] == "4,00"


def test_rm1_exam_edit_refused_while_attempt_open(exam, examinee, chief_expert):
    domain.start_attempt(exam, examinee)
    client = client_for(chief_expert)
    data = {"title": "Другое", "bank": exam.bank_id, "competency": exam.competency_id, "grace_seconds": 30,
            "max_attempts": 1}
    response = client.post(reverse("exams:exam_edit", args=[exam.pk]), data)
    assert response.status_code == 400
    assert "пока идёт хотя бы одна попытка" in response.content.decode()
    exam.refresh_from_db()
    assert exam.title == "Теоретический этап"


def test_rm1_bank_pages_question_form_import_export(championship, competency, chief_expert,
                                                  django_capture_on_commit_callbacks):
    client = client_for(chief_expert)
    response = client.post(reverse("exams:bank_create", args=[championship.pk]),
                           {"name": "Новый банк", "competency": competency.pk})
    bank = QuestionBank.objects.get(name="Новый банк")
    assert response["Location"] == reverse("exams:bank_detail", args=[bank.pk])
    client.post(reverse("exams:category_create", args=[bank.pk]), {"name": "Раздел 1"})
    category = bank.categories.get()
    bad = client.post(reverse("exams:question_create", args=[bank.pk]), {
        "category": category.pk, "kind": "single", "name": "В", "text": "Вопрос?", "points": "1",
        "multiple_rule": "sum", "ordering_rule": "positions", "options_text": "0 | а\n0 | б"})
    assert bad.status_code == 400 and "полный балл" in bad.content.decode()
    assert "0 | а" in bad.content.decode()  # the input is shown again
    ok = client.post(reverse("exams:question_create", args=[bank.pk]), {
        "category": category.pk, "kind": "numeric", "name": "Ч", "text": "Сколько?", "points": "2",
        "multiple_rule": "sum", "ordering_rule": "positions", "options_text": "1 | 25 | 25 | 2"})
    assert ok.status_code == 302
    question = Question.objects.get(name="Ч")
    assert [(o.value, o.tolerance) for o in question.options.all()] == [(D(25), D(2))]
    upload = SimpleUploadedFile("bank.xml", BANK_XML, content_type="text/xml")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("exams:bank_import", args=[bank.pk]),
                              {"file_format": "moodle_xml", "file": upload})
    text = client.get(started["Location"]).content.decode()
    assert "Загружено вопросов: 9. С ошибками: 3." in text and "не поддерживается" in text
    with django_capture_on_commit_callbacks(execute=True):
        broken = client.post(reverse("exams:bank_import", args=[bank.pk]),
                             {"file_format": "moodle_xml", "file": SimpleUploadedFile("x.xml", b"nonsense")})
    failed = client.get(broken["Location"])
    assert failed.status_code == 200 and "Файл не прочитан" in failed.content.decode()
    assert 'data-status="failed"' in failed.content.decode()
    exported = client.get(reverse("exams:bank_export", args=[bank.pk]))
    assert exported["Content-Type"].startswith("application/xml") and b"<quiz>" in exported.content


def test_rm1_create_exam_sections_override_and_publish(championship, competency, chief_expert, examinee):
    from .factories import make_bank

    bank = make_bank(championship, competency, chief_expert, kinds=["single", "short"])
    client = client_for(chief_expert)
    response = client.post(reverse("exams:exam_create", args=[championship.pk]), {
        "title": "Онлайн-тест", "competency": competency.pk, "bank": bank.pk, "time_limit_minutes": 30,
        "grace_seconds": 10, "max_attempts": 1, "shuffle_questions": "on"})
    exam = Exam.objects.get(title="Онлайн-тест")
    assert response["Location"] == reverse("exams:exam_detail", args=[exam.pk])
    too_many = client.post(reverse("exams:section_create", args=[exam.pk]),
                           {"category": bank.categories.get().pk, "count": 5})
    assert "В категории только 2 вопроса." in too_many.content.decode()
    client.post(reverse("exams:section_create", args=[exam.pk]), {"category": bank.categories.get().pk, "count": 1})
    client.post(reverse("exams:override_create", args=[exam.pk]),
                {"user": examinee.pk, "extra_minutes": 15, "reason": "ОВЗ"})
    client.post(reverse("exams:exam_status", args=[exam.pk]), {"to": "published"})
    exam.refresh_from_db()
    assert exam.status == "published"
    attempt, _ = domain.start_attempt(exam, examinee)
    assert (len(attempt.paper), attempt.deadline - attempt.started_at) == (1, dt.timedelta(minutes=45))


def test_rm1_proctor_admits_and_unlocks(championship, competency, chief_expert, examinee):
    from .factories import make_exam

    exam = make_exam(championship, competency, chief_expert, kinds=["single"], requires_admission=True)
    examinee_client = client_for(examinee)
    refused = examinee_client.post(reverse("exams:take", args=[exam.pk]), {})
    assert "Дождитесь допуска проктора" in refused.content.decode()
    proctor = client_for(chief_expert)
    proctor.post(reverse("exams:admit", args=[exam.pk]), {"user": examinee.pk, "document_note": "паспорт"})
    examinee_client.post(reverse("exams:take", args=[exam.pk]), {})
    attempt = Attempt.objects.get()
    other_browser = client_for(examinee)
    assert other_browser.get(reverse("exams:attempt", args=[attempt.pk])).status_code == 409
    proctor.post(reverse("exams:unlock", args=[attempt.pk]), {"reason": "Перезагрузка ПК"})
    assert other_browser.get(reverse("exams:attempt", args=[attempt.pk])).status_code == 200
    assert examinee_client.get(reverse("exams:attempt", args=[attempt.pk])).status_code == 409


def test_rm2_handout_pages(championship, competency, chief_expert, examinee):
    client = client_for(chief_expert)
    publish_at = timezone.localtime() + dt.timedelta(hours=1)
    response = client.post(reverse("exams:handout_create", args=[championship.pk]), {
        "title": "Модуль А", "competency": competency.pk, "text": "Испеките эклеры",
        "publish_at": publish_at.strftime("%Y-%m-%dT%H:%M"), "recipients": [examinee.pk]})
    handout = TaskHandout.objects.get()
    assert response["Location"] == reverse("exams:handout_detail", args=[handout.pk])
    participant = client_for(examinee)
    assert reverse("exams:handout_open", args=[handout.pk]) in participant.get("/cabinet/").content.decode()
    early = participant.get(reverse("exams:handout_open", args=[handout.pk]))
    assert early.status_code == 403 and "Испеките" not in early.content.decode()
    assert TaskAccess.objects.count() == 0
    TaskHandout.objects.filter(pk=handout.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=1))
    opened = participant.get(reverse("exams:handout_open", args=[handout.pk])).content.decode()
    assert "Испеките эклеры" in opened
    first = TaskAccess.objects.get().first_opened_at
    participant.get(reverse("exams:handout_open", args=[handout.pk]))
    assert TaskAccess.objects.get().first_opened_at == first
    panel = client.get(reverse("exams:handout_detail", args=[handout.pk])).content.decode()
    assert timezone.localtime(first).strftime("%d.%m.%Y %H:%M:%S") in panel
    protocol = client.post(reverse("exams:handout_protocol", args=[handout.pk]))
    document = Document.objects.get()
    assert protocol["Location"] == reverse("documents:detail", args=[document.pk])
    assert document.data["Участники"] == [{"ФИО": examinee.full_name, "Первый доступ": timezone.localtime(
        first).strftime("%d.%m.%Y %H:%M:%S")}]


def test_rm1_participant_list_from_the_results_page(client, exam, examinee, chief_expert, expert):
    client.force_login(chief_expert)
    page = client.get(reverse("exams:results", args=[exam.pk])).content.decode()
    assert 'id="participant-list"' in page
    response = client.post(reverse("exams:participant_list", args=[exam.pk]), {"signers": [chief_expert.pk, "x"]})
    assert response.status_code == 302 and "/documents/" in response["Location"]
    client.force_login(expert)
    assert client.post(reverse("exams:participant_list", args=[exam.pk])).status_code == 403


def test_rm1_organiser_precreates_papers_from_the_exam_page(exam, examinee, chief_expert, expert,
                                                           django_capture_on_commit_callbacks):
    """RM-1 at scale: the exam page's button queues the precreation job and shows its state with a link to the
    job's page; an expert of the panel (who may not manage the exam) sees no button and is refused."""
    from profmaster.jobs.models import Job

    page = client_for(chief_expert).get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert 'id="precreate"' in page and "Подготовлено 0 билетов" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(chief_expert).post(reverse("exams:precreate", args=[exam.pk]))
    job = Job.objects.get(kind="exams.precreate_attempts")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.report["created"], job.payload) == ("done", 1, {"exam": exam.pk})
    assert job.message == "Подготовлен 1 билет; уже был у 0 экзаменуемых."
    page = client_for(chief_expert).get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert "Подготовлен 1 билет" in page and reverse("jobs:detail", args=[job.pk]) in page
    assert 'id="precreation-job"' in page and "Готово" in page
    # The job's page is the organiser's; the examinee sees neither it nor the paper.
    assert client_for(chief_expert).get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client_for(examinee).get(reverse("jobs:detail", args=[job.pk])).status_code in (403, 404)
    prepared = Attempt.all_objects.get(exam=exam)
    assert client_for(examinee).get(reverse("exams:attempt", args=[prepared.pk])).status_code == 404
    assert client_for(chief_expert).get(reverse("exams:attempt_log", args=[prepared.pk])).status_code == 404
    assert "Попыток пока нет." in page
    # An expert may read the exam but not precreate.
    assert 'id="precreate"' not in client_for(expert).get(reverse("exams:exam_detail", args=[exam.pk])).content.decode()
    assert client_for(expert).post(reverse("exams:precreate", args=[exam.pk])).status_code == 403
    # The examinee's start takes the prepared paper.
    response = client_for(examinee).post(reverse("exams:take", args=[exam.pk]), {})
    assert response["Location"] == reverse("exams:attempt", args=[prepared.pk])
    assert Attempt.objects.get().seed == prepared.seed


def test_rm1_precreation_refusal_is_a_message_on_the_exam_page(exam, chief_expert):
    domain.change_exam_status(exam, to=Exam.Status.DRAFT, by=chief_expert)
    client = client_for(chief_expert)
    response = client.post(reverse("exams:precreate", args=[exam.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exams:exam_detail", args=[exam.pk])
    assert "Билеты готовятся для опубликованного экзамена." in response.content.decode()


def test_rm6_both_support_links_of_the_attempt_page_open_a_new_tab_marked_for_the_focus_log(exam, examinee):
    """RM-6 on the RM-1 attempt page: neither «Поддержка» (the header's nor the exam bar's) navigates away from the
    attempt; both open a new tab and carry the mark attempt.js reads to report the focus loss as «support»."""
    import re

    client = client_for(examinee)
    client.post(reverse("exams:take", args=[exam.pk]), {})
    attempt = Attempt.objects.get()
    page = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    links = re.findall(r'<a [^>]*id="(support-link|exam-support)"[^>]*>', page)
    assert sorted(links) == ["exam-support", "support-link"]
    for tag in re.findall(r'<a [^>]*id="(?:support-link|exam-support)"[^>]*>', page):
        assert 'target="_blank"' in tag and 'rel="noopener"' in tag and "data-exam-support" in tag
    elsewhere = client.get("/cabinet/").content.decode()
    header = re.search(r'<a [^>]*id="support-link"[^>]*>', elsewhere).group(0)
    assert "target=" not in header and "data-exam-support" not in header  # other pages keep the plain link
