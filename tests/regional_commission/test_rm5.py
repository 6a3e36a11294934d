"""RM-5, DOC-2 (000 §11–12): the stage's summary sheet, the expert working group's protocol signed by its members,
its transfer to the regional contest commission and the commission's own protocol; the commission's workspace
shows exactly these documents; every refusal changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profmaster.core.errors import DomainError, TransitionError
from profmaster.documents.domain import regenerate_document, sign_document
from profmaster.documents.models import DocumentType
from profmaster.notifications.models import OutboundEmail
from profmaster.regional_commission import domain
from profmaster.regional_commission.models import CommissionProtocol, ProtocolTransfer

from ..factories import PASSWORD, ChampionshipFactory, CompetencyFactory, UserFactory, give_role
from .conftest import make_stage

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sign_all(document, people):
    for person in people:
        sign_document(document, signer=person, password=PASSWORD, by=person)


@pytest.mark.parametrize(("totals", "places"), [
    ([], []), ([5], [1]), ([9, 8, 7], [1, 2, 3]), ([9, 9, 7], [1, 1, 3]), ([9, 8, 8, 8, 1], [1, 2, 2, 2, 5]),
])
def test_rm5_places_table(totals, places):
    assert domain.places(totals) == places


def test_rm5_summary_sheet_from_locked_marks(stage):
    sheet = domain.summary_sheet(stage.scheme)
    assert [c["code"] for c in sheet["criteria"]] == ["A", "B", "C"]
    # every mark 2 of 3 on aspects of 2 points: each criterion 1,33 and the same total, so both share the first place
    assert [(r["place"], r["criteria"], r["total"]) for r in sheet["rows"]] == [
        (1, ["1,33", "1,33", "1,33"], "4,00"), (1, ["1,33", "1,33", "1,33"], "4,00")]


def test_rm5_summary_refused_before_the_lock(competency):
    unlocked = make_stage(competency, lock=False)
    with pytest.raises(DomainError, match="после сверки и блокировки оценок"):
        domain.summary_sheet(unlocked.scheme)
    with pytest.raises(DomainError):
        domain.create_expert_group_protocol(unlocked.scheme, by=unlocked.chief)
    page = client_for(unlocked.chief).get(reverse("regional_commission:summary", args=[unlocked.scheme.pk]))
    assert page.status_code == 200 and 'id="summary-refusal"' in page.content.decode()


def test_rm5_whole_flow_group_protocol_transfer_commission_protocol(stage):
    protocol = domain.create_expert_group_protocol(stage.scheme, by=stage.chief)
    document = protocol.document
    assert document.doc_type == DocumentType.EXPERT_GROUP_PROTOCOL and document.is_generated
    assert [r.user for r in document.required_signers.order_by("order")] == [stage.chief, *sorted(
        stage.experts, key=lambda u: u.last_name)]
    assert "Сводная оценочная ведомость" in document.data
    with pytest.raises(TransitionError, match="уже сформирован"):
        domain.create_expert_group_protocol(stage.scheme, by=stage.chief)
    # not every member signed: the transfer is refused and nothing is recorded
    sign_document(document, signer=stage.chief, password=PASSWORD, by=stage.chief)
    with pytest.raises(DomainError, match="ещё не подписан всеми членами экспертной группы"):
        domain.transfer_protocol(protocol, by=stage.chief)
    assert not ProtocolTransfer.objects.exists()
    # the commission does not see a protocol that was not passed to it
    member = stage.commission[0]
    assert client_for(member).get(reverse("documents:detail", args=[document.pk])).status_code == 403
    sign_all(document, stage.experts)
    transfer = domain.transfer_protocol(protocol, by=stage.chief, note="Передаём")
    assert (transfer.passed_by, transfer.content_hash) == (stage.chief, document.content_hash)
    assert set(OutboundEmail.objects.filter(template="commission_protocol_received").values_list("to", flat=True)) \
        == {"commission0@example.ru", "commission1@example.ru"}
    with pytest.raises(TransitionError, match="уже передан"):
        domain.transfer_protocol(protocol, by=stage.chief)
    with pytest.raises(TransitionError, match="уже передан"):
        regenerate_document(document, by=stage.chief, reason="Ещё раз")
    # the commission sees what it received and when, and forms its own protocol
    assert client_for(member).get(reverse("documents:detail", args=[document.pk])).status_code == 200
    workspace = client_for(member).get(reverse("regional_commission:workspace", args=[stage.championship.pk]))
    html = workspace.content.decode()
    assert workspace.status_code == 200 and str(document) in html and stage.chief.full_name in html
    commission = domain.create_commission_protocol(stage.championship, by=member)
    cdoc = commission.document
    assert cdoc.doc_type == DocumentType.COMMISSION_PROTOCOL
    assert {r.user for r in cdoc.required_signers.all()} == set(stage.commission)
    assert cdoc.data["Рассмотренные протоколы"][0]["Передал"] == stage.chief.full_name
    sign_all(cdoc, stage.commission)
    assert client_for(member).get(reverse("documents:detail", args=[cdoc.pk])).status_code == 200
    # nothing new received: forming again changes nothing and says so
    with pytest.raises(DomainError, match="Записи не изменились"):
        domain.create_commission_protocol(stage.championship, by=member)
    assert CommissionProtocol.objects.count() == 1


def test_rm5_commission_reads_exactly_its_documents(stage):
    """The register of a commission member lists the passed protocol and the commission's own, nothing else;
    the other documents of the championship (the marks-lock form, the criteria lock) stay closed."""
    protocol = domain.create_expert_group_protocol(stage.scheme, by=stage.chief)
    sign_all(protocol.document, [stage.chief, *stage.experts])
    domain.transfer_protocol(protocol, by=stage.chief)
    own = domain.create_commission_protocol(stage.championship, by=stage.commission[0]).document
    client = client_for(stage.commission[1])
    register = client.get(reverse("documents:register", args=[stage.championship.pk]))
    assert register.status_code == 200
    assert sorted(row["document"].pk for row in register.context["rows"]) == sorted([protocol.document.pk, own.pk])
    from profmaster.marking.marks import marking_of

    lock_form = marking_of(stage.scheme).lock_document
    assert client.get(reverse("documents:detail", args=[lock_form.pk])).status_code == 403
    assert client.get(reverse("regional_commission:summary", args=[stage.scheme.pk])).status_code == 403
    elsewhere = ChampionshipFactory(name="Другой")
    assert client.get(reverse("regional_commission:workspace", args=[elsewhere.pk])).status_code == 403
    cabinet = client.get(reverse("cabinet")).content.decode()
    assert reverse("regional_commission:workspace", args=[stage.championship.pk]) in cabinet


def test_rm5_commission_protocol_refusals(stage):
    with pytest.raises(DomainError, match="не получила ни одного протокола"):
        domain.create_commission_protocol(stage.championship, by=stage.commission[0])
    lonely = ChampionshipFactory(name="Без комиссии")
    competency = CompetencyFactory(championship=lonely)
    chief = UserFactory(last_name="Одинокова")
    give_role(chief, "chief_expert", lonely, competency)
    with pytest.raises(DomainError, match="не назначена региональная конкурсная комиссия"):
        domain.create_commission_protocol(lonely, by=chief)
    assert not CommissionProtocol.objects.exists()


def test_rm5_pages_create_and_transfer(stage):
    chief = client_for(stage.chief)
    url = reverse("regional_commission:summary", args=[stage.scheme.pk])
    assert 'id="summary-sheet"' in chief.get(url).content.decode()
    early = chief.post(reverse("regional_commission:transfer", args=[stage.scheme.pk]), follow=True)
    assert "Сначала сформируйте и подпишите протокол" in early.content.decode()
    chief.post(reverse("regional_commission:create_group_protocol", args=[stage.scheme.pk]))
    page = chief.get(url).content.decode()
    assert 'id="group-protocol-signatures">0 / 3<' in page
    expert = client_for(stage.experts[0])
    assert expert.post(reverse("regional_commission:transfer", args=[stage.scheme.pk])).status_code == 403
    refused = chief.post(reverse("regional_commission:transfer", args=[stage.scheme.pk]), follow=True)
    assert "ещё не подписан всеми членами" in refused.content.decode()
    assert not ProtocolTransfer.objects.exists()
