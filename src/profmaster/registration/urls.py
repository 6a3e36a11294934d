from django.urls import path

from . import people_views as pv
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
    # consents (REG-6, REG-8)
    path("championships/<int:pk>/consent-forms/", pv.consent_forms, name="consent_forms"),
    path("consent-versions/<int:pk>/", pv.consent_version, name="consent_version"),
    path("applications/<int:pk>/consents/", pv.application_consents, name="application_consents"),
    path("applications/<int:pk>/members/<int:member_pk>/consents/", pv.member_consents, name="member_consents"),
    path("consents/<int:consent_pk>/withdraw/", pv.consent_withdraw, name="consent_withdraw"),
    path("applications/<int:pk>/members/<int:member_pk>/end/", pv.member_end, name="member_end"),
    # substitution (REG-13)
    path("applications/<int:pk>/members/<int:member_pk>/substitute/", pv.substitution_create,
         name="substitution_create"),
    path("substitutions/<int:substitution_pk>/decide/", pv.substitution_decide, name="substitution_decide"),
    path("applications/<int:pk>/incomplete/", pv.application_incomplete, name="incomplete"),
    # document check (REG-7)
    path("applications/<int:pk>/documents/", pv.documents, name="documents"),
    path("applications/<int:pk>/members/<int:member_pk>/documents/<slug:item>/", pv.document_check,
         name="document_check"),
    path("document-checks/<int:check_pk>/scan/", pv.document_scan, name="document_scan"),
    # lists, protocol, rules, import (REG-14, REG-15)
    path("championships/<int:pk>/people/", pv.people, name="people"),
    path("championships/<int:pk>/registration-protocol/", pv.protocol, name="protocol"),
    path("championships/<int:pk>/registration-rules/", pv.rules, name="rules"),
    path("championships/<int:pk>/import/", pv.import_page, name="import"),
    path("championships/<int:pk>/import/template/<slug:kind>/", pv.import_template, name="import_template"),
]
