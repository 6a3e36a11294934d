"""The stage's summary sheet, the expert working group's protocol, its transfer to the regional contest
commission and the commission's protocol (SPEC RM-5, DOC-2, 000 §11–12). One function per state change:

* :func:`summary_sheet` — the summary sheet of a stage (a marking scheme of a competency or nomination): every
  contestant's points per criterion, total and place, read from the locked marks (the electronic score sheets
  of the remote marking mode end in that lock).
* :func:`create_expert_group_protocol` — the protocol formed from the summary sheet, to be signed by the
  competency's expert group (chief expert and experts) through the documents' signature flow.
* :func:`transfer_protocol` — passes the fully signed protocol to the commission: a record of who and when, with
  the content hash passed; the commission's members are told by e-mail. A passed protocol is never formed again.
* :func:`create_commission_protocol` — the commission's own protocol, formed from everything it received and
  signed by the championship's regional commission members; formed again when more protocols arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.links import absolute_url
from profmaster.core.numbers import format_number
from profmaster.documents.domain import create_generated_document, regenerate_document
from profmaster.documents.hashing import short_hash
from profmaster.documents.models import Document, DocumentType
from profmaster.documents.selectors import missing_signers, signing_status
from profmaster.marking.marks import marking_of, team_label
from profmaster.marking.models import MarkingScheme, TeamResult
from profmaster.marking.panel import panel_signers
from profmaster.notifications.domain import queue_email, usable_addresses

from .models import CommissionProtocol, ExpertGroupProtocol, ProtocolTransfer

NOTE_MAX = 2000
GROUP_GENERATOR = "regional_commission.expert_group_protocol"
COMMISSION_GENERATOR = "regional_commission.commission_protocol"


# --- The summary sheet ---------------------------------------------------------------------------------------


def places(totals: Sequence[Decimal]) -> list[int]:
    """Competition places of totals sorted from the best: equal totals share a place, the next place skips
    (100, 90, 90, 80 → 1, 2, 2, 4)."""
    result: list[int] = []
    for index, total in enumerate(totals):
        result.append(result[-1] if index and total == totals[index - 1] else index + 1)
    return result


def summary_sheet(scheme: MarkingScheme) -> dict[str, Any]:
    """The stage's summary sheet as plain data: criteria, and per contestant the points of each, the total and
    the place. Refused until the scheme's marks are locked (the score sheets are then final)."""
    marking = marking_of(scheme)
    if not marking.is_locked:
        raise DomainError(_("Сводная ведомость формируется после сверки и блокировки оценок схемы «%(scheme)s»: "
                            "эксперты заполняют оценочные листы, главный эксперт блокирует оценки.")
                          % {"scheme": scheme.title}, code="not_locked")
    criteria = list(scheme.criteria.order_by("order", "code").values_list("code", "title"))
    results = sorted(TeamResult.objects.filter(scheme=scheme).select_related("team__organisation", "team__competency"),
                     key=lambda r: (-r.total, team_label(r.team)))
    rows = []
    for place, result in zip(places([r.total for r in results]), results, strict=True):
        points = {item.get("code"): item.get("points", "") for item in result.criteria or []}
        rows.append({"place": place, "team": team_label(result.team),
                     "criteria": [format_number(Decimal(str(points[code])), 2, language="ru")
                                  if points.get(code) not in (None, "") else "—" for code, _title in criteria],
                     "total": format_number(result.total, 2, language="ru")})
    zone = timezones.zone_of(scheme.competency.championship)
    return {
        "scheme": scheme.title, "competency": scheme.competency.name, "stage": scheme.stage.name,
        "age_category": str(scheme.age_category) if scheme.age_category_id else "",
        "criteria": [{"code": code, "title": title} for code, title in criteria],
        "rows": rows, "locked_at": timezones.format_local(marking.locked_at, zone),
        "zone": timezones.zone_label(zone), "ledger_hash": marking.head_hash, "entries": marking.entry_count,
    }


def _sheet_table(sheet: dict[str, Any]) -> list[dict[str, str]]:
    """The summary sheet as the rows of a protocol's table (column names are the printed headers)."""
    table = []
    for row in sheet["rows"]:
        line = {"Место": str(row["place"]), "Участник": row["team"]}
        for criterion, points in zip(sheet["criteria"], row["criteria"], strict=True):
            line[f"{criterion['code']}. {criterion['title']}"] = points
        line["Итого"] = row["total"]
        table.append(line)
    return table


# --- The expert working group's protocol ---------------------------------------------------------------------


