"""Images embedded in questions (RM-1): Moodle's ``@@PLUGINFILE@@/name`` references shown to the examinee.

The importer keeps question and answer texts as plain text; an ``<img src="@@PLUGINFILE@@/name">`` of the
source becomes the token ``@@PLUGINFILE@@/name`` at the same place in the text (``name`` as the image is
stored, see :mod:`profmaster.exams.interchange`). On the page the text is escaped as a whole and each token
whose image is stored becomes an ``<img>`` pointing to :func:`may_see_image`'s checked view — so no markup
of the source ever reaches the page (the only HTML is the one built here). Stored images no token mentions
are shown after the text, so nothing embedded vanishes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from profmaster.permissions import has_perm

from .models import Attempt, Question, QuestionImage

TOKEN = re.compile(r"@@PLUGINFILE@@/([\w.-]+)")


def image_url(image: QuestionImage) -> str:
    return reverse("exams:embedded_image", args=[image.pk])


def _img(image: QuestionImage) -> str:
    return format_html('<img class="img-fluid question-image d-block my-2" src="{}" alt="{}" loading="lazy">',
                       image_url(image), image.name)


def render(text: str, images: dict[str, QuestionImage]) -> tuple[SafeString, set[str]]:
    """The text as safe HTML with its image tokens as ``<img>``, and the names it used."""
    parts: list[str] = []
    used: set[str] = set()
    position = 0
    for match in TOKEN.finditer(text or ""):
        parts.append(escape(text[position:match.start()]))
        image = images.get(match.group(1))
        if image is not None:
            parts.append(_img(image))
            used.add(image.name)
        else:
            parts.append(escape(match.group(0)))
        position = match.end()
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(parts)), used


@dataclass
class Rendered:
    """A question's text and option texts as HTML with their images."""

    text: SafeString
    options: dict[int, SafeString] = field(default_factory=dict)


def render_questions(questions: Iterable[Question], options: Iterable[Any]) -> dict[int, Rendered]:
    """HTML of each question's text and of its options' texts, with one query for all their images."""
    questions = list(questions)
    by_question: dict[int, list[QuestionImage]] = {}
    for image in QuestionImage.objects.filter(question__in=questions).order_by("order", "pk"):
        by_question.setdefault(image.question_id, []).append(image)
    options_of: dict[int, list[Any]] = {}
    for option in options:
        options_of.setdefault(option.question_id, []).append(option)
    result: dict[int, Rendered] = {}
    for question in questions:
        stored = by_question.get(question.pk, [])
        text_images = {i.name: i for i in stored if i.place == QuestionImage.Place.TEXT}
        html, used = render(question.text, text_images)
        rest = [i for i in text_images.values() if i.name not in used]
        rendered = Rendered(mark_safe(html + "".join(_img(i) for i in rest)))
        for option in options_of.get(question.pk, []):
            own = {i.name: i for i in stored if i.option_id == option.pk}
            html, used = render(option.text, {**text_images, **own})
            rest = [i for i in own.values() if i.name not in used]
            rendered.options[option.pk] = mark_safe(html + "".join(_img(i) for i in rest))
        result[question.pk] = rendered
    return result


def may_see_image(user: Any, image: QuestionImage) -> bool:
    """The bank's keepers, and the examinee of an attempt whose paper holds the question (default deny)."""
    question = image.question
    if has_perm(user, "exams.manage_bank", question.bank):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    papers = Attempt.objects.filter(user=user, exam__bank_id=question.bank_id).values_list("paper", flat=True)
    return any(item.get("question") == question.pk for paper in papers for item in (paper or []))
