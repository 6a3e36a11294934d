"""State changes of online exams (RM-1) and task hand-outs (RM-2).

One function per state change; pages, the API, the admin, the background job and the benchmark call
these and nothing else writes exam data. Who may *reach* a function (``exams.take_exam``,
``exams.manage_exam``…) is checked by the caller through :mod:`profmaster.permissions`; what follows
from the attempt itself (only its examinee saves, only from the browser holding it, only before the
deadline) is checked here, because it must hold on every channel.

Timing comes from :func:`profmaster.exams.timing.compute_timing`; the attempt stores its result
(``deadline``, ``accept_until``) and it is recomputed whenever an input changes (an override given
mid-exam), so the hot save path compares one stored time with the clock.

Every state change records an audit entry, except the autosave itself: each save is recorded in the
attempt's own append-only event log instead (an audit row per keystroke would double the write load
of the busiest path and drown the championship's audit log).
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.audit.domain import record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.core.db import retry_on_disconnect
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.numbers import format_number
from profmaster.core.postgres import prepared_cursor

from . import paper as paper_module
from . import scoring
from .models import (
    Admission,
    Answer,
    Attempt,
    AttemptEvent,
    Exam,
    ExamOverride,
    ExamSection,
    Question,
    QuestionCategory,
    QuestionOption,
    TaskAccess,
    TaskHandout,
)
from .timing import Phase, Timing, compute_timing

logger = logging.getLogger(__name__)

#: Largest JSON response accepted per save, in characters of its text form (a 5 MB answer is refused).
MAX_RESPONSE_CHARS = scoring.MAX_TEXT + 2_000
EVENT_RESPONSE_CHARS = 500


def _same(secret: str, given: str | None) -> bool:
    return bool(secret) and secrets.compare_digest(secret.encode(), (given or "").encode())


class AttemptLocked(AccessDenied):
    """The attempt is held by another browser; a proctor must unlock it."""

    def __init__(self) -> None:
        super().__init__(_("Попытка открыта в другом браузере. Обратитесь к проктору, чтобы он её разблокировал."))
        self.code = "locked"


class AttemptClosed(TransitionError):
    """The time is up (or the attempt was finished): answers are no longer accepted."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Время экзамена истекло: ответы больше не принимаются. "
                                      "Сохранённые ответы учтены."))
        self.code = "closed"


# --- Question banks -------------------------------------------------------------------------------


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


# --- Exams ----------------------------------------------------------------------------------------


def _refuse_if_open_attempts(exam: Exam) -> None:
    if exam.pk and Attempt.objects.filter(exam=exam, status=Attempt.Status.IN_PROGRESS).exists():
        raise TransitionError(_("Экзамен нельзя изменить, пока идёт хотя бы одна попытка."))


def save_exam(exam: Exam, *, by: Any, reason: str = "") -> Exam:
    """Create or change an exam; refused while any attempt is open (RM-1, item 2)."""
    if exam.competency is not None and exam.competency.championship_id != exam.championship_id:
        raise DomainError(_("Компетенция из другого чемпионата."), field="competency")
    if exam.stage is not None and exam.stage.championship_id != exam.championship_id:
        raise DomainError(_("Этап из другого чемпионата."), field="stage")
    if exam.bank_id and exam.bank.championship_id != exam.championship_id:
        raise DomainError(_("Банк вопросов из другого чемпионата."), field="bank")
    parse_networks(exam.allowed_networks)
    with transaction.atomic():
        if exam.pk:
            Exam.objects.select_for_update().get(pk=exam.pk)
        _refuse_if_open_attempts(exam)
        save_audited(exam, by=by, reason=reason)
    return exam


def save_section(section: ExamSection, *, by: Any) -> ExamSection:
    if section.category.bank_id != section.exam.bank_id:
        raise DomainError(_("Категория из другого банка, чем у экзамена."), field="category")
    available = section.category.questions.filter(is_archived=False).count()
    if section.count > available:
        raise DomainError(ngettext("В категории только %(n)s вопрос.", "В категории только %(n)s вопросов.", available)
                          % {"n": available}, field="count")
    with transaction.atomic():
        Exam.objects.select_for_update().get(pk=section.exam_id)
        _refuse_if_open_attempts(section.exam)
        save_audited(section, by=by, championship=section.exam.championship)
    return section


def save_override(override: ExamOverride, *, by: Any, reason: str = "") -> ExamOverride:
    """Give a person extra time or another window; their open attempt's deadline follows at once."""
    with transaction.atomic():
        save_audited(override, by=by, reason=reason, championship=override.exam.championship)
        for attempt in Attempt.objects.select_for_update().filter(
                exam=override.exam, user=override.user, status=Attempt.Status.IN_PROGRESS):
            _store_timing(attempt, timing_of(attempt.exam, override, attempt, timezone.now()))
            attempt.save(update_fields=["deadline", "accept_until"])
    return override


