"""The competition day's part of the competency's document package (SC-10): per flow its familiarisation and
timekeeping protocols (003 §20.1), per day of flows the video recording's place (003 §9.3) and the photos of
finished works (003 §8.14). Named in ``marking.package.PACKAGE_PROVIDERS``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from profmaster.championships import timezones
from profmaster.documents.models import Document, DocumentType
from profmaster.documents.selectors import missing_by_document
from profmaster.marking.package import ItemStatus, PackageItem

from .domain import competency_flows
from .models import DayEvidence, WorkPhoto

PROTOCOLS = ((DocumentType.FAMILIARISATION, "timekeeping.familiarisation", "familiarisation",
              _lazy("Протокол об ознакомлении — %(flow)s")),
             (DocumentType.TIMEKEEPING, "timekeeping.timekeeping", "timekeeping",
              _lazy("Протокол учёта времени — %(flow)s")))


def package_items(competency: Any) -> list[PackageItem]:
    flows = list(competency_flows(competency))
    documents = list(Document.objects.filter(competency=competency, generator__in=[p[1] for p in PROTOCOLS])
                     .order_by("number"))
    latest: dict[tuple[str, int], Document] = {}
    for document in documents:
        flow_id = (document.source or {}).get("flow")
        if isinstance(flow_id, int):
            latest[(document.generator, flow_id)] = document
    missing = missing_by_document(list(latest.values()))
    items: list[PackageItem] = []
    for flow in flows:
        for _doc_type, generator, kind, title in PROTOCOLS:
            found = latest.get((generator, flow.pk))
            if found is None:
                items.append(PackageItem(key=f"{kind}:{flow.pk}", kind=kind, title=str(title) % {"flow": flow.title},
                                         status=ItemStatus.MISSING))
                continue
            names = [r.user.full_name for r in missing.get(found.pk, [])]
            items.append(PackageItem(key=f"{kind}:{flow.pk}", kind=kind, title=found.title,
                                     document_id=found.pk, document_number=found.number,
                                     missing_signers=names, status=ItemStatus.AWAITING if names else ItemStatus.SIGNED))
    days = sorted({timezones.local_date(f.starts_at, competency.championship) for f in flows})
    evidence = {e.day: e for e in DayEvidence.objects.filter(competency=competency)}
    for day in days:
        record = evidence.get(day)
        where = record.recording_location if record is not None else ""
        items.append(PackageItem(
            key=f"video:{day.isoformat()}", kind="video",
            title=_("Видеозапись дня %(day)s: %(where)s") % {"day": day.strftime("%d.%m.%Y"),
                                                               "where": where or _("место не указано")},
            status=ItemStatus.READY if where else ItemStatus.MISSING,
            url=reverse("timekeeping:board", kwargs={"competency_pk": competency.pk, "day": day.isoformat()})))
    for photo in WorkPhoto.objects.filter(competency=competency).select_related("team__organisation"):
        label = photo.caption or (str(photo.team.organisation) if photo.team else _("без подписи"))
        items.append(PackageItem(key=f"photo:{photo.pk}", kind="work_photo", status=ItemStatus.READY,
                                 title=_("Фото выполненной работы, %(day)s: %(label)s") % {
                                     "day": photo.day.strftime("%d.%m.%Y"), "label": label},
                                 url=reverse("timekeeping:photo", kwargs={"photo_pk": photo.pk})))
    return items
