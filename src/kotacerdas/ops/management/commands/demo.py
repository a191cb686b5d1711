from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from kotacerdas.settings import envbool

PRODUCTION_FLAG = "--i-know-this-is-production"


class Command(BaseCommand):
    help = ("Muat data demo Kabupaten Banyuasin (idempoten) / Load the Banyuasin demo data (idempotent). "
            "Hasil wilayah lain dalam demo adalah SINTETIS; `--remove` mengarsipkan semua data demo.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-regions", action="store_true", help="jangan muat ulang wilayah")
        parser.add_argument("--remove", action="store_true",
                            help="arsipkan semua data demo (tidak ada yang dihapus) / archive every demo row")
        parser.add_argument(PRODUCTION_FLAG, dest="production_ok", action="store_true",
                            help="izinkan di instalasi PRODUCTION=1 / allow on a PRODUCTION=1 install")

    def handle(self, *args: Any, **opts: Any) -> None:
        if envbool("PRODUCTION") and not opts["production_ok"] and not opts["remove"]:
            raise CommandError(
                "Instalasi ini PRODUCTION=1: data demo (hasil sintetis untuk kab/kota sungguhan) tidak dimuat. "
                f"Bila memang disengaja: kotacerdas demo {PRODUCTION_FLAG}", returncode=2)
        self._migrate_if_needed()
        from kotacerdas.core import provenance
        from kotacerdas.ops.actions import demo_removed_at, do_remove_demo

        if opts["remove"]:
            counts = do_remove_demo(None)
            self.stdout.write("Data demo diarsipkan / demo data archived: "
                              + ", ".join(f"{v} {k}" for k, v in counts.items())
                              + ". Buat admin sendiri: kotacerdas createadmin EMAIL --password ...")
            return
        removed = demo_removed_at()
        if removed is not None:
            self.stdout.write(f"Data demo sudah diarsipkan ({removed:%Y-%m-%d %H:%M}, kotacerdas demo --remove); "
                              "tidak dimuat lagi / demo was archived, not loaded again")
            return
        from kotacerdas.ops.demo import app_loaders, load_catalogue_demo
        from kotacerdas.regions.models import Region

        if not opts["skip_regions"] or not Region.objects.filter(code="16.07").exists():
            call_command("loadregions", stdout=self.stdout)
        report = load_catalogue_demo()
        self.stdout.write(f"Demo Banyuasin: {report.created} baru, {report.updated} diperbarui")
        for load in app_loaders():
            load(self.stdout)
        provenance.forget()
        self.stdout.write("DATA DEMO — angka wilayah lain sintetis, bukan hasil resmi / synthetic figures, "
                          "not official results. Arsipkan / archive: kotacerdas demo --remove")

    def _migrate_if_needed(self) -> None:
        """A database without tables (or behind on migrations) is migrated first, saying so in one line."""
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(f"Basis data belum dimigrasi: menjalankan `kotacerdas migrate` dulu "
                              f"({settings.DATABASES['default']['NAME']})")
            call_command("migrate", interactive=False, verbosity=0)

