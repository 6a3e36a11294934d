from django.urls import path

from . import views

app_name = "competition_day"

urlpatterns = [
    path("competencies/<int:competency_pk>/draws/", views.draws, name="draws"),
    path("competencies/<int:competency_pk>/draws/prepare/", views.prepare, name="prepare"),
    path("draws/<int:pk>/contribute/", views.contribute, name="contribute"),
    path("draws/<int:pk>/perform/", views.perform, name="perform"),
    path("draws/<int:pk>/redraw/", views.redraw, name="redraw"),
    path("draws/<int:pk>/verify/", views.verify, name="verify"),
]
