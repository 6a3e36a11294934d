"""State changes of results and awards (AW-1…AW-7, DOC-1, DOC-4): one function per change.

Each validates, writes inside ``transaction.atomic()``, records the audit entry and queues
notifications. Pages, the API, admin and commands call these; none re-implements them. Who may
*reach* a function is checked by the caller (``permissions``); what follows from the data is here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.appeals.guards import pending_appeal_problem
from profmaster.audit.domain import delete_audited, record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships.models import AgeCategory, Championship, Competency, Stage
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.numbers import format_number
from profmaster.core.text import clean_text
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType
from profmaster.documents.selectors import signing_status
from profmaster.marking.models import JudgingRole, MarkingScheme, SchemeMarking
from profmaster.registration.models import Application

from . import computation, medals
from .computation import rules_for
from .models import (
    VIOLATIONS,
    Diploma,
    DiplomaKind,
    GroupDecision,
    Invalidation,
    Nomination,
    QualificationQuota,
    QualityCheck,
    QualityFinding,
    ResultDecision,
    ResultsRules,
    ResultsVersion,
    UnscrupulousExpert,
)

REASON_MAX = 2000
QUALITY_TEXT_MAX = 4000
MEDAL_LABELS = {medals.GOLD: "золото", medals.SILVER: "серебро", medals.BRONZE: "бронза"}


# --- Rules and quotas -----------------------------------------------------------------------------


def save_rules(rules: ResultsRules, *, by: Any, reason: str = "") -> ResultsRules:
    """Change the medal window, the cap per place or the default quota (championship data)."""
    return save_audited(rules, by=by, reason=reason)  # type: ignore[return-value]


def set_quota(competency: Competency, category: AgeCategory, quota: int, *, by: Any) -> QualificationQuota:
    if category.championship_id != competency.championship_id:
        raise DomainError(_("Категория другого чемпионата."), field="age_category")
    if quota < 0 or quota > 10_000:
        raise DomainError(_("Квота — от 0 до 10 000 команд."), field="quota")
    with transaction.atomic():
        existing = QualificationQuota.objects.filter(competency=competency, age_category=category).first()
        item = existing or QualificationQuota(competency=competency, age_category=category)
        item.quota = quota
        return save_audited(item, by=by)  # type: ignore[return-value]


# --- Medal proposals and decisions (AW-4, 003 §25.5) -------------------------------------------------


def _group(competency: Competency, stage_id: int, category_id: int) -> computation.Group:
    group = computation.find_group(competency, stage_id, category_id)
    if group is None:
        raise DomainError(_("Нет заблокированных итогов для этого этапа и категории."))
    return group


def _distribution(group: computation.Group, raw: dict[Any, Any], automatic: dict[int, str]) -> dict[str, str]:
    distribution: dict[int, str | None] = {}
    for key, medal in raw.items():
        try:
            team_id = int(key)
        except (TypeError, ValueError):
            raise DomainError(_("Неизвестная команда: %(team)s.") % {"team": str(key)[:40]},
                              field="distribution") from None
        distribution[team_id] = medal or None
    problems = medals.check_distribution(group.entries(), distribution, automatic)
    if problems:
        messages = {
            "unknown team": _("команда не из этой группы"), "unknown medal": _("неизвестная медаль"),
            "out of competition": _("команда вне зачёта не получает медаль"),
            "decided place changed": _("место, определённое правилом, изменять нельзя"),
            "better medal than a team with a higher total": _("медаль выше, чем у команды с большим баллом"),
        }
        raise DomainError("; ".join(f"№ {p.team_id}: {messages[p.message]}" for p in problems), field="distribution")
    return {str(k): v for k, v in sorted(distribution.items()) if v}


def propose_medals(competency: Competency, *, stage_id: int, category_id: int, distribution: dict[Any, Any],
                   reason: str, by: Any) -> GroupDecision:
    """The chief expert proposes a distribution where the rule did not decide (more or fewer medals)."""
    reason = clean_text(reason, field="reason", what=_("Обоснование предложения"), missing=_("Укажите обоснование предложения."),
                        max_length=REASON_MAX)
    group = _group(competency, stage_id, category_id)
    if group.stage.kind != Stage.Kind.FINAL:
        raise DomainError(_("Медали распределяются по итогам финала."))
    rules = rules_for(competency.championship)
    allocation = medals.allocate_medals(group.entries(), window=rules.medal_window, cap=rules.medal_cap)
    if allocation.decided:
        raise TransitionError(_("Правило распределило медали само: предложение не требуется."))
    cleaned = _distribution(group, distribution, allocation.medals())
    with transaction.atomic():
        decision = GroupDecision.objects.filter(kind=GroupDecision.Kind.MEDALS, competency=competency,
                                                stage=group.stage, age_category=group.category).first()
        if decision and decision.status == GroupDecision.Status.APPROVED and decision.basis == group.basis():
            raise TransitionError(_("Дирекция уже утвердила распределение медалей."))
        before = snapshot(decision) if decision else None
        decision = decision or GroupDecision(kind=GroupDecision.Kind.MEDALS, competency=competency,
                                             stage=group.stage, age_category=group.category)
        decision.status = GroupDecision.Status.PROPOSED
        decision.proposal, decision.proposal_reason = cleaned, reason
        decision.proposed_by, decision.proposed_at = by, timezone.now()
        decision.decision, decision.decision_reason, decision.decided_by, decision.decided_at = {}, "", None, None
        decision.basis = group.basis()
        decision.save()
        record(actor=by, action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
               instance=decision, before=before, after=snapshot(decision), reason=reason,
               championship=competency.championship)
    return decision


def decide_medals(competency: Competency, *, stage_id: int, category_id: int, distribution: dict[Any, Any] | None,
                  reason: str, by: Any) -> GroupDecision:
    """The Directorate approves the chief expert's proposal (``distribution`` None) or its own change."""
    reason = clean_text(reason, field="reason", what=_("Основание решения"), missing=_("Укажите основание решения."),
                        max_length=REASON_MAX)
    group = _group(competency, stage_id, category_id)
    rules = rules_for(competency.championship)
    allocation = medals.allocate_medals(group.entries(), window=rules.medal_window, cap=rules.medal_cap)
    if allocation.decided:
        raise TransitionError(_("Правило распределило медали само: решение не требуется."))
    with transaction.atomic():
        decision = GroupDecision.objects.filter(kind=GroupDecision.Kind.MEDALS, competency=competency,
                                                stage=group.stage, age_category=group.category).first()
        if distribution is None:
            if decision is None or not decision.proposal:
                raise TransitionError(_("Предложения главного эксперта нет: укажите распределение сами."))
            if decision.basis != group.basis():
                raise TransitionError(_("Итоги изменились после предложения: нужно новое предложение."))
            distribution = decision.proposal
        cleaned = _distribution(group, distribution, allocation.medals())
        before = snapshot(decision) if decision else None
        decision = decision or GroupDecision(kind=GroupDecision.Kind.MEDALS, competency=competency,
                                             stage=group.stage, age_category=group.category)
        decision.status = GroupDecision.Status.APPROVED
        decision.decision, decision.decision_reason = cleaned, reason
        decision.decided_by, decision.decided_at = by, timezone.now()
        decision.basis = group.basis()
        decision.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=decision, before=before,
               after=snapshot(decision), reason=reason, championship=competency.championship)
    return decision


