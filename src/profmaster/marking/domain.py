"""State changes of marking schemes (MS-1…MS-5): editing while a draft, locking by the criteria-lock
protocol, unlocking by a signed unlock protocol. Views, API, import and commands call these."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import delete_audited, record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.numbers import format_number
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType
from profmaster.documents.selectors import is_complete

from .models import Aspect, Criterion, MarkingRules, MarkingScheme, SubCriterion
from .scheme_rules import AspectDraft, CriterionDraft, Problem, SubCriterionDraft, Wording, validate_scheme


def rules_for(championship: Any) -> MarkingRules:
    """The championship's marking rules, created with the seed's defaults on first use."""
    rules, _created = MarkingRules.objects.get_or_create(championship=championship)
    return rules


def scheme_of(obj: models.Model) -> MarkingScheme:
    if isinstance(obj, MarkingScheme):
        return obj
    if isinstance(obj, Criterion):
        return obj.scheme
    if isinstance(obj, SubCriterion):
        return obj.criterion.scheme
    if isinstance(obj, Aspect):
        return obj.sub_criterion.criterion.scheme
    raise TypeError(type(obj))


def _refuse_if_locked(scheme: MarkingScheme) -> None:
    if scheme.pk and MarkingScheme.objects.filter(pk=scheme.pk, status=MarkingScheme.Status.LOCKED).exists():
        raise TransitionError(
            _("Схема «%(scheme)s» заблокирована протоколом блокировки критериев; изменить её можно только "
              "после разблокировки по протоколу.") % {"scheme": scheme})


def save_scheme_part(instance: models.Model, *, by: Any, reason: str = "",
                     m2m: dict[str, Any] | None = None) -> models.Model:
    """Create or change a scheme, criterion, sub-criterion or aspect of a draft scheme."""
    scheme = scheme_of(instance)
    with transaction.atomic():
        if scheme.pk:
            MarkingScheme.objects.select_for_update().get(pk=scheme.pk)  # serialises edits of one scheme
        _refuse_if_locked(scheme)
        if isinstance(instance, MarkingScheme) and instance._state.adding:
            instance.status = MarkingScheme.Status.DRAFT
        if isinstance(instance, Criterion) and m2m and "skill_sections" in m2m:
            foreign = [s for s in m2m["skill_sections"] if s.competency_id != scheme.competency_id]
            if foreign:
                raise DomainError(_("Раздел спецификации другой компетенции."), field="skill_sections")
        return save_audited(instance, by=by, reason=reason, m2m=m2m, championship=scheme.competency.championship)


def delete_scheme_part(instance: models.Model, *, by: Any, reason: str = "") -> None:
    scheme = scheme_of(instance)
    with transaction.atomic():
        _refuse_if_locked(scheme)
        delete_audited(instance, by=by, reason=reason, championship=scheme.competency.championship)


def drafts(scheme: MarkingScheme) -> list[CriterionDraft]:
    """The scheme as plain data for the pure validation and for protocols/exports."""
    criteria = scheme.criteria.prefetch_related("skill_sections", "sub_criteria__aspects")
    return [
        CriterionDraft(
            c.code, c.title,
            [SubCriterionDraft(s.code, s.title, [
                AspectDraft(a.code, a.kind, a.max_points, a.description, tuple(a.descriptors or ()),
                            tuple((str(label), Decimal(str(points))) for label, points in (a.levels or [])))
                for a in s.aspects.all()]) for s in c.sub_criteria.all()],
            tuple(sorted(section.number for section in c.skill_sections.all())))
        for c in criteria
    ]


def validate(scheme: MarkingScheme) -> list[Problem]:
    rules = rules_for(scheme.competency.championship)
    return validate_scheme(drafts(scheme), rules.limits(), require_skill_sections=rules.require_skill_sections,
                           wording=Wording(ngettext=ngettext, number=format_number))


def total_points(scheme: MarkingScheme) -> Decimal:
    return sum((a.max_points for c in drafts(scheme) for s in c.sub_criteria for a in s.aspects), Decimal(0))


def _panel_signers(scheme: MarkingScheme) -> list[tuple[Any, str]]:
    panel = (RoleAssignment.objects.filter(competency=scheme.competency, role__in=[Role.CHIEF_EXPERT, Role.EXPERT])
             .select_related("user").order_by("role", "user__last_name"))
    return [(a.user, str(Role(a.role).label)) for a in panel]


def _scheme_payload(scheme: MarkingScheme) -> dict[str, Any]:
    rows = [{"Аспект": a.code, "Вид": str(Aspect.Kind(a.kind).label), "Макс. балл": format_number(a.max_points, 2, language="ru"),
             "Критерий": f"{c.code}. {c.title}", "Субкритерий": f"{s.code}. {s.title}"}
            for c in drafts(scheme) for s in c.sub_criteria for a in s.aspects]
    return {"text": _("Схема оценки «%(scheme)s», редакция %(version)s. Сумма баллов: %(total)s.")
            % {"scheme": scheme.title, "version": scheme.version, "total": total_points(scheme)},
            "Аспекты схемы": rows}


def criteria_lock_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the criteria-lock protocol formed again from the scheme it locks."""
    scheme = MarkingScheme.objects.filter(pk=int((document.source or {}).get("scheme") or 0),
                                          competency_id=document.competency_id).first()
    if scheme is None:
        raise DomainError(_("Схема оценки этого протокола не найдена."))
    return _("Протокол блокировки критериев — %(scheme)s") % {"scheme": scheme.title}, _scheme_payload(scheme)


