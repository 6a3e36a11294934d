"""`manage.py erase_expired_personal_data`: erase scans past their retention date (RM-7); run daily from cron
where Celery beat does not run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from profmaster.best_in_profession.retention import erase_expired


class Command(BaseCommand):
    help = "Удалить сканы с истёкшим сроком хранения (запись об удалении остаётся)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="дата ГГГГ-ММ-ДД (по умолчанию — сегодня)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("Дата — в виде ГГГГ-ММ-ДД.") from exc
        counts = erase_expired(today=today)
        self.stdout.write(f"Удалено сканов участников конкурса: {counts['contestant_scans']}; "
                          f"сканов проверки документов: {counts['registration_scans']}.")
