from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionDayConfig(AppConfig):
    name = "profmaster.competition_day"
    label = "competition_day"
    verbose_name = _("День соревнований")
