"""`manage.py load_demo`: load the demo championship (idempotent) and print the demo logins."""

from typing import Any

from django.core.management.base import BaseCommand

from profmaster.demo import data


class Command(BaseCommand):
    help = "Загрузить демонстрационный чемпионат «Мастерята» (повторный запуск ничего не меняет)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="не печатать логины")

    def handle(self, *args: Any, **options: Any) -> None:
        existed = data.demo_exists()
        championship = data.load_demo()
        if existed:
            self.stdout.write(f"Демо уже загружено: {championship}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Загружено демо: {championship}"))
        if options["quiet"]:
            return
        self.stdout.write("\nДемо-пользователи (e-mail / пароль / роль):")
        for email, password, label in data.credentials():
            self.stdout.write(f"  {email:38} {password:18} {label}")
