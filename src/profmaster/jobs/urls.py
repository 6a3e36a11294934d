from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_pk>/", views.detail, name="detail"),
    path("<int:job_pk>/status/", views.status, name="status"),
    path("<int:job_pk>/retry/", views.retry, name="retry"),
]