def change_exam_status(exam: Exam, *, to: str, by: Any, reason: str = "") -> Exam:
    allowed: dict[str, set[str]] = {
        Exam.Status.DRAFT: {Exam.Status.PUBLISHED}, Exam.Status.PUBLISHED: {Exam.Status.DRAFT, Exam.Status.ARCHIVED},
        Exam.Status.ARCHIVED: {Exam.Status.PUBLISHED}}
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        if to not in allowed.get(exam.status, set()):
            raise TransitionError(_("Экзамен нельзя перевести из статуса «%(src)s» в «%(dst)s».")
                                  % {"src": exam.get_status_display(), "dst": dict(Exam.Status.choices).get(to, to)})
        if to == Exam.Status.PUBLISHED and not exam.sections.exists():
            raise DomainError(_("Добавьте в экзамен хотя бы одну категорию вопросов."))
        _refuse_if_open_attempts(exam)
        before = snapshot(exam)
        exam.status = to
        exam.save(update_fields=["status"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=exam, before=before, after=snapshot(exam),
               reason=reason)
    return exam


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for line in (text or "").replace(",", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            networks.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            raise DomainError(_("«%(net)s» — не IP-адрес и не сеть.") % {"net": line[:60]},
                              field="allowed_networks") from None
    return networks


def ip_allowed(exam: Exam, ip: str | None) -> bool:
    networks = parse_networks(exam.allowed_networks)
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


# --- Timing ---------------------------------------------------------------------------------------


def timing_of(exam: Exam, override: ExamOverride | None, attempt: Attempt | None, now: dt.datetime) -> Timing:
    return compute_timing(
        now=now, opens_at=exam.opens_at, closes_at=exam.closes_at, time_limit=exam.time_limit,
        started_at=attempt.started_at if attempt else None,
        finished_at=attempt.finished_at if attempt else None,
        extra_time=dt.timedelta(minutes=override.extra_minutes) if override else dt.timedelta(0),
        override_opens_at=override.opens_at if override else None,
        override_closes_at=override.closes_at if override else None,
        grace=dt.timedelta(seconds=exam.grace_seconds),
    )


def override_for(exam: Exam, user: Any) -> ExamOverride | None:
    return ExamOverride.objects.filter(exam=exam, user=user).first()


def _store_timing(attempt: Attempt, timing: Timing) -> None:
    attempt.deadline = timing.deadline
    attempt.accept_until = timing.accept_until


def attempts_left(exam: Exam, user: Any, override: ExamOverride | None = None) -> int:
    allowed = (override.max_attempts if override and override.max_attempts else None) or exam.max_attempts
    return max(0, allowed - Attempt.objects.filter(exam=exam, user=user).count())


# --- Attempts -------------------------------------------------------------------------------------


def _event(attempt: Attempt, kind: str, now: dt.datetime, **data: Any) -> AttemptEvent:
    return AttemptEvent.objects.create(attempt=attempt, kind=kind, at=now, data=data)


def admit(exam: Exam, user: Any, *, by: Any, document_note: str = "") -> Admission:
    """A proctor confirms the examinee's identity and admits them to start (RM-1, identification)."""
    with transaction.atomic():
        admission = Admission.objects.filter(exam=exam, user=user, used=False).first()
        if admission is not None:
            return admission
        admission = Admission.objects.create(exam=exam, user=user, admitted_by=by, document_note=document_note[:200])
        record(actor=by, action=AuditEntry.Action.CREATE, instance=admission, championship=exam.championship,
               after={"exam": exam.pk, "user": user.pk, "document_note": admission.document_note},
               reason=_("Допуск к экзамену"))
    return admission


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
    pool = cache.get(key)
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
    exam._exam_pool = pool  # type: ignore[attr-defined]
    return pool


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


def start_attempt(exam: Exam, user: Any, *, access_code: str = "", ip: str | None = None,
                  now: dt.datetime | None = None, token: str | None = None) -> tuple[Attempt, str]:
    """Start (or, if one is open, resume) the person's attempt. Returns it and the lock token that
    the browser or API client must present with every save."""
    now = now or timezone.now()
    open_attempt = Attempt.objects.filter(exam=exam, user=user, status=Attempt.Status.IN_PROGRESS).first()
    if open_attempt is not None:
        open_attempt = finish_if_overdue(open_attempt, now=now)
        if open_attempt.status == Attempt.Status.IN_PROGRESS:
            return open_attempt, claim_attempt(open_attempt, user, token=token, now=now)
    if exam.status != Exam.Status.PUBLISHED:
        raise TransitionError(_("Экзамен ещё не опубликован."))
    override = override_for(exam, user)
    timing = timing_of(exam, override, None, now)
    if timing.phase is Phase.NOT_OPEN:
        raise TransitionError(_("Экзамен ещё не открыт: начало %(at)s.")
                              % {"at": timezones.format_local(timing.opens_at, timezones.zone_of(exam))})
    if timing.phase is Phase.CLOSED:
        raise TransitionError(_("Экзамен уже закрыт."))
    used = Attempt.objects.filter(exam=exam, user=user).count()
    allowed = (override.max_attempts if override and override.max_attempts else None) or exam.max_attempts
    if used >= allowed:
        raise TransitionError(_("Попытки закончились."))
    if exam.access_code and not secrets.compare_digest(exam.access_code.encode(), (access_code or "").strip().encode()):
        raise DomainError(_("Неверный код доступа."), field="access_code", code="access_code")
    if not ip_allowed(exam, ip):
        raise AccessDenied(_("С этого адреса экзамен проходить нельзя. Обратитесь к организатору."))
    seed = paper_module.new_seed()
    pool = exam_pool(exam)
    paper = _build_paper(exam, seed, pool)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        if exam.requires_admission:
            admission = Admission.objects.select_for_update().filter(exam=exam, user=user, used=False).first()
            if admission is None:
                raise AccessDenied(_("Дождитесь допуска проктора: он проверит вашу личность и допустит к экзамену."))
            admission.used = True
            admission.save(update_fields=["used"])
        number = used + 1  # a start racing this one fails on the unique number and resumes below
        attempt = Attempt(exam=exam, user=user, number=number, seed=seed, paper=paper, started_at=now,
                          lock_token=token, client_ip=ip or None,
                          max_score=_max_score(paper, pool))
        _store_timing(attempt, timing_of(exam, override, attempt, now))
        try:
            with transaction.atomic():
                attempt.save()
        except IntegrityError:
            # A second click raced the first one: resume the attempt it started.
            existing = Attempt.objects.filter(exam=exam, user=user, status=Attempt.Status.IN_PROGRESS).first()
            if existing is None:
                raise TransitionError(_("Попытка начата в другой вкладке. Обновите страницу.")) from None
            return existing, claim_attempt(existing, user, token=None, now=now)
        attempt._created_now = True  # type: ignore[attr-defined]  # it has no answers yet: nothing to read back
        if connection.vendor == "postgresql":  # the first save through this process need not read the paper
            # A cache only: were it to fail, the committed start stands (robust: logged, not raised).
            transaction.on_commit(functools.partial(_remember_paper, attempt.pk, token, user.pk, paper), robust=True)
        _event(attempt, AttemptEvent.Kind.START, now, ip=ip, seed=seed)
        record(actor=user, action=AuditEntry.Action.CREATE, instance=attempt, championship=exam.championship,
               after={"exam": exam.pk, "user": user.pk, "number": number, "seed": seed,
                      "deadline": attempt.deadline.isoformat() if attempt.deadline else None})
    return attempt, token


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


def claim_attempt(attempt: Attempt, user: Any, *, token: str | None, now: dt.datetime | None = None) -> str:
    """The browser opening the attempt: the one holding its token resumes; a free attempt (new, or
    unlocked by a proctor) is taken by this browser; any other browser is refused (RM-1, item 3)."""
    now = now or timezone.now()
    if attempt.user_id != user.pk:
        raise AccessDenied(_("Это не ваша попытка."))
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if _same(locked.lock_token, token):
            return locked.lock_token
        if locked.lock_token:
            # Recorded, not rolled back with the refusal: the panel sees the try in the log.
            _event(locked, AttemptEvent.Kind.SECOND_BROWSER, now)
            refused = True
        else:
            refused = False
    if refused:
        raise AttemptLocked
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.lock_token:
            raise AttemptLocked
        locked.lock_token = secrets.token_urlsafe(24)
        locked.save(update_fields=["lock_token"])
        attempt.lock_token = locked.lock_token
        _event(locked, AttemptEvent.Kind.RESUME, now)
    return locked.lock_token


def unlock_attempt(attempt: Attempt, *, by: Any, reason: str = "") -> Attempt:
    """A proctor frees the attempt so that the examinee can continue in another browser."""
    now = timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status != Attempt.Status.IN_PROGRESS:
            raise TransitionError(_("Попытка уже завершена."))
        attempt.lock_token = ""
        attempt.save(update_fields=["lock_token"])
        _event(attempt, AttemptEvent.Kind.UNLOCK, now, by=by.pk, reason=reason[:500])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=attempt, championship=attempt.exam.championship,
               after={"unlocked": True}, reason=reason or _("Разблокировка попытки"))
    return attempt


@dataclass(frozen=True)
class SaveAck:
    question: int
    seq: int
    saved_at: dt.datetime
    replay: bool


def _paper_key(item: dict[str, Any]) -> scoring.Key:
    """A key with only what the examinee was shown — enough to check a response's shape."""
    kind = scoring.Kind(item["kind"])
    options = tuple(scoring.Option(id=o) for o in item.get("options", []))
    if kind is scoring.Kind.MATCHING:
        return scoring.Key(kind, Decimal(0), options, distractors=tuple(item.get("choices", [])))
    return scoring.Key(kind, Decimal(0), options)


@retry_on_disconnect  # idempotent by seq, so a save cut off by a dropped connection runs once more
def save_answer(attempt_id: int, user: Any, *, question_id: int, response: Any, seq: int, token: str,
                now: dt.datetime | None = None) -> SaveAck:
    """Autosave one answer idempotently (RM-1, item 4).

    The attempt's token — issued only to the browser that opened the attempt as its owner — is what
    authorises a save; ``user`` may be None (the API's autosave, which reads no session), and when given
    must be the owner. ``seq`` is the client's counter for this question: a save whose ``seq`` is not
    above the stored one is a replay (a retried request, or an older one overtaken) and is acknowledged
    without a change. After ``deadline + grace`` saves are refused and the attempt is finished.
    """
    now = now or timezone.now()
    if not _valid_seq(seq):
        raise DomainError(_("Неверный номер сохранения."), field="seq")
    ack = try_save_answer(attempt_id, user, question_id=question_id, response=response, seq=seq, token=token, now=now)
    if ack is not None:
        return ack
    with transaction.atomic():
        # The general path (and every refusal, replay and overdue save): one locking read of the few attempt
        # columns it needs, one upsert that writes only a newer seq, one event insert. The row lock orders a
        # save against a concurrent finish, so nothing is written into a finished attempt.
        attempt = next(iter(Attempt.objects.select_for_update().order_by().filter(pk=attempt_id).only(
            "id", "user_id", "status", "lock_token", "accept_until", "paper")), None)
        if attempt is None or (user is not None and attempt.user_id != getattr(user, "pk", None)):
            raise AccessDenied(_("Это не ваша попытка."))
        if user is None and not _same(attempt.lock_token, token):
            raise AttemptLocked  # without the owner's session, nothing is said about the attempt first
        if attempt.status != Attempt.Status.IN_PROGRESS:
            raise AttemptClosed(_("Попытка завершена: ответы больше не принимаются."))
        if not _same(attempt.lock_token, token):
            raise AttemptLocked
        if attempt.accept_until is not None and now >= attempt.accept_until:
            _event(attempt, AttemptEvent.Kind.REFUSED, now, question=question_id, seq=seq)
            overdue = True
        else:
            overdue = False
        if not overdue:
            item = next((i for i in attempt.paper if i["question"] == question_id), None)
            cleaned = _checked_response(_paper_key(item) if item is not None else None, response)
            if not _upsert_answer(attempt.pk, question_id, cleaned, seq, now):
                stored_seq, stored_at = (Answer.objects.filter(attempt_id=attempt.pk, question_id=question_id)
                                         .values_list("seq", "saved_at").get())
                _event(attempt, AttemptEvent.Kind.REPLAY, now, question=question_id, seq=seq, stored=stored_seq)
                return SaveAck(question_id, stored_seq, stored_at, True)
            _event(attempt, AttemptEvent.Kind.SAVE, now, question=question_id, seq=seq,
                   response=repr(cleaned)[:EVENT_RESPONSE_CHARS])
            return SaveAck(question_id, seq, now, False)
    # Past the deadline and grace: finish with what was saved (outside the refused save's transaction).
    finish_if_overdue(Attempt.objects.get(pk=attempt.pk), now=now)
    raise AttemptClosed


def _valid_seq(seq: Any) -> bool:
    return isinstance(seq, int) and not isinstance(seq, bool) and 1 <= seq <= 2**31 - 1


def _checked_response(key: scoring.Key | None, response: Any) -> Any:
    """The response cleaned for the paper's key of its question (None: not in the paper), or a DomainError
    saying what is wrong with it."""
    if key is None:
        raise DomainError(_("Этого вопроса нет в вашем билете."), field="question")
    if len(repr(response)) > MAX_RESPONSE_CHARS:
        raise DomainError(_("Ответ слишком длинный."), field="response", code="too_long")
    try:
        return scoring.clean_response(key, response)
    except scoring.BadResponse as exc:
        raise DomainError(_("Ответ не подходит к вопросу: %(why)s.") % {"why": exc}, field="response") from exc


#: Per process: (attempt id, token) → (owner id, {question id: the key of what the examinee was shown}) for
#: the attempts this process has saved into. A paper and its owner never change once the attempt is drawn,
#: and the token is part of the key, so an entry can only go stale by being unused; the oldest go first.
#: Papers showing a question alike share one key object (``_KEYS``): an entry is about 2 KB.
_PAPERS: dict[tuple[int, str], tuple[int, dict[int, scoring.Key]]] = {}
_KEYS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], scoring.Key] = {}
_PAPERS_LOCK = threading.Lock()
PAPER_CACHE_SIZE = 20_000


