"""X-2: recompute every scheme's marks ledger chain and current marks, and the results of every locked
scheme from its marks; check the chain against its anchors (the signed marks-lock protocol, the audit log);
report anything altered outside the application. Exit status 1 when a problem is
found (for cron and monitoring)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from profmaster.marking.anchors import anchor_problems
from profmaster.marking.marks import results_problems, verify
from profmaster.marking.models import MarkingScheme


class Command(BaseCommand):
    help = "Verify the hash chain of the marks ledger, the current marks against it and locked results."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scheme", type=int, help="only this scheme id")

    def handle(self, *args: Any, **options: Any) -> None:
        schemes = MarkingScheme.objects.order_by("pk")
        if options.get("scheme"):
            schemes = schemes.filter(pk=options["scheme"])
        found = 0
        recomputed = results_problems(list(schemes.select_related("competency__championship")))
        for scheme in schemes:
            problems = verify(scheme) + anchor_problems(scheme) + recomputed.get(scheme.pk, [])
            for problem in problems:
                self.stdout.write(f"scheme {scheme.pk} ({scheme.title}): {problem}")
            found += len(problems)
        if found:
            raise CommandError(f"{found} problem(s) in the marks ledger")
        self.stdout.write(self.style.SUCCESS(f"marks ledger intact ({schemes.count()} scheme(s))"))
