from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kotacerdas.reports"
    label = "reports"
    verbose_name = _("Laporan")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers permissions)

