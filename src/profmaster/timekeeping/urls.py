from django.urls import path

from . import views

app_name = "timekeeping"
urlpatterns = [
    path("competencies/<int:competency_pk>/day/", views.board_today, name="board_today"),
    path("competencies/<int:competency_pk>/day/<str:day>/", views.board, name="board"),
    path("competencies/<int:competency_pk>/day/<str:day>/live/", views.board_live, name="board_live"),
    path("competencies/<int:competency_pk>/day/<str:day>/evidence/", views.evidence, name="evidence"),
    path("competencies/<int:competency_pk>/day/<str:day>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:photo_pk>/", views.photo, name="photo"),
    path("championships/<int:championship_pk>/settings/", views.settings_page, name="settings"),
    path("flows/<int:flow_pk>/timers/", views.timer_create, name="timer_create"),
    path("flows/<int:flow_pk>/protocol/<str:kind>/", views.protocol, name="protocol"),
    path("flows/<int:flow_pk>/familiarisation-exception/", views.exception_protocol, name="exception_protocol"),
    path("flows/<int:flow_pk>/familiarisation/", views.familiarisation, name="familiarisation"),
    path("flows/<int:flow_pk>/confirm/", views.confirm_own, name="confirm_own"),
    path("timers/<int:timer_pk>/extra/", views.extra_time, name="extra_time"),
    path("timers/<int:timer_pk>/<str:command>/", views.timer_command, name="timer_command"),
    path("screen/<str:token>/", views.screen, name="screen"),
    path("screen/<str:token>/state/", views.screen_state, name="screen_state"),
]
