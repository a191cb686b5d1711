from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "kotacerdas.surveys"
    label = "surveys"
    verbose_name = _("Survei dampak")

    def ready(self) -> None:
        from kotacerdas.reports.sections import register_provider

        from . import rules  # noqa: F401  (registers permissions)
        from .report import survey_section

        register_provider("survey", survey_section)
