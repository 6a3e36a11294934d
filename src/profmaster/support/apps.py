from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "profmaster.support"
    verbose_name = _("Техническая поддержка")
