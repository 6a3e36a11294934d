"""The papers of an exam (RM-1): the exam's question pool (cached: it is the same for every examinee)
and the paper of one seed drawn from it by the pure :mod:`profmaster.exams.paper`."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.core.errors import DomainError
from profmaster.core.postgres import prepared_cursor

from .. import paper as paper_module
from .. import scoring
from ..models import Exam, ExamSection, Question, QuestionCategory, QuestionOption

POOL_CACHE_SECONDS = 600


def exam_pool(exam: Exam) -> dict[str, Any]:
    """What every paper of the exam is drawn from, and what the examinee is shown of it: the sections,
    the questions of their categories by category, kinds, option ids, texts and points.

    It is the same for every examinee, so it is cached (RM-1 performance: the synchronised start).
    The cache key carries a version read in one cheap aggregate — the sections, and the number, newest
    change and number of archived questions in their categories — so an edited, added or archived
    question is seen by the next start on every worker, whatever the cache backend."""
    from django.core.cache import cache
    from django.db.models import Count, Max, Q

    memo = getattr(exam, "_exam_pool", None)  # the same request asks twice (start, then the paper's texts)
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    known = _POOLS.get(_pool_key(exam) or "")  # PostgreSQL: the version in one statement, for a pool this process has
    if known is not None:
        exam._exam_pool = known  # type: ignore[attr-defined]
        return known
    rows = list(exam.sections.order_by("order", "pk").values_list("category_id", "count", "include_children"))
    if not rows:
        raise DomainError(_("В экзамене нет вопросов."))
    sections = [(category, count) for category, count, _children in rows]
    drawn_from = _section_categories(exam, rows)
    categories = sorted({c for members in drawn_from.values() for c in members})
    version = Question.objects.filter(category_id__in=categories).aggregate(
        n=Count("pk"), at=Max("updated_at"), archived=Count("pk", filter=Q(is_archived=True)))
    stamp = version["at"].isoformat() if version["at"] else "-"
    key = (f"exams:pool:{exam.pk}:{'.'.join(f'{c}x{n}' + ('+' if k else '') for c, n, k in rows)}:"
           f"{version['n']}:{version['archived']}:{stamp}")
    pool = _POOLS.get(key)  # this process drew from it already: no cache read, no unpickling
    if pool is None:
        pool = cache.get(key)
        if pool is not None:
            _remember_pool(key, pool)
    if pool is not None:
        exam._exam_pool = pool  # type: ignore[attr-defined]
        return pool  # type: ignore[no-any-return]
    by_category: dict[int, list[int]] = {}
    kinds: dict[int, str] = {}
    texts: dict[int, str] = {}
    points: dict[int, Decimal] = {}
    distractors: dict[int, list[str]] = {}
    owners: dict[int, list[int]] = {}  # category → the sections' categories that draw from it
    for section_category, members in drawn_from.items():
        by_category[section_category] = []
        for member in members:
            owners.setdefault(member, []).append(section_category)
    for pk, category_id, kind, text, value, extra in (
            Question.objects.filter(category_id__in=categories, is_archived=False).order_by("pk")
            .values_list("pk", "category_id", "kind", "text", "points", "distractors")):
        for section_category in owners.get(category_id, ()):
            by_category[section_category].append(pk)
        kinds[pk] = kind
        texts[pk] = text
        points[pk] = value
        distractors[pk] = [str(d) for d in (extra or [])]
    options: dict[int, list[str]] = {}
    matches: dict[int, list[str]] = {}
    option_texts: dict[str, str] = {}
    for question_id, option_id, match, text in (QuestionOption.objects.filter(question_id__in=kinds)
                                                .order_by("question_id", "order", "pk")
                                                .values_list("question_id", "pk", "match", "text")):
        options.setdefault(question_id, []).append(str(option_id))
        option_texts[str(option_id)] = text
        if kinds[question_id] == scoring.Kind.MATCHING:
            matches.setdefault(question_id, []).append(match)
    pool = {"sections": sections, "by_category": by_category, "kinds": kinds, "texts": texts, "points": points,
            "distractors": distractors, "options": options, "matches": matches, "option_texts": option_texts}
    cache.set(key, pool, POOL_CACHE_SECONDS)
    _remember_pool(key, pool)
    exam._exam_pool = pool  # type: ignore[attr-defined]
    return pool


def _pool_key(exam: Exam) -> str | None:
    """On PostgreSQL, the pool's versioned key (exactly as :func:`exam_pool` makes it from its two reads) in one
    prepared statement: the sections, the categories they draw from (with their subcategories where a section
    says so), and the count, newest change and archived count of those categories' questions. None elsewhere,
    or for an exam without sections (which :func:`exam_pool` refuses in its words)."""
    if connection.vendor != "postgresql":
        return None
    with prepared_cursor() as cursor:
        cursor.execute(_pool_key_sql(), {"exam": exam.pk})
        sections, count, newest, archived = cursor.fetchone()
    if not sections:
        return None
    return f"exams:pool:{exam.pk}:{sections}:{count}:{archived}:{newest.isoformat() if newest else '-'}"


@functools.cache
def _pool_key_sql() -> str:
    sections = connection.ops.quote_name(ExamSection._meta.db_table)
    categories = connection.ops.quote_name(QuestionCategory._meta.db_table)
    questions = connection.ops.quote_name(Question._meta.db_table)
    return (
        f"WITH RECURSIVE sec AS (SELECT id, category_id, count, include_children, \"order\" FROM {sections} "  # noqa: S608
        "WHERE exam_id = %(exam)s), "
        "tree (id, deep) AS (SELECT category_id, include_children FROM sec "
        f"UNION SELECT c.id, true FROM {categories} c JOIN tree ON c.parent_id = tree.id WHERE tree.deep) "
        "SELECT (SELECT string_agg(category_id::text || 'x' || count::text "
        "|| CASE WHEN include_children THEN '+' ELSE '' END, '.' ORDER BY \"order\", id) FROM sec), "
        "count(q.id), max(q.updated_at), count(q.id) FILTER (WHERE q.is_archived) "
        f"FROM {questions} q WHERE q.category_id IN (SELECT id FROM tree)")


#: Per process: the pools this process has read, by their versioned cache key (the version is read on every call,
#: so an edit of the bank makes a new key at once; an old key is simply never asked for again).
_POOLS: dict[str, dict[str, Any]] = {}
POOLS_KEPT = 64


def _remember_pool(key: str, pool: dict[str, Any]) -> None:
    while len(_POOLS) >= POOLS_KEPT:
        _POOLS.pop(next(iter(_POOLS)), None)
    _POOLS[key] = pool


def _section_categories(exam: Exam, rows: list[tuple[int, int, bool]]) -> dict[int, list[int]]:
    """For each section's category: the categories its questions are drawn from — itself, and with
    ``include_children`` every category below it in the bank's tree."""
    children: dict[int | None, list[int]] = {}
    if any(include for _c, _n, include in rows):
        for pk, parent in QuestionCategory.objects.filter(bank_id=exam.bank_id).values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
    result: dict[int, list[int]] = {}
    for category, _count, include in rows:
        members, stack = [category], list(children.get(category, ())) if include else []
        while stack:
            member = stack.pop()
            if member not in members:
                members.append(member)
                stack.extend(children.get(member, ()))
        result[category] = members
    return result


