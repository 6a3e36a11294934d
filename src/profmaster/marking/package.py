"""SC-10: a competency's document package — every sheet, form and protocol the Directorate must receive
within two days of the championship's end (003 §6.12, §6.16) — and the receipt of paper originals.

:func:`document_package` is the one reading of the package: the page, the overview, the xlsx and the
API all show what it returns, as plain data. :func:`receive_sheets` is the one state change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.core.errors import DomainError
from profmaster.documents.models import Document, DocumentType
from profmaster.documents.selectors import missing_by_document
from profmaster.registration.models import Application

from .marks import IN_PERSON, marking_of, team_label, teams_of
from .models import MarkingScheme, SchemeMarking, SheetReceipt, SubCriterion
from .panel import panel_of

#: 003 §6.12: the package reaches the Directorate within two days after the championship ends.
DEADLINE_DAYS = 2
#: Other apps' items of the package: dotted paths of ``provider(competency) -> list[PackageItem]`` (the
#: competition day's protocols, the video recording and the photos of finished works, OP-2, OP-3, OP-7).
PACKAGE_PROVIDERS: list[str] = ["profmaster.timekeeping.package.package_items"]
COMMENT_MAX = 500


class ItemStatus:
    MISSING = "missing"  # not produced yet (or, for a paper original, not received yet)
    AWAITING = "awaiting"  # produced, some signatures missing
    SIGNED = "signed"  # every required signature is there
    READY = "ready"  # a generated file without signatures (the score-sheets PDF)
    RECEIVED = "received"  # the Directorate holds the paper original

    DONE = frozenset({SIGNED, READY, RECEIVED})

    @staticmethod
    def label(status: str) -> str:
        return {
            ItemStatus.MISSING: _("Не сформирован"),
            ItemStatus.AWAITING: _("Ждёт подписей"),
            ItemStatus.SIGNED: _("Подписан"),
            ItemStatus.READY: _("Сформирован"),
            ItemStatus.RECEIVED: _("Получен Дирекцией"),
        }[status]


@dataclass
class PackageItem:
    """One document of the package. ``key`` is stable: it names the slot, not the document filling it."""

    key: str
    kind: str
    title: str
    status: str
    scheme_id: int | None = None
    document_id: int | None = None
    document_number: int | None = None
    missing_signers: list[str] = field(default_factory=list)
    team_id: int | None = None
    sub_criterion_id: int | None = None
    entered: bool = False  # a handwritten sheet already transferred into the system
    received_at: dt.datetime | None = None
    received_by: str = ""
    comment: str = ""
    url: str = ""  # where to open an item that is not a document (e.g. a photo of a finished work)

    @property
    def done(self) -> bool:
        return self.status in ItemStatus.DONE

    @property
    def status_label(self) -> str:
        return ItemStatus.label(self.status)

    @property
    def anchor(self) -> str:
        """The key as an HTML id."""
        return self.key.replace(":", "-")

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "title": self.title, "status": self.status,
                "status_label": self.status_label, "done": self.done, "scheme_id": self.scheme_id,
                "document_id": self.document_id, "document_number": self.document_number,
                "missing_signers": list(self.missing_signers), "team_id": self.team_id,
                "sub_criterion_id": self.sub_criterion_id, "entered": self.entered,
                "received_at": self.received_at.isoformat() if self.received_at else None,
                "received_by": self.received_by, "comment": self.comment}


@dataclass
class SheetTable:
    """The handwritten sheets of one scheme: teams × sub-criteria (in-person marking only)."""

    scheme_id: int
    scheme: str
    sub_criteria: list[tuple[int, str]]
    rows: list[tuple[int, str, list[PackageItem]]]


@dataclass
class Package:
    competency: Any
    deadline: dt.date
    today: dt.date
    items: list[PackageItem]
    sheet_tables: list[SheetTable]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def missing_count(self) -> int:
        return sum(1 for item in self.items if not item.done)

    @property
    def awaiting_count(self) -> int:
        return sum(1 for item in self.items if item.status == ItemStatus.AWAITING)

    @property
    def complete(self) -> bool:
        return self.missing_count == 0

    @property
    def overdue(self) -> bool:
        return self.today > self.deadline and not self.complete

    @property
    def documents(self) -> list[PackageItem]:
        """The protocols, forms and files — every item except the handwritten sheets."""
        return [item for item in self.items if item.kind != "handwritten_sheet"]

    def as_dict(self) -> dict[str, Any]:
        return {"competency_id": self.competency.pk, "competency": self.competency.name,
                "championship_id": self.competency.championship_id, "deadline": self.deadline.isoformat(),
                "overdue": self.overdue, "complete": self.complete, "total": self.total,
                "missing_count": self.missing_count, "awaiting_count": self.awaiting_count,
                "items": [item.as_dict() for item in self.items]}


def deadline_of(championship: Any) -> dt.date:
    return championship.ends_on + dt.timedelta(days=DEADLINE_DAYS)


def _document_item(key: str, kind: str, title: str, document: Document | None, missing: dict[int, list[Any]],
                   *, scheme_id: int | None = None) -> PackageItem:
    if document is None:
        return PackageItem(key=key, kind=kind, title=title, status=ItemStatus.MISSING, scheme_id=scheme_id)
    names = [r.user.full_name for r in missing.get(document.pk, [])]
    return PackageItem(key=key, kind=kind, title=document.title, scheme_id=scheme_id, document_id=document.pk,
                       document_number=document.number, missing_signers=names,
                       status=ItemStatus.AWAITING if names else ItemStatus.SIGNED)


def _schemes(competency: Any) -> list[MarkingScheme]:
    return list(MarkingScheme.objects.filter(competency=competency)
                .select_related("stage", "age_category", "lock_document", "competency__championship")
                .order_by("stage__order", "stage__pk", "pk"))


def document_package(competency: Any, *, today: dt.date | None = None) -> Package:
    """Every document of the competency's package with its state (SC-10), in the order it is produced."""
    championship = competency.championship
    schemes = _schemes(competency)
    markings = {m.scheme_id: m for m in SchemeMarking.objects.filter(scheme__in=schemes)
                .select_related("lock_document").defer("pdf")}
    panel = panel_of(competency)
    registration = (Document.objects.filter(championship=championship, doc_type=DocumentType.REGISTRATION)
                    .order_by("-number").first())
    unlocks = list(Document.objects.filter(competency=competency, doc_type=DocumentType.UNLOCK).order_by("number"))
    results = list(Document.objects.filter(competency=competency, doc_type__in=[DocumentType.REMOTE_RESULTS,
                                                                               DocumentType.FINAL_RESULTS])
                   .order_by("number"))
    # The panel's own protocol if it has one, else the competency's latest judging-roles protocol: one made
    # on the documents page (or loaded by the demo) is no less the protocol (DOC-1).
    roles = (Document.objects.filter(pk=panel.roles_document_id).first() if panel.roles_document_id else None) \
        or (Document.objects.filter(competency=competency, doc_type=DocumentType.JUDGING_ROLES)
            .order_by("-number").first())
    documents = [d for d in [registration, roles, *unlocks, *results] if d is not None]
    documents += [s.lock_document for s in schemes if s.lock_document is not None]
    documents += [m.lock_document for m in markings.values() if m.lock_document is not None]
    missing = missing_by_document(list({d.pk: d for d in documents}.values()))

    items = [
        _document_item("registration", "registration", _("Протокол регистрации экспертов, наставников и участников"),
                       registration, missing),
        _document_item("judging_roles", "judging_roles", _("Протокол распределения судейских ролей"), roles, missing),
    ]
    for scheme in schemes:
        marking = markings.get(scheme.pk)
        items.append(_document_item(f"criteria_lock:{scheme.pk}", "criteria_lock",
                                    _("Протокол блокировки критериев — %(scheme)s") % {"scheme": scheme.title},
                                    scheme.lock_document, missing, scheme_id=scheme.pk))
        locked = marking is not None and marking.is_locked
        items.append(_document_item(f"marks_lock:{scheme.pk}", "marks_lock",
                                    _("Форма принятия блокировки оценок — %(scheme)s") % {"scheme": scheme.title},
                                    marking.lock_document if locked and marking else None, missing,
                                    scheme_id=scheme.pk))
        pdf_ready = locked and marking is not None and marking.pdf_status == SchemeMarking.PdfStatus.READY
        items.append(PackageItem(key=f"sheets_pdf:{scheme.pk}", kind="sheets_pdf", scheme_id=scheme.pk,
                                 title=_("Ведомости оценок всех участников (PDF) — %(scheme)s")
                                 % {"scheme": scheme.title},
                                 status=ItemStatus.READY if pdf_ready else ItemStatus.MISSING))
    for document in unlocks:
        items.append(_document_item(f"unlock:{document.pk}", "unlock", document.title, document, missing))
    kinds_with_protocol = {d.doc_type for d in results}
    for kind, doc_type, title in (("remote", DocumentType.REMOTE_RESULTS,
                                   _("Протокол результатов дистанционного этапа")),
                                  ("final", DocumentType.FINAL_RESULTS, _("Протокол результатов финала"))):
        if doc_type not in kinds_with_protocol and any(s.stage.kind == kind for s in schemes):
            items.append(_document_item(f"results:{kind}", "results", title, None, missing))
    for document in results:
        items.append(_document_item(f"results:{document.pk}", "results", document.title, document, missing))

    for path in PACKAGE_PROVIDERS:
        items.extend(import_string(path)(competency))

    tables = _sheet_tables(competency, schemes) if competency.mark_entry_mode == IN_PERSON else []
    for table in tables:
        items.extend(item for _team, _label, cells in table.rows for item in cells)
    return Package(competency=competency, deadline=deadline_of(championship),
                   today=today or timezone.localdate(timezone=timezones.zone_of(championship)),
                   items=items, sheet_tables=tables)


