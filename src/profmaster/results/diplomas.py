"""Diplomas (AW-6, 003 §25.6–25.9): who gets which diploma, rendering to PDF with the name declined for
the template's wording, a verification code and a QR code, background batches with progress, and the
e-mail of electronic diplomas to teams that did not reach the final.

Templates are fed plain data (never ORM objects); the QR code is an embedded PNG (data URI), so the
PDF renderer still fetches nothing but the bundled fonts.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_to_bytes

import qrcode
import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from weasyprint.urls import URLFetcherResponse

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, ProgrammeSlot, Stage
from profmaster.core.errors import TransitionError
from profmaster.core.links import site_url
from profmaster.core.queue import enqueue_on_commit
from profmaster.documents.rendering import FontOnlyURLFetcher, font_dir
from profmaster.notifications.domain import Attachment, queue_email, usable_addresses
from profmaster.registration.models import Application, TeamMember

from . import names
from .declension import FullName
from .models import Diploma, DiplomaBatch, DiplomaKind
from .visibility import published_results

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 12
#: Diplomas laid out together and reported as progress at once.
CHUNK = 50

#: The wording of each kind: heading, the verb before the name, the case the name takes after that verb
#: (after «награждается» the nominative: «награждается Конфеткина Алиса Игоревна»; after «вручается» the
#: dative: «вручается Конфеткиной Алисе Игоревне»), the text after.
WORDING: dict[str, dict[str, str]] = {
    DiplomaKind.WINNER: {"heading": "ДИПЛОМ ПОБЕДИТЕЛЯ", "lead": "награждается", "case": "nomn",
                         "body": "за I место (золотая медаль) в компетенции «{competency}»"},
    DiplomaKind.PRIZE_WINNER: {"heading": "ДИПЛОМ ПРИЗЁРА", "lead": "награждается", "case": "nomn",
                               "body": "за {place} место ({medal} медаль) в компетенции «{competency}»"},
    DiplomaKind.NOMINATION: {"heading": "ДИПЛОМ ЛУЧШЕГО В НОМИНАЦИИ", "lead": "награждается", "case": "nomn",
                             "body": "по решению жюри компетенции «{competency}»"},
    DiplomaKind.PARTICIPANT: {"heading": "ДИПЛОМ УЧАСТНИКА", "lead": "вручается", "case": "datv",
                              "body": "за участие в компетенции «{competency}»"},
    DiplomaKind.MENTOR: {"heading": "ДИПЛОМ НАСТАВНИКА", "lead": "вручается", "case": "datv",
                         "body": "за подготовку команды в компетенции «{competency}»"},
    DiplomaKind.CHIEF_EXPERT: {"heading": "ДИПЛОМ", "lead": "вручается", "case": "datv",
                               "body": "за работу главным экспертом компетенции «{competency}»"},
    DiplomaKind.EXPERT: {"heading": "ДИПЛОМ", "lead": "вручается", "case": "datv",
                         "body": "за работу экспертом компетенции «{competency}»"},
}
_NOMINATION_PREFIX = re.compile(r"^\s*лучш(ий|ая|ее|ие)\s+в\s+номинации\s*[:«\"—-]*\s*", re.IGNORECASE)


def nomination_name(title: str) -> str:
    """The nomination itself, from its title («Лучший в номинации: аккуратность исполнения» →
    «Аккуратность исполнения»)."""
    name = _NOMINATION_PREFIX.sub("", title).strip().strip("«»\"").strip()
    return (name[:1].upper() + name[1:]) if name else title.strip()


PRIZE = {"gold": ("I", "золотая"), "silver": ("II", "серебряная"), "bronze": ("III", "бронзовая")}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


_PLACEHOLDER = "CODE"


@lru_cache(maxsize=4)
def _verification_path(urlconf: str) -> str:
    return reverse("results:verify", args=[_PLACEHOLDER], urlconf=urlconf)


def verification_url(code: str) -> str:
    # reverse() per diploma is measurable in a batch of thousands; the path differs only by the code.
    return site_url() + _verification_path(settings.ROOT_URLCONF).replace(_PLACEHOLDER, code)


def qr_png(data: str) -> bytes:
    # A fixed mask pattern skips trying all eight (half the cost); any mask is valid for readers.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- Who gets which diploma -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    kind: str
    name: FullName
    competency_id: int | None
    detail: str = ""
    member_id: int | None = None
    user_id: int | None = None
    team_id: int | None = None
    email: str = ""
    electronic: bool = False
    gender: str = ""
    dative: str = ""  # the organiser's correction of the dative form (names.correct_name)


def _name(obj: Any) -> FullName:
    return FullName(obj.last_name, obj.first_name, obj.patronymic or "")


def _name_data(person: Any) -> dict[str, Any]:
    return {"name": _name(person), "gender": names.gender_recorded(person),
            "dative": names.correction_of(person, "datv")}


def closing_ceremony_date(championship: Championship) -> dt.date | None:
    """The date of the closing ceremony: the last ceremony of the final in the programme, else the final's
    last day (003 §25.1: results and awards follow the ceremony)."""
    slot = (ProgrammeSlot.objects.filter(championship=championship, kind=ProgrammeSlot.Kind.CEREMONY,
                                         stage__kind=Stage.Kind.FINAL).order_by("-starts_at").first())
    if slot is not None:
        return timezones.local(slot.starts_at, championship).date()
    final = championship.stages.filter(kind=Stage.Kind.FINAL).order_by("-ends_on").first()
    return final.ends_on if final else None


def readiness_problems(championship: Championship, *, today: dt.date | None = None) -> list[str]:
    """AW-6: why diplomas cannot be generated yet (empty when they can): they wait for published final
    results and for the closing ceremony's date."""
    problems: list[str] = []
    published_final = False
    for comp in championship.competencies.all():
        data = published_results(comp).data
        if data and any(g["stage_kind"] == Stage.Kind.FINAL for g in data["groups"]):
            published_final = True
            break
    if not published_final:
        problems.append(_("Итоги финала ещё не опубликованы ни по одной компетенции: дипломы формируются по "
                          "опубликованным итогам финала."))
    ceremony = closing_ceremony_date(championship)
    today = today or timezones.local(timezone.now(), championship).date()
    if ceremony is None:
        problems.append(_("В чемпионате нет финала: неизвестна дата церемонии закрытия."))
    elif today < ceremony:
        problems.append(_("Церемония закрытия — %(date)s: дипломы формируются не раньше этого дня.")
                        % {"date": ceremony.strftime("%d.%m.%Y")})
    return problems