def _paper_of(attempt_id: int, token: str) -> tuple[int, dict[int, scoring.Key]] | None:
    """The owner and paper keys of an open attempt held with ``token``, from the cache or one read."""
    cached = _PAPERS.get((attempt_id, token))
    if cached is not None:
        return cached
    attempts = connection.ops.quote_name(Attempt._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT user_id, status, lock_token, paper FROM {attempts} WHERE id = %s",  # noqa: S608
                       [attempt_id])
        row = cursor.fetchone()
    if row is None:
        return None
    owner, status, lock_token, paper = row
    if status != Attempt.Status.IN_PROGRESS or not _same(lock_token, token):
        return None
    if isinstance(paper, str):  # Django's connection hands jsonb over as text, for JSONField to parse
        paper = json.loads(paper)
    return _remember_paper(attempt_id, token, owner, paper)


def _remember_paper(attempt_id: int, token: str, owner: int, paper: list[dict[str, Any]]
                    ) -> tuple[int, dict[int, scoring.Key]]:
    with _PAPERS_LOCK:  # threaded workers: one thread at a time adds and evicts
        if len(_KEYS) >= PAPER_CACHE_SIZE:
            _KEYS.clear()
        keys = {}
        for item in paper:
            shown = (item["kind"], tuple(item.get("options", ())), tuple(item.get("choices", ())))
            key = _KEYS.get(shown)
            if key is None:
                key = _KEYS[shown] = _paper_key(item)
            keys[item["question"]] = key
        while len(_PAPERS) >= PAPER_CACHE_SIZE:
            del _PAPERS[next(iter(_PAPERS))]
        entry = _PAPERS[(attempt_id, token)] = (owner, keys)
    return entry


