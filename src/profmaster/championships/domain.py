"""State changes of the championship structure (CH-1…CH-4). Views, API, admin and commands call these."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from profmaster.audit.domain import delete_audited, record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError, TransitionError

from . import defaults
from .models import AgeCategory, Championship, Competency, Stage


def save_championship(championship: Championship, *, by: Any, reason: str = "") -> Championship:
    creating = championship._state.adding
    with transaction.atomic():
        if not creating:
            stored = Championship.objects.select_for_update().filter(pk=championship.pk).values_list(
                "rules_profile", flat=True).first()
            if stored is not None and stored != championship.rules_profile:
                check_rules_profile_change(championship, to=championship.rules_profile)
        save_audited(championship, by=by, reason=reason)
        if creating and championship.rules_profile == Championship.RulesProfile.MASTERYATA:
            create_default_age_categories(championship, by=by)
    return championship


def check_rules_profile_change(championship: Championship, *, to: str) -> None:
    """REG-1, CH-1: the rules profile decides which registration rules the applications went through (003's
    teams or «Лучший по профессии»'s individual contestants), so it is fixed once the first application exists."""
    if to not in Championship.RulesProfile.values:
        raise DomainError(_("Неизвестный профиль правил."), field="rules_profile")
    count = championship.applications.count() if championship.pk else 0
    if count:
        stored = Championship.objects.get(pk=championship.pk)
        raise TransitionError(
            _("Правила чемпионата нельзя сменить с «%(old)s» на «%(new)s»: уже подано заявок — %(count)s, и они "
              "приняты по прежним правилам. Сменить правила можно только до первой заявки.")
            % {"old": stored.get_rules_profile_display(), "new": Championship.RulesProfile(to).label, "count": count},
            field="rules_profile")


def change_rules_profile(championship: Championship, *, to: str, by: Any, reason: str = "") -> Championship:
    """Switch the championship's rules profile; refused once applications exist (see above)."""
    with transaction.atomic():
        locked = Championship.objects.select_for_update().get(pk=championship.pk)
        if locked.rules_profile == to:
            return championship
        check_rules_profile_change(locked, to=to)
        championship.rules_profile = to
        save_audited(championship, by=by, reason=reason)
    return championship


def create_default_age_categories(championship: Championship, *, by: Any) -> list[AgeCategory]:
    """The three age categories of 003 §3.3 with their admission rules, as editable data."""
    created = []
    for order, rules in enumerate(defaults.MASTERYATA_AGE_CATEGORIES, start=1):
        if championship.age_categories.filter(code=rules.code).exists():
            continue
        category = AgeCategory(
            championship=championship, code=rules.code, name=rules.name, order=order,
            grade_min=rules.grade_min, grade_max=rules.grade_max,
            participants_per_team=rules.participants_per_team, relatives_per_team=rules.relatives_per_team,
            moscow_school_required=rules.moscow_school_required,
            sibling_exception_grade_min=rules.sibling_exception_grade_min,
            sibling_exception_grade_max=rules.sibling_exception_grade_max,
        )
        save_audited(category, by=by)
        created.append(category)
    return created


def save_competency(competency: Competency, *, by: Any, reason: str = "",
                    age_categories: Any = None) -> Competency:
    """Create or change a competency; the expert count defaults to 003 §6.4 for its evaluation mode."""
    if competency.expert_count is None:
        competency.expert_count = defaults.default_expert_count(competency.evaluation_mode)
    m2m = {"age_categories": age_categories} if age_categories is not None else None
    if age_categories is not None:
        foreign = [c for c in age_categories if c.championship_id != competency.championship_id]
        if foreign:
            raise DomainError(_("Возрастная категория из другого чемпионата."), field="age_categories")
    save_audited(competency, by=by, reason=reason, m2m=m2m)
    return competency


def save_structure_object(instance: models.Model, *, by: Any, reason: str = "",
                          m2m: dict[str, Any] | None = None) -> models.Model:
    """Create or change a stage, age category, skill section, infrastructure item, base venue,
    workplace, programme slot or competency document, checking it stays inside one championship."""
    _check_same_championship(instance, m2m)
    return save_audited(instance, by=by, reason=reason, m2m=m2m)


def delete_structure_object(instance: models.Model, *, by: Any, reason: str = "") -> None:
    delete_audited(instance, by=by, reason=reason)


def _check_same_championship(instance: models.Model, m2m: dict[str, Any] | None) -> None:
    championship = getattr(instance, "championship", None)
    if championship is None:
        return
    for field in instance._meta.concrete_fields:
        if not field.is_relation or field.name == "championship":
            continue
        related = getattr(instance, field.name, None)
        related_championship = getattr(related, "championship", None)
        if related_championship is not None and related_championship.pk != championship.pk:
            raise DomainError(_("«%(obj)s» относится к другому чемпионату.") % {"obj": related}, field=field.name)
    for name, values in (m2m or {}).items():
        for related in values:
            related_championship = getattr(related, "championship", None)
            if related_championship is not None and related_championship.pk != championship.pk:
                raise DomainError(_("«%(obj)s» относится к другому чемпионату.") % {"obj": related}, field=name)


def move_stage_phase(stage: Stage, *, to: str, by: Any, reason: str = "") -> Stage:
    """Move a stage one phase forward, or one back with a reason."""
    with transaction.atomic():
        stage = Stage.objects.select_for_update().get(pk=stage.pk)
        moves = defaults.allowed_phase_moves(stage.phase)
        if to not in moves:
            raise TransitionError(
                _("Этап «%(stage)s» нельзя перевести из фазы «%(src)s» в «%(dst)s».")
                % {"stage": stage, "src": stage.get_phase_display(), "dst": _phase_label(to)}
            )
        if moves[to] and not reason.strip():
            raise DomainError(_("Возврат к предыдущей фазе требует причины."), field="reason")
        before = snapshot(stage)
        stage.phase = to
        stage.save(update_fields=["phase"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=stage, before=before,
               after=snapshot(stage), reason=reason)
    return stage


def change_championship_status(championship: Championship, *, to: str, by: Any, reason: str = "") -> Championship:
    with transaction.atomic():
        championship = Championship.objects.select_for_update().get(pk=championship.pk)
        moves = defaults.CHAMPIONSHIP_TRANSITIONS.get(championship.status, {})
        if to not in moves:
            raise TransitionError(
                _("Чемпионат нельзя перевести из статуса «%(src)s» в «%(dst)s».")
                % {"src": championship.get_status_display(), "dst": _status_label(to)}
            )
        if moves[to] and not reason.strip():
            raise DomainError(_("Этот переход требует причины."), field="reason")
        before = snapshot(championship)
        championship.status = to
        championship.save(update_fields=["status"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=championship, before=before,
               after=snapshot(championship), reason=reason)
    return championship


def _phase_label(value: str) -> str:
    return str(dict(Stage.Phase.choices).get(value, value))


def _status_label(value: str) -> str:
    return str(dict(Championship.Status.choices).get(value, value))


def save_competency_document(document: Any, *, by: Any, reason: str = "", m2m: Any = None) -> Any:
    """Upload or change a competency's document (technical description, task, infrastructure list…)."""
    if document.uploaded_by_id is None:
        document.uploaded_by = by
    return save_structure_object(document, by=by, reason=reason)
