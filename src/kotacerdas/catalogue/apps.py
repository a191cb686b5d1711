from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "kotacerdas.catalogue"
    label = "catalogue"
    verbose_name = _("Katalog program")

    def ready(self) -> None:
        from kotacerdas.core.provenance import register_demo_probe

        from .queries import demo_rows

        register_demo_probe(demo_rows)