@retry_on_disconnect
def try_save_answer(attempt_id: int, user: Any = None, *, question_id: int, response: Any, seq: int, token: str,
                    now: dt.datetime | None = None) -> SaveAck | None:
    """The common save on PostgreSQL (RM-1 performance): one prepared statement — its own transaction — that
    locks the attempt row while it is still open with this token and before its deadline, upserts the answer
    if ``seq`` is newer and logs the save. The response is checked against the paper beforehand; the paper is
    read once per attempt and process (:func:`_paper_of`).

    None, having written nothing, when anything is unusual (a refusal, a replay, the deadline, a response that
    does not fit, another database): :func:`save_answer` then decides and answers exactly as without this
    shortcut, refusals first.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the hot path looks the thread's connection up once
    if db.vendor != "postgresql":
        return None
    if not (_valid_seq(seq) and token and isinstance(token, str)):
        return None
    if not (0 < attempt_id < 2**63 and 0 < question_id < 2**63):
        return None  # no such row; the general path says so
    now = now or timezone.now()
    paper = _paper_of(attempt_id, token)
    if paper is None or (user is not None and paper[0] != getattr(user, "pk", None)):
        return None
    try:
        cleaned = _checked_response(paper[1].get(question_id), response)
    except DomainError:
        return None  # worded by the general path, after its refusals
    # The JSON columns get the text JSONField would write (json.dumps, no encoder), cast in the statement.
    data = {"question": question_id, "seq": seq, "response": repr(cleaned)[:EVENT_RESPONSE_CHARS]}
    params = {"attempt": attempt_id, "open": Attempt.Status.IN_PROGRESS.value, "token": token, "now": now,
              "question": question_id, "response": json.dumps(cleaned), "seq": seq,
              "kind": AttemptEvent.Kind.SAVE.value, "data": json.dumps(data)}
    with prepared_cursor(db) as cursor:  # the plan is made once per connection and reused by every save
        cursor.execute(_save_sql(), params)
        saved = cursor.fetchone()
    if saved is None:
        return None
    return SaveAck(question_id, seq, now, False)


@functools.cache
def _save_sql() -> str:
    attempts = connection.ops.quote_name(Attempt._meta.db_table)
    answers = connection.ops.quote_name(Answer._meta.db_table)
    events = connection.ops.quote_name(AttemptEvent._meta.db_table)
    return (
        f"WITH open AS (SELECT id FROM {attempts} WHERE id = %(attempt)s AND status = %(open)s "  # noqa: S608
        "AND lock_token = %(token)s AND (accept_until IS NULL OR accept_until > %(now)s) FOR UPDATE), "
        f"saved AS (INSERT INTO {answers} (attempt_id, question_id, response, seq, saved_at, comment) "
        "SELECT id, %(question)s, %(response)s::jsonb, %(seq)s, %(now)s, '' FROM open "
        f"{_newer_seq_wins(answers)} RETURNING attempt_id) "
        f"INSERT INTO {events} (attempt_id, kind, at, data) SELECT attempt_id, %(kind)s, %(now)s, %(data)s::jsonb "
        "FROM saved RETURNING id")


def _newer_seq_wins(answers: str) -> str:
    """The upsert clause of both save paths: a stored answer is overwritten only by a newer ``seq``."""
    return ("ON CONFLICT (attempt_id, question_id) DO UPDATE SET response = excluded.response, "
            f"seq = excluded.seq, saved_at = excluded.saved_at WHERE {answers}.seq < excluded.seq")


def _upsert_answer(attempt_id: int, question_id: int, response: Any, seq: int, now: dt.datetime) -> bool:
    """Insert the answer, or overwrite it only if ``seq`` is newer than the stored one, in one statement.
    False: nothing written (a replay, or an older save overtaken by a newer one)."""
    table = connection.ops.quote_name(Answer._meta.db_table)
    field = Answer._meta.get_field("response")
    value = field.get_db_prep_save(response, connection)
    saved_at = Answer._meta.get_field("saved_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (attempt_id, question_id, response, seq, saved_at, comment) "  # noqa: S608 - table name
            f"VALUES (%s, %s, %s, %s, %s, '') {_newer_seq_wins(table)} RETURNING id",
            [attempt_id, question_id, value, seq, saved_at])
        return cursor.fetchone() is not None


def log_focus(attempt: Attempt, user: Any, *, lost: bool, token: str, now: dt.datetime | None = None) -> None:
    """The browser reports that the exam window lost or regained focus (RM-1, item 6)."""
    now = now or timezone.now()
    if attempt.user_id != user.pk:
        raise AccessDenied(_("Это не ваша попытка."))
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return
    if not _same(attempt.lock_token, token):
        raise AttemptLocked
    _event(attempt, AttemptEvent.Kind.FOCUS_LOST if lost else AttemptEvent.Kind.FOCUS_BACK, now)


# --- Finishing and scoring ------------------------------------------------------------------------


def _keys(question_ids: Iterable[int]) -> dict[int, tuple[Question, scoring.Key]]:
    questions = Question.objects.filter(pk__in=list(question_ids)).prefetch_related(
        Prefetch("options", QuestionOption.objects.order_by("order", "pk")))
    return {q.pk: (q, key_for(q)) for q in questions}


@dataclass(frozen=True)
class Scored:
    score: Decimal
    max_score: Decimal
    needs_grading: bool
    scales: dict[str, str]
    points: dict[int, Decimal | None]


def score_attempt(attempt: Attempt, keys: dict[int, tuple[Question, scoring.Key]] | None = None) -> Scored:
    """Points of every answer and the total, with manual grades kept as given."""
    ids = [item["question"] for item in attempt.paper]
    keys = keys if keys is not None else _keys(ids)
    answers = {a.question_id: a for a in attempt.answers.all()}
    total = Decimal(0)
    maximum = Decimal(0)
    needs = False
    scales: dict[str, Decimal] = {}
    points: dict[int, Decimal | None] = {}
    for question_id in ids:
        if question_id not in keys:
            continue
        _question, key = keys[question_id]
        answer = answers.get(question_id)
        maximum += scoring.max_points(key)
        if answer is not None and answer.graded_by_id is not None:
            points[question_id] = answer.points
            total += answer.points or 0
            continue
        try:
            result = scoring.score(key, scoring.clean_response(key, answer.response if answer else None))
        except scoring.BadResponse:
            result = scoring.Result(Decimal(0))  # the key changed under a stored answer; it no longer fits
        points[question_id] = result.points
        if result.points is not None:
            total += result.points
        needs = needs or result.needs_grading
        for scale, value in result.scales.items():
            scales[scale] = scales.get(scale, Decimal(0)) + value
    return Scored(total, maximum, needs, {k: str(v) for k, v in scales.items()}, points)


def _apply_score(attempt: Attempt, scored: Scored) -> None:
    for answer in attempt.answers.all():
        if answer.graded_by_id is None and answer.question_id in scored.points:
            new = scored.points[answer.question_id]
            if answer.points != new:
                Answer.objects.filter(pk=answer.pk).update(points=new)
    attempt.score = scored.score
    attempt.max_score = scored.max_score
    attempt.needs_grading = scored.needs_grading
    attempt.scales = scored.scales
    pass_mark = attempt.exam.pass_mark
    attempt.passed = None if pass_mark is None or scored.needs_grading else scored.score >= pass_mark


def finish_attempt(attempt: Attempt, *, by: Any, how: str = Attempt.FinishedBy.EXAMINEE,
                   now: dt.datetime | None = None, reason: str = "") -> Attempt:
    """Finish an attempt with its saved answers and score it. Finishing a finished attempt is an
    error the person sees (a double click on «Завершить» answers with the result page instead)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
        if locked.status != Attempt.Status.IN_PROGRESS:
            raise TransitionError(_("Попытка уже завершена."))
        if how == Attempt.FinishedBy.EXAMINEE and locked.user_id != getattr(by, "pk", None):
            raise AccessDenied(_("Это не ваша попытка."))
        before = snapshot(locked)
        # A deadline finish is stamped with the deadline itself, not with when the job noticed it.
        finished_at = min(now, locked.deadline) if how == Attempt.FinishedBy.DEADLINE and locked.deadline else now
        locked.status = Attempt.Status.FINISHED
        locked.finished_at = finished_at
        locked.finished_by = how
        locked.lock_token = ""
        _apply_score(locked, score_attempt(locked))
        locked.save()
        _event(locked, AttemptEvent.Kind.FINISH, now, how=how, score=str(locked.score))
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               championship=locked.exam.championship, reason=reason)
    return locked


