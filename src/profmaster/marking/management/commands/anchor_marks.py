"""X-2: anchor the chain head of every scheme's marks ledger in the audit log (also a Celery beat task, hourly),
so that ``verify_marks`` finds a ledger rewritten together with its head."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from profmaster.marking.anchors import anchor_heads


class Command(BaseCommand):
    help = "Anchor the chain heads of all marks ledgers in the audit log."

    def handle(self, *args: Any, **options: Any) -> None:
        entry = anchor_heads()
        self.stdout.write(self.style.SUCCESS(
            f"anchored {len(entry.after['heads'])} ledger head(s) in audit entry #{entry.seq}"))
