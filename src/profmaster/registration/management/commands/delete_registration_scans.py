"""Retention of document scans (REG-7, X-1): delete every scan of a championship that has ended, audited."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from profmaster.registration.domain import delete_expired_scans


class Command(BaseCommand):
    help = "Delete the document-check scans of every championship that ended before today (or --today)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="YYYY-MM-DD, for a dry check of what a later run would delete")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {options['today']!r}") from exc
        deleted = delete_expired_scans(today=today)
        for championship, count in deleted.items():
            self.stdout.write(f"{championship}: {count}")
        self.stdout.write(f"deleted: {sum(deleted.values())}")