def finish_if_overdue(attempt: Attempt, *, now: dt.datetime | None = None) -> Attempt:
    """Lazily finish an attempt whose time (and grace) ran out — on any access, so a dead worker
    cannot leave attempts open."""
    now = now or timezone.now()
    if attempt.status != Attempt.Status.IN_PROGRESS or attempt.accept_until is None or now < attempt.accept_until:
        return attempt
    try:
        return finish_attempt(attempt, by=None, how=Attempt.FinishedBy.DEADLINE, now=now)
    except TransitionError:
        attempt.refresh_from_db()
        return attempt


def finish_overdue_attempts(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """The background job: finish every attempt past its deadline and grace. Returns how many.

    Each attempt is finished in its own savepoint (X-5): one that cannot be finished (a corrupt paper, a
    database error on its rows) is logged with its id and stays open for the next run, and the rest of the
    batch is finished all the same.
    """
    now = now or timezone.now()
    ids = list(Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, accept_until__lte=now)
               .values_list("pk", flat=True)[:limit])
    done = 0
    for attempt in Attempt.objects.filter(pk__in=ids).select_related("exam"):
        try:
            with transaction.atomic():
                finished = finish_if_overdue(attempt, now=now).status == Attempt.Status.FINISHED
        except Exception:
            logger.exception("exams: overdue attempt %s could not be finished; the batch goes on", attempt.pk)
            continue
        done += finished
    return done


