from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalCommissionConfig(AppConfig):
    name = "profmaster.regional_commission"
    verbose_name = _("Экспертная группа и региональная комиссия")
