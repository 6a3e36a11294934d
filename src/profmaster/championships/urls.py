from django.urls import path, register_converter

from . import views


class StructureKindConverter:
    regex = "|".join(sorted(views.KINDS, key=len, reverse=True))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StructureKindConverter, "kind")

app_name = "championships"
urlpatterns = [
    path("", views.championship_list, name="list"),
    path("new/", views.championship_create, name="create"),
    path("<int:pk>/", views.championship_detail, name="detail"),
    path("<int:pk>/edit/", views.championship_edit, name="edit"),
    path("<int:pk>/status/", views.championship_status, name="status"),
    path("<int:pk>/stages/<int:stage_pk>/phase/", views.stage_phase, name="stage_phase"),
    path("<int:pk>/competencies/<int:competency_pk>/", views.competency_detail, name="competency"),
    path("<int:pk>/competency-documents/<int:document_pk>/download/", views.competency_document_download,
         name="competency_document_download"),
    path("<int:pk>/roles/", views.roles, name="roles"),
    path("<int:pk>/roles/<int:assignment_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("<int:pk>/<kind:kind>/new/", views.structure_create, name="structure_create"),
    path("<int:pk>/<kind:kind>/<int:object_pk>/edit/", views.structure_edit, name="structure_edit"),
    path("<int:pk>/<kind:kind>/<int:object_pk>/delete/", views.structure_delete, name="structure_delete"),
]
