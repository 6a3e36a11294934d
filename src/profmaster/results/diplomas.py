"""Diplomas (AW-6, 003 §25.6–25.9): who gets which diploma, rendering to PDF with the name declined for
the template's wording, a verification code and a QR code, background batches with progress, and the
e-mail of electronic diplomas to teams that did not reach the final.

Templates are fed plain data (never ORM objects); the QR code is an embedded PNG (data URI), so the
PDF renderer still fetches nothing but the bundled fonts.
"""

from __future__ import annotations

import base64
import io
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_to_bytes

import qrcode
import weasyprint
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint.urls import URLFetcherResponse

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Stage
from profmaster.core.errors import TransitionError
from profmaster.documents.rendering import FontOnlyURLFetcher, font_dir
from profmaster.marking.models import TeamResult
from profmaster.registration.models import Application, TeamMember

from . import domain
from .declension import FullName, decline
from .models import Diploma, DiplomaBatch, DiplomaKind, Nomination

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 12
#: Diplomas laid out together and reported as progress at once.
CHUNK = 50

#: The wording of each kind: heading, the verb before the name, the case the name takes, the text after.
WORDING: dict[str, dict[str, str]] = {
    DiplomaKind.WINNER: {"heading": "ДИПЛОМ ПОБЕДИТЕЛЯ", "lead": "награждается", "case": "datv",
                         "body": "за I место (золотая медаль) в компетенции «{competency}»"},
    DiplomaKind.PRIZE_WINNER: {"heading": "ДИПЛОМ ПРИЗЁРА", "lead": "награждается", "case": "datv",
                               "body": "за {place} место ({medal} медаль) в компетенции «{competency}»"},
    DiplomaKind.NOMINATION: {"heading": "ДИПЛОМ", "lead": "награждается", "case": "datv",
                             "body": "«{detail}» в компетенции «{competency}»"},
    DiplomaKind.PARTICIPANT: {"heading": "ДИПЛОМ УЧАСТНИКА", "lead": "вручается", "case": "datv",
                              "body": "за участие в компетенции «{competency}»"},
    DiplomaKind.MENTOR: {"heading": "ДИПЛОМ НАСТАВНИКА", "lead": "вручается", "case": "datv",
                         "body": "за подготовку команды в компетенции «{competency}»"},
    DiplomaKind.CHIEF_EXPERT: {"heading": "ДИПЛОМ", "lead": "вручается", "case": "datv",
                               "body": "за работу главным экспертом компетенции «{competency}»"},
    DiplomaKind.EXPERT: {"heading": "ДИПЛОМ", "lead": "вручается", "case": "datv",
                         "body": "за работу экспертом компетенции «{competency}»"},
}
PRIZE = {"gold": ("I", "золотая"), "silver": ("II", "серебряная"), "bronze": ("III", "бронзовая")}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


_PLACEHOLDER = "CODE"


@lru_cache(maxsize=4)
def _verification_path(urlconf: str) -> str:
    return reverse("results:verify", args=[_PLACEHOLDER], urlconf=urlconf)


def verification_url(code: str) -> str:
    # reverse() per diploma is measurable in a batch of thousands; the path differs only by the code.
    base = str(settings.PROFMASTER["SITE_URL"]).rstrip("/")
    return base + _verification_path(settings.ROOT_URLCONF).replace(_PLACEHOLDER, code)


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


def _name(obj: Any) -> FullName:
    return FullName(obj.last_name, obj.first_name, obj.patronymic or "")


def recipients(championship: Championship) -> list[Spec]:
    """Everyone who gets a diploma: medallists and nominees (from the published results), every
    participant and mentor of an approved team, and the chief experts and experts (003 §25.6–25.8)."""
    specs: list[Spec] = []
    medal_of: dict[int, str] = {}
    for comp in championship.competencies.all():
        version = domain.latest_version(comp)
        data = domain.version_competency(version, comp.pk) if version else None
        if not data or data.get("invalid"):
            continue
        for group in data["groups"]:
            if group["stage_kind"] == Stage.Kind.FINAL:
                medal_of.update({row["team_id"]: row["medal"] for row in group["rows"] if row["medal"]})
    nominations = {n.team_id: n.title for n in Nomination.objects.filter(competency__championship=championship,
                                                                          status=Nomination.Status.APPROVED)}
    finalists = set(TeamResult.objects.filter(scheme__competency__championship=championship,
                                              scheme__stage__kind=Stage.Kind.FINAL).values_list("team_id", flat=True))
    remote = set(TeamResult.objects.filter(scheme__competency__championship=championship,
                                           scheme__stage__kind=Stage.Kind.REMOTE).values_list("team_id", flat=True))
    teams = Application.objects.filter(championship=championship, status="approved").select_related("competency")
    members = TeamMember.objects.filter(application__in=teams, state=TeamMember.State.ACTIVE).select_related(
        "application__competency").order_by("application_id", "kind", "last_name")
    for member in members:
        team = member.application
        electronic = team.pk in remote and team.pk not in finalists
        common = {"name": _name(member), "competency_id": team.competency_id, "member_id": member.pk,
                  "user_id": member.user_id, "team_id": team.pk, "email": member.email}
        if member.kind == TeamMember.Kind.MENTOR:
            specs.append(Spec(DiplomaKind.MENTOR, electronic=electronic, **common))
            continue
        medal = medal_of.get(team.pk)
        if medal == "gold":
            specs.append(Spec(DiplomaKind.WINNER, detail=medal, **common))
        elif medal in ("silver", "bronze"):
            specs.append(Spec(DiplomaKind.PRIZE_WINNER, detail=medal, **common))
        elif team.pk in nominations:
            specs.append(Spec(DiplomaKind.NOMINATION, detail=nominations[team.pk], **common))
        specs.append(Spec(DiplomaKind.PARTICIPANT, electronic=electronic, **common))
    panel = RoleAssignment.objects.filter(championship=championship, role__in=[Role.CHIEF_EXPERT, Role.EXPERT]) \
        .select_related("user").order_by("role", "user__last_name")
    for assignment in panel:
        kind = DiplomaKind.CHIEF_EXPERT if assignment.role == Role.CHIEF_EXPERT else DiplomaKind.EXPERT
        specs.append(Spec(kind, _name(assignment.user), assignment.competency_id, user_id=assignment.user_id,
                          email=assignment.user.email))
    return specs


