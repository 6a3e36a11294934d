"""RM-1 (issue 13 §1): a real Moodle 4.x export (tests/fixtures/moodle4_export.xml, written as Moodle 4.x
writes it) imports through the background job with a per-question report; nested categories keep their
hierarchy; short answers score with Moodle's ``*`` wildcard and ``usecase``; embedded images are served to the
examinee and the bank's keepers only."""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.exams import domain, scoring
from profmaster.exams.models import Attempt, Exam, ExamSection, Question, QuestionBank, QuestionCategory, QuestionImage
from profmaster.jobs.models import Job

from ..factories import UserFactory, give_role

pytestmark = pytest.mark.django_db

EXPORT = (Path(__file__).parent.parent / "fixtures" / "moodle4_export.xml").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def bank(championship, competency):
    return QuestionBank.objects.create(championship=championship, competency=competency, name="Из Moodle")


def _import(client, bank, data, capture, name="moodle.xml"):
    with capture(execute=True):
        response = client.post(reverse("exams:bank_import", args=[bank.pk]),
                               {"file_format": "moodle_xml", "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302 and re.fullmatch(r"/jobs/\d+/", response["Location"])
    return Job.objects.get(pk=int(response["Location"].split("/")[2])), response["Location"]


def test_rm1_moodle4_export_imports_with_a_per_question_report(client, bank, chief_expert,
                                                               django_capture_on_commit_callbacks):
    client.force_login(chief_expert)
    job, url = _import(client, bank, EXPORT, django_capture_on_commit_callbacks)
    assert job.status == "done" and job.message == "Загружено 7 вопросов, пропущено 4."
    rows = [(r["number"], r["name"], r["imported"], r["message"]) for r in job.report["rows"]]
    assert rows[:7] == [
        (1, "Темперирование шоколада", True, ""),
        (2, "Виды шоколада", True, "ответ 1: оценка 33.33333 % сохранена как 33.333 %; ответ 2: оценка 33.33333 % "
                                   "сохранена как 33.333 %; ответ 3: оценка 33.33333 % сохранена как 33.333 %"),
        (3, "Ганаш", True, ""), (4, "Латинское название какао", True, ""), (5, "Какао-масло", True, ""),
        (6, "Сахар в бисквите", True, ""), (7, "Технологическая карта", True, "")]
    assert rows[7:10] == [
        (8, "Пропуски в рецепте", False, "вид вопроса «multianswer» (Вложенные ответы (Cloze)) не поддерживается — "
                                         "вопрос пропущен"),
        (9, "Пересчёт рецептуры", False, "вид вопроса «calculated» (Вычисляемый) не поддерживается — вопрос пропущен"),
        (10, "Слои торта", False, "вид вопроса «ddwtos» (Перетаскивание в текст) не поддерживается — вопрос пропущен")]
    number, name, imported, message = rows[10]
    assert (number, name, imported) == (11, "Треть балла", False)
    assert message.startswith("ответ 1, поле «fraction»: оценка 33 % не допускается Moodle; допустимы 100, 90, ")
    assert "33.33333" in message and "и те же со знаком минус" in message
    assert job.report["unsupported"] == ["Пропуски в рецепте", "Пересчёт рецептуры", "Слои торта"]
    page = client.get(url).content.decode()
    assert "Загружено вопросов: 7. С ошибками: 4." in page
    assert "Не поддерживаются (пропущены): Пропуски в рецепте, Пересчёт рецептуры, Слои торта" in page
    questions = {q.name: q for q in Question.objects.filter(bank=bank).prefetch_related("options")}
    assert questions["Темперирование шоколада"].points == D(1)  # «1.0000000» (seven decimals) is accepted
    assert questions["Технологическая карта"].points == D(5)
    assert [o.fraction for o in questions["Виды шоколада"].options.all()] == [D("0.33333")] * 3 + [D(-1)]
    assert (questions["Латинское название какао"].case_sensitive, questions["Ганаш"].case_sensitive) == (True, False)


def test_rm1_moodle4_nested_categories_keep_their_hierarchy(client, bank, chief_expert,
                                                            django_capture_on_commit_callbacks):
    client.force_login(chief_expert)
    _import(client, bank, EXPORT, django_capture_on_commit_callbacks)
    tree = {c.name: (c.parent.name if c.parent else None) for c in QuestionCategory.objects.filter(bank=bank)}
    assert tree == {"Кондитерское дело": None, "Кондитерское дело / Шоколад": "Кондитерское дело",
                    "Кондитерское дело / Шоколад / Начинки": "Кондитерское дело / Шоколад",
                    "Кондитерское дело / Технология": "Кондитерское дело"}
    assert Question.objects.get(bank=bank, name="Ганаш").category.name == "Кондитерское дело / Шоколад / Начинки"


@pytest.mark.parametrize(("question", "typed", "points"), [
    ("Ганаш", "ганаш", D(1)), ("Ганаш", "Ганашный крем", D(1)),   # «ганаш*», usecase 0
    ("Ганаш", "заварной крем", D("0.5")), ("Ганаш", "сливки", D(0)),  # «*крем*» gives half
    ("Латинское название какао", "Theobroma cacao", D(2)),
    ("Латинское название какао", "theobroma cacao", D(0)),  # usecase 1: the case matters; «*» catches it at 0
])
def test_rm1_moodle4_short_answer_wildcards_score_as_moodle(bank, chief_expert, django_capture_on_commit_callbacks,
                                                            question, typed, points):
    client = Client()
    client.force_login(chief_expert)
    _import(client, bank, EXPORT, django_capture_on_commit_callbacks)
    stored = Question.objects.get(bank=bank, name=question)
    assert scoring.score(domain.key_for(stored), typed).points == points


def _attempt_with(bank, examinee, question_name):
    category = Question.objects.get(bank=bank, name=question_name).category
    exam = Exam.objects.create(championship=bank.championship, competency=bank.competency, bank=bank, title="Теория",
                               status=Exam.Status.PUBLISHED, time_limit_minutes=60)
    ExamSection.objects.create(exam=exam, category=category)
    attempt, _ = domain.start_attempt(exam, examinee)
    return attempt


def test_rm1_moodle4_images_shown_to_the_examinee_and_keepers_denied_to_a_stranger(
        client, bank, chief_expert, competency, django_capture_on_commit_callbacks):
    client.force_login(chief_expert)
    _import(client, bank, EXPORT, django_capture_on_commit_callbacks)
    text_image = QuestionImage.objects.get(question__name="Темперирование шоколада")
    option_image = QuestionImage.objects.get(question__name="Виды шоколада")
    assert (text_image.name, text_image.place, option_image.name, option_image.place) == (
        "image.png", "text", "плитка.png", "option")
    assert Question.objects.get(bank=bank, name="Темперирование шоколада").text == (
        "До какой температуры охлаждают тёмный шоколад при темперировании?\n @@PLUGINFILE@@/image.png")

    examinee = UserFactory()
    give_role(examinee, Role.PARTICIPANT, competency.championship)
    attempt = _attempt_with(bank, examinee, "Темперирование шоколада")
    Attempt.objects.filter(pk=attempt.pk).update(lock_token="")
    own = Client()
    own.force_login(examinee)
    page = own.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert f'src="/exams/images/{text_image.pk}/"' in page and f'src="/exams/images/{option_image.pk}/"' in page
    assert "@@PLUGINFILE@@" not in page and "<strong>тёмный" not in page  # no markup of the source on the page
    served = own.get(f"/exams/images/{text_image.pk}/")
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(PNG)
    assert client.get(f"/exams/images/{option_image.pk}/").status_code == 200  # the bank's keeper
    preview = client.get(reverse("exams:question_preview", args=[option_image.question_id])).content.decode()
    assert f'src="/exams/images/{option_image.pk}/"' in preview

    stranger = Client()
    stranger.force_login(UserFactory())
    other_examinee = UserFactory()
    give_role(other_examinee, Role.PARTICIPANT, competency.championship)
    another = Client()
    another.force_login(other_examinee)  # a participant without an attempt holding the question
    for outsider in (stranger, another):
        assert outsider.get(f"/exams/images/{text_image.pk}/").status_code == 404
        assert outsider.get(reverse("exams:question_preview", args=[option_image.question_id])).status_code in (403, 404)
    assert Client().get(f"/exams/images/{text_image.pk}/").status_code == 302  # anonymous: log in first


def test_rm1_moodle4_hostile_text_is_escaped_with_the_image_kept():
    """The only HTML on the page is the <img> built for a stored image; everything else is escaped."""
    from profmaster.exams import images

    image = QuestionImage(pk=7, name="a.png")
    html, used = images.render('<script>alert(1)</script> @@PLUGINFILE@@/a.png @@PLUGINFILE@@/missing.png', {"a.png": image})
    assert html == ('&lt;script&gt;alert(1)&lt;/script&gt; <img class="img-fluid question-image d-block my-2" '
                    'src="/exams/images/7/" alt="a.png" loading="lazy"> @@PLUGINFILE@@/missing.png')
    assert used == {"a.png"}


@pytest.mark.parametrize(("data", "message"), [
    (EXPORT[: len(EXPORT) // 2], "Файл не прочитан: это не XML или XML повреждён ("),
    (b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>',
     "Файл не прочитан: файл содержит DTD, сущности или внешние ссылки XML — такие файлы не принимаются."),
    (b"<questions/>", "Файл не прочитан: это не файл вопросов Moodle (нет элемента <quiz>)."),
])
def test_rm1_moodle4_broken_file_fails_its_job_with_a_clear_message(client, bank, chief_expert, data, message,
                                                                     django_capture_on_commit_callbacks):
    """Bad path: a truncated export, XML entities, a file that is not a quiz — the job fails with the reason
    in Russian, the page shows it (no 500), nothing is stored and the upload is kept."""
    client.force_login(chief_expert)
    job, url = _import(client, bank, data, django_capture_on_commit_callbacks)
    assert job.status == "failed" and job.message.startswith(message)
    assert job.upload.read() == data
    page = client.get(url)
    assert page.status_code == 200 and 'id="job-failed"' in page.content.decode()
    assert not Question.objects.filter(bank=bank).exists()


def _bank_snapshot(bank):
    """Every question of a bank with its options and images (place, option position, name, bytes)."""
    snapshot = {}
    for q in bank.questions.prefetch_related("options", "images").order_by("name"):
        options = list(q.options.all())
        position = {o.pk: index for index, o in enumerate(options)}
        images = sorted((i.place, position.get(i.option_id), i.name, i.file.open("rb").read()) for i in q.images.all())
        picture = q.image.open("rb").read() if q.image else None
        snapshot[q.name] = (q.kind, q.text, q.general_feedback, [(o.text, o.fraction) for o in options], images,
                            picture)
    return snapshot


def test_rm1_moodle4_export_writes_images_back_and_a_round_trip_keeps_them(
        client, bank, chief_expert, championship, competency, django_capture_on_commit_callbacks):
    """RM-1 (issue 13 §1): export → import of the Moodle 4.x file keeps every embedded image, in the text and
    in the options, referenced as Moodle references them, and the texts come back unchanged."""
    client.force_login(chief_expert)
    _import(client, bank, EXPORT, django_capture_on_commit_callbacks)
    # and an image in the explanation, which the fixture has none of
    chocolate = Question.objects.get(bank=bank, name="Темперирование шоколада")
    Question.objects.filter(pk=chocolate.pk).update(general_feedback="См. схему: @@PLUGINFILE@@/схема.png")
    from django.core.files.base import ContentFile
    feedback = QuestionImage(question=chocolate, place="feedback", name="схема.png")
    feedback.file.save("схема.png", ContentFile(QuestionImage.objects.get(question=chocolate).file.open("rb").read()))

    response = client.get(reverse("exams:bank_export", args=[bank.pk]))
    assert response.status_code == 200
    import xml.etree.ElementTree as ET

    questions = {q.findtext("name/text"): q for q in ET.fromstring(response.content).findall("question")}
    text = questions["Темперирование шоколада"].find("questiontext")
    assert text.get("format") == "html" and text.findtext("text") == (
        'До какой температуры охлаждают тёмный шоколад при темперировании?<br><img src="@@PLUGINFILE@@/image.png" '
        'alt="image.png">')
    assert [(f.get("name"), f.get("encoding"), f.text[:10]) for f in text.findall("file")] == [
        ("image.png", "base64", "iVBORw0KGg")]
    explanation = questions["Темперирование шоколада"].find("generalfeedback")
    assert explanation.findtext("text") == 'См. схему:<img src="@@PLUGINFILE@@/%D1%81%D1%85%D0%B5%D0%BC%D0%B0.png" ' \
        'alt="схема.png">'
    assert [f.get("name") for f in explanation.findall("file")] == ["схема.png"]
    [answer] = [a for a in questions["Виды шоколада"].findall("answer") if a.find("file") is not None]
    assert answer.findtext("text") == 'Тёмный <img src="@@PLUGINFILE@@/%D0%BF%D0%BB%D0%B8%D1%82%D0%BA%D0%B0.png" ' \
        'alt="плитка.png">'
    assert [f.get("name") for f in answer.findall("file")] == ["плитка.png"]

    again = QuestionBank.objects.create(championship=championship, competency=competency, name="Снова из Moodle")
    result = domain.import_questions(again, response.content, file_format="moodle_xml", by=chief_expert)
    assert result.errors == [] and result.created == 7
    before, after = _bank_snapshot(bank), _bank_snapshot(again)
    for key in before:
        assert after[key][:4] == before[key][:4], key
        assert [i[:3] for i in after[key][4]] == [i[:3] for i in before[key][4]], key
    assert after == before
    assert after["Темперирование шоколада"][4][1][:3] == ("text", None, "image.png")
    _kind, _text, _feedback, options, images, _picture = after["Виды шоколада"]
    [(place, index, name, _content)] = images
    assert (place, name, options[index][0]) == ("option", "плитка.png", "Тёмный  @@PLUGINFILE@@/плитка.png")
    assert after["Темперирование шоколада"][2] == "См. схему: @@PLUGINFILE@@/схема.png"