def grade_answer(answer: Answer, *, points: Decimal, by: Any, comment: str = "") -> Answer:
    """An expert grades a manually scored answer (the grading queue); the attempt's total follows."""
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=answer.attempt_id)
        answer = Answer.objects.select_for_update().select_related("question").get(pk=answer.pk)
        if attempt.status != Attempt.Status.FINISHED:
            raise TransitionError(_("Оценивать можно только завершённую попытку."))
        if points < 0 or points > answer.question.points:
            raise DomainError(_("Баллы — от 0 до %(max)s.") % {"max": answer.question.points}, field="points")
        before = snapshot(answer)
        answer.points = points
        answer.graded_by = by
        answer.graded_at = timezone.now()
        answer.comment = comment[:2000]
        answer.save()
        _apply_score(attempt, score_attempt(attempt))
        attempt.save()
        _event(attempt, AttemptEvent.Kind.GRADE, timezone.now(), question=answer.question_id, points=str(points),
               by=by.pk)
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=answer, before=before, after=snapshot(answer),
               championship=attempt.exam.championship)
    return answer


@dataclass(frozen=True)
class RegradeChange:
    attempt: Attempt
    old: Decimal | None
    new: Decimal


def regrade_exam(exam: Exam, *, by: Any, dry_run: bool = True, reason: str = "") -> list[RegradeChange]:
    """Re-score every finished attempt against the current keys (after a corrected key).

    With ``dry_run`` nothing is written: the list says whose score would change and how.
    """
    attempts = list(Attempt.objects.filter(exam=exam, status=Attempt.Status.FINISHED)
                    .select_related("user", "exam").prefetch_related("answers"))
    ids = {item["question"] for attempt in attempts for item in attempt.paper}
    keys = _keys(ids)
    changes = []
    for attempt in attempts:
        scored = score_attempt(attempt, keys)
        if scored.score != attempt.score or scored.max_score != attempt.max_score:
            changes.append(RegradeChange(attempt, attempt.score, scored.score))
    if dry_run:
        return changes
    if not reason.strip():
        raise DomainError(_("Укажите причину пересчёта."), field="reason")
    with transaction.atomic():
        for change in changes:
            attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=change.attempt.pk)
            before = snapshot(attempt)
            _apply_score(attempt, score_attempt(attempt))
            attempt.save()
            _event(attempt, AttemptEvent.Kind.REGRADE, timezone.now(), old=str(change.old), new=str(attempt.score))
            record(actor=by, action=AuditEntry.Action.UPDATE, instance=attempt, before=before, after=snapshot(attempt),
                   championship=exam.championship, reason=reason)
    return changes


# --- Protocols ------------------------------------------------------------------------------------


def results_rows(exam: Exam) -> list[dict[str, Any]]:
    """The results of the theory stage as plain data (for the page, the protocol and the API)."""
    rows = []
    tz = timezones.zone_of(exam)  # the championship's wall clock, named in the protocol's header
    attempts = (Attempt.objects.filter(exam=exam).select_related("user")
                .order_by("user__last_name", "user__first_name", "number"))
    for attempt in attempts:
        rows.append({
            "ФИО": attempt.user.full_name,
            "Попытка": attempt.number,
            "Начата": timezone.localtime(attempt.started_at, tz).strftime("%d.%m.%Y %H:%M:%S"),
            "Завершена": (timezone.localtime(attempt.finished_at, tz).strftime("%d.%m.%Y %H:%M:%S")
                          if attempt.finished_at else "—"),
            "Баллы": format_number(attempt.score, 2, language="ru") if attempt.score is not None else "—",
            "Максимум": format_number(attempt.max_score, 2, language="ru"),
            "Итог": ("ждёт проверки" if attempt.needs_grading else
                     "сдал" if attempt.passed else "не сдал" if attempt.passed is False else "—"),
        })
    return rows


def _results_protocol_content(exam: Exam) -> tuple[str, dict[str, Any]]:
    if Attempt.objects.filter(exam=exam, status=Attempt.Status.IN_PROGRESS).exists():
        raise TransitionError(_("Протокол формируется, когда все попытки завершены."))
    data = {
        "text": _("Результаты теоретического этапа (онлайн-экзамен) «%(exam)s».") % {"exam": exam.title},
        "Экзамен": {"Название": exam.title, "Компетенция": str(exam.competency or "—"),
                    "Проходной балл": str(exam.pass_mark or "—"),
                    "Время указано по поясу": timezones.zone_label(timezones.zone_of(exam))},
        "Результаты": results_rows(exam),
    }
    return _("Протокол результатов теоретического этапа: %(exam)s") % {"exam": exam.title}, data


def _exam_of(document: Any) -> Exam:
    exam = Exam.objects.filter(pk=int((document.source or {}).get("exam") or 0),
                               championship_id=document.championship_id).first()
    if exam is None:
        raise DomainError(_("Экзамен этого документа не найден."))
    return exam


def results_protocol_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the theory stage's results protocol formed again from the attempts."""
    return _results_protocol_content(_exam_of(document))


def create_results_protocol(exam: Exam, *, by: Any, signers: Sequence[tuple[Any, str]]) -> Any:
    """The results protocol of the theory stage as a signed document (DOC-2)."""
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    title, data = _results_protocol_content(exam)
    kind = getattr(exam.stage, "kind", "remote")
    doc_type = DocumentType.FINAL_RESULTS if kind == "final" else DocumentType.REMOTE_RESULTS
    return create_generated_document(championship=exam.championship, competency=exam.competency, doc_type=doc_type,
                                     title=title, data=data, signers=signers, by=by,
                                     generator="exams.results_protocol", source={"exam": exam.pk})


