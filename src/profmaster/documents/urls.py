"""Pages of documents (included at the site root)."""

from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("championships/<int:championship_pk>/documents/", views.register_view, name="register"),
    path("championships/<int:championship_pk>/documents/new/", views.create_view, name="create"),
    path("documents/<int:pk>/", views.detail_view, name="detail"),
    path("documents/<int:pk>/sign/", views.sign_view, name="sign"),
    path("documents/<int:pk>/edit/", views.edit_view, name="edit"),
    path("documents/<int:pk>/regenerate/", views.regenerate_view, name="regenerate"),
    path("documents/<int:pk>/pdf/", views.pdf_view, name="pdf"),
]
