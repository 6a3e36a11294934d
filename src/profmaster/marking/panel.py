"""The panel of a competency (SC-8): its chief expert and experts (role assignments), how it marks,
judging roles and their protocol, conflicts of interest and work codes for blind assessment."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from profmaster.accounts.domain import panel_assignment_refusal
from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError
from profmaster.documents.domain import create_generated_document
from profmaster.documents.models import Document, DocumentType
from profmaster.registration.models import Application, TeamMember

from .models import JudgingRole, Panel, WorkCode

CODE_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ23456789"  # no look-alikes (0/O, 1/I)


def panel_of(competency: Any) -> Panel:
    panel, _created = Panel.objects.get_or_create(competency_id=competency.pk)
    return panel


def experts_of(competency: Any) -> list[Any]:
    """The competency's experts (not the chief expert), in a stable order."""
    return [a.user for a in RoleAssignment.objects.filter(competency=competency, role=Role.EXPERT)
            .select_related("user").order_by("user__last_name", "user__first_name", "user_id")]


def chief_of(competency: Any) -> Any:
    assignment = (RoleAssignment.objects.filter(competency=competency, role=Role.CHIEF_EXPERT)
                  .select_related("user").first())
    return assignment.user if assignment else None


def panel_signers(competency: Any) -> list[tuple[Any, str]]:
    chief = chief_of(competency)
    signers = [(chief, str(Role.CHIEF_EXPERT.label))] if chief else []
    return signers + [(e, str(Role.EXPERT.label)) for e in experts_of(competency)]


def expert_organisations(user: Any, competency: Any) -> set[int]:
    return set(RoleAssignment.objects.filter(user=user, championship_id=competency.championship_id,
                                             organisation__isnull=False)
               .values_list("organisation_id", flat=True))


def conflict_of(expert: Any, team: Application, panel: Panel) -> str | None:
    """SC-8: why this expert may not mark this team, or None."""
    if TeamMember.objects.filter(application=team, user=expert, kind=TeamMember.Kind.MENTOR,
                                 state=TeamMember.State.ACTIVE).exists():
        return _("%(expert)s — наставник этой команды и не оценивает её.") % {"expert": expert}
    if panel.exclude_own_organisation and team.organisation_id in expert_organisations(expert, team.competency):
        return _("%(expert)s — из организации этой команды и не оценивает её.") % {"expert": expert}
    return None


def expert_refusal(expert: Any, team: Application, competency: Any) -> str | None:
    """SC-8 for one mark being saved: why ``expert`` may not mark ``team`` of ``competency`` — not an expert of
    the competency's panel, or :func:`conflict_of` — else None. One query for what takes four apart (the mark
    entry grid's autosave runs it on every judgement mark)."""
    facts = getattr(expert, "_profmaster_refusal_facts", None)
    if facts is not None and facts[:2] == (team.pk, competency.pk):  # read by marks.entry_target in this request
        on_panel, mentor, same_organisation, exclude, removed = facts[2:]
    else:
        on_panel, mentor, same_organisation, exclude, removed = _refusal_facts(expert, team, competency)
    if not on_panel:
        return _("%(expert)s не входит в жюри компетенции.") % {"expert": expert}
    if removed:  # AP-4: removed from the venue, the expert's marks stop (those entered stay, flagged for review)
        return _("%(expert)s отстранён(а) от работы на площадке: его (её) оценки больше не вводятся.") % {
            "expert": expert}
    if mentor:
        return _("%(expert)s — наставник этой команды и не оценивает её.") % {"expert": expert}
    if exclude is None:  # the competency's panel settings are created with their defaults on first use
        exclude = panel_of(competency).exclude_own_organisation
    if exclude and same_organisation:
        return _("%(expert)s — из организации этой команды и не оценивает её.") % {"expert": expert}
    return None


