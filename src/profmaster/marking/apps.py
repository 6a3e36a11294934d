from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarkingConfig(AppConfig):
    name = "profmaster.marking"
    label = "marking"
    verbose_name = _("Схемы оценки и оценивание")