def recipients(championship: Championship) -> list[Spec]:
    return plan(championship)[0]


def plan(championship: Championship) -> tuple[list[Spec], list[str]]:
    """Everyone who gets a diploma, and what is not issued and why (003 §25.6–25.9, AW-6).

    Only competencies whose final results are published take part, and each diploma follows the published
    version, not the working state: medals and nominations from the published final; a participant or
    mentor of a team published in the final gets the (printed) diploma, one published only in the remote
    stage the electronic one; a team absent from the published results gets none. Medal and nomination
    diplomas are not issued for a competency whose results are declared invalid. The chief experts and
    experts of those competencies get theirs.
    """
    specs: list[Spec] = []
    skipped: list[str] = []
    medal_of: dict[int, str] = {}
    nomination_of: dict[int, str] = {}
    finalists: set[int] = set()
    remote: set[int] = set()
    included: list[int] = []
    for comp in championship.competencies.order_by("name"):
        data = published_results(comp).data
        if not data or not data["groups"]:
            skipped.append(_("«%(competency)s»: итоги не опубликованы — дипломы по компетенции не выдаются.")
                           % {"competency": comp.name})
            continue
        final_groups = [g for g in data["groups"] if g["stage_kind"] == Stage.Kind.FINAL]
        if not final_groups:
            skipped.append(_("«%(competency)s»: итоги финала не опубликованы — дипломы по компетенции не выдаются.")
                           % {"competency": comp.name})
            continue
        included.append(comp.pk)
        if data.get("invalid"):
            skipped.append(_("«%(competency)s»: итоги признаны недействительными — дипломы победителей, призёров и "
                             "номинаций не выдаются.") % {"competency": comp.name})
        for group in data["groups"]:
            ids = {row["team_id"] for row in group["rows"]}
            if group["stage_kind"] == Stage.Kind.FINAL:
                finalists |= ids
                if not data.get("invalid"):
                    medal_of.update({row["team_id"]: row["medal"] for row in group["rows"] if row["medal"]})
                    nomination_of.update({row["team_id"]: row["nomination"] for row in group["rows"]
                                          if row.get("nomination")})
            else:
                remote |= ids
    published = finalists | remote
    teams = Application.objects.filter(championship=championship, status="approved", competency_id__in=included)
    unpublished = teams.exclude(pk__in=published).count()
    if unpublished:
        skipped.append(ngettext("%(count)s команда одобрена, но не вошла в опубликованные итоги: дипломы ей не "
                                "выдаются.", "%(count)s команд одобрены, но не вошли в опубликованные итоги: "
                                "дипломы им не выдаются.", unpublished) % {"count": unpublished})
    members = TeamMember.objects.filter(application__in=teams.filter(pk__in=published),
                                        state=TeamMember.State.ACTIVE).select_related(
        "application__competency", "user").order_by("application_id", "kind", "last_name")
    for member in members:
        team = member.application
        electronic = team.pk not in finalists
        common = {**_name_data(member), "competency_id": team.competency_id, "member_id": member.pk,
                  "user_id": member.user_id, "team_id": team.pk, "email": member.email}
        if member.kind == TeamMember.Kind.MENTOR:
            specs.append(Spec(DiplomaKind.MENTOR, electronic=electronic, **common))
            continue
        medal = medal_of.get(team.pk)
        if medal == "gold":
            specs.append(Spec(DiplomaKind.WINNER, detail=medal, **common))
        elif medal in ("silver", "bronze"):
            specs.append(Spec(DiplomaKind.PRIZE_WINNER, detail=medal, **common))
        elif team.pk in nomination_of:
            specs.append(Spec(DiplomaKind.NOMINATION, detail=nomination_of[team.pk], **common))
        specs.append(Spec(DiplomaKind.PARTICIPANT, electronic=electronic, **common))
    panel = RoleAssignment.objects.filter(championship=championship, role__in=[Role.CHIEF_EXPERT, Role.EXPERT],
                                          competency_id__in=included) \
        .select_related("user").order_by("role", "user__last_name")
    for assignment in panel:
        kind = DiplomaKind.CHIEF_EXPERT if assignment.role == Role.CHIEF_EXPERT else DiplomaKind.EXPERT
        specs.append(Spec(kind, competency_id=assignment.competency_id, user_id=assignment.user_id,
                          email=assignment.user.email, **_name_data(assignment.user)))
    return specs, skipped


