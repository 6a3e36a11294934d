"""RM-5, RM-6 in the demo: commission@profmaster.local finds its workspace with the Флористика expert group's
protocol received; participant@profmaster.local sees the answer to a support request; the roster and FAQ exist."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.accounts.models import User
from profmaster.demo import data
from profmaster.regional_commission.models import ProtocolTransfer
from profmaster.support.models import DutyAssignment, FaqEntry, SupportRequest

pytestmark = pytest.mark.django_db


def test_rm5_rm6_demo_commission_workspace_and_answered_request():
    championship = data.load_demo()
    data.load_demo()  # idempotent
    transfer = ProtocolTransfer.objects.get()
    assert transfer.protocol.competency.name == "Флористика"
    client = Client()
    client.force_login(User.objects.get(email="commission@profmaster.local"))
    cabinet = client.get(reverse("cabinet")).content.decode()
    workspace_url = reverse("regional_commission:workspace", args=[championship.pk])
    assert workspace_url in cabinet
    page = client.get(workspace_url).content.decode()
    assert transfer.protocol.document.title in page and 'id="form-commission-protocol"' in page
    assert DutyAssignment.objects.filter(championship=championship).count() == 2
    assert FaqEntry.objects.filter(championship=championship).count() == 3
    request = SupportRequest.objects.get(championship=championship)
    assert (request.author.email, request.status) == ("participant@profmaster.local", "answered")