def _build_paper(exam: Exam, seed: int, pool: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    pool = pool if pool is not None else exam_pool(exam)
    kinds: dict[int, str] = pool["kinds"]
    try:
        items = paper_module.build_paper(
            seed=seed, sections=[paper_module.Section(c, n) for c, n in pool["sections"]], pool=pool["by_category"],
            options=pool["options"], shuffle_questions=exam.shuffle_questions, shuffle_options=exam.shuffle_options,
            shufflable=frozenset(q for q, k in kinds.items() if k in scoring.SHUFFLABLE_KINDS))
    except paper_module.PaperError as exc:
        category = QuestionCategory.objects.filter(pk=exc.category).values_list("name", flat=True).first()
        detail = ngettext("в категории «%(category)s» %(n)s вопрос, а нужно %(needed)s",
                          "в категории «%(category)s» %(n)s вопросов, а нужно %(needed)s", exc.available) % {
            "category": category or exc.category, "n": exc.available, "needed": exc.needed}
        raise DomainError(_("В банке не хватает вопросов для экзамена: %(detail)s.") % {"detail": detail}) from exc
    result = []
    for item in items:
        entry: dict[str, Any] = {"question": item.question, "kind": kinds[item.question], "options": list(item.options)}
        if kinds[item.question] == scoring.Kind.MATCHING:
            choices = sorted(set(pool["matches"].get(item.question, [])) | set(pool["distractors"][item.question]))
            entry["choices"] = [str(c) for c in paper_module.Draw(seed + item.question).shuffle(choices)]
        result.append(entry)
    return result


def _max_score(paper: list[dict[str, Any]], pool: dict[str, Any] | None = None) -> Decimal:
    ids = [item["question"] for item in paper]
    if pool is not None and all(pk in pool["points"] for pk in ids):
        pairs = [(pool["kinds"][pk], pool["points"][pk]) for pk in ids]
    else:
        pairs = list(Question.objects.filter(pk__in=ids).values_list("kind", "points"))
    total = Decimal(0)
    for kind, points in pairs:
        if kind not in scoring.UNSCORED_KINDS:
            total += points
    return total
