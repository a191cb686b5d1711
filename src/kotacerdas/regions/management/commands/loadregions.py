from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kotacerdas.regions.loader import DATA_DIR, RegionDataError, load_regions


class Command(BaseCommand):
    help = ("Muat kode wilayah Kemendagri dan batas wilayah bawaan (idempoten) / "
            "Load the bundled Kemendagri region codes and boundaries (idempotent).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="folder data / data folder")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            report = load_regions(opts["data_dir"])
        except RegionDataError as exc:
            raise CommandError(f"Data wilayah tidak dimuat, tidak ada yang berubah: {exc}") from exc
        levels = ", ".join(f"{k}={v}" for k, v in report.by_level.items())
        self.stdout.write(
            f"Wilayah: {report.created} baru, {report.updated} diperbarui, {report.unchanged} tetap ({levels})"
        )
