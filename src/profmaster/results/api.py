"""HTTP API of results and awards (AW-1…AW-7), mounted under /api/v1/.

Rankings, medals and nominations go through ``results.visibility.visible_results`` like the pages and
exports: before publication only the Directorate, quality control and the competency's panel see
them. Published versions and the medal table are public data; diploma verification needs no login.
"""

# mypy: disable-error-code="valid-type"

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from profmaster.api.schemas import READ_ERRORS, WRITE_ERRORS
from profmaster.api.shortcuts import NotFound, authorize_championship, current_user, get_or_404
from profmaster.api.types import Id, Text
from profmaster.championships.models import Championship, Competency
from profmaster.permissions import require
from profmaster.registration.models import Application

from . import diplomas, domain
from .models import Diploma, Nomination, ResultsVersion
from .schemas import (
    CompetencyResultsOut,
    DiplomaOut,
    NominationIn,
    NominationOut,
    PublishIn,
    StandingOut,
    VerificationOut,
    VersionDetailOut,
    VersionOut,
)
from .visibility import visible_results

router = Router(tags=["Итоги и награды"])


def _competency(competency_id: int) -> Competency:
    return get_or_404(Competency.objects.select_related("championship"), competency_id, _("Компетенция не найдена."))


def _results_out(competency: Competency, data: dict[str, Any] | None, *, live: bool, version: Any) -> dict[str, Any]:
    base = {"competency_id": competency.pk, "competency": competency.name, "visible": data is not None,
            "live": live, "published_version": version.number if version else None}
    if data is None:
        return base
    return {**base, "invalid": data.get("invalid", False), "invalid_reason": data.get("invalid_reason", ""),
            "groups": data.get("groups", []), "pending": data.get("pending", []) if live else []}


@router.get("/competencies/{competency_id}/results", response={200: CompetencyResultsOut, **READ_ERRORS},
            url_name="competency_results", summary="Итоги компетенции (после публикации — всем)")
def competency_results(request: HttpRequest, competency_id: Id) -> Any:
    competency = _competency(competency_id)
    view = visible_results(current_user(request), competency)
    return _results_out(competency, view.data, live=view.live, version=view.version)


@router.get("/championships/{championship_id}/medal-table", response={200: list[StandingOut], **READ_ERRORS},
            url_name="medal_table", summary="Медальный зачёт организаций и кубки (по опубликованным итогам)")
def medal_table(request: HttpRequest, championship_id: Id) -> Any:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    return domain.published_standings(championship)


def _version_out(version: ResultsVersion) -> dict[str, Any]:
    return {"number": version.number, "competency_id": version.competency_id,
            "competency_ids": version.competency_ids, "published_at": version.published_at,
            "changelog": version.changelog}


@router.get("/championships/{championship_id}/results-versions", response={200: list[VersionOut], **READ_ERRORS},
            url_name="results_versions", summary="Опубликованные версии итогов")
def results_versions(request: HttpRequest, championship_id: Id) -> Any:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    return [_version_out(v) for v in ResultsVersion.objects.filter(championship=championship)]


@router.get("/championships/{championship_id}/results-versions/{number}",
            response={200: VersionDetailOut, **READ_ERRORS}, url_name="results_version",
            summary="Опубликованная версия итогов целиком (прежние версии остаются доступны)")
def results_version(request: HttpRequest, championship_id: Id, number: Id) -> Any:
    version = ResultsVersion.objects.filter(championship_id=championship_id, number=number).first()
    if version is None:
        raise NotFound(_("Версия итогов не найдена."))
    competencies = [{**c, "visible": True, "live": False, "published_version": version.number}
                    for c in version.content.get("competencies", [])]
    return {**_version_out(version), "competencies": competencies}


@router.post("/championships/{championship_id}/publish", response={201: VersionOut, **WRITE_ERRORS},
             url_name="results_publish", summary="Опубликовать итоги компетенции или всего чемпионата")
def publish(request: HttpRequest, championship_id: Id, payload: PublishIn) -> Any:
    championship = get_or_404(Championship, championship_id, _("Чемпионат не найден."))
    authorize_championship(request, championship, message=_("Чемпионат не найден."))
    user = current_user(request)
    require(user, "results.publish", championship)
    competency = None
    if payload.competency_id is not None:
        competency = championship.competencies.filter(pk=payload.competency_id).first()
        if competency is None:
            raise ValidationError({"competency_id": _("Нет такой компетенции в чемпионате.")})
    version = domain.publish_results(championship, competency=competency, by=user, changelog=payload.changelog)
    return Status(201, _version_out(version))


@router.get("/competencies/{competency_id}/nominations", response={200: list[NominationOut], **READ_ERRORS},
            url_name="nomination_list", summary="Номинации компетенции (предложения видны панели и Дирекции)")
def nomination_list(request: HttpRequest, competency_id: Id) -> Any:
    competency = _competency(competency_id)
    authorize_championship(request, competency.championship, message=_("Компетенция не найдена."))
    require(current_user(request), "results.view_working", competency)
    return list(Nomination.objects.filter(competency=competency).values("id", "team_id", "title", "reason", "status"))


@router.post("/competencies/{competency_id}/nominations", response={201: NominationOut, **WRITE_ERRORS},
             url_name="nomination_propose", summary="Предложить «Лучший в номинации»")
def nomination_propose(request: HttpRequest, competency_id: Id, payload: NominationIn) -> Any:
    competency = _competency(competency_id)
    authorize_championship(request, competency.championship, message=_("Компетенция не найдена."))
    user = current_user(request)
    require(user, "results.propose_nomination", competency)
    team = Application.objects.filter(pk=payload.team_id, competency=competency).first()
    if team is None:
        raise ValidationError({"team_id": _("Нет такой команды в компетенции.")})
    nomination = domain.propose_nomination(competency, team=team, title=payload.title, reason=payload.reason, by=user)
    return Status(201, {"id": nomination.pk, "team_id": team.pk, "title": nomination.title,
                        "reason": nomination.reason, "status": nomination.status})


@router.get("/me/diplomas", response={200: list[DiplomaOut], **READ_ERRORS}, url_name="my_diplomas",
            summary="Мои дипломы")
def my_diplomas(request: HttpRequest) -> Any:
    return [{"id": d.pk, "kind": d.kind, "championship": d.championship.name,
             "competency": d.competency.name if d.competency else "", "full_name": d.full_name, "code": d.code,
             "electronic": d.electronic} for d in diplomas.diplomas_of(current_user(request))]


@router.get("/diplomas/verify/{code}", response={200: VerificationOut, **READ_ERRORS}, auth=None,
            url_name="diploma_verify", summary="Проверить подлинность диплома по коду (без входа)")
def diploma_verify(request: HttpRequest, code: Text(32, min_length=1)) -> Any:
    diploma = Diploma.objects.select_related("championship", "competency").filter(code=code.upper()).first()
    if diploma is None:
        raise NotFound(_("Диплом с таким кодом не найден."))
    context = diplomas.diploma_context(diploma)
    if diploma.revoked_at is not None:
        return {"genuine": False, "revoked": True, "revoked_at": diploma.revoked_at,
                "revoke_reason": diploma.revoke_reason, "heading": context["heading"],
                "championship": context["championship"], "code": diploma.code}
    return {"genuine": True, "heading": context["heading"], "text": f"{context['lead']} {context['name']} "
            f"{context['body']}", "championship": context["championship"], "issued": context["issued"],
            "code": diploma.code}

