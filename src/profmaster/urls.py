"""Root URL configuration: each app contributes its own pages; the API lives under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from profmaster.api.api import api
from profmaster.core import views as core_views

urlpatterns = [
    # First: an API request (the exam's autosave is the busiest route) is then matched without trying the
    # pages' patterns, two groups of which have an empty prefix.
    path("api/v1/", api.urls),
    path("", core_views.home, name="home"),
    path("cabinet/", core_views.cabinet, name="cabinet"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("profmaster.accounts.urls")),
    path("organisations/", include("profmaster.organisations.urls")),
    path("championships/", include("profmaster.championships.urls")),
    path("championships/", include("profmaster.audit.urls")),
    path("championships/", include("profmaster.notifications.urls")),
    path("", include("profmaster.documents.urls")),
    path("marking/", include("profmaster.marking.urls")),
    path("registration/", include("profmaster.registration.urls")),
    path("", include("profmaster.exams.urls")),
    path("results/", include("profmaster.results.urls")),
    path("checkin/", include("profmaster.checkin.urls")),
    path("incidents/", include("profmaster.incidents.urls")),
    path("disputes/", include("profmaster.disputes.urls")),
    path("jobs/", include("profmaster.jobs.urls")),
    path("competition-day/", include("profmaster.competition_day.urls")),
    path("timekeeping/", include("profmaster.timekeeping.urls")),
    path("upm/day/", include("profmaster.upm.urls_day")),
    path("upm/", include("profmaster.upm.urls")),
    path("appeals/", include("profmaster.appeals.urls")),
    path("video/", include("profmaster.video.urls")),
    path("best-in-profession/", include("profmaster.best_in_profession.urls")),
    path("support/", include("profmaster.support.urls")),
    path("regional-commission/", include("profmaster.regional_commission.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "profmaster.core.views.bad_request"
handler403 = "profmaster.core.views.permission_denied"
handler404 = "profmaster.core.views.page_not_found"
handler500 = "profmaster.core.views.server_error"
