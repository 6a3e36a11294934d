"""Question banks (RM-1: «banks are loaded in advance»): the scoring key of a stored question and the
question's checks and saving with its options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from profmaster.audit.domain import save_audited
from profmaster.core.errors import DomainError

from .. import scoring
from ..models import Question, QuestionOption


def key_for(question: Question, options: Sequence[QuestionOption] | None = None) -> scoring.Key:
    """The scoring key of a stored question (options prefetched or given)."""
    opts = list(options if options is not None else question.options.all())
    return scoring.Key(
        kind=scoring.Kind(question.kind),
        points=question.points,
        options=tuple(scoring.Option(
            id=str(o.pk), text=o.text, fraction=o.fraction, match=o.match, value=o.value, tolerance=o.tolerance,
            scales={str(k): Decimal(str(v)) for k, v in (o.scales or {}).items()},
        ) for o in opts),
        multiple_rule=scoring.MultipleRule(question.multiple_rule),
        ordering_rule=scoring.OrderingRule(question.ordering_rule),
        case_sensitive=question.case_sensitive,
        short_rule=scoring.ShortRule(question.short_rule),
        distractors=tuple(str(d) for d in (question.distractors or [])),
    )


@dataclass(frozen=True)
class OptionData:
    text: str
    fraction: Decimal = Decimal(0)
    match: str = ""
    value: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    scales: dict[str, Any] | None = None


def check_question(kind: str, options: Sequence[OptionData]) -> None:
    """What a question of a kind needs to be answerable and scorable; refusals name the rule."""
    if kind not in scoring.Kind.__members__.values():
        raise DomainError(_("Неизвестный вид вопроса."), field="kind")
    k = scoring.Kind(kind)
    if k is scoring.Kind.ESSAY:
        return
    if not options:
        raise DomainError(_("Добавьте варианты ответа."), field="options")
    if k in (scoring.Kind.SINGLE, scoring.Kind.SHORT, scoring.Kind.NUMERIC) and not any(
            o.fraction == 1 for o in options):
        raise DomainError(_("Хотя бы один ответ должен давать полный балл (доля 1)."), field="options")
    if k is scoring.Kind.MULTIPLE and not any(o.fraction > 0 for o in options):
        raise DomainError(_("Отметьте хотя бы один верный вариант (доля больше 0)."), field="options")
    if k is scoring.Kind.NUMERIC and any(o.value is None for o in options):
        raise DomainError(_("У числового ответа должно быть значение."), field="options")
    if k is scoring.Kind.MATCHING and (len(options) < 2 or any(not o.match for o in options)):
        raise DomainError(_("Для соответствия нужны хотя бы две пары «вопрос — ответ»."), field="options")
    if k is scoring.Kind.ORDERING and len(options) < 2:
        raise DomainError(_("Для порядка нужны хотя бы два элемента."), field="options")
    if any(not o.text.strip() for o in options) and k is not scoring.Kind.NUMERIC:
        raise DomainError(_("У варианта ответа нет текста."), field="options")


def save_question(question: Question, *, options: Sequence[OptionData], by: Any, reason: str = "") -> Question:
    """Create or change a question with its options (replacing them). A question already answered
    keeps its option ids when the number of options is unchanged, so saved answers stay valid."""
    check_question(question.kind, options)
    if question.category_id and question.category.bank_id != question.bank_id:
        raise DomainError(_("Категория из другого банка."), field="category")
    with transaction.atomic():
        save_audited(question, by=by, reason=reason, championship=question.bank.championship)
        existing = list(question.options.order_by("order", "pk"))
        if len(existing) == len(options):
            for stored, data in zip(existing, options, strict=True):
                _fill_option(stored, data)
                stored.save()
        else:
            if question.answers.exists():
                raise DomainError(_("На вопрос уже отвечали: число вариантов менять нельзя, "
                                    "можно исправить их текст и доли."), field="options")
            question.options.all().delete()
            for order, data in enumerate(options):
                option = QuestionOption(question=question, order=order)
                _fill_option(option, data)
                option.save()
    return question


def _fill_option(option: QuestionOption, data: OptionData) -> None:
    option.text = data.text
    option.fraction = data.fraction
    option.match = data.match
    option.value = data.value
    option.tolerance = data.tolerance
    option.scales = data.scales or {}
