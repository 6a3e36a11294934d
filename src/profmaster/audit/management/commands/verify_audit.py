"""X-2: recompute the audit log's hash chain from its first entry and report every entry altered, removed or
reordered outside the application. Prints the head (entries and last hash) so it can be kept elsewhere.
Exit status 1 when a problem is found (for cron and monitoring)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from profmaster.audit import chain
from profmaster.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log."

    def handle(self, *args: Any, **options: Any) -> None:
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
        problems = chain.verify(entries)
        for problem in problems:
            self.stdout.write(f"audit log: {problem.message}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the audit log")
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first() or (0, chain.GENESIS)
        self.stdout.write(self.style.SUCCESS(f"audit log intact ({head[0]} entries, head {head[1]})"))