def _existing(championship: Championship, spec: Spec) -> Diploma | None:
    query = Diploma.objects.filter(championship=championship, kind=spec.kind, competency_id=spec.competency_id,
                                   revoked_at__isnull=True)
    if spec.member_id:
        return query.filter(member_id=spec.member_id).first()
    return query.filter(user_id=spec.user_id, member__isnull=True).first()


def issue(championship: Championship, spec: Spec, *, batch: DiplomaBatch | None = None) -> Diploma:
    """The person's diploma of that kind, created with a fresh verification code when new."""
    existing = _existing(championship, spec)
    if existing is not None:
        return existing
    wording = WORDING[spec.kind]
    return Diploma.objects.create(
        championship=championship, competency_id=spec.competency_id, kind=spec.kind, code=new_code(),
        full_name=str(spec.name), declined_name=decline(spec.name, wording["case"]), member_id=spec.member_id,
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
    return {
        "heading": wording["heading"], "lead": wording["lead"], "name": diploma.declined_name,
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
    from .tasks import generate_diplomas_task

    with transaction.atomic():
        if DiplomaBatch.objects.filter(championship=championship, status__in=["queued", "running"]).exists():
            raise TransitionError(_("Дипломы уже формируются."))
        batch = DiplomaBatch.objects.create(championship=championship, created_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=batch, after={"batch": batch.pk},
               championship=championship)
        batch_id = batch.pk
        transaction.on_commit(lambda: generate_diplomas_task.delay(batch_id), robust=True)
    return batch


def run_batch(batch_id: int, *, specs: list[Spec] | None = None, send: bool = True) -> DiplomaBatch:
    """Issue and render every diploma of the batch's championship, updating progress as it goes."""
    batch = DiplomaBatch.objects.select_related("championship").get(pk=batch_id)
    championship = batch.championship
    try:
        specs = recipients(championship) if specs is None else specs
        DiplomaBatch.objects.filter(pk=batch_id).update(status=DiplomaBatch.Status.RUNNING, total=len(specs), done=0)
        done = 0
        for start in range(0, len(specs), CHUNK):
            issued = [issue(championship, spec, batch=batch) for spec in specs[start:start + CHUNK]]
            todo = [d for d in issued if not d.pdf]
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
    """003 §25.9: electronic diplomas to participants and mentors of teams that did not reach the final."""
    sent = 0
    for diploma in Diploma.objects.filter(championship=championship, electronic=True, emailed_at__isnull=True,
                                          revoked_at__isnull=True).exclude(email="").exclude(pdf=""):
        message = EmailMessage(
            subject=f"Электронный диплом — {championship.name}",
            body=(f"Здравствуйте!\n\nНаправляем электронный диплом: {diploma.get_kind_display()}, "
                  f"{diploma.full_name}.\nПроверить подлинность: {verification_url(diploma.code)}\n"),
            to=[diploma.email])
        with diploma.pdf.open("rb") as handle:
            message.attach(f"diploma-{diploma.code}.pdf", handle.read(), "application/pdf")
        message.send(fail_silently=False)
        Diploma.objects.filter(pk=diploma.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def diplomas_of(user: Any) -> QuerySet[Diploma]:
    """A person's own diplomas: issued to their account or to a team membership linked to it."""
    if not getattr(user, "is_authenticated", False):
        return Diploma.objects.none()
    return Diploma.objects.filter(Q(user=user) | Q(member__user=user), revoked_at__isnull=True) \
        .select_related("championship", "competency").distinct()
