"""X-2: recompute every scheme's marks ledger chain and current marks; report anything altered
outside the application. Exit status 1 when a problem is found (for cron and monitoring)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from profmaster.marking.marks import verify
from profmaster.marking.models import MarkingScheme


class Command(BaseCommand):
    help = "Verify the hash chain of the marks ledger and the current marks against it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scheme", type=int, help="only this scheme id")

    def handle(self, *args: Any, **options: Any) -> None:
        schemes = MarkingScheme.objects.order_by("pk")
        if options.get("scheme"):
            schemes = schemes.filter(pk=options["scheme"])
        found = 0
        for scheme in schemes:
            problems = verify(scheme)
            for problem in problems:
                self.stdout.write(f"scheme {scheme.pk} ({scheme.title}): {problem}")
            found += len(problems)
        if found:
            raise CommandError(f"{found} problem(s) in the marks ledger")
        self.stdout.write(self.style.SUCCESS(f"marks ledger intact ({schemes.count()} scheme(s))"))
