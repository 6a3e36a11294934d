from django.urls import path

from . import views

app_name = "results"
urlpatterns = [
    path("championships/<int:pk>/", views.championship_results, name="championship"),
    path("championships/<int:pk>/medal-table.xlsx", views.standings_export, name="standings_export"),
    path("championships/<int:pk>/medal-table.csv", views.standings_export, {"fmt": "csv"}, name="standings_csv"),
    path("championships/<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("championships/<int:pk>/publish/", views.publish, name="publish"),
    path("championships/<int:pk>/quality/", views.quality, name="quality"),
    path("championships/<int:pk>/quality/register/", views.register_add, name="register_add"),
    path("championships/<int:pk>/diplomas/", views.diplomas_page, name="diplomas"),
    path("championships/<int:pk>/diplomas/names/", views.diploma_names, name="diploma_names"),
    path("competencies/<int:competency_pk>/", views.competency_results, name="competency"),
    path("competencies/<int:competency_pk>/export.xlsx", views.competency_export, name="export"),
    path("competencies/<int:competency_pk>/export.csv", views.competency_export, {"fmt": "csv"}, name="export_csv"),
    path("competencies/<int:competency_pk>/medals/propose/", views.propose_medals, name="propose_medals"),
    path("competencies/<int:competency_pk>/medals/decide/", views.decide_medals, name="decide_medals"),
    path("competencies/<int:competency_pk>/qualification/", views.decide_qualification, name="decide_qualification"),
    path("competencies/<int:competency_pk>/quota/", views.set_quota, name="quota"),
    path("competencies/<int:competency_pk>/nominations/", views.propose_nomination, name="propose_nomination"),
    path("nominations/<int:nomination_pk>/decide/", views.decide_nomination, name="decide_nomination"),
    path("competencies/<int:competency_pk>/protocol/", views.create_protocol, name="protocol"),
    path("competencies/<int:competency_pk>/quality/", views.quality_check, name="quality_check"),
    path("competencies/<int:competency_pk>/quality/requests/", views.quality_request, name="quality_request"),
    path("quality-requests/<int:request_pk>/answer/", views.quality_request_answer, name="quality_request_answer"),
    path("quality-requests/<int:request_pk>/refuse/", views.quality_request_refuse, name="quality_request_refuse"),
    path("championships/<int:pk>/quality/report/", views.quality_report, name="quality_report"),
    path("competencies/<int:competency_pk>/invalidate/", views.invalidate, name="invalidate"),
    path("register/<int:entry_pk>/lift/", views.register_lift, name="register_lift"),
    path("diplomas/<int:diploma_pk>/revoke/", views.diploma_revoke, name="diploma_revoke"),
    path("diploma-batches/<int:batch_pk>/", views.batch_progress, name="batch_progress"),
    path("diplomas/<int:diploma_pk>/pdf/", views.diploma_pdf, name="diploma_pdf"),
    path("my-diplomas/", views.my_diplomas, name="my_diplomas"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
