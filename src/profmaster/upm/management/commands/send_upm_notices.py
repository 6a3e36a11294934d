"""Send the УПМ lesson notices that are due (the same work as the Celery beat task every 15 minutes)."""

from typing import Any

from django.core.management.base import BaseCommand

from profmaster.upm.reminders import send_lesson_notices


class Command(BaseCommand):
    help = ("Remind parents and coordinators the day before a lesson; flag to the venue and the operator a lesson "
            "whose equipment no school confirmed two days before. Each once.")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_lesson_notices()
        for item in sent:
            self.stdout.write(f"lesson {item.lesson_id}: {item.kind}, {item.recipients} recipient(s)")
        self.stdout.write(f"notices queued: {len(sent)}")
