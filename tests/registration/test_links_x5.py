"""Issue 13 §3: the e-mail about an application links to the host the person used, not 127.0.0.1:8000."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_x5_registration_email_link_uses_the_host_the_person_used(reg, settings, django_capture_on_commit_callbacks):
    settings.PROFMASTER = {**settings.PROFMASTER, "SITE_URL": ""}
    settings.ALLOWED_HOSTS = ["192.168.1.20"]
    application = reg.valid_team()
    client = Client(HTTP_HOST="192.168.1.20:8080")
    client.force_login(reg.mentor_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registration:submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "submitted"
    assert f"http://192.168.1.20:8080/registration/applications/{application.pk}/" in mail.outbox[-1].body
    assert "127.0.0.1" not in mail.outbox[-1].body
