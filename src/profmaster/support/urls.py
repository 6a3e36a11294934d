from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("new/", views.new_request, name="new"),
    path("public/", views.public_request, name="public"),
    path("mine/", views.mine, name="mine"),
    path("requests/<int:pk>/", views.detail, name="detail"),
    path("requests/<int:pk>/answer/", views.answer, name="answer"),
    path("requests/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("requests/<int:pk>/assign/", views.assign, name="assign"),
    path("requests/<int:pk>/close/", views.close, name="close"),
    path("r/<str:token>/", views.public_detail, name="public_detail"),
    path("championships/<int:championship_pk>/", views.desk, name="desk"),
    path("championships/<int:championship_pk>/duty/", views.roster, name="roster"),
    path("duty/<int:pk>/remove/", views.roster_remove, name="roster_remove"),
    path("championships/<int:championship_pk>/faq/", views.faq, name="faq"),
    path("championships/<int:championship_pk>/faq/new/", views.faq_edit, name="faq_create"),
    path("championships/<int:championship_pk>/faq/<int:pk>/", views.faq_edit, name="faq_edit"),
]
