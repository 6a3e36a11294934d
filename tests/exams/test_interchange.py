"""RM-1: question banks in Moodle XML and GIFT — import with a per-question report, export, round trip."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from profmaster.core.errors import DomainError
from profmaster.exams import domain, interchange
from profmaster.exams.models import Question, QuestionBank

pytestmark = pytest.mark.django_db

BANK_XML = (Path(__file__).parent / "data" / "bank.xml").read_bytes()


def describe(bank):
    """Everything that matters about a bank's questions, in a comparable form."""
    result = []
    for q in Question.objects.filter(bank=bank).order_by("pk").prefetch_related("options"):
        result.append((q.category.name, q.kind, q.name, q.text, q.points, q.case_sensitive, list(q.distractors),
                       [(o.text, o.fraction, o.match, o.value, o.tolerance, o.scales) for o in q.options.all()],
                       bool(q.image)))
    return result


def test_rm1_moodle_xml_import_every_kind_with_error_report(championship, competency, chief_expert):
    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Импорт")
    result = domain.import_questions(bank, BANK_XML, file_format="moodle_xml", by=chief_expert)
    assert result.created == 9
    assert result.errors == [
        (10, "Формула", "вид вопроса «calculated» (Вычисляемый) не поддерживается — вопрос пропущен"),
        (11, "Без верного", "Хотя бы один ответ должен давать полный балл (доля 1)."),
        (12, "Пустой", "нет текста вопроса (поле «questiontext»)"),
    ]
    kinds = list(Question.objects.filter(bank=bank).order_by("pk").values_list("kind", "category__name"))
    basics = "Кондитерское дело / Основы"
    assert kinds == [("single", basics), ("multiple", basics), ("single", basics), ("short", basics),
                     ("numeric", basics), ("matching", "Технология"), ("ordering", "Технология"),
                     ("questionnaire", "Технология"), ("essay", "Технология")]
    first = Question.objects.filter(bank=bank).order_by("pk").first()
    assert (first.text, first.points, bool(first.image)) == ("При какой температуре темперируют шоколад?", D(2), True)
    ordering = Question.objects.get(bank=bank, kind="ordering")
    assert [o.text for o in ordering.options.all()] == ["Взбить яйца", "Добавить муку", "Выпекать"]
    matching = Question.objects.get(bank=bank, kind="matching")
    assert matching.distractors == ["газ"]
    questionnaire = Question.objects.get(bank=bank, kind="questionnaire")
    assert [o.scales for o in questionnaire.options.all()] == [{"интерес": "2"}, {}]


def test_rm1_moodle_xml_round_trip(championship, competency, chief_expert):
    """Import → export → import gives the same bank, for every supported kind."""
    first = QuestionBank.objects.create(championship=championship, competency=competency, name="Первый")
    domain.import_questions(first, BANK_XML, file_format="moodle_xml", by=chief_expert)
    exported = domain.export_questions(Question.objects.filter(bank=first).order_by("pk"))
    second = QuestionBank.objects.create(championship=championship, competency=competency, name="Второй")
    result = domain.import_questions(second, exported, file_format="moodle_xml", by=chief_expert)
    assert (result.created, result.errors) == (9, [])
    assert describe(second) == describe(first)
    assert {q[1] for q in describe(second)} == {"single", "multiple", "short", "numeric", "matching", "ordering",
                                                 "questionnaire", "essay"}


@pytest.mark.parametrize(("data", "message"), [
    (b"not xml at all", "Файл не прочитан: это не XML"),
    (b"<root/>", "Файл не прочитан: это не файл вопросов Moodle"),
    (b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "Файл не прочитан: файл содержит DTD"),
])
def test_rm1_unreadable_files_refused(championship, chief_expert, data, message):
    bank = QuestionBank.objects.create(championship=championship, name="Б")
    with pytest.raises(DomainError) as caught:
        domain.import_questions(bank, data, file_format="moodle_xml", by=chief_expert)
    assert caught.value.message.startswith(message)
    assert Question.objects.count() == 0


GIFT = """// Банк кондитера
$CATEGORY: $course$/top/Основы

::Темперирование:: При какой температуре темперируют шоколад? {=31 °C ~50 °C ~10 °C}

::Разрыхлители:: Что из этого — разрыхлители? {~%50%Сода ~%50%Дрожжи ~%-100%Соль}

::Ваниль:: Ваниль — это пряность. {T}

::Крем:: Крем из масла и сгущёнки? {=Шарлотт =%50%масляный}

::Граммы:: Граммов сахара в ложке? {#25:2}

::Соответствие:: Сопоставьте {=Мука -> сыпучий =Молоко -> жидкий}

::Эссе:: Опишите заварное тесто {}

::Сломанный:: Нет закрывающей скобки {=a
"""


def test_rm1_gift_import(championship, chief_expert):
    bank = QuestionBank.objects.create(championship=championship, name="GIFT")
    result = domain.import_questions(bank, GIFT.encode(), file_format="gift", by=chief_expert)
    assert (result.created, result.errors) == (7, [(8, "Вопрос 8", "нет блока ответов {…}")])
    got = {q.name: (q.kind, [(o.text, o.fraction, o.value, o.tolerance, o.match) for o in q.options.all()])
           for q in Question.objects.filter(bank=bank)}
    assert got["Темперирование"] == ("single", [("31 °C", D(1), None, D(0), ""), ("50 °C", D(0), None, D(0), ""),
                                                ("10 °C", D(0), None, D(0), "")])
    assert got["Разрыхлители"][0] == "multiple"
    assert [o[1] for o in got["Разрыхлители"][1]] == [D("0.5"), D("0.5"), D(-1)]
    assert got["Ваниль"] == ("single", [("Верно", D(1), None, D(0), ""), ("Неверно", D(0), None, D(0), "")])
    assert got["Граммы"] == ("numeric", [("25:2", D(1), D(25), D(2), "")])
    assert got["Соответствие"][1] == [("Мука", D(0), None, D(0), "сыпучий"), ("Молоко", D(0), None, D(0), "жидкий")]
    assert got["Эссе"] == ("essay", [])


def test_rm1_gift_not_utf8_refused():
    with pytest.raises(interchange.FormatError):
        interchange.parse_gift("Вопрос {=да}".encode("cp1251"))
