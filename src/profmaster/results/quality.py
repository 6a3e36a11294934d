"""Quality control of a championship (SPEC DOC-4, 003 §10): what the records already say about the §10.4
items, the quality-control expert's requests to the chief expert (§10.3) and the check report (§10.6).

:func:`suggestions` reads the records (the competency's document package: protocols, their signatures, the
score sheets) and proposes an answer to the items the platform can judge, with links to the evidence; the
expert confirms or changes it through :func:`profmaster.results.domain.record_quality_check`.
:func:`ask_information`, :func:`answer_request` and :func:`refuse_request` are the state changes of the
requests; :func:`create_check_report` makes the report a generated document, signed like any other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.text import clean_text
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType

from .models import VIOLATIONS, QualityCheck, QualityRequest

TEXT_MAX = 4000
#: Package items that are protocols (§10.4: «отсутствие правильно оформленных протоколов…»).
PROTOCOL_KINDS = frozenset({"registration", "judging_roles", "criteria_lock", "marks_lock", "unlock", "results"})


@dataclass(frozen=True)
class Evidence:
    label: str
    url: str


@dataclass(frozen=True)
class Suggestion:
    """What the records say about one §10.4 item: the outcome they point to, why, and where to look."""

    outcome: str
    finding: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return str(QualityCheck.Outcome(self.outcome).label)

    @property
    def evidence_text(self) -> str:
        return "; ".join(f"{e.label}: {e.url}" for e in self.evidence)


# --- What the records say (§10.4) -------------------------------------------------------------------------


def suggestions(competency: Competency) -> dict[str, Suggestion]:
    """Proposed answers for the §10.4 items the platform can judge from its records: the protocols of the
    package (missing, or awaiting signatures), the score sheets (not completed and locked, originals not
    received), the assessment procedure (the marks ledger and the locked results) and, of the methodology,
    the panel's size. Items it cannot judge (safety, infrastructure, documentation, false information) are
    absent."""
    from profmaster.marking.package import ItemStatus, document_package

    package = document_package(competency)
    package_url = reverse("marking:package", args=[competency.championship_id, competency.pk])
    package_link = Evidence(_("Пакет документов компетенции"), package_url)
    result: dict[str, Suggestion] = {}

    protocols = [item for item in package.items if item.kind in PROTOCOL_KINDS]
    problems: list[str] = []
    evidence: list[Evidence] = []
    for item in protocols:
        if item.document_id is not None:
            link = Evidence(_("№ %(number)s %(title)s") % {"number": item.document_number, "title": item.title},
                            reverse("documents:detail", args=[item.document_id]))
        else:
            link = package_link
        if item.status == ItemStatus.MISSING:
            problems.append(_("не сформирован: %(title)s") % {"title": item.title})
            evidence.append(link)
        elif item.status == ItemStatus.AWAITING:
            problems.append(_("не подписан: № %(number)s %(title)s (ждёт подписи: %(names)s)")
                            % {"number": item.document_number, "title": item.title,
                               "names": ", ".join(item.missing_signers)})
            evidence.append(link)
    if problems:
        result["protocols"] = Suggestion(QualityCheck.Outcome.VIOLATION,
                                         _("Протоколы оформлены не полностью: %(list)s.") % {"list": "; ".join(problems)},
                                         list(dict.fromkeys([*evidence, package_link])))
    elif protocols:
        result["protocols"] = Suggestion(QualityCheck.Outcome.OK,
                                         _("Все протоколы пакета сформированы и подписаны (%(count)s).")
                                         % {"count": len(protocols)}, [package_link])

    sheets = [item for item in package.items if item.kind == "sheets_pdf"]
    originals = [item for item in package.items if item.kind == "handwritten_sheet"]
    problems = [_("не завершены и не заблокированы: %(title)s") % {"title": item.title}
                for item in sheets if item.status == ItemStatus.MISSING]
    missing_originals = sum(1 for item in originals if item.status == ItemStatus.MISSING)
    if missing_originals:
        problems.append(_("не получены оригиналы рукописных ведомостей: %(count)s из %(total)s")
                        % {"count": missing_originals, "total": len(originals)})
    if problems:
        result["score_sheets"] = Suggestion(QualityCheck.Outcome.VIOLATION,
                                            _("Ведомости оценок оформлены не полностью: %(list)s.")
                                            % {"list": "; ".join(problems)}, [package_link])
    elif sheets:
        result["score_sheets"] = Suggestion(QualityCheck.Outcome.OK,
                                            _("Ведомости оценок всех участников заполнены, оценки заблокированы."),
                                            [package_link])
    assessment = _assessment(competency)
    if assessment is not None:
        result["assessment"] = assessment
    methodology = _methodology(competency)
    if methodology is not None:
        result["methodology"] = methodology
    return result


def _assessment(competency: Competency) -> Suggestion | None:
    """«Нарушение процедуры оценивания» as far as the marks ledger tells (X-2, SC-5): a mark changed outside
    the platform, a broken ledger chain, or locked results that the marks no longer give, is a violation;
    every scheme's marks locked with an intact ledger and matching results is «no violation» of the recorded
    procedure. While marks are still open the records do not decide the item."""
    from profmaster.marking import marks
    from profmaster.marking.models import MarkingScheme, SchemeMarking

    schemes = list(MarkingScheme.objects.filter(competency=competency).select_related("competency")
                   .order_by("stage__order", "pk"))
    if not schemes:
        return None
    problems: list[str] = []
    evidence: list[Evidence] = []
    recomputed = marks.results_problems(schemes)
    for scheme in schemes:
        broken = marks.verify(scheme)
        if broken:
            problems.append(ngettext("журнал оценок «%(scheme)s»: %(count)s расхождение с оценками",
                                     "журнал оценок «%(scheme)s»: %(count)s расхождений с оценками", len(broken))
                            % {"scheme": scheme.title, "count": len(broken)})
        differing = recomputed.get(scheme.pk, [])
        if differing:
            problems.append(ngettext("итоги «%(scheme)s» не совпадают с оценками: %(count)s расхождение",
                                     "итоги «%(scheme)s» не совпадают с оценками: %(count)s расхождений",
                                     len(differing)) % {"scheme": scheme.title, "count": len(differing)})
        if broken or differing:
            evidence.append(Evidence(_("Оценки — %(scheme)s") % {"scheme": scheme.title},
                                     reverse("marking:board", args=[scheme.pk])))
    if problems:
        return Suggestion(QualityCheck.Outcome.VIOLATION,
                          _("Записи оценивания изменены в обход платформы: %(list)s.") % {"list": "; ".join(problems)},
                          evidence)
    locked = SchemeMarking.objects.filter(scheme__in=schemes, status=SchemeMarking.Status.LOCKED).count()
    if locked < len(schemes):
        return None
    return Suggestion(QualityCheck.Outcome.OK,
                      ngettext("Оценки заблокированы, журнал оценок цел и итоги совпадают с оценками (%(count)s схема).",
                               "Оценки заблокированы, журнал оценок цел и итоги совпадают с оценками (%(count)s схем).",
                               len(schemes)) % {"count": len(schemes)},
                      [Evidence(_("Оценки — %(scheme)s") % {"scheme": s.title}, reverse("marking:board", args=[s.pk]))
                       for s in schemes])


def _methodology(competency: Competency) -> Suggestion | None:
    """Of «несоблюдение Методики или Порядка» the records know the panel's size (003 §6.4): fewer experts
    than required is a violation. Whether the rest of the methodology was kept they cannot tell, so a full
    panel proposes nothing."""
    from profmaster.marking.panel import experts_of

    count = len(experts_of(competency))
    wanted = competency.expert_count or competency.default_expert_count
    if count >= wanted:
        return None
    return Suggestion(QualityCheck.Outcome.VIOLATION,
                      ngettext("В жюри %(count)s эксперт из %(wanted)s, положенных по п. 6.4 методики.",
                               "В жюри %(count)s экспертов из %(wanted)s, положенных по п. 6.4 методики.", count)
                      % {"count": count, "wanted": wanted},
                      [Evidence(_("Жюри компетенции"),
                                reverse("marking:panel", args=[competency.championship_id, competency.pk]))])


# --- Requests for information (§10.3) ---------------------------------------------------------------------


def chief_experts(competency: Competency) -> list[Any]:
    return [a.user for a in RoleAssignment.objects.filter(competency=competency, role=Role.CHIEF_EXPERT)
            .select_related("user").order_by("user__last_name", "pk")]


def ask_information(competency: Competency, *, text: str, due_at: dt.datetime | None, by: Any) -> QualityRequest:
    """§10.3: ask the competency's chief expert for information needed for the check, by a due time."""
    text = clean_text(text, field="text", what=_("Запрос"), missing=_("Укажите, какая информация нужна."), max_length=TEXT_MAX)
    if due_at is None:
        raise DomainError(_("Укажите срок ответа."), field="due_at")
    if timezone.is_naive(due_at):
        raise DomainError(_("Срок ответа указан без часового пояса."), field="due_at")
    if due_at <= timezone.now():
        raise DomainError(_("Срок ответа уже прошёл: укажите время в будущем."), field="due_at")
    if not chief_experts(competency):
        raise DomainError(_("У компетенции нет главного эксперта: запрос некому направить."))
    with transaction.atomic():
        item = QualityRequest.objects.create(competency=competency, text=text, due_at=due_at, asked_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=item, after=snapshot(item),
               championship=competency.championship)
    return item


