"""Incidents, removals, illness and decisions on points (SPEC OP-5, OP-6; 003 §11.2–11.3, §17, §24.5).

One function per state change (validate, write in one transaction, audit, queue e-mails):

* :func:`report_incident` records who, what, when and the witnesses; the Directorate (and for illness the
  chief expert and the mentor) is told at once of an intoxication or an illness/accident (003 §17.1, §24.5).
* :func:`add_evidence` stores a photo or video privately, refusing a file over the size limit
  (``PROFMASTER["INCIDENT_EVIDENCE_MAX_BYTES"]``) or of another kind before anything is saved.
* :func:`remove_person` decides a temporary or final removal; a final one revokes venue access at once
  (:func:`profmaster.checkin.domain.revoke_access`) and the Directorate is told.
* :func:`confirm_readiness` records the written readiness of participant and mentor after illness and ends a
  temporary removal (003 §17.3); marks stay for the work done (003 §17.2).
* :func:`decide_points` records a point loss or, after intoxication, the annulment of the team's points —
  through :func:`profmaster.results.domain.record_result_decision`, never by editing marks.
* :func:`create_incident_protocol` generates the incident agreement protocol for the panel to sign.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency
from profmaster.checkin import domain as checkin
from profmaster.checkin.models import Accreditation
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.text import clean_text
from profmaster.documents.domain import create_generated_document, regenerate_document
from profmaster.documents.models import Document, DocumentType
from profmaster.notifications.domain import queue_email, usable_addresses
from profmaster.results.domain import record_result_decision
from profmaster.results.models import ResultDecision

from .models import Evidence, Incident, Readiness, Removal

TEXT_MAX = 4000
MB = 1024 * 1024
#: What evidence may be: photos and videos (003 §11.2).
EVIDENCE_TYPES = ("image/", "video/")
#: The decisions on points an incident leads to (OP-5); deductions and zeroing are sanctions (AP-4).
INCIDENT_DECISION_KINDS = (ResultDecision.Kind.POINT_LOSS, ResultDecision.Kind.ANNULMENT)


def evidence_limit() -> int:
    configured: Any = settings.PROFMASTER.get("INCIDENT_EVIDENCE_MAX_BYTES")
    return int(configured or 100 * MB)


def _size_label(value: int) -> str:
    return f"{value / MB:.0f} МБ" if value >= MB else f"{value} байт"


def _directorate(championship: Championship) -> list[str]:
    users = [a.user for a in RoleAssignment.objects.filter(role=Role.DIRECTORATE, championship=championship)
             .select_related("user") if a.user.is_active]
    return usable_addresses(u.email for u in users)


def _label(incident: Incident) -> str:
    return _("Внештатная ситуация № %(number)s") % {"number": incident.number}


def _notify(incident: Incident, event: str, recipients: list[str], **extra: Any) -> None:
    if not recipients:
        return
    zone = timezones.zone_of(incident.championship)
    queue_email("incident_event", {
        "event": event, "number": incident.number, "kind": str(incident.get_kind_display()),
        "competency": incident.competency.name, "person": incident.person_name,
        "occurred_at": f"{timezones.format_local(incident.occurred_at, zone)} ({timezones.zone_label(zone)})",
        "description": incident.description, **extra,
    }, recipients, championship=incident.championship, related=incident)


# --- Recording -----------------------------------------------------------------------------------------


def report_incident(competency: Competency, *, kind: str, description: str, occurred_at: dt.datetime,
                    accreditation: Accreditation | None = None, person_name: str = "", witnesses: str = "",
                    by: Any) -> Incident:
    """Record an incident at the venue. Intoxication and illness/accident are reported to the Directorate at once
    (003 §17.1, §24.5); an illness also to the chief expert and the team's mentor."""
    if kind not in Incident.Kind.values:
        raise DomainError(_("Укажите, что произошло."), field="kind")
    description = clean_text(description, field="description", what=_("Описание"), max_length=TEXT_MAX)
    witnesses = clean_text(witnesses, field="witnesses", what=_("Свидетели"), required=False, max_length=TEXT_MAX)
    if accreditation is not None:
        if accreditation.competency_id != competency.pk:
            raise DomainError(_("Этот человек аккредитован на другую компетенцию."), field="accreditation")
        person_name = accreditation.full_name
    person_name = clean_text(person_name, field="person_name", what=_("С кем"), max_length=450)
    if not isinstance(occurred_at, dt.datetime) or timezone.is_naive(occurred_at):
        raise DomainError(_("Укажите дату и время."), field="occurred_at")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("Время ситуации не может быть в будущем."), field="occurred_at")
    championship = competency.championship
    with transaction.atomic():
        Championship.objects.select_for_update().only("pk").get(pk=championship.pk)
        number = (Incident.objects.filter(championship=championship).aggregate(m=Max("number"))["m"] or 0) + 1
        incident = Incident.objects.create(
            championship=championship, competency=competency, number=number, kind=kind,
            accreditation=accreditation, application=accreditation.application if accreditation else None,
            person_name=person_name, occurred_at=occurred_at, description=description, witnesses=witnesses,
            reported_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=incident, after=snapshot(incident))
        if kind in (Incident.Kind.INTOXICATION, Incident.Kind.ILLNESS):
            recipients = _directorate(championship)
            if kind == Incident.Kind.ILLNESS:
                chief = checkin.chief_expert_of(competency)
                mentors = checkin.mentors_of(incident.application) if incident.application else []
                recipients = usable_addresses([*recipients, *([chief.email] if chief else []),
                                               *(m.email for m in mentors)])
            _notify(incident, str(Incident.Kind(kind).label), recipients)
    return incident


