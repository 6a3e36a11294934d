"""Demo data of RM-5: the expert group's protocol of a locked stage, signed by its members and passed to the
regional contest commission — so ``commission@profmaster.local`` finds it in the workspace and forms and signs
the commission's own protocol. Idempotent."""

from __future__ import annotations

from typing import Any

from profmaster.documents.domain import sign_document
from profmaster.documents.selectors import missing_signers
from profmaster.marking.models import MarkingScheme, SchemeMarking

from . import domain
from .models import ExpertGroupProtocol, ProtocolTransfer


def load(championship: Any, *, password: str) -> None:
    """For every locked scheme of the championship: the protocol, every signature, the transfer."""
    for scheme in MarkingScheme.objects.filter(competency__championship=championship,
                                               marking__status=SchemeMarking.Status.LOCKED).order_by("pk"):
        protocol = ExpertGroupProtocol.objects.filter(scheme=scheme).first()
        if protocol is None:
            protocol = domain.create_expert_group_protocol(scheme, by=scheme.marking.locked_by)
        for required in missing_signers(protocol.document):
            sign_document(protocol.document, signer=required.user, password=password, by=required.user)
        if not ProtocolTransfer.objects.filter(protocol=protocol).exists():
            domain.transfer_protocol(protocol, by=protocol.created_by, note="Протокол подписан всеми членами группы.")