def _close(request: QualityRequest, *, status: str, text: str, by: Any) -> QualityRequest:
    with transaction.atomic():
        locked = QualityRequest.objects.select_for_update(of=("self",)).select_related("competency__championship").get(
            pk=request.pk)
        if not locked.is_open:
            raise TransitionError(_("На запрос уже ответили: %(status)s.") % {"status": locked.get_status_display()})
        before = snapshot(locked)
        locked.status, locked.answer, locked.answered_by, locked.answered_at = status, text, by, timezone.now()
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               championship=locked.competency.championship)
    return locked


def _is_chief(user: Any, competency: Competency) -> bool:
    return RoleAssignment.objects.filter(competency=competency, role=Role.CHIEF_EXPERT, user=user).exists()


def answer_request(request: QualityRequest, *, answer: str, by: Any) -> QualityRequest:
    """The chief expert gives the information asked for."""
    if not _is_chief(by, request.competency):
        raise AccessDenied(_("Ответить на запрос может главный эксперт компетенции."))
    answer = clean_text(answer, field="answer", what=_("Ответ"), missing=_("Укажите ответ."), max_length=TEXT_MAX)
    return _close(request, status=QualityRequest.Status.ANSWERED, text=answer, by=by)


def refuse_request(request: QualityRequest, *, reason: str, by: Any) -> QualityRequest:
    """The refusal to give the information is recorded (§10.3: grounds to declare the results invalid): by
    the chief expert who declines, or by quality control or the Directorate when no answer came."""
    from profmaster.permissions import has_perm

    if not (_is_chief(by, request.competency) or has_perm(by, "results.check_quality", request.competency)):
        raise AccessDenied(_("Записать отказ может главный эксперт компетенции или контроль качества."))
    reason = clean_text(reason, field="reason", what=_("Причина или обстоятельства отказа"),
                        missing=_("Укажите причину или обстоятельства отказа."), max_length=TEXT_MAX)
    return _close(request, status=QualityRequest.Status.REFUSED, text=reason, by=by)


