"""RM-1: bank files — questions stored one by one with a report and progress, categories created with
their parents, Moodle XML written back (exams.domain.import_export)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from profmaster.core.errors import DomainError
from profmaster.exams import domain
from profmaster.exams.models import Question, QuestionBank, QuestionCategory

pytestmark = pytest.mark.django_db


def _bank(championship, competency, name):
    return QuestionBank.objects.create(championship=championship, competency=competency, name=name)


def test_rm1_nested_categories_round_trip_with_progress(championship, competency, chief_expert):
    source = _bank(championship, competency, "Исходный")
    top = QuestionCategory.objects.create(bank=source, name="Кондитерское дело")
    child = QuestionCategory.objects.create(bank=source, name="Кондитерское дело / Крем", parent=top)
    for n, category in enumerate([top, child, child]):
        domain.save_question(Question(bank=source, category=category, kind="single", name=f"Вопрос {n}",
                                      text=f"Текст {n} — ёлочка"),
                             options=[domain.OptionData("Да", D(1)), domain.OptionData("Нет")], by=chief_expert)
    data = domain.export_questions(Question.objects.filter(bank=source).order_by("pk"))
    target = _bank(championship, competency, "Копия")
    calls = []
    result = domain.import_questions(target, data, file_format="moodle_xml", by=chief_expert,
                                     progress=lambda done, total, message: calls.append((done, total)))
    assert (result.created, result.errors) == (3, [])
    assert [r.imported for r in result.rows] == [True, True, True]
    assert calls == [(3, 3)]
    imported_child = QuestionCategory.objects.get(bank=target, name="Кондитерское дело / Крем")
    assert imported_child.parent == QuestionCategory.objects.get(bank=target, name="Кондитерское дело")
    assert sorted(Question.objects.filter(bank=target).values_list("text", flat=True)) == [
        "Текст 0 — ёлочка", "Текст 1 — ёлочка", "Текст 2 — ёлочка"]
    assert result.as_dict()["skipped"] == 0


def test_rm1_a_bad_question_is_reported_and_the_rest_stored(championship, competency, chief_expert):
    bank = _bank(championship, competency, "Импорт")
    gift = ("::Хороший:: Столица России? {=Москва ~Орёл}\n\n"
            "::Плохой:: Без верного ответа {~Орёл ~Тула}\n").encode()
    result = domain.import_questions(bank, gift, file_format="gift", by=chief_expert)
    assert result.created == 1
    assert [(r.name, r.imported) for r in result.rows] == [("Хороший", True), ("Плохой", False)]
    assert result.errors == [(2, "Плохой", "Отметьте хотя бы один верный вариант (доля больше 0).")]


def test_rm1_unknown_format_refused_before_anything_is_stored(championship, competency, chief_expert):
    bank = _bank(championship, competency, "Импорт")
    with pytest.raises(DomainError) as caught:
        domain.import_questions(bank, b"x", file_format="docx", by=chief_expert)
    assert caught.value.field == "file_format"
    assert not Question.objects.filter(bank=bank).exists()
