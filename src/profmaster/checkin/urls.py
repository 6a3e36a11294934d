from django.urls import path

from . import views

app_name = "checkin"

urlpatterns = [
    path("competencies/<int:competency_pk>/", views.venue, name="venue"),
    path("competencies/<int:competency_pk>/accreditations/", views.accreditations, name="accreditations"),
    path("competencies/<int:competency_pk>/accreditations/issue/", views.issue, name="issue"),
    path("competencies/<int:competency_pk>/accreditations/admit/", views.admit, name="admit"),
    path("competencies/<int:competency_pk>/badges.pdf", views.badges_pdf, name="badges_pdf"),
    path("competencies/<int:competency_pk>/non-appearance/", views.non_appearance, name="non_appearance"),
    path("competencies/<int:competency_pk>/toolbox/", views.toolbox, name="toolbox"),
    path("accreditations/<int:pk>/briefing/", views.briefing, name="briefing"),
    path("accreditations/<int:pk>/badge.pdf", views.badge_pdf, name="badge_pdf"),
    path("b/<str:code>/", views.badge_link, name="badge_link"),
]
