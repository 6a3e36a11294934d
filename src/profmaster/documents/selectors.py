"""Read-only queries about documents: signing status, the register, what a person may see.

Pages, the API, the PDF and the cabinet of other apps all ask these, so "complete", "who still
has to sign" and "which documents this person sees" mean the same thing on every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.permissions import commission_documents, competency_filter, holds

from .models import Document, RequiredSigner, Signature

#: Roles that read a championship's register; chief experts only for their competencies.
REGISTER_ROLES = (Role.DIRECTORATE, Role.QUALITY_CONTROL, Role.CHIEF_EXPERT)
#: Roles that may create documents, and for which competencies (see :func:`creatable_competencies`).
AUTHOR_ROLES = (Role.DIRECTORATE, Role.CHIEF_EXPERT)


class RegisterState:
    COMPLETE = "complete"
    AWAITING = "awaiting"


def documents_awaiting_signature(user: Any) -> QuerySet[Document]:
    """Documents where the user is a required signer with no valid signature yet."""
    valid = Signature.objects.filter(document=OuterRef("pk"), signer=user, voided_at__isnull=True)
    return (Document.objects.filter(required_signers__user=user)
            .exclude(Exists(valid)).select_related("championship").order_by("-created_at"))


# --- Signing status of one document --------------------------------------------------------------


def valid_signatures(document: Document) -> list[Signature]:
    """Signatures that count: not voided and given for the document's current content hash."""
    return list(document.signatures.filter(voided_at__isnull=True, content_hash=document.content_hash)
                .select_related("signer").order_by("signed_at", "pk"))


@dataclass(frozen=True)
class SigningStatus:
    """Who was asked to sign, who did (for the current content) and who has not yet."""

    required: list[RequiredSigner]
    valid: list[Signature]
    missing: list[RequiredSigner]
    voided: list[Signature] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.required) and not self.missing

    @property
    def signed_count(self) -> int:
        return len(self.required) - len(self.missing)

    def signature_of(self, user: Any) -> Signature | None:
        return next((s for s in self.valid if s.signer_id == getattr(user, "pk", None)), None)

    def must_sign(self, user: Any) -> bool:
        """Whether this person is a required signer who has not signed the current content."""
        return any(r.user_id == getattr(user, "pk", None) for r in self.missing)


def signing_status(document: Document) -> SigningStatus:
    required = list(document.required_signers.select_related("user").order_by("order", "pk"))
    valid = valid_signatures(document)
    signed_ids = {s.signer_id for s in valid}
    voided = list(document.signatures.exclude(pk__in=[s.pk for s in valid])
                  .select_related("signer").order_by("signed_at", "pk"))
    return SigningStatus(required=required, valid=valid,
                         missing=[r for r in required if r.user_id not in signed_ids], voided=voided)


def is_complete(document: Document) -> bool:
    """Every required signer has a valid signature for the current content hash."""
    return signing_status(document).complete


def missing_signers(document: Document) -> list[RequiredSigner]:
    """Required signers who still have to sign the current content, in signing order."""
    return signing_status(document).missing


# --- The register ---------------------------------------------------------------------------------


def _missing_count() -> Coalesce:
    signed = Signature.objects.filter(document=OuterRef("document"), signer=OuterRef("user"),
                                      voided_at__isnull=True, content_hash=OuterRef("document__content_hash"))
    pending = (RequiredSigner.objects.filter(document=OuterRef("pk")).exclude(Exists(signed))
               .order_by().values("document").annotate(n=Count("pk")).values("n")[:1])
    return Coalesce(Subquery(pending, output_field=IntegerField()), Value(0))


def visible_documents(user: Any, championship: Any) -> QuerySet[Document]:
    """The championship's documents this person reads in the register (and the API list).

    The Directorate and quality control see all of them; a chief expert only those of their
    competencies; the regional commission those addressed to it. Callers check ``documents.view_register``
    first; this only narrows.
    """
    scope = competency_filter(user, championship, *REGISTER_ROLES)
    if scope and holds(user, {Role.REGIONAL_COMMISSION}, championship.pk):
        scope |= commission_documents()  # the protocols passed to the regional commission and its own (RM-5)
    return Document.objects.filter(championship=championship).filter(scope)


def register(user: Any, championship: Any, *, doc_type: str = "", competency_id: int | None = None,
             state: str = "") -> QuerySet[Document]:
    """The register of documents with each one's signer counts, filtered as asked."""
    documents = (visible_documents(user, championship)
                 .select_related("championship", "competency")
                 .annotate(required_count=Count("required_signers", distinct=True), missing_count=_missing_count())
                 .order_by("-number"))
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    if competency_id is not None:
        documents = documents.filter(competency_id=competency_id)
    if state == RegisterState.COMPLETE:
        documents = documents.filter(required_count__gt=0, missing_count=0)
    elif state == RegisterState.AWAITING:
        documents = documents.filter(Q(missing_count__gt=0) | Q(required_count=0))
    return documents


def missing_by_document(documents: list[Document]) -> dict[int, list[RequiredSigner]]:
    """For a page of the register: who still has to sign each document (two queries in all)."""
    ids = [d.pk for d in documents]
    hashes = {d.pk: d.content_hash for d in documents}
    signed = {(doc_id, signer_id) for doc_id, signer_id, content_hash in
              Signature.objects.filter(document_id__in=ids, voided_at__isnull=True)
              .values_list("document_id", "signer_id", "content_hash") if hashes[doc_id] == content_hash}
    result: dict[int, list[RequiredSigner]] = {pk: [] for pk in ids}
    for required in RequiredSigner.objects.filter(document_id__in=ids).select_related("user").order_by("order", "pk"):
        if (required.document_id, required.user_id) not in signed:
            result[required.document_id].append(required)
    return result


# --- Choices for creating documents ----------------------------------------------------------------


def _competencies_for(user: Any, championship: Any, roles: tuple[str, ...]) -> tuple[QuerySet[Any], bool]:
    scope = competency_filter(user, championship, *roles)
    competencies = championship.competencies.order_by("name")
    if not scope:  # an empty Q: the role covers the whole championship
        return competencies, True
    # competency_filter narrows with Q(competency_id__in=ids); the ids are what this person may reach.
    allowed: set[int] = set()
    for child in scope.children:
        if isinstance(child, tuple) and child[0] == "competency_id__in":
            allowed.update(child[1])
    return competencies.filter(pk__in=allowed), False


def creatable_competencies(user: Any, championship: Any) -> tuple[QuerySet[Any], bool]:
    """Competencies this person may create documents for, and whether a championship-wide one is allowed.

    The Directorate writes for every competency and for the championship as a whole; a chief expert
    only for their own competencies.
    """
    return _competencies_for(user, championship, AUTHOR_ROLES)


def register_competencies(user: Any, championship: Any) -> QuerySet[Any]:
    """Competencies offered in the register's filter: those whose documents this person sees."""
    return _competencies_for(user, championship, REGISTER_ROLES)[0]


def signer_candidates(championship: Any) -> QuerySet[RoleAssignment]:
    """Role assignments in the championship: the people who may be asked to sign its documents."""
    return (RoleAssignment.objects.filter(championship=championship, user__is_active=True)
            .select_related("user", "competency")
            .order_by("user__last_name", "user__first_name", "user__patronymic", "role", "pk"))


def role_label(assignment: RoleAssignment) -> str:
    """«Главный эксперт, Кондитерское дело» — how a signer's capacity is printed on the stamp."""
    label = str(Role(assignment.role).label)
    if assignment.competency is not None:
        label = f"{label}, {assignment.competency.name}"
    return label

