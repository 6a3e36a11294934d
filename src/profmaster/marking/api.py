"""HTTP API of marking schemes (MS-1…MS-5), mounted under /api/v1/.

A competency the person cannot see answers 404; reading needs ``marking.view_scheme`` and changing
``marking.manage_scheme`` (403). A whole scheme's content is sent at once (PUT …/content), like the
xlsx import, and goes through the same domain function.
"""

# mypy: disable-error-code="valid-type"

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404, reference
from profmaster.api.types import Id
from profmaster.championships.models import Competency
from profmaster.core.errors import DomainError
from profmaster.documents.models import Document
from profmaster.permissions import has_perm, may_view_team_marks, require
from profmaster.registration.models import Application

from . import domain, marks, sheets
from . import package as packages
from . import panel as panels
from .models import Mark, MarkingScheme
from .schemas import (
    DocumentRefOut,
    MarkIn,
    MarkingReasonIn,
    MarkOut,
    MarksStatusOut,
    PackageOut,
    PanelOut,
    ReceiptIn,
    ReceiptOut,
    SchemeContentIn,
    SchemeIn,
    SchemeOut,
    TeamResultOut,
)
from .scheme_rules import AspectDraft, CriterionDraft, SubCriterionDraft

router = Router(tags=["Схемы оценки"])


