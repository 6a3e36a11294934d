from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "profmaster.disputes"
    label = "disputes"
    verbose_name = _("Спорные вопросы")
