"""RM-1 over the API, the panel's side: banks, exam editing, proctoring (admit, unlock), the manual grading
queue, regrading and the signed protocols — through the same domain functions as the pages."""

from __future__ import annotations

import pytest

from profmaster.exams.models import Admission, Answer, Attempt, AttemptEvent, Exam, Question

from ..api.conftest import ApiClient
from .factories import make_bank, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(chief_expert):
    return ApiClient(chief_expert)


def test_rm1_api_bank_and_exam_from_scratch(championship, competency, chief_expert, chief, expert, examinee):
    """A bank, an exam, a section, publication, then a change once nobody is in the exam."""
    bank = chief.post(f"/championships/{championship.pk}/question-banks",
                      {"name": "Новый банк", "competency_id": competency.pk})
    assert (bank.status_code, bank.json()["questions"]) == (201, 0)
    again = chief.post(f"/championships/{championship.pk}/question-banks",
                       {"name": "Новый банк", "competency_id": competency.pk})
    assert (again.status_code, again.json()["detail"]) == (400, "Банк с таким названием уже есть.")
    wide = chief.post(f"/championships/{championship.pk}/question-banks", {"name": "На весь чемпионат"})
    assert wide.status_code == 403  # a competency's chief expert keeps only that competency's banks
    filled = make_bank(championship, competency, chief_expert)
    body = {"title": "Теория", "bank_id": filled.pk, "competency_id": competency.pk, "time_limit_minutes": 30}
    created = chief.post(f"/championships/{championship.pk}/exams", body)
    assert (created.status_code, created.json()["status"]) == (201, "draft"), created.content
    exam_id = created.json()["id"]
    assert ApiClient(expert).post(f"/championships/{championship.pk}/exams", body).status_code == 403
    refused = chief.post(f"/exams/{exam_id}/status", {"to": "published"})
    assert (refused.status_code, refused.json()["detail"]) == (400, "Добавьте в экзамен хотя бы одну категорию вопросов.")
    category = filled.categories.get()
    section = chief.post(f"/exams/{exam_id}/sections", {"category_id": category.pk, "count": 3})
    assert (section.status_code, section.json()["count"]) == (201, 3)
    too_many = chief.post(f"/exams/{exam_id}/sections", {"category_id": category.pk, "count": 3})
    assert too_many.status_code == 400
    assert chief.post(f"/exams/{exam_id}/status", {"to": "published"}).json()["status"] == "published"
    changed = chief.put(f"/exams/{exam_id}", {**body, "title": "Теория (исправлено)", "pass_mark": "2.5"})
    assert (changed.status_code, changed.json()["title"], changed.json()["pass_mark"]) == (
        200, "Теория (исправлено)", "2.50")
    ApiClient(examinee).post(f"/exams/{exam_id}/attempts", {})
    locked = chief.put(f"/exams/{exam_id}", {**body, "title": "Ещё раз"})
    assert (locked.status_code, locked.json()["detail"]) == (409, "Экзамен нельзя изменить, пока идёт хотя бы одна попытка.")
    assert Exam.objects.get(pk=exam_id).title == "Теория (исправлено)"


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"bank_id": 987654}, 422, None),
    ({"competency_id": 987654}, 422, None),
    ({"opens_at": "2030-01-02T10:00:00Z", "closes_at": "2030-01-01T10:00:00Z"}, 400, "closes_at"),
    ({"time_limit_minutes": 0}, 422, None),
    ({"max_attempts": 0}, 422, None),
    ({"allowed_networks": "не сеть"}, 400, "allowed_networks"),
    ({"title": ""}, 422, None),
    ({"unknown": 1}, 422, None),
])
def test_rm1_api_exam_bad_input(championship, competency, chief_expert, chief, change, status, field):
    bank = make_bank(championship, competency, chief_expert)
    response = chief.post(f"/championships/{championship.pk}/exams",
                          {"title": "Т", "bank_id": bank.pk, "competency_id": competency.pk, **change})
    assert response.status_code == status, response.content
    if field:
        assert response.json()["field"] == field
    assert not Exam.objects.exists()


