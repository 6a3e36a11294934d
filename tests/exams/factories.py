"""Factories and builders of the exam tests: a bank with one question of every kind and an exam."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from django.utils import timezone

from profmaster.exams import domain
from profmaster.exams.domain import OptionData
from profmaster.exams.models import Exam, ExamSection, Question, QuestionBank, QuestionCategory

#: (kind, name, text, points, options, extra fields) — one question of every kind.
QUESTIONS: list[tuple[str, str, str, str, list[OptionData], dict[str, Any]]] = [
    ("single", "Температура", "При какой температуре темперируют шоколад?", "1",
     [OptionData("31 °C", D(1)), OptionData("50 °C"), OptionData("10 °C")], {}),
    ("multiple", "Разрыхлители", "Что из этого — разрыхлители?", "2",
     [OptionData("Сода", D("0.5")), OptionData("Дрожжи", D("0.5")), OptionData("Соль", D(-1))], {}),
    ("short", "Крем", "Как называется крем из масла и сгущёнки?", "1",
     [OptionData("Шарлотт", D(1)), OptionData("масляный", D("0.5"))], {}),
    ("numeric", "Граммы", "Сколько граммов в столовой ложке сахара?", "1",
     [OptionData("25", D(1), value=D(25), tolerance=D(2))], {}),
    ("matching", "Соответствие", "Сопоставьте продукт и его вид", "3",
     [OptionData("Мука", match="сыпучий"), OptionData("Молоко", match="жидкий"),
      OptionData("Масло", match="твёрдый")], {"distractors": ["газообразный"]}),
    ("ordering", "Порядок", "Расставьте шаги приготовления бисквита", "2",
     [OptionData("Взбить яйца"), OptionData("Добавить муку"), OptionData("Выпекать")], {}),
    ("questionnaire", "Анкета", "Нравится ли вам работать с тестом?", "0",
     [OptionData("Да", scales={"интерес": 2}), OptionData("Нет", scales={"интерес": 0})], {}),
    ("essay", "Эссе", "Опишите технологию приготовления заварного теста", "5", [], {}),
]


def make_bank(championship: Any, competency: Any, by: Any, *, kinds: list[str] | None = None) -> QuestionBank:
    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Теория кондитера")
    category = QuestionCategory.objects.create(bank=bank, name="Основы")
    for kind, name, text, points, options, extra in QUESTIONS:
        if kinds is not None and kind not in kinds:
            continue
        question = Question(bank=bank, category=category, kind=kind, name=name, text=text, points=D(points), **extra)
        domain.save_question(question, options=options, by=by)
    return bank


def make_exam(championship: Any, competency: Any, by: Any, *, kinds: list[str] | None = None,
              **fields: Any) -> Exam:
    bank = make_bank(championship, competency, by, kinds=kinds)
    now = timezone.now()
    values = {"opens_at": now - dt.timedelta(hours=1), "closes_at": now + dt.timedelta(hours=3),
              "time_limit_minutes": 60, "pass_mark": D(5), "shuffle_questions": True, "shuffle_options": True}
    values.update(fields)
    exam = Exam(championship=championship, competency=competency, bank=bank, title="Теоретический этап", **values)
    domain.save_exam(exam, by=by)
    ExamSection.objects.create(exam=exam, category=bank.categories.get(), count=0)
    domain.change_exam_status(exam, to=Exam.Status.PUBLISHED, by=by)
    exam.refresh_from_db()
    return exam


def option_ids(question: Question) -> list[str]:
    return [str(pk) for pk in question.options.order_by("order", "pk").values_list("pk", flat=True)]


def right_answers(exam: Exam) -> dict[int, Any]:
    """A full-marks response for every question of the exam's bank, by question id."""
    result: dict[int, Any] = {}
    for question in Question.objects.filter(bank=exam.bank):
        ids = option_ids(question)
        kind = question.kind
        if kind == "single":
            result[question.pk] = ids[0]
        elif kind == "multiple":
            result[question.pk] = ids[:2]
        elif kind == "short":
            result[question.pk] = "  шарлотт "
        elif kind == "numeric":
            result[question.pk] = "26,5"
        elif kind == "matching":
            result[question.pk] = dict(zip(ids, ["сыпучий", "жидкий", "твёрдый"], strict=True))
        elif kind == "ordering":
            result[question.pk] = ids
        elif kind == "questionnaire":
            result[question.pk] = ids[0]
        else:
            result[question.pk] = "Заварное тесто заваривают на огне."
    return result