def _competency(request: HttpRequest, competency_id: int, *, manage: bool = False) -> Competency:
    competency = get_or_404(Competency.objects.select_related("championship"), competency_id,
                            _("Компетенция не найдена."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", competency.championship):
        raise NotFound(_("Компетенция не найдена."))
    require(user, "marking.manage_scheme" if manage else "marking.view_scheme", competency)
    return competency


def _scheme(request: HttpRequest, scheme_id: int, *, manage: bool = False) -> MarkingScheme:
    scheme = get_or_404(MarkingScheme.objects.select_related("competency__championship"), scheme_id,
                        _("Схема оценки не найдена."))
    _competency(request, scheme.competency_id, manage=manage)
    return scheme


def _out(scheme: MarkingScheme) -> dict[str, Any]:
    drafts = domain.drafts(scheme)
    return {
        "id": scheme.pk, "competency_id": scheme.competency_id, "stage_id": scheme.stage_id,
        "age_category_id": scheme.age_category_id, "title": scheme.title, "status": scheme.status,
        "version": scheme.version, "total_points": domain.total_points(scheme),
        "lock_document_id": scheme.lock_document_id, "unlock_document_id": scheme.unlock_document_id,
        "problems": [{"place": p.place, "message": p.message} for p in domain.validate(scheme)],
        "criteria": [{"code": c.code, "title": c.title, "skill_sections": list(c.skill_sections),
                      "sub_criteria": [{"code": s.code, "title": s.title, "aspects": [
                          {"code": a.code, "kind": a.kind, "description": a.description, "max_points": a.max_points,
                           "descriptors": list(a.descriptors), "levels": list(a.levels)} for a in s.aspects]}
                          for s in c.sub_criteria]} for c in drafts],
    }


def _document_ref(document: Document) -> dict[str, Any]:
    return {"document_id": document.pk, "number": document.number, "title": document.title}


@router.get("/competencies/{competency_id}/schemes", response={200: list[SchemeOut], **READ_ERRORS},
            url_name="scheme_list", summary="Схемы оценки компетенции")
def scheme_list(request: HttpRequest, competency_id: Id) -> Any:
    competency = _competency(request, competency_id)
    return [_out(s) for s in competency.marking_schemes.order_by("stage__order", "pk")]


@router.post("/competencies/{competency_id}/schemes", response={201: SchemeOut, **WRITE_ERRORS},
             url_name="scheme_create", summary="Создать схему оценки")
def scheme_create(request: HttpRequest, competency_id: Id, payload: SchemeIn) -> Any:
    competency = _competency(request, competency_id, manage=True)
    scheme = MarkingScheme(competency=competency, title=payload.title)
    scheme.stage = reference(competency.championship.stages.all(), payload.stage_id,  # type: ignore[assignment]
                             field="stage_id", message=_("Нет такого этапа в чемпионате."))
    scheme.age_category = reference(competency.age_categories.all(), payload.age_category_id,
                                    field="age_category_id", message=_("Нет такой категории у компетенции."))
    domain.save_scheme_part(scheme, by=current_user(request))
    return Status(201, _out(scheme))


@router.get("/schemes/{scheme_id}", response={200: SchemeOut, **READ_ERRORS}, url_name="scheme_detail",
            summary="Схема оценки с проверкой по правилам")
def scheme_detail(request: HttpRequest, scheme_id: Id) -> Any:
    return _out(_scheme(request, scheme_id))


@router.put("/schemes/{scheme_id}/content", response={200: SchemeOut, **WRITE_ERRORS},
            url_name="scheme_content", summary="Заменить содержание черновика схемы")
def scheme_content(request: HttpRequest, scheme_id: Id, payload: SchemeContentIn) -> Any:
    scheme = _scheme(request, scheme_id, manage=True)
    drafts = [CriterionDraft(c.code, c.title, [
        SubCriterionDraft(s.code, s.title, [AspectDraft(a.code, a.kind, a.max_points, a.description,
                                                        tuple(a.descriptors), tuple(a.levels)) for a in s.aspects])
        for s in c.sub_criteria], tuple(c.skill_sections)) for c in payload.criteria]
    domain.replace_scheme_content(scheme, drafts, by=current_user(request))
    return _out(MarkingScheme.objects.get(pk=scheme.pk))


@router.post("/schemes/{scheme_id}/lock", response={201: DocumentRefOut, **WRITE_ERRORS}, url_name="scheme_lock",
             summary="Заблокировать критерии (создаёт протокол блокировки)")
def scheme_lock(request: HttpRequest, scheme_id: Id) -> Any:
    scheme = _scheme(request, scheme_id, manage=True)
    return Status(201, _document_ref(domain.lock_scheme(scheme, by=current_user(request))))


@router.post("/schemes/{scheme_id}/unlock-request", response={201: DocumentRefOut, **WRITE_ERRORS},
             url_name="scheme_unlock_request", summary="Составить протокол разблокировки")
def scheme_unlock_request(request: HttpRequest, scheme_id: Id, payload: MarkingReasonIn) -> Any:
    scheme = _scheme(request, scheme_id, manage=True)
    return Status(201, _document_ref(domain.request_unlock(scheme, by=current_user(request), reason=payload.reason)))


@router.post("/schemes/{scheme_id}/unlock", response={200: SchemeOut, **WRITE_ERRORS}, url_name="scheme_unlock",
             summary="Разблокировать по подписанному протоколу")
def scheme_unlock(request: HttpRequest, scheme_id: Id) -> Any:
    scheme = _scheme(request, scheme_id, manage=True)
    return _out(domain.unlock_scheme(scheme, by=current_user(request)))


# --- Marks, panels and lock status (SC-2…SC-9) --------------------------------------------------------


def _marks_scheme(request: HttpRequest, scheme_id: int, perm: str | None = "marking.view_marks") -> MarkingScheme:
    scheme = get_or_404(MarkingScheme.objects.select_related("competency__championship"), scheme_id,
                        _("Схема оценки не найдена."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", scheme.competency.championship):
        raise NotFound(_("Схема оценки не найдена."))
    if perm:
        require(user, perm, scheme)
    return scheme


def _status(scheme: MarkingScheme) -> dict[str, Any]:
    marking = marks.marking_of(scheme)
    return {"scheme_id": scheme.pk, "status": marking.status, "entry_count": marking.entry_count,
            "head_hash": marking.head_hash, "problems": [] if marking.is_locked else marks.lock_problems(scheme),
            "pdf_status": marking.pdf_status, "pdf_progress": marking.pdf_progress,
            "lock_document_id": marking.lock_document_id, "unlock_document_id": marking.unlock_document_id}


@router.get("/competencies/{competency_id}/panel", response={200: PanelOut, **READ_ERRORS}, url_name="panel_detail",
            summary="Жюри компетенции")
def panel_detail(request: HttpRequest, competency_id: Id) -> Any:
    competency = get_or_404(Competency.objects.select_related("championship"), competency_id,
                            _("Компетенция не найдена."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", competency.championship):
        raise NotFound(_("Компетенция не найдена."))
    require(user, "marking.view_marks", competency)
    panel = panels.panel_of(competency)
    return {"competency_id": competency.pk, "mark_entry_mode": competency.mark_entry_mode,
            "four_eyes": panel.four_eyes, "blind": panel.blind,
            "exclude_own_organisation": panel.exclude_own_organisation,
            "members": [{"user_id": u.pk, "name": u.full_name, "role": label}
                        for u, label in panels.panel_signers(competency)],
            "warnings": panels.warnings(competency), "roles_document_id": panel.roles_document_id}


@router.get("/schemes/{scheme_id}/marks", response={200: list[MarkOut], **READ_ERRORS}, url_name="marks_list",
            summary="Оценки по схеме (все — жюри; своей команды — наставнику и участнику после блокировки)")
def marks_list(request: HttpRequest, scheme_id: Id, team_id: Id | None = None) -> Any:
    scheme = _marks_scheme(request, scheme_id, perm=None)
    user = current_user(request)
    rows = Mark.objects.filter(scheme=scheme).select_related("aspect").order_by("team_id", "aspect_id", "expert_id")
    if team_id is not None:
        team = get_or_404(Application.objects.all(), team_id, _("Команда не найдена."))
        if not may_view_team_marks(user, scheme, team):
            require(user, "marking.view_marks", scheme)  # 403 with the permission's name
            raise NotFound(_("Команда не найдена."))
        rows = rows.filter(team=team)
    else:
        require(user, "marking.view_marks", scheme)
    return [{"aspect_id": m.aspect_id, "aspect_code": m.aspect.code, "team_id": m.team_id, "expert_id": m.expert_id,
             "value": m.value, "entered_at": m.entered_at.isoformat()} for m in rows]


@router.put("/schemes/{scheme_id}/marks", response={200: MarkOut, **WRITE_ERRORS}, url_name="mark_save",
            summary="Сохранить оценку (тот же путь, что и таблица ввода)")
def mark_save(request: HttpRequest, scheme_id: Id, payload: MarkIn) -> Any:
    scheme = _marks_scheme(request, scheme_id, "marking.enter_marks")
    expert = None
    if payload.expert_id is not None:
        expert = get_user_model().objects.filter(pk=payload.expert_id).first()
        if expert is None:
            raise DomainError(_("Неизвестный эксперт."), field="expert_id")
    mark = marks.save_mark(scheme, payload.aspect_id, payload.team_id, payload.value, expert=expert,
                           by=current_user(request), reason=payload.reason)
    return {"aspect_id": mark.aspect_id, "aspect_code": mark.aspect.code, "team_id": mark.team_id,
            "expert_id": mark.expert_id, "value": mark.value, "entered_at": mark.entered_at.isoformat()}


@router.get("/schemes/{scheme_id}/marks/status", response={200: MarksStatusOut, **READ_ERRORS},
            url_name="marks_status", summary="Состояние блокировки оценок")
def marks_status(request: HttpRequest, scheme_id: Id) -> Any:
    return _status(_marks_scheme(request, scheme_id))


@router.get("/schemes/{scheme_id}/results", response={200: list[TeamResultOut], **READ_ERRORS},
            url_name="marks_results", summary="Точные итоги команд с подытогами (для жюри)")
def marks_results(request: HttpRequest, scheme_id: Id) -> Any:
    scheme = _marks_scheme(request, scheme_id)
    result = []
    for score in marks.scheme_scores(scheme):
        totals = score.totals
        result.append({
            "team_id": score.team.pk, "team": marks.team_label(score.team), "total": score.total,
            "missing": score.missing,
            "criteria": [{"code": c, "points": p} for c, p in totals.rounded(totals.by_criterion).items()]
            if totals else [],
            "sub_criteria": [{"code": c, "points": p} for c, p in totals.rounded(totals.by_sub_criterion).items()]
            if totals else [],
            "flags": [code for code, _values, _aspect in score.flags]})
    return result


@router.post("/schemes/{scheme_id}/marks/lock", response={200: MarksStatusOut, **WRITE_ERRORS},
             url_name="marks_lock", summary="Заблокировать оценки")
def marks_lock(request: HttpRequest, scheme_id: Id) -> Any:
    scheme = _marks_scheme(request, scheme_id, "marking.lock_marks")
    marks.lock_marks(scheme, by=current_user(request))
    return _status(scheme)


# --- Score sheets as PDF (SC-1, SC-5) and the document package (SC-10) ------------------------------------

_PDF = {"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}}


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/schemes/{scheme_id}/sheets/blank", response={200: None, **READ_ERRORS}, url_name="sheets_blank",
            summary="Пустые ведомости для рукописной оценки (PDF)", openapi_extra=_PDF)
def sheets_blank(request: HttpRequest, scheme_id: Id, team_id: Id | None = None) -> Any:
    """SC-1: the same blank sheets as the marks board's button, for every team or one."""
    scheme = _marks_scheme(request, scheme_id)
    teams = list(marks.teams_of(scheme))
    if team_id is not None:
        teams = [t for t in teams if t.pk == team_id]
        if not teams:
            raise NotFound(_("Команда не найдена."))
    data = sheets.sheets_data(scheme, teams, with_marks=False, label=marks.team_label)
    return _pdf(sheets.render_pdf(data), f"blank-sheets-{scheme.pk}.pdf")


@router.get("/schemes/{scheme_id}/sheets/locked", response={200: None, **READ_ERRORS}, url_name="sheets_locked",
            summary="Ведомости оценок всех участников после блокировки (PDF)", openapi_extra=_PDF)
def sheets_locked(request: HttpRequest, scheme_id: Id) -> Any:
    """SC-5: the PDF rendered at the lock; 404 until it is ready."""
    scheme = _marks_scheme(request, scheme_id)
    marking = marks.marking_of(scheme)
    if marking.pdf_status != marking.PdfStatus.READY or not marking.pdf:
        raise NotFound(_("PDF ведомостей ещё не сформирован: оценки не заблокированы или файл готовится."))
    return _pdf(bytes(marking.pdf), f"sheets-{scheme.pk}.pdf")


def _package_competency(request: HttpRequest, competency_id: int, perm: str) -> Competency:
    competency = get_or_404(Competency.objects.select_related("championship"), competency_id,
                            _("Компетенция не найдена."))
    user = current_user(request)
    if not has_perm(user, "championships.view_championship", competency.championship):
        raise NotFound(_("Компетенция не найдена."))
    require(user, perm, competency)
    return competency


@router.get("/competencies/{competency_id}/document-package", response={200: PackageOut, **READ_ERRORS},
            url_name="package_detail", summary="Пакет документов компетенции для Дирекции")
def package_detail(request: HttpRequest, competency_id: Id) -> Any:
    """SC-10: every sheet, form and protocol of the competency and what is still missing (as on the page)."""
    competency = _package_competency(request, competency_id, "marking.view_package")
    return packages.document_package(competency).as_dict()


@router.post("/competencies/{competency_id}/document-package/receipts", response={200: ReceiptOut, **WRITE_ERRORS},
             url_name="package_receive", summary="Отметить получение рукописных ведомостей Дирекцией")
def package_receive(request: HttpRequest, competency_id: Id, payload: ReceiptIn) -> Any:
    """SC-10: one sheet (``sub_criterion_id``) or all sheets of a team; repeating it changes nothing."""
    competency = _package_competency(request, competency_id, "marking.receive_documents")
    created = packages.receive_sheets(competency, scheme=payload.scheme_id, team=payload.team_id,
                                      sub_criterion=payload.sub_criterion_id, comment=payload.comment,
                                      by=current_user(request))
    return {"created": len(created), "package": packages.document_package(competency).as_dict()}
