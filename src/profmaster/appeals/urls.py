from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("disputes/<int:dispute_pk>/appeal/", views.file, name="file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/scan/", views.scan, name="scan"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence, name="evidence"),
    path("<int:pk>/hearing/", views.hearing_open, name="hearing_open"),
    path("<int:pk>/hearing/notes/", views.note, name="note"),
    path("<int:pk>/hearing/vote/", views.vote, name="vote"),
    path("<int:pk>/hearing/chair-vote/", views.chair_vote, name="chair_vote"),
    path("<int:pk>/decision/", views.decide, name="decide"),
    path("<int:pk>/suspension/", views.suspend, name="suspend"),
    path("championships/<int:pk>/", views.workspace, name="workspace"),
    path("championships/<int:pk>/commission/", views.commission, name="commission"),
    path("championships/<int:pk>/commission/members/<int:member_pk>/remove/", views.member_remove,
         name="member_remove"),
    path("championships/<int:pk>/commission/approve/", views.approve, name="approve"),
    path("championships/<int:pk>/election/", views.election_open, name="election_open"),
    path("championships/<int:pk>/election/ballot/", views.ballot, name="ballot"),
    path("championships/<int:pk>/regulations/", views.regulations, name="regulations"),
    path("register/", views.register_page, name="register"),
    path("register/xlsx/", views.register_xlsx, name="register_xlsx"),
]