def _existing(championship: Championship, spec: Spec) -> Diploma | None:
    # A revoked diploma counts: a later batch must not silently issue it again.
    query = Diploma.objects.filter(championship=championship, kind=spec.kind, competency_id=spec.competency_id)
    if spec.member_id:
        return query.filter(member_id=spec.member_id).first()
    return query.filter(user_id=spec.user_id, member__isnull=True).first()


def spec_name_form(spec: Spec, case: str) -> names.NameForm:
    return names.name_form(spec.name, case, gender=spec.gender, correction=spec.dative if case == "datv" else "")


def issue(championship: Championship, spec: Spec, *, batch: DiplomaBatch | None = None) -> Diploma:
    """The person's diploma of that kind, created with a fresh verification code when new."""
    existing = _existing(championship, spec)
    if existing is not None:
        return existing
    wording = WORDING[spec.kind]
    return Diploma.objects.create(
        championship=championship, competency_id=spec.competency_id, kind=spec.kind, code=new_code(),
        full_name=str(spec.name), declined_name=spec_name_form(spec, wording["case"]).text, member_id=spec.member_id,
        user_id=spec.user_id, team_id=spec.team_id, email=spec.email, detail=spec.detail,
        electronic=spec.electronic, batch=batch)


# --- Rendering ------------------------------------------------------------------------------------------