def _refusal_facts(expert: Any, team: Application, competency: Any) -> tuple[bool, bool, bool, bool | None, bool]:
    assignments, members, panels = (RoleAssignment._meta.db_table, TeamMember._meta.db_table, Panel._meta.db_table)
    sql = (f"SELECT EXISTS(SELECT 1 FROM {assignments} WHERE competency_id = %s AND role = %s AND user_id = %s), "  # noqa: S608
           f"EXISTS(SELECT 1 FROM {members} WHERE application_id = %s AND user_id = %s AND kind = %s AND state = %s), "
           f"EXISTS(SELECT 1 FROM {assignments} WHERE user_id = %s AND championship_id = %s AND organisation_id = %s), "
           f"(SELECT exclude_own_organisation FROM {panels} WHERE competency_id = %s), "
           f"{removed_sql('%s', '%s')}")
    params = [competency.pk, Role.EXPERT, expert.pk, team.pk, expert.pk, TeamMember.Kind.MENTOR,
              TeamMember.State.ACTIVE, expert.pk, competency.championship_id, team.organisation_id, competency.pk,
              expert.pk, competency.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        on_panel, mentor, same_organisation, exclude, removed = cursor.fetchone()
    return bool(on_panel), bool(mentor), bool(same_organisation), exclude, bool(removed)


def removed_sql(user: str, competency: str) -> str:
    """SQL of «this panel member's venue access for the competency was revoked» (AP-4: removed from the venue,
    by a sanction or a final removal after an incident): an EXISTS on the user and competency expressions."""
    from profmaster.checkin.models import Accreditation

    return (f"EXISTS(SELECT 1 FROM {connection.ops.quote_name(Accreditation._meta.db_table)} "  # noqa: S608
            f"WHERE user_id = {user} AND competency_id = {competency} AND kind IN ('expert', 'chief_expert') "
            f"AND revoked_at IS NOT NULL)")


def removed_from_venue(user: Any, competency: Any) -> bool:
    """AP-4: whether the panel member was removed from the competency's venue (their accreditation revoked)."""
    from profmaster.checkin.models import Accreditation

    return Accreditation.objects.filter(user=user, competency_id=competency.pk,
                                        kind__in=[Accreditation.Kind.EXPERT, Accreditation.Kind.CHIEF_EXPERT],
                                        revoked_at__isnull=False).exists()


def warnings(competency: Any) -> list[str]:
    """Warnings for the panel page: fewer experts than 003 §6.4 asks for."""
    count = len(experts_of(competency))
    wanted = competency.expert_count or competency.default_expert_count
    result = []
    if count < wanted:
        result.append(ngettext("В жюри %(count)s эксперт из %(wanted)s, положенных по п. 6.4 методики.",
                               "В жюри %(count)s экспертов из %(wanted)s, положенных по п. 6.4 методики.", count)
                      % {"count": count, "wanted": wanted})
    if chief_of(competency) is None:
        result.append(_("Главный эксперт не назначен."))
    return result


def save_panel(panel: Panel, *, by: Any) -> Panel:
    """Change how the panel marks; turning blind assessment on gives every team a work code."""
    with transaction.atomic():
        save_audited(panel, by=by, championship=panel.competency.championship)
        if panel.blind:
            assign_work_codes(panel.competency)
    return panel


def assign_work_codes(competency: Any) -> None:
    taken = set(WorkCode.objects.filter(competency=competency).values_list("code", flat=True))
    for team in Application.objects.filter(competency=competency, status=Application.Status.APPROVED,
                                           work_code__isnull=True):
        code = ""
        while not code or code in taken:
            code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(5))
        taken.add(code)
        WorkCode.objects.create(competency=competency, team=team, code=code)


def add_judging_role(competency: Any, user: Any, duty: str, *, by: Any, team: Application | None = None) -> JudgingRole:
    """Give a panel member a duty; marking a particular team is refused on a conflict of interest."""
    duty = (duty or "").replace("\x00", "").strip()[:200]
    if not duty:
        raise DomainError(_("Укажите судейскую роль."), field="duty")
    if not RoleAssignment.objects.filter(competency=competency, user=user,
                                         role__in=[Role.CHIEF_EXPERT, Role.EXPERT]).exists():
        raise DomainError(_("%(user)s не входит в жюри компетенции.") % {"user": user}, field="user")
    refusal = panel_assignment_refusal(user)
    if refusal:
        raise DomainError(refusal, field="user")
    if team is not None:
        if team.competency_id != competency.pk:
            raise DomainError(_("Команда другой компетенции."), field="team")
        reason = conflict_of(user, team, panel_of(competency))
        if reason:
            raise DomainError(reason, field="team")
    if JudgingRole.objects.filter(competency=competency, user=user, duty=duty).exists():
        raise DomainError(_("Такая роль уже назначена."), field="duty")
    with transaction.atomic():
        role = JudgingRole(competency=competency, user=user, duty=duty, team=team)
        return cast(JudgingRole, save_audited(role, by=by, championship=competency.championship))


def _roles_content(competency: Any) -> tuple[str, dict[str, Any]]:
    roles = list(JudgingRole.objects.filter(competency=competency).select_related("user", "team__organisation"))
    if not roles:
        raise DomainError(_("Сначала распределите судейские роли."))
    rows = [{"Эксперт": r.user.short_name,
             "Роль": r.duty, "Команда": str(r.team.organisation) if r.team else ""} for r in roles]
    return (_("Протокол распределения судейских ролей — %(competency)s") % {"competency": competency},
            {"text": _("Судейские роли жюри компетенции «%(competency)s».") % {"competency": competency},
             "Роли": rows})


def roles_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the judging-roles protocol formed again from the competency's roles."""
    if document.competency is None:
        raise DomainError(_("У протокола не указана компетенция."))
    return _roles_content(document.competency)


def roles_protocol(competency: Any, *, by: Any) -> Document:
    """The protocol of role distribution (003 §20.1), signed by the whole panel."""
    title, data = _roles_content(competency)
    signers = panel_signers(competency)
    if not signers:
        raise DomainError(_("В жюри нет ни одного человека."))
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel_of(competency).pk)
        document = create_generated_document(
            championship=competency.championship, competency=competency, doc_type=DocumentType.JUDGING_ROLES,
            title=title, data=data, signers=signers, by=by, generator="marking.judging_roles",
            source={"competency": competency.pk})
        before = snapshot(panel)
        panel.roles_document = document
        panel.save(update_fields=["roles_document"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=panel, before=before, after=snapshot(panel),
               championship=competency.championship)
    return document
