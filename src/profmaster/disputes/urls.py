from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("competencies/<int:competency_pk>/", views.disputes, name="list"),
    path("championships/<int:championship_pk>/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/put-to-vote/", views.put_to_vote, name="put_to_vote"),
    path("<int:pk>/close-round/", views.close_round, name="close_round"),
    path("<int:pk>/sanction/", views.sanction, name="sanction"),
    path("<int:pk>/investigation/", views.investigation, name="investigation"),
    path("<int:pk>/explanations/", views.request_explanation, name="request_explanation"),
    path("explanations/<int:pk>/answer/", views.answer, name="answer"),
    path("marks-reviews/<int:pk>/", views.marks_review, name="marks_review"),
]
