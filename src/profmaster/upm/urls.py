from django.urls import path

from . import views

app_name = "upm"

urlpatterns = [
    path("", views.index, name="index"),
    path("festivals/<int:pk>/", views.festival, name="festival"),
    path("festivals/<int:pk>/competencies/", views.competency_add, name="competency_add"),
    path("festivals/<int:pk>/venues/", views.venue_add, name="venue_add"),
    path("festivals/<int:pk>/schools/<int:school_pk>/", views.school, name="school"),
    path("festivals/<int:pk>/schools/<int:school_pk>/families/", views.family_register, name="family_register"),
    path("venues/<int:pk>/", views.venue, name="venue"),
    path("venues/<int:pk>/schools/", views.school_add, name="school_add"),
    path("venues/<int:pk>/people/", views.venue_person_add, name="venue_person_add"),
    path("venues/<int:pk>/channel/", views.channel, name="channel"),
    path("venues/<int:pk>/lessons/", views.lesson_create, name="lesson_create"),
    path("venue-schools/<int:pk>/agreements/", views.propose, name="propose"),
    path("agreements/<int:pk>/decide/", views.decide, name="decide"),
    path("lessons/<int:pk>/", views.lesson, name="lesson"),
    path("lessons/<int:pk>/send-link/", views.lesson_send_link, name="lesson_send_link"),
    path("lessons/<int:pk>/cancel/", views.lesson_cancel, name="lesson_cancel"),
    path("family/", views.family, name="family"),
    path("family/links/<int:pk>/decide/", views.family_link_decide, name="family_link_decide"),
    #: The parent's confirmation page behind the coordinator's signed link (UPM-5); a stable URL.
    path("c/<str:token>/", views.confirm, name="confirm"),
]
