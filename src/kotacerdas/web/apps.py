from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kotacerdas.web"
    label = "web"
    verbose_name = _("Antarmuka web")

    def ready(self) -> None:
        # Imports every app's dashboard.py (ours included), which registers its page sections.
        from .integrations import install
        from .sections import autodiscover

        autodiscover()
        install()
