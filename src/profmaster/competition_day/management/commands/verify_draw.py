"""``manage.py verify_draw <id>…``: re-run recorded draws (OP-1); exit code 1 when one does not match."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from profmaster.competition_day.domain import verify_draw
from profmaster.competition_day.models import Draw


class Command(BaseCommand):
    help = "Повторяет жеребьёвку из записанных данных и сообщает, совпадает ли результат (OP-1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="+", type=int, help="номера жеребьёвок")

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for pk in options["ids"]:
            draw = Draw.objects.select_related("protocol").filter(pk=pk).first()
            if draw is None:
                raise CommandError(f"Жеребьёвка № {pk} не найдена.")
            outcome = verify_draw(draw)
            if outcome.matches:
                self.stdout.write(f"Жеребьёвка № {pk}: совпадает (зерно {draw.seed}).")
                continue
            failed.append(pk)
            self.stdout.write(f"Жеребьёвка № {pk}: НЕ СОВПАДАЕТ")
            for difference in outcome.differences:
                self.stdout.write(f"  - {difference}")
        if failed:
            raise CommandError("Не совпадают жеребьёвки: " + ", ".join(map(str, failed)) + ".")