def test_rm1_api_proctor_admits_then_unlocks(exam, examinee, chief_expert, expert):
    exam.requires_admission = True
    exam.save()
    taker = ApiClient(examinee)
    waiting = taker.post(f"/exams/{exam.pk}/attempts", {})
    assert (waiting.status_code, waiting.json()["detail"].startswith("Дождитесь допуска")) == (403, True)
    proctor = ApiClient(expert)
    admitted = proctor.post(f"/exams/{exam.pk}/admissions", {"user_id": examinee.pk, "document_note": "паспорт"})
    assert (admitted.status_code, admitted.json()["used"]) == (200, False)
    assert proctor.post(f"/exams/{exam.pk}/admissions", {"user_id": examinee.pk}).json()["id"] == admitted.json()["id"]
    stranger = proctor.post(f"/exams/{exam.pk}/admissions", {"user_id": expert.pk})
    assert (stranger.status_code, stranger.json()["detail"]) == (400, "Экзаменуемый не найден.")
    started = taker.post(f"/exams/{exam.pk}/attempts", {})
    assert started.status_code == 201
    assert Admission.objects.get().used is True
    second = ApiClient(examinee)
    assert second.post(f"/exams/{exam.pk}/attempts", {}).json()["code"] == "locked"
    attempt_id = started.json()["id"]
    unlocked = proctor.post(f"/attempts/{attempt_id}/unlock", {"reason": "браузер завис"})
    assert (unlocked.status_code, unlocked.json()["status"]) == (200, "in_progress")
    resumed = second.post(f"/exams/{exam.pk}/attempts", {})
    assert (resumed.status_code, resumed.json()["id"]) == (201, attempt_id)
    old_token = started.json()["token"]
    question = Question.objects.get(bank=exam.bank, kind="essay")
    stale = taker.post(f"/attempts/{attempt_id}/answers",
                       {"question_id": question.pk, "response": "x", "seq": 1, "token": old_token})
    assert stale.json()["code"] == "locked"
    kinds = list(AttemptEvent.objects.filter(attempt_id=attempt_id).values_list("kind", flat=True))
    assert kinds == ["start", "second_browser", "unlock", "resume"]
    taker.post(f"/attempts/{attempt_id}/finish", {"token": resumed.json()["token"]})
    assert second.post(f"/attempts/{attempt_id}/finish", {"token": resumed.json()["token"]}).status_code == 200
    assert proctor.post(f"/attempts/{attempt_id}/unlock", {}).status_code == 409


def test_rm1_api_grading_queue_grade_regrade_protocols(exam, examinee, chief_expert, expert, chief):
    taker = ApiClient(examinee)
    body = taker.post(f"/exams/{exam.pk}/attempts", {}).json()
    for question_id, response in right_answers(exam).items():
        taker.post(f"/attempts/{body['id']}/answers",
                   {"question_id": question_id, "response": response, "seq": 1, "token": body["token"]})
    in_progress = chief.post(f"/exams/{exam.pk}/results-protocol",
                             {"signers": [{"user_id": chief_expert.pk, "role_label": "Главный эксперт"}]})
    assert in_progress.status_code == 409
    taker.post(f"/attempts/{body['id']}/finish", {"token": body["token"]})
    grader = ApiClient(expert)
    queue = grader.get(f"/exams/{exam.pk}/grading", {"pending": "true"}).json()
    assert [(i["name"], i["graded"], i["max_points"]) for i in queue["items"]] == [(examinee.full_name, False, "5.00")]
    answer_id = queue["items"][0]["answer_id"]
    too_much = grader.post(f"/exam-answers/{answer_id}/grade", {"points": "6"})
    assert (too_much.status_code, too_much.json()["field"]) == (400, "points")
    assert grader.post(f"/exam-answers/{answer_id}/grade", {"points": "-1"}).status_code == 422
    graded = grader.post(f"/exam-answers/{answer_id}/grade", {"points": "4", "comment": "Хорошо"})
    assert (graded.status_code, graded.json()["points"], graded.json()["graded"]) == (200, "4.00", True)
    assert grader.get(f"/exams/{exam.pk}/grading", {"pending": "true"}).json()["count"] == 0
    assert Attempt.objects.get().score == 14
    # a corrected key: the numeric answer is now wrong
    numeric = Question.objects.get(bank=exam.bank, kind="numeric").options.get()
    numeric.value = 100
    numeric.save()
    preview = chief.post(f"/exams/{exam.pk}/regrade", {"dry_run": True}).json()
    assert [(c["old"], c["new"]) for c in preview] == [("14.00", "13.00")]
    assert Attempt.objects.get().score == 14
    no_reason = chief.post(f"/exams/{exam.pk}/regrade", {"dry_run": False})
    assert (no_reason.status_code, no_reason.json()["field"]) == (400, "reason")
    applied = chief.post(f"/exams/{exam.pk}/regrade", {"dry_run": False, "reason": "Исправлен ключ"})
    assert applied.status_code == 200
    assert (Attempt.objects.get().score, Answer.objects.get(pk=answer_id).points) == (13, 4)
    signers = {"signers": [{"user_id": chief_expert.pk, "role_label": "Главный эксперт"},
                           {"user_id": expert.pk, "role_label": "Эксперт"}]}
    protocol = chief.post(f"/exams/{exam.pk}/results-protocol", signers)
    assert protocol.status_code == 201, protocol.content
    listed = chief.post(f"/exams/{exam.pk}/participant-list", signers)
    assert (listed.status_code, listed.json()["title"]) == (
        201, "Список участников теоретического этапа: Теоретический этап")
    nobody = chief.post(f"/exams/{exam.pk}/participant-list", {"signers": [{"user_id": 987654, "role_label": "X"}]})
    assert nobody.status_code == 422
