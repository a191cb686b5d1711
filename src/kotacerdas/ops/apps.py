from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """The top floor: what runs or spans the whole installation (`kotacerdas demo`, `backup`, `restore`,
    `serve`, `worker`) and so may import every app. No models; nothing below imports it."""

    name = "kotacerdas.ops"
    label = "ops"
    verbose_name = _("Operasi")