# --- Qualification to the final -----------------------------------------------------------------------


def decide_qualification(competency: Competency, *, stage_id: int, category_id: int, qualified: list[int],
                         reason: str, by: Any) -> GroupDecision:
    """The Directorate decides which teams tied on the quota's cut proceed to the final (recorded)."""
    reason = clean_text(reason, field="reason", what=_("Основание решения"), missing=_("Укажите основание решения."),
                        max_length=REASON_MAX)
    group = _group(competency, stage_id, category_id)
    if group.stage.kind != Stage.Kind.REMOTE:
        raise DomainError(_("Выход в финал решается по итогам дистанционного этапа."))
    _above, tied, _final = computation.qualification(competency, group)
    if not tied:
        raise TransitionError(_("На границе квоты нет равенства: решение не требуется."))
    unknown = [t for t in qualified if t not in tied]
    if unknown:
        raise DomainError(_("Команды не из числа равных на границе: %(teams)s.")
                          % {"teams": ", ".join(map(str, unknown))}, field="qualified")
    with transaction.atomic():
        decision = GroupDecision.objects.filter(kind=GroupDecision.Kind.QUALIFICATION, competency=competency,
                                                stage=group.stage, age_category=group.category).first()
        before = snapshot(decision) if decision else None
        decision = decision or GroupDecision(kind=GroupDecision.Kind.QUALIFICATION, competency=competency,
                                             stage=group.stage, age_category=group.category)
        decision.status = GroupDecision.Status.APPROVED
        decision.decision = {str(t): t in qualified for t in tied}
        decision.decision_reason, decision.decided_by, decision.decided_at = reason, by, timezone.now()
        decision.basis = group.basis()
        decision.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=decision, before=before,
               after=snapshot(decision), reason=reason, championship=competency.championship)
    return decision


# --- Nominations (AW-5) -----------------------------------------------------------------------------------


