"""Send the application-deadline reminders that are due (the same work as the hourly Celery beat task)."""

from typing import Any

from django.core.management.base import BaseCommand

from profmaster.registration.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = "Remind mentors of draft or returned applications that the submission deadline is near (3 and 1 days)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_deadline_reminders()
        for item in sent:
            self.stdout.write(f"application {item.application_id}: {item.days_before} day(s) before, "
                              f"to {', '.join(item.to)}")
        self.stdout.write(f"reminders queued: {len(sent)}")
