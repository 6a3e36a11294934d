"""RM-1 / RM-2: exam attempts through the domain functions — start, autosave, deadline, finish, scoring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.exams import domain
from profmaster.exams.domain import AttemptClosed, AttemptLocked
from profmaster.exams.models import (
    Answer,
    Attempt,
    AttemptEvent,
    Exam,
    ExamOverride,
    Question,
    QuestionOption,
    TaskAccess,
    TaskHandout,
)
from profmaster.exams.paper import Section, build_paper

from ..factories import PASSWORD, UserFactory, give_role
from .factories import make_exam, right_answers

pytestmark = pytest.mark.django_db


def save_all(attempt, token, answers, seq=1, now=None):
    for question_id, response in answers.items():
        domain.save_answer(attempt.pk, attempt.user, question_id=question_id, response=response, seq=seq,
                           token=token, now=now)


def test_rm1_start_builds_a_reproducible_paper(exam, examinee):
    attempt, _token = domain.start_attempt(exam, examinee)
    assert (attempt.status, attempt.number, len(attempt.paper)) == ("in_progress", 1, 8)
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=60)
    assert attempt.accept_until == attempt.deadline + dt.timedelta(seconds=30)
    assert attempt.max_score == D("15.00")
    again = domain._build_paper(exam, attempt.seed)
    assert again == attempt.paper
    pool = {exam.bank.categories.get().pk: list(Question.objects.filter(bank=exam.bank).values_list("pk", flat=True))}
    assert [i["question"] for i in attempt.paper] == [
        p.question for p in build_paper(seed=attempt.seed, sections=[Section(*pool.keys(), 0)], pool=pool, options={},
                                        shuffle_questions=True, shuffle_options=False)]
    assert list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True)) == ["start"]
    assert AuditEntry.objects.filter(object_type="exams.Attempt", action="create").count() == 1


def test_rm1_full_marks_for_right_answers(exam, examinee, chief_expert):
    attempt, token = domain.start_attempt(exam, examinee)
    save_all(attempt, token, right_answers(exam))
    attempt = domain.finish_attempt(attempt, by=examinee)
    # 1 + 2 + 1 + 1 + 3 + 2 = 10 automatic points; the essay (5) waits for an expert.
    assert (attempt.score, attempt.max_score, attempt.needs_grading, attempt.passed) == (
        D("10.00"), D("15.00"), True, None)
    assert attempt.scales == {"интерес": "2"}
    essay = Answer.objects.get(attempt=attempt, question__kind="essay")
    domain.grade_answer(essay, points=D("4.5"), by=chief_expert, comment="Хорошо")
    attempt.refresh_from_db()
    assert (attempt.score, attempt.needs_grading, attempt.passed) == (D("14.50"), False, True)


def test_rm1_replayed_and_older_saves_change_nothing(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="short")
    first = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="один", seq=2, token=token)
    replay = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="один", seq=2, token=token)
    older = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="старый", seq=1, token=token)
    assert (first.replay, replay.replay, older.replay) == (False, True, True)
    assert Answer.objects.get(attempt=attempt, question=question).response == "один"
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == ["start", "save", "replay", "replay"]


BAD_INPUT = [
    ("unknown question", lambda q: {"question_id": 987654, "response": "x", "seq": 1}, "question"),
    ("wrong answer type", lambda q: {"question_id": q["single"], "response": ["a"], "seq": 1}, "response"),
    ("unknown option", lambda q: {"question_id": q["single"], "response": "999999", "seq": 1}, "response"),
    ("5 MB answer", lambda q: {"question_id": q["essay"], "response": "я" * 5_000_000, "seq": 1}, "response"),
    ("zero seq", lambda q: {"question_id": q["essay"], "response": "x", "seq": 0}, "seq"),
    ("huge seq", lambda q: {"question_id": q["essay"], "response": "x", "seq": 2**40}, "seq"),
]


@pytest.mark.parametrize(("case", "payload", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_rm1_bad_input_refused_and_attempt_intact(exam, examinee, case, payload, field):
    attempt, token = domain.start_attempt(exam, examinee)
    ids = dict(Question.objects.filter(bank=exam.bank).values_list("kind", "pk"))
    domain.save_answer(attempt.pk, examinee, question_id=ids["essay"], response="сохранено", seq=5, token=token)
    with pytest.raises(DomainError) as caught:
        domain.save_answer(attempt.pk, examinee, token=token, **payload(ids))
    assert caught.value.field == field
    assert list(Answer.objects.filter(attempt=attempt).values_list("response", "seq")) == [("сохранено", 5)]


def test_rm1_save_after_deadline_refused_and_attempt_finished(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="single")
    right = str(question.options.order_by("order").first().pk)
    in_grace = attempt.deadline + dt.timedelta(seconds=29)
    ack = domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=right, seq=1, token=token,
                             now=in_grace)
    assert ack.replay is False
    with pytest.raises(AttemptClosed) as caught:
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=right, seq=2, token=token,
                           now=attempt.accept_until)
    assert caught.value.message.startswith("Время экзамена истекло")
    attempt.refresh_from_db()
    assert (attempt.status, attempt.finished_by, attempt.finished_at, attempt.score) == (
        "finished", "deadline", attempt.deadline, D("1.00"))
    with pytest.raises(AttemptClosed):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response=right, seq=3, token=token)


def test_rm1_background_job_and_lazy_access_finish_overdue(exam, examinee, championship):
    attempt, _ = domain.start_attempt(exam, examinee)
    other = UserFactory()
    from profmaster.accounts.models import Role

    from ..factories import give_role
    give_role(other, Role.PARTICIPANT, championship)
    second, _ = domain.start_attempt(exam, other)
    later = attempt.accept_until + dt.timedelta(seconds=1)
    assert domain.finish_overdue_attempts(now=attempt.started_at) == 0
    assert domain.finish_if_overdue(second, now=later).status == "finished"
    assert domain.finish_overdue_attempts(now=later) == 1
    assert set(Attempt.objects.values_list("status", "finished_by")) == {("finished", "deadline")}


def test_rm1_second_browser_refused_until_unlocked(exam, examinee, chief_expert):
    attempt, token = domain.start_attempt(exam, examinee)
    assert domain.claim_attempt(attempt, examinee, token=token) == token
    with pytest.raises(AttemptLocked):
        domain.claim_attempt(attempt, examinee, token=None)
    question = Question.objects.get(bank=exam.bank, kind="short")
    with pytest.raises(AttemptLocked):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="x", seq=1, token="чужой")
    domain.unlock_attempt(attempt, by=chief_expert, reason="Сменил компьютер")
    new_token = domain.claim_attempt(attempt, examinee, token=None)
    assert new_token != token
    with pytest.raises(AttemptLocked):
        domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="x", seq=1, token=token)
    domain.save_answer(attempt.pk, examinee, question_id=question.pk, response="x", seq=1, token=new_token)
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds == ["start", "second_browser", "unlock", "resume", "save"]


def test_rm1_someone_else_cannot_save(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    question = Question.objects.get(bank=exam.bank, kind="short")
    with pytest.raises(AccessDenied):
        domain.save_answer(attempt.pk, UserFactory(), question_id=question.pk, response="x", seq=1, token=token)


def test_rm1_one_open_attempt_is_a_database_rule(exam, examinee):
    attempt, token = domain.start_attempt(exam, examinee)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(exam=exam, user=examinee, number=2, seed=1, started_at=timezone.now())
    again, same = domain.start_attempt(exam, examinee, token=token)
    assert (again.pk, same) == (attempt.pk, token)
    with pytest.raises(AttemptLocked):
        domain.start_attempt(exam, examinee)


def test_rm1_attempts_limit_and_window(exam, examinee):
    attempt, _ = domain.start_attempt(exam, examinee)
    domain.finish_attempt(attempt, by=examinee)
    with pytest.raises(TransitionError, match="Попытки закончились"):
        domain.start_attempt(exam, examinee)
    ExamOverride.objects.create(exam=exam, user=examinee, max_attempts=2)
    assert domain.start_attempt(exam, examinee)[0].number == 2
    with pytest.raises(TransitionError, match="не открыт"):
        domain.start_attempt(exam, UserFactory(), now=exam.opens_at - dt.timedelta(seconds=1))
    with pytest.raises(TransitionError, match="закрыт"):
        domain.start_attempt(exam, UserFactory(), now=exam.closes_at)


def test_rm1_exam_cannot_change_while_an_attempt_is_open(exam, examinee, chief_expert):
    attempt, _ = domain.start_attempt(exam, examinee)
    exam.time_limit_minutes = 5
    with pytest.raises(TransitionError, match="пока идёт"):
        domain.save_exam(exam, by=chief_expert)
    domain.finish_attempt(attempt, by=examinee)
    exam.refresh_from_db()
    exam.title = "Новое название"
    domain.save_exam(exam, by=chief_expert)


def test_rm1_extra_time_given_mid_exam_moves_the_deadline(exam, examinee, chief_expert):
    attempt, _ = domain.start_attempt(exam, examinee)
    domain.save_override(ExamOverride(exam=exam, user=examinee, extra_minutes=20, reason="ОВЗ"), by=chief_expert)
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=80)


def test_rm1_access_code_ip_and_admission(championship, competency, chief_expert, examinee):
    exam = make_exam(championship, competency, chief_expert, kinds=["single"], access_code="К-2023",
                     allowed_networks="10.0.0.0/8\n192.168.1.5", requires_admission=True)
    with pytest.raises(DomainError, match="Неверный код"):
        domain.start_attempt(exam, examinee, access_code="нет", ip="10.1.1.1")
    with pytest.raises(AccessDenied, match="С этого адреса"):
        domain.start_attempt(exam, examinee, access_code="К-2023", ip="8.8.8.8")
    with pytest.raises(AccessDenied, match="допуска проктора"):
        domain.start_attempt(exam, examinee, access_code="К-2023", ip="10.1.1.1")
    domain.admit(exam, examinee, by=chief_expert, document_note="паспорт 45 00 123456")
    attempt, _ = domain.start_attempt(exam, examinee, access_code=" К-2023 ", ip="192.168.1.5")
    assert attempt.client_ip == "192.168.1.5"


def test_rm1_bad_network_refused(championship, competency, chief_expert):
    with pytest.raises(DomainError, match="не IP-адрес"):
        make_exam(championship, competency, chief_expert, allowed_networks="10.0.0.0/8\nинтернет")


def test_rm1_regrade_dry_run_then_apply(exam, examinee, chief_expert):
    attempt, token = domain.start_attempt(exam, examinee)
    single = Question.objects.get(bank=exam.bank, kind="single")
    options = list(single.options.order_by("order"))
    domain.save_answer(attempt.pk, examinee, question_id=single.pk, response=str(options[1].pk), seq=1, token=token)
    attempt = domain.finish_attempt(attempt, by=examinee)
    assert attempt.score == D("0.00")
    # The key was wrong: 50 °C is also accepted.
    QuestionOption.objects.filter(pk=options[1].pk).update(fraction=D(1))
    changes = domain.regrade_exam(exam, by=chief_expert, dry_run=True)
    assert [(c.attempt.pk, c.old, c.new) for c in changes] == [(attempt.pk, D("0.00"), D("1.00"))]
    attempt.refresh_from_db()
    assert attempt.score == D("0.00")
    with pytest.raises(DomainError, match="причину"):
        domain.regrade_exam(exam, by=chief_expert, dry_run=False)
    domain.regrade_exam(exam, by=chief_expert, dry_run=False, reason="Исправлен ключ")
    attempt.refresh_from_db()
    assert attempt.score == D("1.00")
    assert domain.regrade_exam(exam, by=chief_expert, dry_run=True) == []


def test_rm1_finish_twice_is_an_error(exam, examinee):
    attempt, _ = domain.start_attempt(exam, examinee)
    domain.finish_attempt(attempt, by=examinee)
    with pytest.raises(TransitionError, match="уже завершена"):
        domain.finish_attempt(attempt, by=examinee)


def test_rm1_results_protocol_is_a_signed_document(exam, examinee, chief_expert, expert):
    attempt, _token = domain.start_attempt(exam, examinee)
    with pytest.raises(TransitionError, match="все попытки"):
        domain.create_results_protocol(exam, by=chief_expert, signers=[(chief_expert, "Главный эксперт")])
    domain.finish_attempt(attempt, by=examinee)
    document = domain.create_results_protocol(exam, by=chief_expert,
                                              signers=[(chief_expert, "Главный эксперт"), (expert, "Эксперт")])
    rows = document.data["Результаты"]
    assert [(r["ФИО"], r["Баллы"], r["Итог"]) for r in rows] == [(examinee.full_name, "0,00", "не сдал")]
    assert document.doc_type == "remote_results"
    assert list(document.required_signers.values_list("role_label", flat=True)) == ["Главный эксперт", "Эксперт"]


def test_rm1_question_without_right_answer_refused(exam, chief_expert):
    question = Question(bank=exam.bank, category=exam.bank.categories.get(), kind="single", name="Б", text="?")
    with pytest.raises(DomainError, match="полный балл"):
        domain.save_question(question, options=[domain.OptionData("a"), domain.OptionData("b")], by=chief_expert)


def test_rm1_exam_status_transitions(exam, chief_expert):
    with pytest.raises(TransitionError):
        domain.change_exam_status(exam, to=Exam.Status.PUBLISHED, by=chief_expert)
    domain.change_exam_status(exam, to=Exam.Status.ARCHIVED, by=chief_expert)


# --- RM-2 ------------------------------------------------------------------------------------------


def test_rm2_first_access_recorded_once_and_never_before_publication(championship, competency, chief_expert,
                                                                      examinee):
    publish_at = timezone.now() + dt.timedelta(minutes=5)
    handout = TaskHandout(championship=championship, competency=competency, title="Модуль А",
                          text="Испеките эклеры", publish_at=publish_at)
    domain.save_handout(handout, recipients=[examinee], by=chief_expert)
    with pytest.raises(AccessDenied, match="ещё не опубликовано"):
        domain.open_handout(handout, examinee, now=publish_at - dt.timedelta(seconds=1))
    with pytest.raises(AccessDenied, match="не вам"):
        domain.open_handout(handout, UserFactory(), now=publish_at)
    first = domain.open_handout(handout, examinee, now=publish_at + dt.timedelta(seconds=3))
    second = domain.open_handout(handout, examinee, now=publish_at + dt.timedelta(minutes=9))
    assert first.pk == second.pk
    assert TaskAccess.objects.get().first_opened_at == publish_at + dt.timedelta(seconds=3)
    handout.text = "Другое"
    with pytest.raises(TransitionError, match="уже открывали"):
        domain.save_handout(handout, recipients=[examinee], by=chief_expert)


def test_rm1_participant_list_is_a_signed_document(exam, examinee, chief_expert, expert):
    """The participant list of the theory stage: every examinee of the competency, admitted or not,
    started or not; the signers sign it with their password (DOC-2)."""
    from profmaster.documents.domain import sign_document

    late = UserFactory(last_name="Яковлева", first_name="Ольга")
    give_role(late, Role.PARTICIPANT, exam.championship)
    domain.start_attempt(exam, examinee)
    document = domain.create_participant_list(exam, by=chief_expert, signers=[(chief_expert, "Главный эксперт")])
    rows = document.data["Участники"]
    assert [(r["№"], r["ФИО"], r["Статус"], r["Допуск"]) for r in rows] == [
        (1, examinee.full_name, "Идёт", "не требуется"), (2, late.full_name, "не начинал(а)", "не требуется")]
    signature = sign_document(document, signer=chief_expert, password=PASSWORD, by=chief_expert)
    assert signature.pk


def test_rm1_participant_list_refused_when_empty(championship, competency, chief_expert):
    from profmaster.accounts.models import RoleAssignment

    other = make_exam(championship, competency, chief_expert)
    RoleAssignment.objects.filter(role__in=["participant", "pupil"]).delete()
    with pytest.raises(DomainError, match="ни одного участника"):
        domain.create_participant_list(other, by=chief_expert, signers=[(chief_expert, "Главный эксперт")])


def test_x5_finish_overdue_attempts_isolates_a_broken_attempt(exam, examinee, championship, caplog):
    """X-5 (issue 13 §6): one attempt that cannot be finished (a corrupt paper) is logged and skipped; the
    rest of the batch is finished, and the broken one stays open for the next run."""
    from profmaster.accounts.models import Role

    from ..factories import give_role

    attempts = []
    for index in range(3):
        user = examinee if index == 0 else UserFactory()
        if index:
            give_role(user, Role.PARTICIPANT, championship)
        attempts.append(domain.start_attempt(exam, user)[0])
    broken = attempts[1]
    Attempt.objects.filter(pk=broken.pk).update(paper=[{"not a question": 1}])
    later = max(a.accept_until for a in attempts) + dt.timedelta(seconds=1)

    with caplog.at_level("ERROR", logger="profmaster.exams.domain"):
        assert domain.finish_overdue_attempts(now=later) == 2

    assert dict(Attempt.objects.values_list("pk", "status")) == {
        attempts[0].pk: "finished", broken.pk: "in_progress", attempts[2].pk: "finished"}
    assert [r.getMessage() for r in caplog.records] == [
        f"exams: overdue attempt {broken.pk} could not be finished; the batch goes on"]
    assert caplog.records[0].exc_info[0] is KeyError
    assert domain.finish_overdue_attempts(now=later) == 0  # still broken, still isolated