def _group_content(scheme: MarkingScheme) -> tuple[str, dict[str, Any]]:
    sheet = summary_sheet(scheme)
    with translation.override("ru"):
        stage = f"{sheet['stage']}" + (f", {sheet['age_category']}" if sheet["age_category"] else "")
        title = _("Протокол экспертной рабочей группы — %(competency)s (%(stage)s)") % {
            "competency": sheet["competency"], "stage": stage}
        data: dict[str, Any] = {
            "text": _("Экспертная рабочая группа компетенции (номинации) «%(competency)s» рассмотрела оценочные листы "
                      "участников этапа «%(stage)s», заполненные в электронном виде, и утверждает сводную оценочную "
                      "ведомость. Оценки сверены и заблокированы %(at)s (%(zone)s); записей в журнале оценок: "
                      "%(entries)s, контрольный хеш %(hash)s.")
            % {"competency": sheet["competency"], "stage": stage, "at": sheet["locked_at"], "zone": sheet["zone"],
               "entries": sheet["entries"], "hash": sheet["ledger_hash"]},
            _("Сводная оценочная ведомость"): _sheet_table(sheet) or [_("нет участников")],
            _("Решение"): _("Протокол передаётся в региональную конкурсную комиссию."),
        }
    return title, data


def _group_protocol_of(document: Document) -> ExpertGroupProtocol | None:
    return ExpertGroupProtocol.objects.select_related("scheme__competency__championship", "scheme__stage").filter(
        document_id=document.pk).first()


def expert_group_protocol_content(document: Document, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: formed again from the summary sheet — refused once the protocol was passed to the commission."""
    protocol = _group_protocol_of(document)
    if protocol is None:
        raise DomainError(_("Схема оценки этого протокола не найдена."))
    if ProtocolTransfer.objects.filter(protocol=protocol).exists():
        raise TransitionError(_("Протокол уже передан в региональную конкурсную комиссию: сформировать его заново "
                                "нельзя."))
    return _group_content(protocol.scheme)


def create_expert_group_protocol(scheme: MarkingScheme, *, by: Any) -> ExpertGroupProtocol:
    """Form the expert working group's protocol of the stage from its summary sheet; the signers are the
    competency's expert group — its chief expert and experts."""
    scheme = MarkingScheme.objects.select_related("competency__championship", "stage", "age_category").get(pk=scheme.pk)
    competency = scheme.competency
    signers = panel_signers(competency)
    if not signers:
        raise DomainError(_("Назначьте главного эксперта и экспертов компетенции: они подписывают протокол."))
    with transaction.atomic():
        MarkingScheme.objects.select_for_update().only("pk").get(pk=scheme.pk)
        existing = ExpertGroupProtocol.objects.filter(scheme=scheme).select_related("document").first()
        if existing is not None:
            raise TransitionError(_("Протокол экспертной рабочей группы этого этапа уже сформирован: %(doc)s.")
                                  % {"doc": existing.document})
        title, data = _group_content(scheme)
        document = create_generated_document(
            championship=competency.championship, competency=competency, doc_type=DocumentType.EXPERT_GROUP_PROTOCOL,
            title=title, data=data, signers=signers, by=by, generator=GROUP_GENERATOR, source={"scheme": scheme.pk})
        protocol = ExpertGroupProtocol.objects.create(championship=competency.championship, competency=competency,
                                                      scheme=scheme, document=document, created_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=protocol, after=snapshot(protocol))
    return protocol


# --- The transfer to the regional contest commission ---------------------------------------------------------


def commission_members(championship: Championship) -> list[Any]:
    """The championship's regional contest commission, in a stable order."""
    return [a.user for a in RoleAssignment.objects.filter(championship=championship, role=Role.REGIONAL_COMMISSION)
            .select_related("user").order_by("user__last_name", "user__first_name", "user_id") if a.user.is_active]


def transfer_protocol(protocol: ExpertGroupProtocol, *, by: Any, note: str = "") -> ProtocolTransfer:
    """Pass the expert group's protocol, signed by every member, to the regional contest commission."""
    note = str(note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("Сопроводительная записка длиннее %(max)s символов.") % {"max": NOTE_MAX}, field="note")
    with transaction.atomic():
        locked = ExpertGroupProtocol.objects.select_for_update().select_related("document", "championship").get(
            pk=protocol.pk)
        if ProtocolTransfer.objects.filter(protocol=locked).exists():
            raise TransitionError(_("Протокол уже передан в региональную конкурсную комиссию."))
        document = Document.objects.select_for_update().get(pk=locked.document_id)
        missing = missing_signers(document)
        if missing:
            raise DomainError(_("Протокол ещё не подписан всеми членами экспертной группы: %(names)s. Передать его "
                                "можно после всех подписей.") % {"names": ", ".join(r.user.full_name for r in missing)},
                              code="not_signed")
        members = commission_members(locked.championship)
        if not members:
            raise DomainError(_("В чемпионате не назначена региональная конкурсная комиссия: Дирекция назначает её "
                                "членов на странице «Люди и роли»."))
        transfer = ProtocolTransfer.objects.create(
            protocol=locked, championship=locked.championship, passed_by=by, passed_at=timezone.now(),
            content_hash=document.content_hash, document_version=document.version, note=note)
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=transfer, after=snapshot(transfer),
               championship=locked.championship)
        zone = timezones.zone_of(locked.championship)
        recipients = usable_addresses(u.email for u in members)
        if recipients:
            queue_email("commission_protocol_received", {
                "document": str(document), "passed_by": by.full_name,
                "passed_at": f"{timezones.format_local(transfer.passed_at, zone)} ({timezones.zone_label(zone)})",
                "hash": short_hash(document.content_hash), "note": note,
                "link": absolute_url(reverse("regional_commission:workspace", args=[locked.championship_id])),
            }, recipients, championship=locked.championship, related=transfer)
    return transfer


