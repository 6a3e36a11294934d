from django.urls import path, register_converter

from . import views


class PartKindConverter:
    regex = "criterion|sub-criterion|aspect"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PartKindConverter, "part")

app_name = "marking"
urlpatterns = [
    path("championships/<int:pk>/competencies/<int:competency_pk>/", views.scheme_list, name="list"),
    path("schemes/<int:scheme_pk>/", views.scheme_detail, name="detail"),
    path("schemes/<int:scheme_pk>/<part:kind>/new/", views.part_create, name="part_create"),
    path("schemes/<int:scheme_pk>/<part:kind>/<int:part_pk>/edit/", views.part_edit, name="part_edit"),
    path("schemes/<int:scheme_pk>/<part:kind>/<int:part_pk>/delete/", views.part_delete, name="part_delete"),
    path("schemes/<int:scheme_pk>/lock/", views.scheme_lock, name="lock"),
    path("schemes/<int:scheme_pk>/unlock-request/", views.scheme_unlock_request, name="unlock_request"),
    path("schemes/<int:scheme_pk>/unlock/", views.scheme_unlock, name="unlock"),
    path("schemes/<int:scheme_pk>/export.xlsx", views.scheme_export, name="export"),
    path("schemes/<int:scheme_pk>/export.csv", views.scheme_export_csv, name="export_csv"),
    path("schemes/<int:scheme_pk>/import/", views.scheme_import, name="import"),
]

from . import views_marks  # noqa: E402  (the assessment pages, SC-1…SC-9)

urlpatterns += [
    path("championships/<int:pk>/competencies/<int:competency_pk>/panel/", views_marks.panel_page, name="panel"),
    path("championships/<int:pk>/my-marks/", views_marks.my_marks, name="my_marks"),
    path("schemes/<int:scheme_pk>/marks/", views_marks.marks_board, name="board"),
    path("schemes/<int:scheme_pk>/marks/pdf-status/", views_marks.pdf_status, name="pdf_status"),
    path("schemes/<int:scheme_pk>/marks/sheets.pdf", views_marks.sheets_pdf, name="sheets_pdf"),
    path("schemes/<int:scheme_pk>/marks/blank-sheets.pdf", views_marks.blank_sheets, name="blank_sheets"),
    path("schemes/<int:scheme_pk>/marks/lock/", views_marks.lock, name="lock_marks"),
    path("schemes/<int:scheme_pk>/marks/unlock-request/", views_marks.unlock_request, name="unlock_marks_request"),
    path("schemes/<int:scheme_pk>/marks/unlock/", views_marks.unlock, name="unlock_marks"),
    path("schemes/<int:scheme_pk>/marks/resolve/", views_marks.resolve, name="resolve"),
    path("schemes/<int:scheme_pk>/marks/<int:team_pk>/", views_marks.entry, name="entry"),
    path("schemes/<int:scheme_pk>/marks/<int:team_pk>/save/", views_marks.save, name="save"),
    path("schemes/<int:scheme_pk>/marks/<int:team_pk>/complete/", views_marks.complete, name="complete"),
    path("schemes/<int:scheme_pk>/teams/<int:team_pk>/marks/", views_marks.team_marks, name="team_marks"),
]

from . import views_package  # noqa: E402  (the document package, SC-10)

urlpatterns += [
    path("championships/<int:pk>/competencies/<int:competency_pk>/package/", views_package.package_page,
         name="package"),
    path("championships/<int:pk>/competencies/<int:competency_pk>/package/receive/", views_package.receive,
         name="package_receive"),
    path("championships/<int:pk>/competencies/<int:competency_pk>/package.xlsx", views_package.package_export,
         name="package_export"),
    path("championships/<int:pk>/packages/", views_package.overview, name="packages"),
]