def participant_rows(exam: Exam) -> list[dict[str, Any]]:
    """The participant list of the theory stage: everyone who may take the exam (participants and
    pupils of its championship, of its competency or of none) and everyone who has an attempt, with
    their admission and their attempt's state."""
    from django.db.models import Q

    from profmaster.accounts.models import Role, RoleAssignment, User

    scope = Q(championship=exam.championship_id, role__in=[Role.PARTICIPANT, Role.PUPIL])
    if exam.competency_id is not None:
        scope &= Q(competency__isnull=True) | Q(competency=exam.competency_id)
    ids = set(RoleAssignment.objects.filter(scope).values_list("user_id", flat=True))
    attempts: dict[int, Attempt] = {}
    for attempt in Attempt.objects.filter(exam=exam).order_by("number"):
        attempts[attempt.user_id] = attempt  # the last attempt
    ids |= set(attempts)
    admissions = {a.user_id: a for a in Admission.objects.filter(exam=exam).select_related("admitted_by")
                  .order_by("admitted_at")}
    rows = []
    tz = timezones.zone_of(exam)
    for number, user in enumerate(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"), 1):
        last: Attempt | None = attempts.get(user.pk)
        admission = admissions.get(user.pk)
        rows.append({
            "№": number,
            "ФИО": user.full_name,
            "Допуск": (f"{timezone.localtime(admission.admitted_at, tz):%d.%m.%Y %H:%M} "
                       f"({admission.admitted_by.full_name})"
                       if admission else ("не требуется" if not exam.requires_admission else "—")),
            "Начало": timezone.localtime(last.started_at, tz).strftime("%d.%m.%Y %H:%M:%S") if last else "—",
            "Статус": str(last.get_status_display()) if last else "не начинал(а)",
        })
    return rows


def _participant_list_content(exam: Exam) -> tuple[str, dict[str, Any]]:
    rows = participant_rows(exam)
    if not rows:
        raise DomainError(_("В списке нет ни одного участника."))
    data = {
        "text": _("Список участников теоретического этапа (онлайн-экзамен) «%(exam)s».") % {"exam": exam.title},
        "Экзамен": {"Название": exam.title, "Компетенция": str(exam.competency or "—")},
        "Участники": rows,
    }
    return _("Список участников теоретического этапа: %(exam)s") % {"exam": exam.title}, data


def participant_list_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the theory stage's participant list formed again from the admissions and attempts."""
    return _participant_list_content(_exam_of(document))


def create_participant_list(exam: Exam, *, by: Any, signers: Sequence[tuple[Any, str]]) -> Any:
    """The participant list of the theory stage as a signed document."""
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    title, data = _participant_list_content(exam)
    return create_generated_document(championship=exam.championship, competency=exam.competency,
                                     doc_type=DocumentType.OTHER, title=title, data=data, signers=signers, by=by,
                                     generator="exams.participant_list", source={"exam": exam.pk})


# --- Task hand-out (RM-2) -------------------------------------------------------------------------


def save_handout(handout: TaskHandout, *, recipients: Sequence[Any], by: Any) -> TaskHandout:
    if handout.created_by_id is None:
        handout.created_by = by
    if not (handout.text or "").strip() and not handout.file:
        raise DomainError(_("Добавьте текст задания или файл."), field="text")
    if handout.pk and handout.accesses.exists():
        raise TransitionError(_("Задание уже открывали: изменить его нельзя, создайте новое."))
    save_audited(handout, by=by, m2m={"recipients": list(recipients)})
    return handout


def open_handout(handout: TaskHandout, user: Any, *, ip: str | None = None,
                 now: dt.datetime | None = None) -> TaskAccess:
    """The participant opens the task: before publication nobody sees it; the first opening is
    recorded with the server's time, once, and never overwritten."""
    now = now or timezone.now()
    if now < handout.publish_at:
        raise AccessDenied(_("Задание ещё не опубликовано."))
    if not handout.recipients.filter(pk=user.pk).exists():
        raise AccessDenied(_("Это задание выдано не вам."))
    access = TaskAccess.objects.filter(handout=handout, user=user).first()
    if access is not None:
        return access
    try:
        with transaction.atomic():
            access = TaskAccess.objects.create(handout=handout, user=user, first_opened_at=now, client_ip=ip or None)
            record(actor=user, action=AuditEntry.Action.CREATE, instance=access, championship=handout.championship,
                   after={"handout": handout.pk, "user": user.pk, "first_opened_at": now.isoformat()})
    except IntegrityError:  # the same person opened it in two tabs at once: the first one counts
        access = TaskAccess.objects.get(handout=handout, user=user)
    return access


# --- Import and export of banks -------------------------------------------------------------------


@dataclass
class ImportRow:
    """One question of the file in the import report."""

    number: int
    name: str
    imported: bool
    #: Why it was skipped, or what was changed or left out of it (rounding, files not kept).
    message: str = ""
    kind: str = ""
    category: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "imported": self.imported, "message": self.message,
                "kind": self.kind, "category": self.category}


@dataclass
class ImportResult:
    created: int
    #: (number in the file, question name, what is wrong) — the questions skipped
    errors: list[tuple[int, str, str]]
    #: Every question of the file, imported or skipped, in file order.
    rows: list[ImportRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "skipped": len(self.errors), "rows": [r.as_dict() for r in self.rows]}


def parse_questions(data: bytes, *, file_format: str) -> Any:
    """The file read into :class:`~profmaster.exams.interchange.ImportReport` (nothing stored yet)."""
    from . import interchange, xlsx

    parse = {"moodle_xml": interchange.parse_moodle_xml, "gift": interchange.parse_gift,
             "xlsx": xlsx.parse_xlsx}.get(file_format)
    if parse is None:
        raise DomainError(_("Неизвестный формат файла."), field="file_format")
    try:
        return parse(data)
    except interchange.FormatError as exc:
        raise DomainError(_("Файл не прочитан: %(why)s.") % {"why": exc}, field="file") from exc