# --- The commission's own protocol ---------------------------------------------------------------------------


def received(championship: Championship) -> list[ProtocolTransfer]:
    """What the commission received, in the order it arrived."""
    return list(ProtocolTransfer.objects.filter(championship=championship)
                .select_related("protocol__document", "protocol__competency", "passed_by").order_by("passed_at", "pk"))


def _commission_content(championship: Championship) -> tuple[str, dict[str, Any]]:
    transfers = received(championship)
    if not transfers:
        raise DomainError(_("Комиссия ещё не получила ни одного протокола экспертной рабочей группы."),
                          code="nothing_received")
    zone = timezones.zone_of(championship)
    with translation.override("ru"):
        data: dict[str, Any] = {
            "text": _("Региональная конкурсная комиссия чемпионата «%(name)s» рассмотрела протоколы экспертных рабочих "
                      "групп, переданные ей в электронном виде, и утверждает результаты этапа. Время — %(zone)s.")
            % {"name": championship.name, "zone": timezones.zone_label(zone)},
            _("Рассмотренные протоколы"): [{
                "Протокол": f"№ {t.protocol.document.number}. {t.protocol.document.title}",
                "Компетенция (номинация)": t.protocol.competency.name,
                "Передал": t.passed_by.full_name,
                "Передан": timezones.format_local(t.passed_at, zone),
                "Хеш": short_hash(t.content_hash),
            } for t in transfers],
        }
        for transfer in transfers:
            summary = transfer.protocol.document.data.get("Сводная оценочная ведомость") or []
            rows = [{"Место": row.get("Место", ""), "Участник": row.get("Участник", ""), "Итого": row.get("Итого", "")}
                    for row in summary if isinstance(row, dict)]
            data[_("Результаты: %(competency)s") % {"competency": transfer.protocol.competency.name}] = \
                rows or [{"Участник": _("нет участников")}]
        data[_("Решение")] = _("Результаты утверждены региональной конкурсной комиссией.")
        return _("Протокол региональной конкурсной комиссии — %(name)s") % {"name": championship.name}, data


def commission_protocol_content(document: Document, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the commission's protocol formed again from everything the commission received."""
    return _commission_content(document.championship)


def create_commission_protocol(championship: Championship, *, by: Any) -> CommissionProtocol:
    """Form the commission's protocol from the protocols it received (signers: its members). Formed once;
    afterwards it is formed again from the records (a new редакция; signatures asked anew)."""
    members = commission_members(championship)
    if not members:
        raise DomainError(_("В чемпионате не назначена региональная конкурсная комиссия: Дирекция назначает её "
                            "членов на странице «Люди и роли»."))
    with transaction.atomic():
        Championship.objects.select_for_update().only("pk").get(pk=championship.pk)
        existing = CommissionProtocol.objects.filter(championship=championship).select_related("document").first()
        if existing is not None:
            regenerate_document(existing.document, by=by,
                                reason=_("Комиссия получила новые протоколы экспертных рабочих групп."))
            return existing
        title, data = _commission_content(championship)
        label = str(Role.REGIONAL_COMMISSION.label)
        document = create_generated_document(
            championship=championship, doc_type=DocumentType.COMMISSION_PROTOCOL, title=title, data=data,
            signers=[(member, label) for member in members], by=by, generator=COMMISSION_GENERATOR,
            source={"championship": championship.pk})
        protocol = CommissionProtocol.objects.create(championship=championship, document=document, created_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=protocol, after=snapshot(protocol))
    return protocol


def needs_reforming(protocol: CommissionProtocol | None, transfers: Sequence[ProtocolTransfer]) -> bool:
    """Whether protocols arrived after the commission's protocol was last formed."""
    if protocol is None or not transfers:
        return False
    listed = protocol.document.data.get("Рассмотренные протоколы") or []
    return len(listed) != len(transfers)


def state_of(document: Document) -> dict[str, Any]:
    status = signing_status(document)
    return {"complete": status.complete, "signed": status.signed_count, "required": len(status.required),
            "missing": [r.user.full_name for r in status.missing]}