def _sheet_tables(competency: Any, schemes: list[MarkingScheme]) -> list[SheetTable]:
    """SC-1: one handwritten sheet per sub-criterion and team of each scheme, and whether its original arrived."""
    receipts = {(r.sub_criterion_id, r.team_id): r for r in
                SheetReceipt.objects.filter(scheme__in=schemes).select_related("received_by")}
    from .models import Sheet

    entered = set(Sheet.objects.filter(scheme__in=schemes, expert__isnull=True)
                  .values_list("sub_criterion_id", "team_id"))
    # team_label's rule with the panel read once, not once per team (the overview lists every competency)
    blind = panel_of(competency).blind
    tables = []
    for scheme in schemes:
        subs = list(SubCriterion.objects.filter(criterion__scheme=scheme)
                    .order_by("criterion__order", "criterion__code", "order", "code"))
        rows = []
        for team in teams_of(scheme).select_related("work_code"):
            code = getattr(team, "work_code", None) if blind else None
            label = str(code) if code is not None else str(team.organisation)
            cells = []
            for sub in subs:
                receipt = receipts.get((sub.pk, team.pk))
                cells.append(PackageItem(
                    key=f"sheet:{scheme.pk}:{sub.pk}:{team.pk}", kind="handwritten_sheet", scheme_id=scheme.pk,
                    title=_("Рукописная ведомость %(sub)s — %(team)s") % {"sub": sub.code, "team": label},
                    status=ItemStatus.RECEIVED if receipt else ItemStatus.MISSING, team_id=team.pk,
                    sub_criterion_id=sub.pk, entered=(sub.pk, team.pk) in entered,
                    received_at=receipt.received_at if receipt else None,
                    received_by=receipt.received_by.full_name if receipt else "",
                    comment=receipt.comment if receipt else ""))
            rows.append((team.pk, label, cells))
        if subs and rows:
            tables.append(SheetTable(scheme_id=scheme.pk, scheme=scheme.title,
                                     sub_criteria=[(s.pk, s.code) for s in subs], rows=rows))
    return tables