def lock_scheme(scheme: MarkingScheme, *, by: Any) -> Document:
    """MS-4: lock a valid draft by the criteria-lock protocol, which the panel then signs."""
    with transaction.atomic():
        scheme = MarkingScheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.is_locked:
            raise TransitionError(_("Схема уже заблокирована."))
        problems = validate(scheme)
        if problems:
            raise DomainError(_("Схему нельзя заблокировать: %(problems)s")
                              % {"problems": "; ".join(f"{p.place}: {p.message}" if p.place else p.message
                                                       for p in problems)})
        signers = _panel_signers(scheme)
        if not signers:
            raise DomainError(_("Назначьте главного эксперта и экспертов компетенции: они подписывают протокол."))
        before = snapshot(scheme)
        document = create_generated_document(
            championship=scheme.competency.championship, competency=scheme.competency,
            doc_type=DocumentType.CRITERIA_LOCK, title=_("Протокол блокировки критериев — %(scheme)s")
            % {"scheme": scheme.title}, data=_scheme_payload(scheme), signers=signers, by=by,
            generator="marking.criteria_lock", source={"scheme": scheme.pk})
        scheme.status = MarkingScheme.Status.LOCKED
        scheme.lock_document = document
        scheme.unlock_document = None
        scheme.save(update_fields=["status", "lock_document", "unlock_document"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=scheme, before=before, after=snapshot(scheme),
               championship=scheme.competency.championship)
    return document


def request_unlock(scheme: MarkingScheme, *, by: Any, reason: str) -> Document:
    """MS-4: the unlock protocol for the panel to sign; the scheme stays locked until it is complete."""
    if not reason.strip():
        raise DomainError(_("Укажите, что и почему нужно изменить в схеме."), field="reason")
    with transaction.atomic():
        scheme = MarkingScheme.objects.select_for_update().get(pk=scheme.pk)
        if not scheme.is_locked:
            raise TransitionError(_("Схема не заблокирована."))
        if scheme.unlock_document is not None and not is_complete(scheme.unlock_document):
            raise TransitionError(_("Протокол разблокировки уже ждёт подписей."))
        document = create_generated_document(
            championship=scheme.competency.championship, competency=scheme.competency, doc_type=DocumentType.UNLOCK,
            title=_("Протокол разблокировки критериев — %(scheme)s") % {"scheme": scheme.title},
            data={"text": reason.strip()}, signers=_panel_signers(scheme), by=by,
            generator="marking.criteria_unlock", source={"scheme": scheme.pk})
        before = snapshot(scheme)
        scheme.unlock_document = document
        scheme.save(update_fields=["unlock_document"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=scheme, before=before, after=snapshot(scheme),
               reason=reason, championship=scheme.competency.championship)
    return document


def unlock_scheme(scheme: MarkingScheme, *, by: Any) -> MarkingScheme:
    """Back to draft (next edition) once every required signer has signed the unlock protocol."""
    with transaction.atomic():
        scheme = MarkingScheme.objects.select_for_update().get(pk=scheme.pk)
        if not scheme.is_locked:
            raise TransitionError(_("Схема не заблокирована."))
        if scheme.unlock_document is None or not is_complete(scheme.unlock_document):
            raise TransitionError(_("Разблокировать можно только по протоколу разблокировки, подписанному всеми."))
        before = snapshot(scheme)
        scheme.status = MarkingScheme.Status.DRAFT
        scheme.version += 1
        scheme.lock_document = None
        scheme.save(update_fields=["status", "version", "lock_document"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=scheme, before=before, after=snapshot(scheme),
               reason=_("Протокол разблокировки № %(number)s") % {"number": scheme.unlock_document.number},
               championship=scheme.competency.championship)
    return scheme


def replace_scheme_content(scheme: MarkingScheme, criteria: list[CriterionDraft], *, by: Any) -> MarkingScheme:
    """MS-5 import: replace a draft's criteria, sub-criteria and aspects in one transaction.

    Skill sections are matched by number within the competency; an unknown number is refused.
    Nothing is written unless everything is.
    """
    with transaction.atomic():
        scheme = MarkingScheme.objects.select_for_update().get(pk=scheme.pk)
        _refuse_if_locked(scheme)
        sections = {s.number: s for s in scheme.competency.skill_sections.all()}
        for draft in criteria:
            unknown = [n for n in draft.skill_sections if n not in sections]
            if unknown:
                raise DomainError(_("Критерий %(code)s: нет раздела спецификации навыков № %(numbers)s.")
                                  % {"code": draft.code, "numbers": ", ".join(map(str, unknown))})
        championship = scheme.competency.championship
        for old in list(scheme.criteria.all()):
            delete_audited(old, by=by, reason=_("Импорт схемы из xlsx"), championship=championship)
        for c_order, c in enumerate(criteria, start=1):
            criterion = Criterion(scheme=scheme, code=c.code, title=c.title, order=c_order)
            save_audited(criterion, by=by, championship=championship,
                         m2m={"skill_sections": [sections[n] for n in c.skill_sections]})
            for s_order, s in enumerate(c.sub_criteria, start=1):
                sub = SubCriterion(criterion=criterion, code=s.code, title=s.title, order=s_order)
                save_audited(sub, by=by, championship=championship)
                for a_order, a in enumerate(s.aspects, start=1):
                    save_audited(Aspect(sub_criterion=sub, code=a.code, kind=a.kind, description=a.description,
                                        max_points=a.max_points, descriptors=list(a.descriptors),
                                        levels=[[label, str(points)] for label, points in a.levels],
                                        order=a_order), by=by, championship=championship)
    return scheme
