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
        # An edit through the Django admin writes a LogEntry in the admin's own transaction: it may change
        # any page, so it bumps the global data version there (core.dataversion).
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        post_save.connect(_admin_edit, sender=LogEntry, dispatch_uid="kotacerdas-dataversion-admin")


def _admin_edit(sender: object, created: bool = False, **kwargs: object) -> None:
    if created:
        from . import dataversion

        dataversion.bump(dataversion.GLOBAL)
