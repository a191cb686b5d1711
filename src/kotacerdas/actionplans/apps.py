from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionPlansConfig(AppConfig):
    name = "kotacerdas.actionplans"
    label = "actionplans"
    verbose_name = _("Rencana aksi")

    def ready(self) -> None:
        from kotacerdas.core import demo_hooks
        from kotacerdas.reports.sections import register_provider

        from . import rules  # noqa: F401  (registers permissions)
        from .report import action_plan_section

        register_provider("action_plan", action_plan_section)
        from .demo import load_demo
        from .notify import send_reminders

        if load_demo not in demo_hooks.HOOKS:
            demo_hooks.HOOKS.append(load_demo)
        if send_reminders not in demo_hooks.REMINDERS:
            demo_hooks.REMINDERS.append(send_reminders)
