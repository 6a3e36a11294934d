"""HTTP API of marking schemes (MS-1…MS-5), mounted under /api/v1/.

A competency the person cannot see answers 404; reading needs ``marking.view_scheme`` and changing
``marking.manage_scheme`` (403). A whole scheme's content is sent at once (PUT …/content), like the
xlsx import, and goes through the same domain function.
"""

# mypy: disable-error-code="valid-type"

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, current_user, get_or_404, reference
from profmaster.api.types import Id
from profmaster.championships.models import Competency
from profmaster.documents.models import Document
from profmaster.permissions import has_perm, require

from . import domain
from .models import MarkingScheme
from .schemas import DocumentRefOut, ReasonIn, SchemeContentIn, SchemeIn, SchemeOut
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
def scheme_unlock_request(request: HttpRequest, scheme_id: Id, payload: ReasonIn) -> Any:
    scheme = _scheme(request, scheme_id, manage=True)
    return Status(201, _document_ref(domain.request_unlock(scheme, by=current_user(request), reason=payload.reason)))


@router.post("/schemes/{scheme_id}/unlock", response={200: SchemeOut, **WRITE_ERRORS}, url_name="scheme_unlock",
             summary="Разблокировать по подписанному протоколу")
def scheme_unlock(request: HttpRequest, scheme_id: Id) -> Any:
    scheme = _scheme(request, scheme_id, manage=True)
    return _out(domain.unlock_scheme(scheme, by=current_user(request)))
