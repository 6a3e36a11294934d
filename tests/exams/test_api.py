"""RM-1 over the API: start, save (idempotent), refusals as 4xx, finish, results — through the domain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from profmaster.exams.models import Answer, Attempt, Question

from ..api.conftest import ApiClient
from .factories import right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(examinee):
    return ApiClient(examinee)


def start(api, exam):
    response = api.post(f"/exams/{exam.pk}/attempts", {})
    assert response.status_code == 201, response.content
    return response.json()


def test_rm1_api_start_save_finish_results(exam, examinee, chief_expert, api):
    body = start(api, exam)
    assert (body["status"], len(body["paper"]), body["number"]) == ("in_progress", 8, 1)
    assert body["token"] and body["deadline"]
    assert "fraction" not in str(body["paper"])  # the key never reaches the examinee
    for question_id, response in right_answers(exam).items():
        saved = api.post(f"/attempts/{body['id']}/answers",
                         {"question_id": question_id, "response": response, "seq": 1, "token": body["token"]})
        assert saved.status_code == 200, saved.content
        assert (saved.json()["seq"], saved.json()["replay"]) == (1, False)
    finished = api.post(f"/attempts/{body['id']}/finish", {"token": body["token"]})
    assert (finished.status_code, finished.json()["status"], finished.json()["score"]) == (200, "finished", "10.00")
    again = api.post(f"/attempts/{body['id']}/finish", {"token": body["token"]})
    assert (again.status_code, again.json()["score"]) == (200, "10.00")
    results = ApiClient(chief_expert).get(f"/exams/{exam.pk}/results")
    assert [(r["name"], r["score"], r["needs_grading"]) for r in results.json()] == [
        (examinee.full_name, "10.00", True)]
    assert api.get(f"/exams/{exam.pk}/results").status_code == 403


def test_rm1_api_replay_returns_the_same_ack(exam, api):
    body = start(api, exam)
    question = Question.objects.get(bank=exam.bank, kind="essay")
    payload = {"question_id": question.pk, "response": "Текст", "seq": 3, "token": body["token"]}
    first = api.post(f"/attempts/{body['id']}/answers", payload)
    replay = api.post(f"/attempts/{body['id']}/answers", {**payload, "response": "Другой"})
    assert (first.json()["replay"], replay.json()["replay"], replay.json()["seq"]) == (False, True, 3)
    assert replay.json()["saved_at"] == first.json()["saved_at"]
    assert Answer.objects.get().response == "Текст"


def test_rm1_api_bad_input_is_4xx_and_attempt_intact(exam, api):
    body = start(api, exam)
    ids = dict(Question.objects.filter(bank=exam.bank).values_list("kind", "pk"))
    url = f"/attempts/{body['id']}/answers"
    token = body["token"]
    assert api.post(url, {"question_id": ids["essay"], "response": "сохранено", "seq": 1, "token": token}).status_code == 200
    cases = [
        ({"question_id": 987654, "response": "x", "seq": 2, "token": token}, 400, "Этого вопроса нет в вашем билете."),
        ({"question_id": ids["single"], "response": {"a": 1}, "seq": 2, "token": token}, 400, None),
        ({"question_id": ids["essay"], "response": "a" * 5_000_000, "seq": 2, "token": token}, 400,
         "Ответ слишком длинный."),
        ({"question_id": ids["essay"], "response": "я" * 5_000_000, "seq": 2, "token": token}, 413,
         "Слишком большой запрос."),
        ({"question_id": ids["essay"], "response": "x", "seq": 0, "token": token}, 422, None),
        ({"question_id": ids["essay"], "response": "x", "seq": 2, "token": "чужой"}, 403, None),
        ({"question_id": ids["essay"], "response": "x", "seq": 2}, 422, None),
        ({"question_id": ids["essay"], "response": "x", "seq": 2, "token": token, "extra": 1}, 422, None),
    ]
    for payload, status, detail in cases:
        response = api.post(url, payload)
        assert response.status_code == status, (payload.get("response", "")[:20], response.content[:200])
        if detail:
            assert response.json()["detail"] == detail
    assert api.post(url, raw="{not json").status_code in (400, 422)
    assert list(Answer.objects.values_list("response", "seq")) == [("сохранено", 1)]
    assert Attempt.objects.get().status == "in_progress"


def test_rm1_api_save_after_deadline_refused(exam, api):
    body = start(api, exam)
    Attempt.objects.filter(pk=body["id"]).update(deadline=timezone.now() - dt.timedelta(minutes=1),
                                                 accept_until=timezone.now() - dt.timedelta(seconds=1))
    question = Question.objects.get(bank=exam.bank, kind="essay")
    response = api.post(f"/attempts/{body['id']}/answers",
                        {"question_id": question.pk, "response": "поздно", "seq": 1, "token": body["token"]})
    assert (response.status_code, response.json()["code"]) == (409, "closed")
    assert response.json()["detail"].startswith("Время экзамена истекло")
    state = api.get(f"/attempts/{body['id']}").json()
    assert (state["status"], state["finished_by"], state["score"]) == ("finished", "deadline", "0.00")


def test_rm1_api_second_client_refused(exam, examinee, api):
    start(api, exam)
    other_client = ApiClient(examinee)
    response = other_client.post(f"/exams/{exam.pk}/attempts", {})
    assert response.status_code == 403
    assert response.json()["code"] == "locked"


def test_rm1_api_attempt_private(exam, api, expert):
    body = start(api, exam)
    from ..factories import UserFactory

    stranger = ApiClient(UserFactory())
    assert stranger.get(f"/attempts/{body['id']}").status_code == 404
    assert ApiClient(expert).get(f"/attempts/{body['id']}").status_code == 200


def test_rm1_api_bank_import_report(exam, chief_expert, django_capture_on_commit_callbacks):
    """RM-1, X-5: the import is a job (202); its report lists every question, imported or skipped and why."""
    api = ApiClient(chief_expert)
    gift = "::Один:: Два плюс два? {=4 ~5}\n\n::Плохой:: Без ответов"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/question-banks/{exam.bank.pk}/import", {"file_format": "gift", "content": gift})
    assert response.status_code == 202
    job = api.get(f"/jobs/{response.json()['id']}").json()
    assert job["status"] == "done" and job["page_url"] == f"/jobs/{job['id']}/"
    assert job["report"]["errors"] == [{"number": 2, "name": "Вопрос 2", "message": "нет блока ответов {…}"}]
    assert [(r["name"], r["imported"]) for r in job["report"]["rows"]] == [("Один", True), ("Вопрос 2", False)]
    listed = api.get(f"/question-banks/{exam.bank.pk}/questions", {"limit": 100}).json()
    assert listed["count"] == 9
    assert listed["items"][-1]["options"][0]["fraction"] == "1.00000"
    assert D(listed["items"][-1]["points"]) == D(1)


def test_rm1_api_precreate_is_a_job_and_the_start_takes_the_paper(exam, examinee, chief_expert, api,
                                                                  django_capture_on_commit_callbacks):
    """RM-1 at scale over the API: 202 with the job; the paper is nobody's to read before the start; the start
    returns it; a second call creates nothing."""
    organiser = ApiClient(chief_expert)
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser.post(f"/exams/{exam.pk}/precreate", {})
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["kind"], body["page_url"]) == ("exams.precreate_attempts", f"/jobs/{body['id']}/")
    job = organiser.get(f"/jobs/{body['id']}").json()
    assert (job["status"], job["report"]["created"], job["report"]["total"]) == ("done", 1, 1)
    prepared = Attempt.all_objects.get(exam=exam)
    assert api.get(f"/attempts/{prepared.pk}").status_code == 404
    assert organiser.get(f"/exams/{exam.pk}/results").json() == []
    started = start(api, exam)
    assert (started["id"], started["status"], len(started["paper"])) == (prepared.pk, "in_progress", 8)
    with django_capture_on_commit_callbacks(execute=True):
        again = organiser.post(f"/exams/{exam.pk}/precreate", {})
    assert organiser.get(f"/jobs/{again.json()['id']}").json()["report"]["created"] == 0


def test_rm1_api_precreate_refusals(exam, api, expert, chief_expert):
    assert api.post(f"/exams/{exam.pk}/precreate", {}).status_code in (403, 404)
    assert ApiClient(expert).post(f"/exams/{exam.pk}/precreate", {}).status_code == 403
    from profmaster.exams import domain
    from profmaster.exams.models import Exam

    domain.change_exam_status(exam, to=Exam.Status.DRAFT, by=chief_expert)
    refused = ApiClient(chief_expert).post(f"/exams/{exam.pk}/precreate", {})
    assert refused.status_code == 409, refused.content
    assert "опубликованного" in refused.content.decode()
    assert not Attempt.all_objects.exists()


def test_rm6_focus_loss_after_opening_support_is_logged_as_support_not_as_leaving(exam, examinee, chief_expert, api):
    """RM-1 item 6 + RM-6: the attempt page reports the focus loss that follows a click on «Поддержка» as
    ``support``; the log keeps it apart from an unexplained focus loss, with the return still logged, and the
    proctor's log of the attempt names it «Открыл поддержку» next to the examinee's requests sent meanwhile."""
    from django.urls import reverse

    from profmaster.exams.models import AttemptEvent
    from profmaster.support import domain as support

    from .test_pages import client_for

    earlier = support.open_request(exam.championship, text="Не вижу экзамен в кабинете", by=examinee)
    # a request from before the attempt is not the attempt's
    type(earlier).objects.filter(pk=earlier.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    body = start(api, exam)
    url = f"/attempts/{body['id']}/events"
    for kind in ("support", "focus_back", "focus_lost", "focus_back"):
        assert api.post(url, {"kind": kind, "token": body["token"]}).status_code == 204
    during = support.open_request(exam.championship, text="Не грузится картинка в вопросе 3", by=examinee,
                                  page_url=f"/exams/attempts/{body['id']}/")
    refused = api.post(url, {"kind": "support_opened", "token": body["token"]})
    assert refused.status_code == 422
    kinds = list(AttemptEvent.objects.filter(attempt_id=body["id"]).exclude(kind="start")
                 .values_list("kind", flat=True))
    assert kinds == ["support", "focus_back", "focus_lost", "focus_back"]
    log = client_for(chief_expert).get(reverse("exams:attempt_log", args=[body["id"]]))
    page = log.content.decode()
    assert page.count("Открыл поддержку (окно экзамена в фоне)") == 1
    assert page.count("Окно экзамена потеряло фокус") == 1
    assert [r.number for r in log.context["support_requests"]] == [during.number]
    assert "Не грузится картинка" not in page  # the proctor sees that a request was sent, not what it says