def _evidence_type(name: str, declared: str) -> str:
    guessed = mimetypes.guess_type(name)[0] or ""
    for candidate in (guessed, declared or ""):
        if candidate.startswith(EVIDENCE_TYPES):
            return candidate
    return ""


def add_evidence(incident: Incident, upload: Any, *, by: Any) -> Evidence:
    """Attach a photo or video. Over the size limit or not a photo/video: refused, nothing saved."""
    if upload is None:
        raise DomainError(_("Выберите файл."), field="file")
    size = int(getattr(upload, "size", 0) or 0)
    limit = evidence_limit()
    name = str(getattr(upload, "name", "") or "file")[-255:]
    if size > limit:
        raise DomainError(_("Файл «%(name)s» — %(size)s, больше допустимых %(limit)s. Ничего не сохранено: "
                            "уменьшите видео или загрузите его частями.")
                          % {"name": name, "size": _size_label(size), "limit": _size_label(limit)}, field="file",
                          code="too_large")
    if size == 0:
        raise DomainError(_("Файл пустой."), field="file")
    content_type = _evidence_type(name, getattr(upload, "content_type", ""))
    if not content_type:
        raise DomainError(_("Доказательства — фото или видео (JPEG, PNG, MP4 …)."), field="file")
    with transaction.atomic():
        evidence = Evidence(incident=incident, original_name=name, content_type=content_type, size=size,
                            uploaded_by=by)
        evidence.file.save(name, upload, save=False)
        try:
            evidence.save()
            record(actor=by, action=AuditEntry.Action.CREATE, instance=evidence, after=snapshot(evidence),
                   championship=incident.championship)
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


# --- Decisions -----------------------------------------------------------------------------------------


