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
    path("schemes/<int:scheme_pk>/import/", views.scheme_import, name="import"),
]
