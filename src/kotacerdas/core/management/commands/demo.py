from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kotacerdas.core.demo import load_catalogue_demo
from kotacerdas.regions.models import Region


class Command(BaseCommand):
    help = ("Muat data demo Kabupaten Banyuasin (idempoten) / Load the Banyuasin demo data (idempotent). "
            "Semua data demo ditandai sebagai demo.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-regions", action="store_true", help="jangan muat ulang wilayah")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["skip_regions"] or not Region.objects.filter(code="16.07").exists():
            call_command("loadregions", stdout=self.stdout)
        report = load_catalogue_demo()
        self.stdout.write(f"Demo Banyuasin: {report.created} baru, {report.updated} diperbarui")
        for hook in _demo_hooks():
            hook(self.stdout)


def _demo_hooks() -> list[Any]:
    """Later apps (evaluations, surveys, monitoring) add their demo loaders here."""
    from kotacerdas.core import demo_hooks

    return demo_hooks.HOOKS