# --- The check report (§10.6) ------------------------------------------------------------------------------


def _report_content(championship: Championship, competency: Competency | None) -> tuple[str, dict[str, Any]]:
    tz = timezones.zone_of(championship)
    competencies = [competency] if competency is not None else list(championship.competencies.order_by("name"))
    checks = {(c.competency_id, c.violation): c for c in QualityCheck.objects.filter(
        competency__in=competencies).select_related("checked_by")}
    labels = dict(VIOLATIONS)
    data: dict[str, Any] = {
        "text": _("Отчёт о проверке качества проведения чемпионата «%(championship)s» (п. 10.6 методики)%(scope)s. "
                  "Время указано по поясу: %(zone)s.")
        % {"championship": championship.name, "zone": timezones.zone_label(tz),
           "scope": (_(", компетенция «%(name)s»") % {"name": competency.name}) if competency else ""},
    }
    violations = 0
    for comp in competencies:
        rows = []
        for code, _label in VIOLATIONS:
            check = checks.get((comp.pk, code))
            if check is not None and check.outcome in (QualityCheck.Outcome.VIOLATION, QualityCheck.Outcome.REMEDIED):
                violations += 1
            rows.append({
                "Пункт 10.4": str(labels[code]),
                "Результат": str(check.get_outcome_display()) if check else str(QualityCheck.Outcome.NOT_CHECKED.label),
                "Выявлено": check.finding if check else "",
                "Доказательства": check.evidence if check else "",
                "Проверил(а)": (f"{check.checked_by.full_name}, {timezones.format_local(check.checked_at, tz)}"
                                if check else ""),
            })
        data[_("Проверка: %(competency)s") % {"competency": comp.name}] = rows
        requests = [{
            "Запрос": r.text, "Срок": timezones.format_local(r.due_at, tz),
            "Запросил(а)": r.asked_by.full_name, "Состояние": str(r.get_status_display()),
            "Ответ или отказ": r.answer,
            "Ответил(а)": (f"{r.answered_by.full_name}, {timezones.format_local(r.answered_at, tz)}"
                           if r.answered_by and r.answered_at else ""),
        } for r in QualityRequest.objects.filter(competency=comp).select_related("asked_by", "answered_by")
            .order_by("asked_at", "pk")]
        if requests:
            data[_("Запросы информации (п. 10.3): %(competency)s") % {"competency": comp.name}] = requests
    data[_("Итог")] = (_("Выявлено нарушений: %(count)s.") % {"count": violations}) if violations \
        else _("Нарушений не выявлено.")
    title = (_("Отчёт о проверке качества — %(name)s") % {"name": competency.name}) if competency \
        else (_("Отчёт о проверке качества — %(name)s") % {"name": championship.name})
    return title, data