def propose_nomination(competency: Competency, *, team: Application, title: str, reason: str, by: Any) -> Nomination:
    """The panel proposes «Лучший в номинации» for a finalist team without a medal."""
    title = clean_text(title, field="title", what=_("Название номинации"), missing=_("Укажите название номинации."),
                       max_length=200)
    reason = clean_text(reason, field="reason", what=_("Обоснование"), missing=_("Укажите обоснование."), max_length=REASON_MAX)
    if team.competency_id != competency.pk:
        raise DomainError(_("Команда другой компетенции."), field="team")
    finalist = False
    for group in computation.groups_of(competency):
        if group.stage.kind == Stage.Kind.FINAL and any(r.team_id == team.pk for r in group.results):
            finalist = True
            medal_of, _allocation, _settled = computation.effective_medals(competency, group)
            if team.pk in medal_of:
                raise DomainError(_("У команды медаль: номинация — для финалистов без медали."), field="team")
    if not finalist:
        raise DomainError(_("Номинация — для команд, вышедших в финал (итоги финала заблокированы)."), field="team")
    nomination = Nomination(competency=competency, team=team, title=title, reason=reason, proposed_by=by)
    with transaction.atomic():
        if Nomination.objects.filter(team=team).exclude(status=Nomination.Status.REFUSED).exists():
            raise DomainError(_("У команды уже есть номинация."), field="team")
        try:
            with transaction.atomic():
                nomination.save()
        except IntegrityError as exc:
            raise DomainError(_("У команды уже есть номинация.")) from exc
        record(actor=by, action=AuditEntry.Action.CREATE, instance=nomination, after=snapshot(nomination),
               reason=reason, championship=competency.championship)
    return nomination


def decide_nomination(nomination: Nomination, *, approve: bool, reason: str, by: Any) -> Nomination:
    reason = clean_text(reason, field="reason", what=_("Основание решения"), required=not approve,
                        missing=_("Укажите, почему номинация отклонена."), max_length=REASON_MAX)
    with transaction.atomic():
        locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
        if locked.status != Nomination.Status.PROPOSED:
            raise TransitionError(_("Решение по номинации уже принято."))
        before = snapshot(locked)
        locked.status = Nomination.Status.APPROVED if approve else Nomination.Status.REFUSED
        locked.decided_by, locked.decided_at, locked.decision_reason = by, timezone.now(), reason
        locked.save()
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before,
               after=snapshot(locked), reason=reason, championship=locked.competency.championship)
    return locked


# --- Publication (AW-1, SC-9) ----------------------------------------------------------------------------


def latest_version(competency: Competency) -> ResultsVersion | None:
    """The newest published version that contains the competency."""
    for version in ResultsVersion.objects.filter(championship_id=competency.championship_id).order_by("-number"):
        if competency.pk in version.competency_ids:
            return version
    return None


def version_competency(version: ResultsVersion, competency_id: int) -> dict[str, Any] | None:
    return next((c for c in version.content.get("competencies", []) if c["competency_id"] == competency_id), None)


