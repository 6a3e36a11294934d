from django.urls import path

from . import views

app_name = "best_in_profession"
urlpatterns = [
    path("championships/<int:championship_pk>/", views.overview, name="overview"),
    path("championships/<int:championship_pk>/nominations/new/", views.nomination_create, name="nomination_create"),
    path("nominations/<int:nomination_id>/edit/", views.nomination_edit, name="nomination_edit"),
    path("championships/<int:championship_pk>/contestants/", views.contestants, name="contestants"),
    path("championships/<int:championship_pk>/contestants/new/", views.contestant_create, name="contestant_create"),
    path("contestants/<int:application_id>/", views.contestant, name="contestant"),
    path("contestants/<int:application_id>/edit/", views.contestant_edit, name="contestant_edit"),
    path("contestants/<int:application_id>/scans/", views.document_upload, name="document_upload"),
    path("scans/<int:scan_pk>/", views.document, name="document"),
    path("championships/<int:championship_pk>/personal-data-log/", views.access_log, name="access_log"),
    # RM-4
    path("stages/<int:stage_pk>/readiness/", views.readiness, name="readiness"),
    path("stages/<int:stage_pk>/checklists/open/", views.checklists_open, name="checklists_open"),
    path("checklists/<int:checklist_pk>/", views.checklist, name="checklist"),
    path("checklists/<int:checklist_pk>/confirm/", views.checklist_confirm, name="checklist_confirm"),
    path("checklists/<int:checklist_pk>/groups/", views.group_create, name="group_create"),
    path("checklist-items/<int:line_pk>/", views.checklist_item, name="checklist_item"),
    path("checklist-items/<int:line_pk>/photo/", views.checklist_photo, name="checklist_photo"),
    path("groups/<int:group_pk>/assign/", views.group_assign, name="group_assign"),
]
