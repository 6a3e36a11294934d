from django.urls import path

from . import views

app_name = "regional_commission"

urlpatterns = [
    path("schemes/<int:scheme_pk>/", views.summary, name="summary"),
    path("schemes/<int:scheme_pk>/protocol/", views.create_group_protocol, name="create_group_protocol"),
    path("schemes/<int:scheme_pk>/transfer/", views.transfer, name="transfer"),
    path("championships/<int:championship_pk>/", views.workspace, name="workspace"),
    path("championships/<int:championship_pk>/protocol/", views.create_commission_protocol,
         name="create_commission_protocol"),
]