def remove_person(incident: Incident, *, kind: str, reason: str, by: Any) -> Removal:
    """003 §11.2: the chief expert removes the person temporarily or for good. A final removal revokes their
    venue access at once; the Directorate is told immediately."""
    if kind not in Removal.Kind.values:
        raise DomainError(_("Укажите вид отстранения."), field="kind")
    reason = clean_text(reason, field="reason", what=_("Основание"), max_length=TEXT_MAX)
    if incident.accreditation is None:
        raise DomainError(_("Отстранить можно только аккредитованного человека: укажите его в записи."),
                          field="accreditation")
    with transaction.atomic():
        accreditation = Accreditation.objects.select_for_update().get(pk=incident.accreditation.pk)
        if Removal.objects.filter(accreditation=accreditation, kind=Removal.Kind.FINAL).exists():
            raise TransitionError(_("%(name)s уже окончательно отстранён(а).") % {"name": accreditation.full_name})
        open_removal = Removal.objects.filter(accreditation=accreditation, ended_at__isnull=True).first()
        if open_removal is not None and kind == Removal.Kind.TEMPORARY:
            raise TransitionError(_("%(name)s уже временно отстранён(а).") % {"name": accreditation.full_name})
        now = timezone.now()
        if open_removal is not None:  # a temporary removal turns final
            Removal.objects.filter(pk=open_removal.pk).update(ended_at=now)
        removal = Removal.objects.create(incident=incident, accreditation=accreditation, kind=kind, reason=reason,
                                         decided_by=by, decided_at=now)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=removal, after=snapshot(removal), reason=reason,
               championship=incident.championship)
        if kind == Removal.Kind.FINAL and accreditation.revoked_at is None:
            checkin.revoke_access(accreditation, reason=_("%(incident)s: окончательное отстранение. %(reason)s")
                                  % {"incident": _label(incident), "reason": reason}, by=by)
        _notify(incident, str(Removal.Kind(kind).label), _directorate(incident.championship), reason=reason)
    return removal


def confirm_readiness(incident: Incident, *, participant_name: str, mentor_name: str, statement: str,
                      by: Any) -> Readiness:
    """003 §17.3: the participant and the mentor confirm in writing that the participant is ready to return;
    a temporary removal of the incident's person ends."""
    if incident.kind != Incident.Kind.ILLNESS:
        raise DomainError(_("Готовность подтверждают после болезни или несчастного случая."))
    participant_name = clean_text(participant_name, field="participant_name", what=_("Подтвердил участник"), max_length=450)
    mentor_name = clean_text(mentor_name, field="mentor_name", what=_("Подтвердил наставник"), max_length=450)
    statement = clean_text(statement, field="statement", what=_("Текст подтверждения"), max_length=TEXT_MAX)
    with transaction.atomic():
        if incident.accreditation_id and Removal.objects.filter(accreditation_id=incident.accreditation_id,
                                                                kind=Removal.Kind.FINAL).exists():
            raise TransitionError(_("Человек окончательно отстранён: вернуться к работе нельзя."))
        readiness = Readiness.objects.create(incident=incident, participant_name=participant_name,
                                             mentor_name=mentor_name, statement=statement,
                                             confirmed_at=timezone.now(), recorded_by=by)
        if incident.accreditation_id:
            Removal.objects.filter(accreditation_id=incident.accreditation_id, ended_at__isnull=True,
                                   kind=Removal.Kind.TEMPORARY).update(ended_at=readiness.confirmed_at)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=readiness, after=snapshot(readiness),
               championship=incident.championship)
    return readiness


def decide_points(incident: Incident, *, kind: str, reason: str, points: Decimal | str | None = None,
                  by: Any) -> ResultDecision:
    """A reasoned decision on the team's points: a point loss per the technical description (003 §11.3), or
    after intoxication the annulment of the points (003 §24.5). It reaches the results as its own line."""
    if incident.application is None:
        raise DomainError(_("Решение о баллах принимают о команде: укажите в записи участника команды."))
    if kind not in INCIDENT_DECISION_KINDS:
        raise DomainError(_("По внештатной ситуации решают о потере или аннулировании баллов."), field="kind")
    if kind == ResultDecision.Kind.ANNULMENT and incident.kind != Incident.Kind.INTOXICATION:
        raise DomainError(_("Баллы аннулируются только при опьянении или отказе от освидетельствования "
                            "(п. 24.5 методики)."), field="kind")
    if kind == ResultDecision.Kind.POINT_LOSS and incident.kind == Incident.Kind.ILLNESS:
        raise DomainError(_("При болезни баллы не снимают: оценки выставляются за выполненную работу "
                            "(п. 17.2 методики)."), field="kind")
    with transaction.atomic():
        decision = record_result_decision(incident.application, kind=kind, points=points, reason=reason,  # type: ignore[arg-type]
                                          basis=_label(incident), by=by)
        incident.result_decisions.add(decision)
        if kind == ResultDecision.Kind.ANNULMENT:
            _notify(incident, str(ResultDecision.Kind.ANNULMENT.label), _directorate(incident.championship),
                    reason=decision.reason)
    return decision


