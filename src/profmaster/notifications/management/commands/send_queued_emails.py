"""X-6: send the e-mails that are due now, including failed ones whose retry time came (the same work as the
Celery beat job, for deployments without beat or to flush the queue by hand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from profmaster.notifications.domain import BATCH_SIZE, send_due
from profmaster.notifications.models import OutboundEmail


class Command(BaseCommand):
    help = "Send queued e-mails in batches over one SMTP connection each; failed ones are retried later."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        report = send_due(batch_size=max(1, options["batch_size"]))
        waiting = OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED, next_attempt_at__isnull=False).count()
        gave_up = OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED, next_attempt_at__isnull=True).count()
        self.stdout.write(f"sent {report.sent}, failed {report.failed} in {report.batches} batch(es); "
                          f"{waiting} wait for a retry, {gave_up} gave up (resend from the championship's e-mail page)")