def report_content(document: Document, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-4: the check report formed again from the current checks and requests."""
    return _report_content(document.championship, document.competency)


def _signer_label(user: Any, championship: Championship) -> str:
    roles = set(RoleAssignment.objects.filter(user=user, championship=championship).values_list("role", flat=True))
    if Role.QUALITY_CONTROL in roles:
        return str(Role.QUALITY_CONTROL.label)
    return str(Role.DIRECTORATE.label)


def create_check_report(championship: Championship, *, competency: Competency | None, by: Any) -> Document:
    """§10.6: the check report as a generated document, signed by the person who checked (DOC-2)."""
    if competency is not None and competency.championship_id != championship.pk:
        raise DomainError(_("Компетенция относится к другому чемпионату."), field="competency")
    title, data = _report_content(championship, competency)
    return create_generated_document(
        championship=championship, competency=competency, doc_type=DocumentType.QUALITY_REPORT, title=title,
        data=data, signers=[(by, _signer_label(by, championship))], by=by, generator="results.quality_report",
        source={"championship": championship.pk, "competency": competency.pk if competency else None})


def open_counts(championship: Championship) -> dict[str, int]:
    """For the links to the quality page: §10.4 items not yet answered, violations not remedied, requests
    awaiting an answer."""
    competencies = championship.competencies.count()
    answered = QualityCheck.objects.filter(competency__championship=championship).exclude(
        outcome=QualityCheck.Outcome.NOT_CHECKED).count()
    return {
        "items": max(competencies * len(VIOLATIONS) - answered, 0),
        "violations": QualityCheck.objects.filter(competency__championship=championship,
                                                  outcome=QualityCheck.Outcome.VIOLATION).count(),
        "requests": QualityRequest.objects.filter(competency__championship=championship,
                                                  status=QualityRequest.Status.OPEN).count(),
    }
