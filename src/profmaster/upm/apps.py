from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpmConfig(AppConfig):
    name = "profmaster.upm"
    label = "upm"
    verbose_name = _("Уроки профессионального мастерства")
