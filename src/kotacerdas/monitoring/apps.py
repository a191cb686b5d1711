from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "kotacerdas.monitoring"
    label = "monitoring"
    verbose_name = _("Pemantauan program")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers permissions)
