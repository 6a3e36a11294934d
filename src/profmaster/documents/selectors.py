"""Read-only queries about documents used by pages of other apps (e.g. the cabinet)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from .models import Document, Signature


def documents_awaiting_signature(user: Any) -> QuerySet[Document]:
    """Documents where the user is a required signer with no valid signature yet."""
    valid = Signature.objects.filter(document=OuterRef("pk"), signer=user, voided_at__isnull=True)
    return (Document.objects.filter(required_signers__user=user)
            .exclude(Exists(valid)).select_related("championship").order_by("-created_at"))