class DiplomaURLFetcher(FontOnlyURLFetcher):
    """The bundled fonts, plus the PNG data URIs the template embeds (the QR code); nothing else."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:image/png;base64,"):
            body = base64.b64decode(url.split(",", 1)[1])
            return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/png"})
        if url.startswith("data:"):
            return URLFetcherResponse(url, body=unquote_to_bytes(url.split(",", 1)[1]),
                                      headers={"Content-Type": "text/plain"})
        return super().fetch(url, headers)


def diploma_context(diploma: Diploma) -> dict[str, Any]:
    """Everything the diploma shows, as plain strings (the verification page shows the same)."""
    wording = WORDING[diploma.kind]
    competency = diploma.competency.name if diploma.competency else ""
    place, medal = PRIZE.get(diploma.detail, ("", ""))
    url = verification_url(diploma.code)
    fonts = font_dir()
    heading_detail = f"«{nomination_name(diploma.detail)}»" if diploma.kind == DiplomaKind.NOMINATION else ""
    return {
        "heading": " ".join(p for p in (wording["heading"], heading_detail) if p),
        "heading_main": wording["heading"], "heading_detail": heading_detail,
        "lead": wording["lead"], "name": diploma.declined_name,
        "body": wording["body"].format(competency=competency, place=place, medal=medal, detail=diploma.detail),
        "championship": diploma.championship.name, "season": diploma.championship.season,
        "code": diploma.code, "url": url, "issued": timezones.local(diploma.issued_at, diploma.championship).strftime("%d.%m.%Y"),
        "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii"),
        "electronic": diploma.electronic,
        "fonts": {"regular": (fonts / "DejaVuSans.ttf").as_uri(), "bold": (fonts / "DejaVuSans-Bold.ttf").as_uri()},
    }


def _layout(contexts: list[dict[str, Any]]) -> Any:
    with translation.override("ru"):
        html = render_to_string("results/diploma_pdf.html", {"diplomas": contexts, "fonts": contexts[0]["fonts"]})
    fetcher = DiplomaURLFetcher()
    return weasyprint.HTML(string=html, base_url=fetcher.allowed_dir.as_uri() + "/", url_fetcher=fetcher).render()


def render_pdf(context: dict[str, Any]) -> bytes:
    pdf = _layout([context]).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_many(contexts: list[dict[str, Any]]) -> list[bytes]:
    """One PDF per diploma from a single layout of all of them (fonts and styles are loaded once, which
    makes a batch several times faster); falls back to one layout each if a diploma took more than a page."""
    if not contexts:
        return []
    document = _layout(contexts)
    if len(document.pages) != len(contexts):
        return [render_pdf(c) for c in contexts]
    return [bytes(document.copy([page]).write_pdf()) for page in document.pages]


def _store(diploma: Diploma, pdf: bytes) -> None:
    diploma.pdf.save(f"diploma-{diploma.code}.pdf", ContentFile(pdf), save=False)
    Diploma.objects.filter(pk=diploma.pk).update(pdf=diploma.pdf.name)


def render_diploma(diploma: Diploma) -> Diploma:
    _store(diploma, render_pdf(diploma_context(diploma)))
    return diploma


# --- Batches ----------------------------------------------------------------------------------------------


def start_batch(championship: Championship, *, by: Any) -> DiplomaBatch:
    """Queue the generation of the championship's diplomas; the page polls the batch's progress."""
    problems = readiness_problems(championship)
    if problems:
        raise TransitionError(" ".join(problems))
    with transaction.atomic():
        if DiplomaBatch.objects.filter(championship=championship, status__in=["queued", "running"]).exists():
            raise TransitionError(_("Дипломы уже формируются."))
        batch = DiplomaBatch.objects.create(championship=championship, created_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=batch, after={"batch": batch.pk},
               championship=championship)
        enqueue_on_commit("results.generate_diplomas", batch.pk)
    return batch


def run_batch(batch_id: int, *, specs: list[Spec] | None = None, send: bool = True) -> DiplomaBatch:
    """Issue and render every diploma of the batch's championship, updating progress as it goes."""
    batch = DiplomaBatch.objects.select_related("championship").get(pk=batch_id)
    championship = batch.championship
    try:
        skipped: list[str] = []
        if specs is None:
            specs, skipped = plan(championship)
        DiplomaBatch.objects.filter(pk=batch_id).update(status=DiplomaBatch.Status.RUNNING, total=len(specs), done=0,
                                                        skipped=skipped)
        done = 0
        for start in range(0, len(specs), CHUNK):
            issued = [issue(championship, spec, batch=batch) for spec in specs[start:start + CHUNK]]
            todo = [d for d in issued if not d.pdf and d.revoked_at is None]
            for diploma, pdf in zip(todo, render_many([diploma_context(d) for d in todo]), strict=True):
                _store(diploma, pdf)
            done += len(issued)
            DiplomaBatch.objects.filter(pk=batch_id).update(done=done)
        if send:
            email_electronic(championship)
        DiplomaBatch.objects.filter(pk=batch_id).update(status=DiplomaBatch.Status.DONE, finished_at=timezone.now())
    except Exception as exc:  # the page shows the failure; nothing already issued is lost
        logger.exception("Diploma batch %s failed", batch_id)
        DiplomaBatch.objects.filter(pk=batch_id).update(status=DiplomaBatch.Status.FAILED,
                                                        error=f"{type(exc).__name__}: {exc}"[:2000],
                                                        finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def email_electronic(championship: Championship) -> int:
    """003 §25.9: electronic diplomas to participants and mentors of teams that did not reach the final.

    Each is queued (X-6) with its PDF attached, all in one transaction, so one sending job sends them in
    batches over one SMTP connection each; ``emailed_at`` marks a diploma queued, so a rerun queues none twice.
    The championship's e-mail page shows what was sent and what failed.
    """
    queued = 0
    with transaction.atomic():
        pending = (Diploma.objects.select_for_update().filter(championship=championship, electronic=True,
                                                              emailed_at__isnull=True, revoked_at__isnull=True)
                   .exclude(email="").exclude(pdf=""))
        for diploma in pending:
            if not usable_addresses([diploma.email]):
                logger.warning("Diploma %s has an unusable e-mail address %r; not sent", diploma.code, diploma.email)
                continue
            queue_email("diploma_electronic",
                        {"kind": DiplomaKind(diploma.kind).label,  # lazy: in the recipient's language
                         "full_name": diploma.full_name, "verify_url": verification_url(diploma.code)},
                        to=diploma.email, championship=championship, related=diploma,
                        attachments=[Attachment(filename=f"diploma-{diploma.code}.pdf", mimetype="application/pdf",
                                                stored_name=diploma.pdf.name)])
            Diploma.objects.filter(pk=diploma.pk).update(emailed_at=timezone.now())
            queued += 1
    return queued


def diplomas_of(user: Any) -> QuerySet[Diploma]:
    """A person's own diplomas: issued to their account or to a team membership linked to it."""
    if not getattr(user, "is_authenticated", False):
        return Diploma.objects.none()
    return Diploma.objects.filter(Q(user=user) | Q(member__user=user), revoked_at__isnull=True) \
        .select_related("championship", "competency").distinct()