# --- The incident agreement protocol ------------------------------------------------------------------------


def _content(incident: Incident) -> tuple[str, dict[str, Any]]:
    zone = timezones.zone_of(incident.championship)
    with translation.override("ru"):
        data: dict[str, Any] = {
            "text": _("Компетенция «%(competency)s». %(kind)s: %(person)s, %(at)s (%(zone)s).")
            % {"competency": incident.competency.name, "kind": incident.get_kind_display(),
               "person": incident.person_name, "at": timezones.format_local(incident.occurred_at, zone),
               "zone": timezones.zone_label(zone)},
            _("Что произошло"): incident.description,
            _("Свидетели"): incident.witnesses or _("нет"),
            _("Доказательства"): [{"Файл": e.original_name, "Тип": e.content_type, "Размер, байт": e.size}
                                  for e in incident.evidence.order_by("pk")] or [_("нет")],
        }
        removals = list(incident.removals.order_by("decided_at", "pk"))
        if removals:
            data[_("Отстранение")] = [{"Кто": r.accreditation.full_name, "Решение": str(r.get_kind_display()),
                                       "Основание": r.reason,
                                       "Когда": timezones.format_local(r.decided_at, zone),
                                       "Доступ на площадку": _("отозван") if r.kind == Removal.Kind.FINAL else
                                       (_("возвращён к работе") if r.ended_at else _("сохранён"))}
                                      for r in removals]
        readiness = list(incident.readiness.order_by("confirmed_at"))
        if incident.kind == Incident.Kind.ILLNESS:
            data[_("Оценивание")] = _("Оценки выставляются за выполненную работу (п. 17.2 методики).")
        if readiness:
            data[_("Готовность к работе")] = [{"Участник": r.participant_name, "Наставник": r.mentor_name,
                                               "Подтверждение": r.statement,
                                               "Когда": timezones.format_local(r.confirmed_at, zone)}
                                              for r in readiness]
        decisions = list(incident.result_decisions.order_by("decided_at", "pk"))
        if decisions:
            data[_("Решения о баллах")] = [{"Решение": str(d.get_kind_display()),
                                            "Баллы": str(d.points) if d.points else "",
                                            "Обоснование": d.reason} for d in decisions]
        return (_("Протокол согласования внештатной ситуации № %(number)s — %(competency)s")
                % {"number": incident.number, "competency": incident.competency.name}, data)


def incident_protocol_content(document: Any, by: Any) -> tuple[str, dict[str, Any]]:
    """DOC-2: the incident agreement protocol formed again from the incident's records."""
    incident = Incident.objects.select_related("championship", "competency").filter(
        pk=int((document.source or {}).get("incident") or 0)).first()
    if incident is None:
        raise DomainError(_("Запись о внештатной ситуации не найдена."))
    return _content(incident)


def create_incident_protocol(incident: Incident, *, by: Any) -> Document:
    """The incident agreement protocol (003 §20.1), signed by the chief expert and all experts of the
    competency (003 §11.2, §24.5). Made once; later decisions form it again (its signatures are asked anew)."""
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.document_id is not None:
            document = Document.objects.get(pk=locked.document_id)
            return regenerate_document(document, by=by, reason=_("Записи внештатной ситуации дополнены."))
        title, data = _content(locked)
        document = create_generated_document(
            championship=locked.championship, competency=locked.competency, doc_type=DocumentType.INCIDENT,
            title=title, data=data, signers=checkin._panel_signers(locked.competency), by=by,
            generator="incidents.incident_protocol", source={"incident": locked.pk})
        locked.document = document
        locked.save(update_fields=["document"])
    return document
