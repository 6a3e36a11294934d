from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("competencies/<int:competency_pk>/", views.incidents, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/evidence/", views.upload, name="upload"),
    path("<int:pk>/removal/", views.remove, name="remove"),
    path("<int:pk>/readiness/", views.readiness, name="readiness"),
    path("<int:pk>/points/", views.decide_points, name="decide_points"),
    path("<int:pk>/protocol/", views.protocol, name="protocol"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
