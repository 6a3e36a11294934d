from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("championships/<int:pk>/applications/", views.application_list, name="list"),
    path("championships/<int:pk>/applications/new/", views.application_create, name="create"),
    path("championships/<int:pk>/applications/bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:pk>/approve/", views.application_approve, name="approve"),
    path("applications/<int:pk>/return/", views.application_return, name="return"),
    path("applications/<int:pk>/reject/", views.application_reject, name="reject"),
    path("applications/<int:pk>/reopen/", views.application_reopen, name="reopen"),
    path("applications/<int:pk>/out-of-competition/", views.application_out_of_competition,
         name="out_of_competition"),
    path("applications/<int:pk>/members/new/<slug:kind>/", views.member_create, name="member_create"),
    path("applications/<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("applications/<int:pk>/members/<int:member_pk>/delete/", views.member_delete, name="member_delete"),
]