def championship_overview(championship: Any, *, today: dt.date | None = None) -> list[Package]:
    """SC-10 for the Directorate: every competency's package, to see at a glance what is still missing."""
    competencies = championship.competencies.select_related("championship").order_by("name")
    return [document_package(c, today=today) for c in competencies]


# --- Receipt of paper originals ----------------------------------------------------------------------


def _id(value: Any, field_name: str, message: str) -> int:
    if isinstance(value, bool):
        raise DomainError(message, field=field_name)
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    if not text.isdigit() or len(text) > 18:
        raise DomainError(message, field=field_name)
    return int(text)


def receive_sheets(competency: Any, *, scheme: Any, team: Any, sub_criterion: Any = None, comment: str = "",
                   by: Any) -> list[SheetReceipt]:
    """SC-10: the Directorate records that it holds the signed handwritten originals of a team's score sheets —
    one sheet (``sub_criterion`` given) or all the team's sheets of the scheme.

    Ids may come straight from a form or JSON body: anything outside the competency is refused with the
    reason. Receiving a sheet already received changes nothing (no second row, no second audit entry).
    Returns the receipts created now.
    """
    scheme_id = _id(scheme.pk if isinstance(scheme, MarkingScheme) else scheme, "scheme",
                    _("Не указана схема оценки."))
    team_id = _id(team.pk if isinstance(team, Application) else team, "team", _("Не указана команда."))
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("Комментарий длиннее %(max)s символов.") % {"max": COMMENT_MAX}, field="comment")
    if competency.mark_entry_mode != IN_PERSON:
        raise DomainError(_("В дистанционном режиме ведомости заполняются в системе: рукописных оригиналов нет."))
    scheme_obj = MarkingScheme.objects.filter(pk=scheme_id, competency=competency).first()
    if scheme_obj is None:
        raise DomainError(_("Схема оценки не найдена в этой компетенции."), field="scheme")
    team_obj = teams_of(scheme_obj).filter(pk=team_id).first()
    if team_obj is None:
        raise DomainError(_("Команда не участвует в оценивании по этой схеме."), field="team")
    subs = SubCriterion.objects.filter(criterion__scheme=scheme_obj)
    if sub_criterion not in (None, ""):
        sub_id = _id(sub_criterion.pk if isinstance(sub_criterion, SubCriterion) else sub_criterion,
                     "sub_criterion", _("Не указан субкритерий."))
        subs = subs.filter(pk=sub_id)
        if not subs.exists():
            raise DomainError(_("Субкритерий не найден в этой схеме оценки."), field="sub_criterion")
    wanted = list(subs.order_by("pk").values_list("pk", flat=True))
    if not wanted:
        raise DomainError(_("В схеме оценки нет субкритериев — ведомостей нет."), field="sub_criterion")
    with transaction.atomic():
        # The scheme's marking row serialises receipts of its sheets; the unique constraint backs it up.
        SchemeMarking.objects.select_for_update().filter(pk=marking_of(scheme_obj).pk).first()
        have = set(SheetReceipt.objects.filter(team=team_obj, sub_criterion_id__in=wanted)
                   .values_list("sub_criterion_id", flat=True))
        now = timezone.now()
        new = [SheetReceipt(scheme=scheme_obj, sub_criterion_id=pk, team=team_obj, received_by=by,
                            received_at=now, comment=comment) for pk in wanted if pk not in have]
        if not new:
            return []
        try:
            with transaction.atomic():
                SheetReceipt.objects.bulk_create(new)
        except IntegrityError:  # received in another tab at the same moment: already done
            return []
        codes = dict(SubCriterion.objects.filter(pk__in=[r.sub_criterion_id for r in new]).values_list("pk", "code"))
        record(actor=by, action=AuditEntry.Action.CREATE, instance=new[0], object_id=f"{scheme_obj.pk}:{team_obj.pk}",
               championship=competency.championship,
               after={"scheme": scheme_obj.pk, "team": team_obj.pk, "team_label": team_label(team_obj),
                      "sub_criteria": [codes[r.sub_criterion_id] for r in new], "comment": comment,
                      "received_at": now.isoformat()})
    return new
