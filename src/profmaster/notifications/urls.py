from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("<int:pk>/emails/", views.email_list, name="list"),
    path("<int:pk>/emails/resend-failed/", views.resend_failed, name="resend_failed"),
    path("<int:pk>/emails/<int:email_pk>/resend/", views.resend, name="resend"),
]
