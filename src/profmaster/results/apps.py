from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "profmaster.results"
    verbose_name = _("Итоги и награды")

    def ready(self) -> None:
        # DOC-4: an open entry of the register of unscrupulous experts blocks every panel assignment.
        from profmaster.accounts.domain import PANEL_ASSIGNMENT_CHECKS

        from .domain import panel_block

        if panel_block not in PANEL_ASSIGNMENT_CHECKS:
            PANEL_ASSIGNMENT_CHECKS.append(panel_block)
