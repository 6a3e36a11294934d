from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BestInProfessionConfig(AppConfig):
    name = "profmaster.best_in_profession"
    verbose_name = _("Конкурс «Лучший по профессии»")

    def ready(self) -> None:
        from profmaster.championships.models import Championship
        from profmaster.registration import profiles

        from .rules import CONTESTANT_RULES

        profiles.register(Championship.RulesProfile.BEST_IN_PROFESSION, CONTESTANT_RULES)
