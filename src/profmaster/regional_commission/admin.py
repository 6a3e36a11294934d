"""Admin of the expert working groups' protocols and the regional contest commission (RM-5, DOC-2): read-only.
Protocols are formed, signed and passed to the commission on their pages through :mod:`.domain`, which checks
the signatures, records the transfer and audits; the documents themselves open from ``documents``."""

from __future__ import annotations

from django.contrib import admin

from profmaster.core.admin_base import ReadOnlyAdmin

from .models import CommissionProtocol, ExpertGroupProtocol, ProtocolTransfer


@admin.register(ExpertGroupProtocol)
class ExpertGroupProtocolAdmin(ReadOnlyAdmin):
    """RM-5: the protocol of each stage's expert working group, one per marking scheme."""

    list_display = ("document", "championship", "competency", "scheme", "created_by", "created_at")
    list_filter = ("championship",)
    list_select_related = ("document", "championship", "competency", "scheme", "created_by")
    search_fields = ("competency__name", "document__title")
    readonly_fields = ("created_at",)


@admin.register(ProtocolTransfer)
class ProtocolTransferAdmin(ReadOnlyAdmin):
    """RM-5 (DOC-2): which signed protocol was passed to the commission, by whom, when, with which content hash."""

    list_display = ("protocol", "championship", "passed_by", "passed_at", "document_version", "content_hash")
    list_filter = ("championship",)
    list_select_related = ("protocol__document", "championship", "passed_by")
    search_fields = ("content_hash", "protocol__document__title")


@admin.register(CommissionProtocol)
class CommissionProtocolAdmin(ReadOnlyAdmin):
    """RM-5: the regional contest commission's own protocol of the championship's stage."""

    list_display = ("document", "championship", "created_by", "created_at")
    list_select_related = ("document", "championship", "created_by")
    search_fields = ("championship__name", "document__title")
    readonly_fields = ("created_at",)
