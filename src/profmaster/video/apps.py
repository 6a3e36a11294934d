from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    name = "profmaster.video"
    verbose_name = _("Видеосессии")
