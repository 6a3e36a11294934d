"""`manage.py erase_video_recordings`: erase recordings past their retention date (RM-7), as the daily task does."""

from typing import Any

from django.core.management.base import BaseCommand

from profmaster.video.domain import erase_expired_recordings


class Command(BaseCommand):
    help = "Удалить видеозаписи с истёкшим сроком хранения (удаление записывается в журнал аудита)."

    def handle(self, *args: Any, **options: Any) -> None:
        erased = erase_expired_recordings()
        self.stdout.write(f"Удалено записей: {len(erased)}")
