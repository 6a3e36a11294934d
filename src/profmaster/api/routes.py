"""Which routers make up /api/v1/. Each app keeps its own router in its ``api.py``."""

from __future__ import annotations

from ninja import NinjaAPI


def register(api: NinjaAPI) -> None:
    from profmaster.accounts.api import router as accounts_router
    from profmaster.appeals.api import router as appeals_router
    from profmaster.best_in_profession.api import router as best_in_profession_router
    from profmaster.championships.api import router as championships_router
    from profmaster.checkin.api import router as checkin_router
    from profmaster.competition_day.api import router as competition_day_router
    from profmaster.disputes.api import router as disputes_router
    from profmaster.documents.api import router as documents_router
    from profmaster.exams.api import router as exams_router
    from profmaster.incidents.api import router as incidents_router
    from profmaster.jobs.api import router as jobs_router
    from profmaster.marking.api import router as marking_router
    from profmaster.organisations.api import router as organisations_router
    from profmaster.regional_commission.api import router as commission_router
    from profmaster.registration.api import router as registration_router
    from profmaster.results.api import router as results_router
    from profmaster.support.api import router as support_router
    from profmaster.timekeeping.api import router as timekeeping_router
    from profmaster.upm.api import router as upm_router
    from profmaster.upm.api_day import router as upm_day_router
    from profmaster.video.api import router as video_router

    api.add_router("/", accounts_router)
    api.add_router("/", championships_router)
    api.add_router("/", organisations_router)
    api.add_router("/", documents_router)
    api.add_router("/", marking_router)
    api.add_router("/", registration_router)
    api.add_router("/", exams_router)
    api.add_router("/", results_router)
    api.add_router("/", jobs_router)
    api.add_router("/", checkin_router)
    api.add_router("/", incidents_router)
    api.add_router("/", competition_day_router)
    api.add_router("/", timekeeping_router)
    api.add_router("/", upm_router)
    api.add_router("/", appeals_router)
    api.add_router("/", video_router)
    api.add_router("/", best_in_profession_router)
    api.add_router("/", support_router)
    api.add_router("/", commission_router)
    api.add_router("/", disputes_router)
    api.add_router("/", upm_day_router)