def _category(bank: Any, path: str, cache: dict[str, QuestionCategory]) -> QuestionCategory:
    """The category of that path («Раздел / Подраздел»), creating it and every category above it."""
    if path in cache:
        return cache[path]
    parent = None
    parts = path.split(QuestionCategory.PATH_SEPARATOR)
    for depth in range(1, len(parts) + 1):
        name = QuestionCategory.PATH_SEPARATOR.join(parts[:depth])
        category = cache.get(name)
        if category is None:
            category, created = QuestionCategory.objects.get_or_create(bank=bank, name=name,
                                                                       defaults={"parent": parent})
            if not created and category.parent_id is None and parent is not None:
                category.parent = parent
                category.save(update_fields=["parent"])
            cache[name] = category
        parent = category
    assert parent is not None
    return parent


def _messages(exc: DomainError | ValidationError) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if hasattr(exc, "error_dict"):
        labels = {f.name: str(f.verbose_name) for f in Question._meta.fields}
        return "; ".join(f"поле «{labels.get(name, name)}»: {' '.join(m.message % (m.params or {}) for m in errors)}"
                         for name, errors in exc.error_dict.items())
    return "; ".join(exc.messages)


def import_questions(bank: Any, data: bytes, *, file_format: str, by: Any,
                     progress: Callable[[int, int, str], None] | None = None) -> ImportResult:
    """Load questions from Moodle XML, GIFT or xlsx into a bank. Good questions are saved, bad ones are
    listed with the reason; the file as a whole is refused only when it cannot be read at all.
    ``progress(done, total, message)`` is called as questions are stored (the background job's bar)."""
    report = parse_questions(data, file_format=file_format)
    return store_questions(bank, report, by=by, progress=progress)


#: Questions stored per transaction by :func:`store_questions`.
STORE_CHUNK = 100


def store_questions(bank: Any, report: Any, *, by: Any,
                    progress: Callable[[int, int, str], None] | None = None) -> ImportResult:
    from django.core.files.base import ContentFile

    from .models import QuestionImage

    rows = [ImportRow(number, name, False, message) for number, name, message in report.errors]
    errors = list(report.errors)
    created = 0
    total = len(report.questions)
    categories: dict[str, QuestionCategory] = {}
    # One transaction per STORE_CHUNK questions, a savepoint per question: a bad question is skipped alone,
    # and 6,000 questions cost 60 commits rather than 6,000 (on SQLite each commit is an fsync).
    for first in range(0, total, STORE_CHUNK):
        with transaction.atomic():
            for parsed in report.questions[first:first + STORE_CHUNK]:
                try:
                    with transaction.atomic():
                        category = _category(bank, parsed.category, categories)
                        question = Question(bank=bank, category=category, kind=parsed.kind, name=parsed.name,
                                            text=parsed.text, points=parsed.points, tags=parsed.tags,
                                            multiple_rule=parsed.multiple_rule, ordering_rule=parsed.ordering_rule,
                                            case_sensitive=parsed.case_sensitive, short_rule=parsed.short_rule,
                                            distractors=parsed.distractors, general_feedback=parsed.general_feedback,
                                            is_archived=parsed.hidden)
                        if parsed.image:
                            question.image.save(parsed.image[0], ContentFile(parsed.image[1]), save=False)
                        save_question(question, by=by, options=[
                            OptionData(o.text, o.fraction, o.match, o.value, o.tolerance, o.scales)
                            for o in parsed.options])
                        options = list(question.options.order_by("order", "pk"))
                        for order, (place, index, name, content) in enumerate(parsed.images):
                            if place == "text" and parsed.image and (name, content) == parsed.image:
                                continue  # the first image of the text is the question's own
                            option = options[index] if index is not None and index < len(options) else None
                            image = QuestionImage(question=question, place=place, name=name, order=order,
                                                  option=option)
                            if image.place == QuestionImage.Place.OPTION and image.option is None:
                                continue
                            image.file.save(name, ContentFile(content), save=False)
                            image.save()
                except (DomainError, ValidationError) as exc:
                    categories.clear()  # a category made in the rolled-back savepoint is gone
                    errors.append((parsed.number, parsed.name, _messages(exc)))
                    rows.append(ImportRow(parsed.number, parsed.name, False, _messages(exc), parsed.kind,
                                          parsed.category))
                else:
                    created += 1
                    rows.append(ImportRow(parsed.number, parsed.name, True, "; ".join(parsed.notes), parsed.kind,
                                          parsed.category))
        if progress is not None:  # after the commit: the job's page sees what is stored
            stored = min(first + STORE_CHUNK, total)
            progress(stored, total, report.questions[stored - 1].name)
    errors.sort(key=lambda e: e[0])
    rows.sort(key=lambda r: r.number)
    return ImportResult(created, errors, rows)


def export_questions(questions: Iterable[Question]) -> bytes:
    """Moodle XML of the questions, with their categories and images (the question's picture and every image
    embedded in its text, options and explanation, written back as ``@@PLUGINFILE@@`` files)."""
    from . import interchange
    from .models import QuestionImage

    parsed = []
    for q in questions:
        image = None
        if q.image:
            try:
                with q.image.open("rb") as handle:
                    image = (q.image.name.rsplit("/", 1)[-1], handle.read())
            except FileNotFoundError:
                image = None
        options = list(q.options.all())
        position = {o.pk: index for index, o in enumerate(options)}
        embedded: list[tuple[str, int | None, str, bytes]] = []
        for stored in q.images.all():
            try:
                with stored.file.open("rb") as handle:
                    content = handle.read()
            except FileNotFoundError:
                continue
            index = position.get(stored.option_id) if stored.option_id is not None else None
            if stored.place == QuestionImage.Place.OPTION and index is None:
                continue
            embedded.append((stored.place, index, stored.name, content))
        parsed.append(interchange.ParsedQuestion(
            kind=q.kind, name=q.name, text=q.text, category=q.category.name, points=q.points,
            options=[interchange.ParsedOption(o.text, o.fraction, o.match, o.value, o.tolerance, dict(o.scales or {}))
                     for o in options], images=embedded,
            multiple_rule=q.multiple_rule, ordering_rule=q.ordering_rule, case_sensitive=q.case_sensitive,
            distractors=list(q.distractors or []), general_feedback=q.general_feedback, tags=list(q.tags or []),
            image=image))
    return interchange.to_moodle_xml(parsed)
