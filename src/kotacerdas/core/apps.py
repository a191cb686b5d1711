from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kotacerdas.core"
    label = "core"
    verbose_name = _("Inti")

    def ready(self) -> None:
        from . import fieldguard

        fieldguard.connect()
