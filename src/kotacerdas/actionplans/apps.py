from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "kotacerdas.actionplans"
    label = "actionplans"
    verbose_name = _("Rencana aksi")

    def ready(self) -> None:
        from kotacerdas.evaluations.notify import register_reminder
        from kotacerdas.reports.sections import register_provider

        from . import rules  # noqa: F401  (registers permissions)
        from .report import action_plan_section

        register_provider("action_plan", action_plan_section)
        from .notify import send_reminders

        register_reminder(send_reminders)
