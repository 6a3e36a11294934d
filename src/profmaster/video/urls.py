from django.urls import path

from . import views

app_name = "video"

urlpatterns = [
    path("my/", views.my_sessions, name="my"),
    path("championships/<int:championship_pk>/", views.schedule, name="schedule"),
    path("championships/<int:championship_pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invitations/<int:invitation_pk>/remove/", views.uninvite, name="uninvite"),
    path("<int:pk>/join/", views.join, name="join"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/sync/", views.sync, name="sync"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/recordings/", views.recording_add, name="recording_add"),
    path("recordings/<int:pk>/", views.recording, name="recording"),
    path("recordings/<int:pk>/retention/", views.retention, name="retention"),
    path("callbacks/bbb/<int:pk>/recording-ready/", views.bbb_recording_ready, name="bbb_recording_ready"),
]
