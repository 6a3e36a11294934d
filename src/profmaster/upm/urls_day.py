"""Routes of the lesson's day and the festival's report (UPM-6, UPM-7), under /upm/day/."""

from django.urls import path

from . import views_day as views

app_name = "upm_day"

urlpatterns = [
    path("festivals/<int:festival_pk>/lessons/", views.lessons, name="lessons"),
    path("festivals/<int:festival_pk>/report/", views.report, name="report"),
    path("festivals/<int:festival_pk>/report.<str:fmt>", views.report_export, name="report_export"),
    path("lessons/<int:pk>/", views.lesson, name="lesson"),
    path("lessons/<int:pk>/delivery/", views.delivery, name="delivery"),
    path("lessons/<int:pk>/check/", views.check, name="check"),
    path("lessons/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("deliveries/<int:pk>/receipt/", views.receipt, name="receipt"),
]
