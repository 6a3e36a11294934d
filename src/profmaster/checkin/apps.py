from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "profmaster.checkin"
    verbose_name = _("Аккредитация и допуск на площадку")