def _changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Readable differences between two published states of one competency."""
    if old is None:
        return []
    lines: list[str] = []
    if old.get("invalid") != new.get("invalid"):
        lines.append(_("%(competency)s: итоги признаны недействительными") % {"competency": new["competency"]}
                     if new.get("invalid") else _("%(competency)s: итоги снова действительны")
                     % {"competency": new["competency"]})
    old_rows = {(g["key"], r["team_id"]): r for g in old["groups"] for r in g["rows"]}
    for group in new["groups"]:
        for row in group["rows"]:
            before = old_rows.pop((group["key"], row["team_id"]), None)
            if before is None:
                lines.append(_("%(team)s: добавлена (%(total)s)") % {"team": row["team"],
                                                                   "total": format_number(row["total"], 2)})
                continue
            for key, label in (("total", _("балл")), ("rank", _("место")), ("medal", _("медаль")),
                               ("nomination", _("номинация")), ("qualified", _("выход в финал"))):
                if before.get(key) != row.get(key):
                    shown = [(format_number(v, 2) if key == "total" else v) or "—" for v in (before.get(key), row.get(key))]
                    lines.append(f"{row['team']} ({group['age_category']}): {label} {shown[0]} → {shown[1]}")
    for (_key, _team), row in old_rows.items():
        lines.append(_("%(team)s: исключена") % {"team": row["team"]})
    return lines


def _protocol_problem(document: Document | None, label: str, scheme: MarkingScheme) -> str | None:
    if document is None:
        return _("схема «%(scheme)s»: %(protocol)s не сформирован") % {"scheme": scheme.title, "protocol": label}
    status = signing_status(document)
    if status.complete:
        return None
    missing = ", ".join(r.user.full_name for r in status.missing)
    return (_("схема «%(scheme)s»: %(protocol)s № %(number)s — подписали %(signed)s из %(required)s "
              "(не подписали: %(missing)s)")
            % {"scheme": scheme.title, "protocol": label, "number": document.number, "signed": status.signed_count,
               "required": len(status.required), "missing": missing or "—"})


def unsigned_lock_protocols(competency: Competency) -> list[str]:
    """SC-7, DOC-2: what is still unsigned among the lock protocols of the totals that would be published.

    Every scheme whose locked totals enter the results needs its criteria-lock protocol (MS-4) and its
    marks-lock acceptance form (SC-7, 003 §6.16) signed by every required signer for the current content.
    """
    problems: list[str] = []
    schemes = (MarkingScheme.objects.filter(competency=competency, team_results__isnull=False).distinct()
               .select_related("lock_document").order_by("stage__order", "pk"))
    for scheme in schemes:
        marking = SchemeMarking.objects.filter(scheme=scheme).select_related("lock_document").first()
        for document, label in ((scheme.lock_document, _("протокол блокировки критериев")),
                                (marking.lock_document if marking else None,
                                 _("форма принятия блокировки оценок"))):
            problem = _protocol_problem(document, str(label), scheme)
            if problem:
                problems.append(problem)
    return problems


def publish_results(championship: Championship, *, competency: Competency | None = None, by: Any,
                    changelog: str = "") -> ResultsVersion:
    """Freeze an immutable, numbered results version of one competency or the whole championship.

    Only then do the public pages, the API and exports show rankings and medals. Refused while a
    medal distribution or a tie on the qualification cut is undecided, and while a criteria-lock
    protocol or a marks-lock acceptance form of the published totals lacks a signature (SC-7, DOC-2).
    A correction after publication (e.g. an upheld appeal) is a new version whose changelog lists what
    changed, with the reason.
    """
    if competency is not None and competency.championship_id != championship.pk:
        raise DomainError(_("Компетенция другого чемпионата."), field="competency")
    reason = clean_text(changelog, field="changelog", what=_("Что и почему исправлено"), required=False, max_length=REASON_MAX)
    scope = [competency] if competency is not None else list(championship.competencies.order_by("name"))
    with transaction.atomic():
        Championship.objects.select_for_update().only("pk").get(pk=championship.pk)
        data = []
        changes: list[str] = []
        republished = False
        for comp in scope:
            current = computation.competency_results(comp)
            if not current["groups"] and competency is None:
                continue  # nothing locked yet in this competency: not part of a whole-championship version
            # 003 §7.4, §8.6: while an appeal waits for the commission's decision the results are not final
            appeal = None if current["invalid"] else pending_appeal_problem(comp, action=_("опубликовать итоги"))
            if appeal:
                raise TransitionError(appeal)
            if not current["groups"] and not current["invalid"]:
                raise DomainError(_("По компетенции «%(competency)s» нет заблокированных итогов.")
                                  % {"competency": comp.name})
            if current["pending"] and not current["invalid"]:
                raise TransitionError(_("«%(competency)s»: %(pending)s. Сначала примите решение.")
                                      % {"competency": comp.name, "pending": "; ".join(current["pending"])})
            unsigned = [] if current["invalid"] else unsigned_lock_protocols(comp)
            if unsigned:
                raise TransitionError(_("«%(competency)s»: итоги нельзя опубликовать, пока не подписаны протоколы "
                                        "блокировки: %(missing)s.")
                                      % {"competency": comp.name, "missing": "; ".join(unsigned)})
            current.pop("pending")
            previous = latest_version(comp)
            if previous is not None:
                republished = True
                changes += _changes(version_competency(previous, comp.pk), current)
            data.append(current)
        if not data:
            raise DomainError(_("Публиковать нечего: нет заблокированных итогов."))
        if republished and not reason:
            raise DomainError(_("Итоги уже публиковались: укажите, что и почему исправлено."), field="changelog")
        last = ResultsVersion.objects.filter(championship=championship).order_by("-number").first()
        text = "\n".join(([reason] if reason else []) + changes)
        version = ResultsVersion(championship=championship, competency=competency,
                                 number=(last.number if last else 0) + 1,
                                 content={"competencies": data, "medal_table": computation.medal_standings(data)},
                                 competency_ids=[c["competency_id"] for c in data], changelog=text, published_by=by)
        version.save()
        record(actor=by, action=AuditEntry.Action.CREATE, instance=version,
               after={"number": version.number, "competency_ids": version.competency_ids, "changelog": text},
               reason=reason, championship=championship)
    return version


def published_standings(championship: Championship) -> list[dict[str, Any]]:
    """AW-7: the medal table over the latest published state of every competency."""
    data = []
    for comp in championship.competencies.all():
        version = latest_version(comp)
        if version is not None:
            item = version_competency(version, comp.pk)
            if item is not None:
                data.append(item)
    return computation.medal_standings(data)


# --- Quality control (DOC-4, 003 §10) ---------------------------------------------------------------------


def record_quality_check(competency: Competency, *, violation: str, outcome: str, finding: str = "",
                         evidence: str = "", by: Any) -> QualityCheck:
    """DOC-4: answer one §10.4 item. The answer becomes the item's current one and is added to its history
    (:class:`QualityFinding`, who and when); nothing said before is overwritten. Whether the expert confirmed
    what the records suggest (:func:`.quality.suggestions`) is kept with the finding."""
    from .quality import suggestions

    if violation not in dict(VIOLATIONS):
        raise DomainError(_("Неизвестный пункт проверки."), field="violation")
    if outcome not in QualityCheck.Outcome.values:
        raise DomainError(_("Неизвестный результат проверки."), field="outcome")
    finding = clean_text(finding, field="finding", what=_("Выявлено"), required=False, max_length=QUALITY_TEXT_MAX)
    evidence = clean_text(evidence, field="evidence", what=_("Доказательства"), required=False, max_length=QUALITY_TEXT_MAX)
    if outcome in (QualityCheck.Outcome.VIOLATION, QualityCheck.Outcome.REMEDIED) and not finding:
        raise DomainError(_("Опишите выявленное нарушение."), field="finding")
    suggestion = suggestions(competency).get(violation)
    with transaction.atomic():
        item = QualityCheck.objects.select_for_update().filter(competency=competency, violation=violation).first() \
            or QualityCheck(competency=competency, violation=violation)
        item.outcome, item.finding, item.evidence, item.checked_by = outcome, finding, evidence, by
        saved = cast(QualityCheck, save_audited(item, by=by))
        QualityFinding.objects.create(item=saved, outcome=outcome, finding=finding, evidence=evidence, checked_by=by,
                                      confirmed_suggestion=suggestion is not None and suggestion.outcome == outcome)
        return saved


#: Diplomas that rest on a competency's ranking: they go when its results are declared invalid.
AWARD_KINDS = (DiplomaKind.WINNER, DiplomaKind.PRIZE_WINNER, DiplomaKind.NOMINATION)


def _violations(competency: Competency, violation_ids: list[int]) -> list[QualityCheck]:
    found = list(QualityCheck.objects.filter(competency=competency, outcome=QualityCheck.Outcome.VIOLATION,
                                             pk__in=violation_ids))
    if not found or len(found) != len(set(violation_ids)):
        raise DomainError(_("Отметьте нарушения (п. 10.4), на которых основано решение: признать итоги "
                            "недействительными можно только по записанным нарушениям этой компетенции."),
                          field="violations")
    return found


def invalidation_preview(competency: Competency) -> dict[str, Any]:
    """What declaring the competency's results invalid will change, for the confirmation step: the
    published medals and nominations that stop counting, the medal table and cups before → after, and
    the diplomas that will be revoked."""
    championship = competency.championship
    version = latest_version(competency)
    published = version_competency(version, competency.pk) if version else None
    awards = []
    if published and not published.get("invalid"):
        for group in published["groups"]:
            for row in group["rows"]:
                if row.get("medal") or row.get("nomination"):
                    awards.append({"team": row["team"], "age_category": group["age_category"],
                                   "medal": MEDAL_LABELS.get(row.get("medal", ""), ""),
                                   "nomination": row.get("nomination", "")})
    before = published_standings(championship)
    data = []
    for comp in championship.competencies.exclude(pk=competency.pk):
        other = latest_version(comp)
        item = version_competency(other, comp.pk) if other else None
        if item is not None:
            data.append(item)
    after = computation.medal_standings(data)
    cups_before = {r["organisation"]: r["cup"] for r in before if r["cup"]}
    cups_after = {r["organisation"]: r["cup"] for r in after if r["cup"]}
    cup_changes = [{"organisation": name, "before": cups_before.get(name), "after": cups_after.get(name)}
                   for name in sorted(set(cups_before) | set(cups_after))
                   if cups_before.get(name) != cups_after.get(name)]
    revoked = Diploma.objects.filter(competency=competency, kind__in=AWARD_KINDS, revoked_at__isnull=True)
    return {"version": version, "awards": awards, "cup_changes": cup_changes,
            "diplomas": list(revoked.order_by("kind", "full_name")),
            "violations": list(QualityCheck.objects.filter(competency=competency,
                                                           outcome=QualityCheck.Outcome.VIOLATION))}


def invalidate_results(competency: Competency, *, reason: str, violations: list[int], by: Any) -> Invalidation:
    """The Directorate declares a competency's results invalid (003 §10.5), resting on recorded §10.4
    violations. Takes effect on every channel at once: in the same transaction it publishes a new results
    version (the ranking, the medal table and the cups stop counting the competency) and revokes the
    competency's medal and nomination diplomas."""
    reason = clean_text(reason, field="reason", what=_("Основание"), missing=_("Укажите основание."), max_length=REASON_MAX)
    with transaction.atomic():
        Championship.objects.select_for_update().only("pk").get(pk=competency.championship_id)
        if Invalidation.objects.filter(competency=competency).exists():
            raise TransitionError(_("Итоги компетенции уже признаны недействительными."))
        found = _violations(competency, violations)
        item = Invalidation.objects.create(competency=competency, reason=reason, decided_by=by)
        item.violations.set(found)
        version = publish_results(competency.championship, competency=competency, by=by,
                                  changelog=_("Итоги компетенции «%(competency)s» признаны недействительными: "
                                              "%(reason)s") % {"competency": competency.name, "reason": reason})
        item.version = version
        item.save(update_fields=["version"])
        record(actor=by, action=AuditEntry.Action.CREATE, instance=item,
               after={**snapshot(item), "violations": [v.pk for v in found], "version": version.number},
               reason=reason, championship=competency.championship)
        revoke_diplomas(Diploma.objects.filter(competency=competency, kind__in=AWARD_KINDS),
                        reason=_("Итоги компетенции признаны недействительными: %(reason)s") % {"reason": reason},
                        by=by)
    return item


