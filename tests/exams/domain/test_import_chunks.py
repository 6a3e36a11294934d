"""RM-1 (issue 13 §1): the import stores questions in chunks (one transaction per 100, a savepoint each): a
question refused while being stored is skipped alone — also when it was the first of a new category, which
its rolled-back savepoint took with it — and the good questions around it are stored."""

from __future__ import annotations

import pytest

from profmaster.exams import domain
from profmaster.exams.domain import import_export
from profmaster.exams.models import Question, QuestionBank

pytestmark = pytest.mark.django_db


def _multichoice(name: str, fractions: tuple[str, ...], category: str) -> str:
    answers = "".join(f'<answer fraction="{f}"><text>Вариант {i}</text></answer>' for i, f in enumerate(fractions))
    return (f'<question type="category"><category><text>$course$/top/{category}</text></category></question>'
            f'<question type="multichoice"><name><text>{name}</text></name><questiontext format="html">'
            f"<text>Текст {name}</text></questiontext><single>true</single>{answers}</question>")


def test_rm1_a_question_refused_when_stored_is_skipped_alone_even_first_in_its_category(
        championship, competency, chief_expert, monkeypatch):
    monkeypatch.setattr(import_export, "STORE_CHUNK", 2)
    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Банк")
    xml = ("<quiz>" + _multichoice("Первый", ("100", "0"), "Шоколад")
           + _multichoice("Без верного ответа", ("0", "0"), "Карамель")
           + _multichoice("Второй", ("100", "0"), "Карамель")
           + _multichoice("Третий", ("0", "100"), "Шоколад") + "</quiz>").encode()
    result = domain.import_questions(bank, xml, file_format="moodle_xml", by=chief_expert)
    assert [(r.name, r.imported) for r in result.rows] == [
        ("Первый", True), ("Без верного ответа", False), ("Второй", True), ("Третий", True)]
    assert result.created == 3 and len(result.errors) == 1
    assert sorted(Question.objects.filter(bank=bank).values_list("name", "category__name")) == [
        ("Второй", "Карамель"), ("Первый", "Шоколад"), ("Третий", "Шоколад")]
