from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "kotacerdas.monitoring"
    label = "monitoring"
    verbose_name = _("Pemantauan program")

    def ready(self) -> None:
        from kotacerdas.core import demo_hooks

        from . import rules  # noqa: F401  (registers permissions)
        from .demo import load_demo

        if load_demo not in demo_hooks.HOOKS:
            demo_hooks.HOOKS.append(load_demo)