# --- Diploma revocation (AW-6) ------------------------------------------------------------------------


def revoke_diploma(diploma: Diploma, *, reason: str, by: Any) -> Diploma:
    """The Directorate revokes a diploma with a reason; its verification page then says «аннулирован»."""
    reason = clean_text(reason, field="reason", what=_("Причина аннулирования"), missing=_("Укажите причину аннулирования."),
                        max_length=REASON_MAX)
    with transaction.atomic():
        locked = Diploma.objects.select_for_update().get(pk=diploma.pk)
        if locked.revoked_at is not None:
            raise TransitionError(_("Диплом уже аннулирован."))
        revoke_diplomas(Diploma.objects.filter(pk=locked.pk), reason=reason, by=by)
        locked.refresh_from_db()
    return locked


def revoke_diplomas(diplomas: Any, *, reason: str, by: Any) -> int:
    """Revoke every diploma of the queryset that is still valid, each with its own audit entry."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for diploma in diplomas.filter(revoked_at__isnull=True).select_for_update().select_related("championship"):
            before = {"revoked_at": None, "revoke_reason": ""}
            diploma.revoked_at, diploma.revoke_reason, diploma.revoked_by = now, reason[:REASON_MAX], by
            diploma.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
            record(actor=by, action=AuditEntry.Action.TRANSITION, instance=diploma, before=before,
                   after={"code": diploma.code, "revoked_at": now.isoformat(), "revoke_reason": diploma.revoke_reason},
                   reason=diploma.revoke_reason, championship=diploma.championship)
            count += 1
    return count


def revoke_team_diplomas(team: Application, *, reason: str, by: Any) -> int:
    """A team removed by a decision loses every diploma issued to it and its members."""
    reason = clean_text(reason, field="reason", what=_("Основание решения"), missing=_("Укажите основание решения."),
                        max_length=REASON_MAX)
    return revoke_diplomas(Diploma.objects.filter(team=team), reason=reason, by=by)


# --- The register of unscrupulous experts (DOC-4, 003 §10.4) -------------------------------------------------


def panel_block(user: Any) -> str | None:
    """Why this person may not be assigned to a panel (an open entry of the platform-wide register), or None."""
    entry = UnscrupulousExpert.objects.filter(expert=user, lifted_at__isnull=True).select_related("championship") \
        .first()
    if entry is None:
        return None
    return (_("%(name)s в реестре недобросовестных экспертов (решение от %(date)s, %(championship)s): назначение "
              "в жюри невозможно, пока запись не исключена из реестра решением Дирекции.")
            % {"name": getattr(user, "full_name", str(user)), "date": timezone.localtime(entry.added_at)
               .strftime("%d.%m.%Y"), "championship": entry.championship.name})


def register_unscrupulous_expert(championship: Championship, *, expert: Any, decision: str, by: Any,
                                 competency: Competency | None = None) -> UnscrupulousExpert:
    """Put an expert of the championship on the platform-wide register, by a recorded decision.

    The entry takes effect at once (003 §10.5): the expert's panel roles (chief expert, expert) and judging
    duties in every championship that is not archived are withdrawn, each withdrawal audited with the
    decision; archived championships keep their history. Until the entry is lifted no panel assignment is
    possible (accounts.domain.assign_role, marking.panel.add_judging_role)."""
    decision = clean_text(decision, field="decision", what=_("Решение о внесении в реестр"),
                          missing=_("Укажите решение, на основании которого эксперт внесён в реестр."), max_length=REASON_MAX)
    if not RoleAssignment.objects.filter(user=expert, championship=championship,
                                         role__in=[Role.CHIEF_EXPERT, Role.EXPERT]).exists():
        raise DomainError(_("Этот человек не эксперт чемпионата."), field="expert")
    if competency is not None and competency.championship_id != championship.pk:
        raise DomainError(_("Компетенция другого чемпионата."), field="competency")
    with transaction.atomic():
        if UnscrupulousExpert.objects.filter(expert=expert, lifted_at__isnull=True).exists():
            raise DomainError(_("Эксперт уже в реестре."), field="expert")
        try:
            with transaction.atomic():
                item = UnscrupulousExpert.objects.create(championship=championship, expert=expert,
                                                         competency=competency, decision=decision, added_by=by)
        except IntegrityError as exc:
            raise DomainError(_("Эксперт уже в реестре."), field="expert") from exc
        record(actor=by, action=AuditEntry.Action.CREATE, instance=item, after=snapshot(item), reason=decision,
               championship=championship)
        withdrawal = _("Внесён в реестр недобросовестных экспертов: %(decision)s") % {"decision": decision}
        archived = Championship.Status.ARCHIVED
        for duty in JudgingRole.objects.filter(user=expert).exclude(competency__championship__status=archived
                                                                     ).select_related("competency__championship"):
            delete_audited(duty, by=by, reason=withdrawal, championship=duty.competency.championship)
        for assignment in RoleAssignment.objects.filter(user=expert, role__in=[Role.CHIEF_EXPERT, Role.EXPERT]
                                                        ).exclude(championship__status=archived
                                                                  ).select_related("championship"):
            delete_audited(assignment, by=by, reason=withdrawal, championship=assignment.championship)
    return item


def lift_unscrupulous_expert(entry: UnscrupulousExpert, *, decision: str, by: Any) -> UnscrupulousExpert:
    """Lift a register entry by a recorded decision; the person may be assigned to panels again."""
    decision = clean_text(decision, field="decision", what=_("Решение об исключении из реестра"),
                          missing=_("Укажите решение об исключении из реестра."), max_length=REASON_MAX)
    with transaction.atomic():
        locked = UnscrupulousExpert.objects.select_for_update().select_related("championship").get(pk=entry.pk)
        if locked.lifted_at is not None:
            raise TransitionError(_("Запись уже исключена из реестра."))
        before = snapshot(locked)
        locked.lifted_at, locked.lifted_by, locked.lift_decision = timezone.now(), by, decision
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_decision"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               reason=decision, championship=locked.championship)
    return locked


# --- Decisions on points (OP-5) -------------------------------------------------------------------------------

POINTS_MAX = Decimal("1000")


def record_result_decision(team: Application, *, kind: str, points: Decimal | str | None, reason: str, basis: str,
                           by: Any, scope: dict[str, list[str]] | None = None) -> ResultDecision:
    """Record a reasoned decision on a team's points (OP-5, 003 §11.3, §24.5; AP-4, 003 §8.11): a point loss per
    the technical description, a deduction proportional to the advantage gained, the zeroing of chosen
    criteria/aspects (``points``: what they gave, ``scope``: their codes), or the annulment of all its points.
    The decision gets the next number of the competency. The marks stay as they are; the results show the
    decision as its own line with that number (:func:`computation.adjusted_total`)."""
    if kind not in ResultDecision.Kind.values:
        raise DomainError(_("Неизвестный вид решения о баллах."), field="kind")
    reason = clean_text(reason, field="reason", what=_("Обоснование решения"), missing=_("Укажите обоснование решения."),
                        max_length=REASON_MAX)
    basis = clean_text(basis, field="basis", what=_("Основание решения"), missing=_("Укажите основание решения."), max_length=300)
    if kind in ResultDecision.SUBTRACTING:
        try:
            points = Decimal(str(points)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError, TypeError) as exc:
            raise DomainError(_("Укажите число снимаемых баллов."), field="points") from exc
        zero_allowed = kind == ResultDecision.Kind.PART_ZEROING
        if not points.is_finite() or points < 0 or (points == 0 and not zero_allowed) or points > POINTS_MAX:
            raise DomainError(_("Снимаемые баллы — больше нуля и не больше %(max)s.") % {"max": POINTS_MAX},
                              field="points")
    else:
        points = None
    scope = scope or {}
    if kind == ResultDecision.Kind.PART_ZEROING and not (scope.get("criteria") or scope.get("aspects")):
        raise DomainError(_("Выберите критерии или аспекты, которые обнуляются."), field="criteria")
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("competency__championship").get(pk=team.pk)
        Competency.objects.select_for_update().only("pk").get(pk=locked.competency_id)  # serialises the numbers
        if kind == ResultDecision.Kind.ANNULMENT and ResultDecision.objects.filter(
                team=locked, kind=ResultDecision.Kind.ANNULMENT).exists():
            raise TransitionError(_("Баллы этой команды уже аннулированы."))
        number = (ResultDecision.objects.filter(competency_id=locked.competency_id)
                  .aggregate(m=Max("number"))["m"] or 0) + 1
        decision = ResultDecision.objects.create(competency=locked.competency, team=locked, kind=kind, points=points,
                                                 reason=reason, basis=basis, decided_by=by, decided_at=timezone.now(),
                                                 number=number, scope=scope)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=decision, after=snapshot(decision), reason=reason,
               championship=locked.competency.championship)
        if kind == ResultDecision.Kind.ANNULMENT:  # AW-6: a team removed by a decision keeps no diploma
            why = _("Баллы команды аннулированы: %(basis)s — %(reason)s") % {"basis": basis, "reason": reason}
            revoke_team_diplomas(locked, reason=why[:REASON_MAX], by=by)
    return decision


# --- Results protocols (DOC-1) --------------------------------------------------------------------------------


def _results_protocol_content(competency: Competency, stage_kind: str) -> tuple[str, dict[str, Any]]:
    if stage_kind not in (Stage.Kind.REMOTE, Stage.Kind.FINAL):
        raise DomainError(_("Неизвестный этап."), field="stage_kind")
    results = computation.competency_results(competency)
    groups = [g for g in results["groups"] if g["stage_kind"] == stage_kind]
    if not groups:
        raise DomainError(_("Нет заблокированных итогов этого этапа."))
    if any(not g["settled"] for g in groups):
        raise TransitionError(_("Не все решения по итогам приняты: %(pending)s") % {"pending": "; ".join(results["pending"])})
    final = stage_kind == Stage.Kind.FINAL
    data: dict[str, Any] = {"text": (_("Результаты финала по компетенции «%(competency)s».") if final else
                                     _("Результаты дистанционного этапа по компетенции «%(competency)s».")) %
                            {"competency": competency.name}}
    for group in groups:
        rows = []
        for row in group["rows"]:
            place = row["rank"] if row["rank"] is not None else "вне зачёта"
            item = {"Место": place, "Команда": row["team"], "Балл": format_number(row["total"], 2, language="ru")}
            if row.get("decisions"):
                # OP-5: a decision on points is its own line of the protocol, beside the marks' total
                item["Баллы по оценкам"] = format_number(row["marks_total"], 2, language="ru")
                item["Решения о баллах"] = "; ".join(
                    f"{'№ ' + str(d['number']) + '. ' if d.get('number') else ''}{d['label']}"
                    f"{' (' + d['scope'] + ')' if d.get('scope') else ''}"
                    f"{' ' + format_number(d['points'], 2, language='ru') if d['points'] else ''}"
                    f" — {d['basis']}: {d['reason']}" for d in row["decisions"])
            if final:
                item["Медаль"] = MEDAL_LABELS.get(row["medal"], "")
                item["Номинация"] = row["nomination"]
            else:
                item["Выход в финал"] = "да" if row["qualified"] else "нет"
            rows.append(item)
        data[f"{group['stage']} — {group['age_category']}"] = rows
    title = (_("Протокол результатов финала — %(competency)s") if final else
             _("Протокол результатов дистанционного этапа — %(competency)s")) % {"competency": competency.name}
    return title, data


def results_protocol_content(document: Document, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the results protocol formed again from the locked totals and the decisions taken."""
    if document.competency is None:
        raise DomainError(_("У протокола не указана компетенция."))
    stage_kind = (document.source or {}).get("stage_kind") or (
        Stage.Kind.FINAL if document.doc_type == DocumentType.FINAL_RESULTS else Stage.Kind.REMOTE)
    return _results_protocol_content(document.competency, str(stage_kind))


def create_results_protocol(competency: Competency, *, stage_kind: str, by: Any) -> Document:
    """«Протокол результатов дистанционного этапа» / «… финала»: ranking, medals and nominations, signed by
    the competency's chief expert and experts."""
    title, data = _results_protocol_content(competency, stage_kind)
    signers = [(a.user, str(Role(a.role).label)) for a in RoleAssignment.objects.filter(
        competency=competency, role__in=[Role.CHIEF_EXPERT, Role.EXPERT]).select_related("user").order_by("role")]
    if not signers:
        raise DomainError(_("Назначьте главного эксперта и экспертов компетенции: они подписывают протокол."))
    doc_type = DocumentType.FINAL_RESULTS if stage_kind == Stage.Kind.FINAL else DocumentType.REMOTE_RESULTS
    return create_generated_document(championship=competency.championship, competency=competency, doc_type=doc_type,
                                     title=title, data=data, signers=signers, by=by,
                                     generator="results.results_protocol",
                                     source={"competency": competency.pk, "stage_kind": stage_kind})
