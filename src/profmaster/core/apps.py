from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "profmaster.core"
    label = "core"
    verbose_name = _("Ядро")

    def ready(self) -> None:
        # Register the permission table with `rules` once the models are loaded.
        from profmaster import permissions  # noqa: F401

        from . import links  # noqa: F401  (registers the SITE_URL deploy check)
        from .sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="profmaster-unicode-like")
