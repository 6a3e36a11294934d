from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimekeepingConfig(AppConfig):
    name = "profmaster.timekeeping"
    verbose_name = _("Учёт времени и день соревнований")
