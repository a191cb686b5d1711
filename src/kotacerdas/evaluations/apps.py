from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "kotacerdas.evaluations"
    label = "evaluations"
    verbose_name = _("Evaluasi")

    def ready(self) -> None:
        from kotacerdas.core.provenance import register_demo_probe

        from . import rules  # noqa: F401  (registers permissions)
        from .queries import demo_rows

        register_demo_probe(demo_rows)
