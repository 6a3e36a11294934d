"""Finish every exam attempt whose time and grace ran out (the same work as the Celery beat job)."""

from typing import Any

from django.core.management.base import BaseCommand

from profmaster.exams.domain import finish_overdue_attempts


class Command(BaseCommand):
    help = "Finish exam attempts past their deadline (plus grace) with their saved answers."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"finished: {finish_overdue_attempts()}")
